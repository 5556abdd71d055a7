#!/bin/bash
# DANE for SMTP (RFC 7672) against a real DNSSEC chain built at test time.
#
#   nsd      198.18.1.60  fd00:1::60  authoritative: dane.test (signed with a
#            fresh key; tests/dane/dane.test.zone), insecure.test and
#            wrongkey.test (tests/dane/side.zone, each its own key)
#   unbound  198.18.1.61  fd00:1::61  validating resolver: stub zones to nsd,
#            trust anchors for dane.test (its DS) and wrongkey.test (a key
#            that did not sign it); everything else REFUSED, so nothing
#            is ever asked outside the bed
#   Postfix  198.18.1.2   the bed's (leaf certificate for mail.example.test)
#            198.18.3.2   odd.example.test (bed_odd_up): self-signed on 25
#            198.18.4.2   this test's own, in its own namespace: sends leaf +
#                         test CA, certificate for mx-chain.dane.test; to SNI
#                         mx-deep.dane.test leaf + intermediate + test CA
#
# smtpprobe asks unbound (AD bit: DANE usable) or nsd directly (no AD: DANE
# cannot be evaluated).  JSON contract per probe: "dane" null when no TLSA
# applies, else {"usable": AD, "verified": true|false|null, "error"}; a
# failing check is finding dane-failure (error), a passing one makes port
# 25's downgrade_risk false with downgrade-protected naming DANE; TLSA
# without AD is target finding dane-unvalidated (info).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools openssl sha256sum nsd nsd-checkconf unbound unbound-checkconf \
	ldns-keygen ldns-signzone postconf postmap certtool
need_smtpprobe
bed_up
bed_odd_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

NSD4=198.18.1.60
NSD6=fd00:1::60
VAL4=198.18.1.61
VAL6=fd00:1::61
CHAIN_NS=smtpprobe-$RID-dane
DANE_DIR=$BED_DIR/dane
TEMPLATES=$PWD/tests/dane

# Stops what this test started, by pid; runs from the EXIT trap, before the
# bed's own cleanup (which would end it anyway, less politely).
# shellcheck disable=SC2317 # called from the trap
dane_down() {
	local f
	[ -f "$DANE_DIR/postfix/main.cf" ] && postfix -c "$DANE_DIR/postfix" stop >/dev/null 2>&1
	for f in "$DANE_DIR/nsd.pid" "$DANE_DIR/unbound.pid"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
}

# Puts dane_down in front of whatever EXIT trap bed_up installed.
chain_exit_trap() {
	local -a cur=()
	eval "cur=($(trap -p EXIT))" # trap -- 'COMMAND' EXIT
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "dane_down; ${cur[2]:-:}" EXIT
}
chain_exit_trap

# SHA-256, lower-case hex, of a certificate's public key (TLSA x 1 1) or of
# the whole certificate (TLSA x 0 1).
spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		sha256sum | cut -d' ' -f1
}
cert_sha256() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# dig from the client namespace, one try.
qdig() { in_client dig +time=1 +tries=1 "$@"; }

# --- keys and zones

# sign_zone ORIGIN TEMPLATE KEYBASE: $DANE_DIR/ORIGIN.signed
sign_zone() {
	sed -e "s/@POSTFIX_SPKI@/$POSTFIX_SPKI/g" -e "s/@ODD_SPKI@/$ODD_SPKI/g" \
		-e "s/@CA_SPKI@/$CA_SPKI/g" -e "s/@CA_CERT@/$CA_CERT/g" \
		"$2" >"$DANE_DIR/$1.zone" || return
	grep -qE '@[A-Z_]+@' "$DANE_DIR/$1.zone" && {
		echo "unfilled placeholder in $2" >&2
		return 1
	}
	ldns-signzone -o "$1" -f "$DANE_DIR/$1.signed" "$DANE_DIR/$1.zone" "$DANE_DIR/keys/$3"
}

# keygen ZONE [SUBDIR]: prints the key's base name (Kzone.+013+id), under
# keys/ (or keys/SUBDIR/: two keys of one zone may share a key tag)
keygen() {
	mkdir -p "$DANE_DIR/keys/${2:-.}" &&
		(cd "$DANE_DIR/keys/${2:-.}" && ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 -k "$1")
}

zones_make() {
	local t=$BED_DIR/tls k_dane k_ins k_wrong k_other n
	mkdir -p "$DANE_DIR/keys" || return
	POSTFIX_SPKI=$(spki_sha256 "$t/server.pem")
	ODD_SPKI=$(spki_sha256 "$t/selfsigned.pem")
	CA_SPKI=$(spki_sha256 "$t/ca.pem")
	CA_CERT=$(cert_sha256 "$t/ca.pem")
	for n in "$POSTFIX_SPKI" "$ODD_SPKI" "$CA_SPKI" "$CA_CERT"; do
		[ ${#n} -eq 64 ] || return
	done
	k_dane=$(keygen dane.test) && k_ins=$(keygen insecure.test) &&
		k_wrong=$(keygen wrongkey.test) && k_other=$(keygen wrongkey.test other) || return
	sign_zone dane.test "$TEMPLATES/dane.test.zone" "$k_dane" &&
		sign_zone insecure.test "$TEMPLATES/side.zone" "$k_ins" &&
		sign_zone wrongkey.test "$TEMPLATES/side.zone" "$k_wrong" || return
	# bogus: the TLSA data changed after signing, so its RRSIG no longer fits
	awk -v new="$CA_SPKI" '$1 == "_25._tcp.mx-bogus.dane.test." && $4 == "TLSA" { $8 = new } 1' \
		"$DANE_DIR/dane.test.signed" >"$DANE_DIR/dane.test.tmp" &&
		mv "$DANE_DIR/dane.test.tmp" "$DANE_DIR/dane.test.signed" || return
	[ "$(grep -c "^_25\._tcp\.mx-bogus\.dane\.test\..*TLSA.*$CA_SPKI" "$DANE_DIR/dane.test.signed")" -eq 1 ] ||
		return
	# Trust anchors: dane.test by its DS; wrongkey.test by a key that never
	# signed it.  insecure.test has none.
	cat "$DANE_DIR/keys/$k_dane.ds" "$DANE_DIR/keys/other/$k_other.key" >"$DANE_DIR/anchors"
}

# The addresses for nsd and unbound, on the mail side of the client link.
dns_addrs() {
	local dev
	dev=$(ip -n "$MAIL_NS" -o -4 addr show to 198.18.1.2/32 | awk '{print $2}')
	dev=${dev%%@*}
	[ -n "$dev" ] || return
	ip -n "$MAIL_NS" addr add "$NSD4/24" dev "$dev" &&
		ip -n "$MAIL_NS" addr add "$NSD6/64" dev "$dev" nodad &&
		ip -n "$MAIL_NS" addr add "$VAL4/24" dev "$dev" &&
		ip -n "$MAIL_NS" addr add "$VAL6/64" dev "$dev" nodad
}

nsd_up() {
	local z c=$DANE_DIR/nsd.conf
	cat >"$c" <<-EOF
		server:
		  ip-address: $NSD4
		  ip-address: $NSD6
		  port: 53
		  username: ""
		  chroot: ""
		  zonesdir: "$DANE_DIR"
		  database: ""
		  zonelistfile: "$DANE_DIR/zone.list"
		  xfrdfile: "$DANE_DIR/xfrd.state"
		  xfrdir: "$DANE_DIR"
		  pidfile: "$DANE_DIR/nsd.pid"
		  logfile: "$DANE_DIR/nsd.log"
		  server-count: 1
		  verbosity: 1
		  hide-version: yes
		remote-control:
		  control-enable: no
	EOF
	for z in dane.test insecure.test wrongkey.test; do
		printf 'zone:\n  name: "%s"\n  zonefile: "%s.signed"\n' "$z" "$z" >>"$c"
	done
	nsd-checkconf "$c" && ns_exec "$MAIL_NS" nsd -c "$c"
}

unbound_up() {
	local z c=$DANE_DIR/unbound.conf
	cat >"$c" <<-EOF
		server:
		  interface: $VAL4
		  interface: $VAL6
		  port: 53
		  do-daemonize: yes
		  username: ""
		  chroot: ""
		  directory: "$DANE_DIR"
		  pidfile: "$DANE_DIR/unbound.pid"
		  logfile: "$DANE_DIR/unbound.log"
		  use-syslog: no
		  verbosity: 1
		  val-log-level: 2
		  log-servfail: yes
		  num-threads: 1
		  access-control: 198.18.0.0/15 allow
		  access-control: fd00::/8 allow
		  module-config: "validator iterator"
		  trust-anchor-file: "$DANE_DIR/anchors"
		  # the zone order as served: the tests depend on no rotation
		  rrset-roundrobin: no
		  qname-minimisation: no
		  prefetch: no
		  # Nothing but the stub zones below is resolved: clients get
		  # REFUSED for any other name ("test." replaces unbound's default
		  # static zone), and should unbound ever look above a stub for
		  # itself, its root hints name nsd, which refuses too.  No
		  # question leaves the bed.
		  local-zone: "." refuse
		  local-zone: "test." refuse
		  root-hints: "$DANE_DIR/root.hints"
	EOF
	printf '%s\n' ". 3600 IN NS root.dane.test." "root.dane.test. 3600 IN A $NSD4" \
		"root.dane.test. 3600 IN AAAA $NSD6" >"$DANE_DIR/root.hints"
	for z in dane.test insecure.test wrongkey.test; do
		printf '  local-zone: "%s." transparent\n' "$z" >>"$c"
	done
	for z in dane.test insecure.test wrongkey.test; do
		printf 'stub-zone:\n  name: "%s."\n  stub-addr: %s\n  stub-addr: %s\n' \
			"$z" "$NSD4" "$NSD6" >>"$c"
	done
	printf 'remote-control:\n  control-enable: no\n' >>"$c"
	unbound-checkconf "$c" >/dev/null && ns_exec "$MAIL_NS" unbound -c "$c"
}

# A Postfix of this test's own on 198.18.4.2, port 25 only.  It sends its
# leaf (test CA, mx-chain.dane.test) and the CA, as DANE-TA(2) needs; to
# SNI mx-deep.dane.test a leaf from an intermediate CA, the intermediate
# and the CA.
chain_up() {
	local d=$DANE_DIR pf=$DANE_DIR/postfix t=$BED_DIR/tls
	bed_ns_add "$CHAIN_NS" && bed_link "$CHAIN_NS" 4 d || return
	tmpl() { printf '%s\n' "cn = \"$1\"" "dns_name = \"$1\"" tls_www_server signing_key \
		"expiration_days = 365"; }
	tmpl mx-chain.dane.test >"$d/chain.tmpl"
	tmpl mx-deep.dane.test >"$d/deep.tmpl"
	printf '%s\n' 'cn = "smtpprobe Test Intermediate"' ca cert_signing_key \
		"expiration_days = 365" >"$d/inter.tmpl"
	# cert NAME CA-NAME: NAME.key, NAME.pem signed by CA-NAME
	cert() {
		certtool --generate-privkey --key-type=ecdsa --outfile "$d/$1.key" &&
			certtool --generate-certificate --load-privkey "$d/$1.key" \
				--load-ca-certificate "$2.pem" --load-ca-privkey "$2.key" \
				--template "$d/$1.tmpl" --outfile "$d/$1.pem"
	}
	{
		cert chain "$t/ca" && cert inter "$t/ca" && cert deep "$d/inter"
	} >"$d/certtool.log" 2>&1 || {
		cat "$d/certtool.log" >&2
		return 1
	}
	echo "mx-deep.dane.test $d/deep.key, $d/deep.pem, $d/inter.pem, $t/ca.pem" >"$d/sni"
	mkdir -p "$d/queue" "$d/data" && chown postfix: "$d/data" || return
	cp -a "$BED_DIR/postfix" "$pf" || return
	postconf -c "$pf" -e "queue_directory = $d/queue" "data_directory = $d/data" \
		"maillog_file = $d/maillog" "myhostname = mx-chain.dane.test" \
		"smtpd_tls_chain_files = $d/chain.key, $d/chain.pem, $t/ca.pem" \
		"tls_server_sni_maps = hash:$pf/sni" || return
	{
		echo "25        inet  n - n - - smtpd"
		sed -n '/^pickup /,$p' "$BED_DIR/postfix/master.cf"
	} >"$pf/master.cf" || return
	# Backdated, or postmap and postfix wait for them to be a second old.
	cp "$d/sni" "$pf/sni" && touch -d '-1 min' "$pf/main.cf" "$pf/master.cf" "$pf/sni" &&
		postmap -c "$pf" -F "hash:$pf/sni" || return
	ns_exec "$CHAIN_NS" postfix -c "$pf" start >/dev/null 2>&1 || {
		show_maillog "$d/maillog"
		return 1
	}
}

# Bounded: nsd, unbound (validated) and the chain Postfix answer.
dane_wait() {
	local i
	for ((i = 0; i < 50; i++)); do
		if [ "$(qdig +short @"$NSD4" ns.dane.test A)" = "$NSD4" ] &&
			[ "$(qdig +short @"$VAL4" ns.dane.test A)" = "$NSD4" ] &&
			[ "$(listeners "$CHAIN_NS" 25)" -ge 2 ]; then
			return 0
		fi
		sleep 0.1
	done
	cat "$DANE_DIR/nsd.log" "$DANE_DIR/unbound.log" >&2 2>/dev/null
	show_maillog "$DANE_DIR/maillog"
	return 1
}

t0=$(date +%s%N)
zones_make || die "zone signing failed"
dns_addrs || die "DNS server addresses failed"
nsd_up || die "nsd failed to start"
unbound_up || die "unbound failed to start"
chain_up || die "chain postfix failed to start"
dane_wait || die "DNSSEC bed not ready"
echo "# DNSSEC bed up in $((($(date +%s%N) - t0) / 1000000)) ms"

# --- The chain as served: a wrong answer here is the bed's fault, not
# smtpprobe's.

# flags of dig's answer ("qr aa rd", ...), and its status
flags() { sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$1"; }
status() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$1"; }
# has_flag DIGOUT FLAG: yes/no
has_flag() { if [[ " $(flags "$1") " == *" $2 "* ]]; then echo yes; else echo no; fi; }

a=$(qdig @"$NSD4" +dnssec +norec _25._tcp.mx.dane.test TLSA)
assert_eq "nsd: TLSA answered authoritatively" "$(status "$a") $(has_flag "$a" aa)" "NOERROR yes"
assert_eq "nsd: TLSA has its RRSIG" "$(grep -c $'\tRRSIG\tTLSA ' <<<"$a")" 1
assert_eq "nsd: no AD from the authoritative server" "$(has_flag "$a" ad)" no

a=$(qdig @"$VAL4" +dnssec _25._tcp.mx.dane.test TLSA)
assert_eq "unbound: TLSA validated (ad)" "$(status "$a") $(has_flag "$a" ad)" "NOERROR yes"
assert_eq "unbound: TLSA data" "$(qdig @"$VAL4" +short _25._tcp.mx.dane.test TLSA | tr -d ' ' | tr A-F a-f)" \
	"311$POSTFIX_SPKI"
a=$(qdig @"$VAL6" +dnssec dane.test MX)
assert_eq "unbound over IPv6: MX validated (ad)" "$(status "$a") $(has_flag "$a" ad)" "NOERROR yes"
a=$(qdig @"$VAL4" +adflag _25._tcp.mx-none.dane.test TLSA)
assert_eq "unbound: no TLSA for mx-none, securely denied (ad)" \
	"$(status "$a") $(has_flag "$a" ad) $(grep -c $'\tTLSA\t' <<<"$a")" "NXDOMAIN yes 0"
assert_eq "unbound: mixed TLSA in zone order (2 0 1 first)" \
	"$(qdig @"$VAL4" +short _25._tcp.mx-mixed.dane.test TLSA | cut -c1-5 | paste -sd '|')" "2 0 1|3 1 1"
a=$(qdig @"$VAL4" +dnssec _25._tcp.mx-bogus.dane.test TLSA)
assert_eq "unbound: tampered TLSA is bogus (SERVFAIL)" "$(status "$a")" SERVFAIL
a=$(qdig @"$VAL4" +dnssec +cd _25._tcp.mx-bogus.dane.test TLSA)
assert_eq "unbound: tampered TLSA with +cd: data, no ad" "$(status "$a") $(has_flag "$a" ad)" "NOERROR no"
a=$(qdig @"$VAL4" +adflag mx-bogus.dane.test A)
assert_eq "unbound: the rest of the zone still validates" "$(status "$a") $(has_flag "$a" ad)" "NOERROR yes"
a=$(qdig @"$VAL4" +dnssec _25._tcp.mx.insecure.test TLSA)
assert_eq "unbound: signed zone without trust anchor: answer, no ad" \
	"$(status "$a") $(has_flag "$a" ad) $(grep -c $'\tTLSA\t' <<<"$a")" "NOERROR no 1"
a=$(qdig @"$VAL4" +dnssec _25._tcp.mx.wrongkey.test TLSA)
assert_eq "unbound: zone signed with a key the anchor does not name: SERVFAIL" "$(status "$a")" SERVFAIL
assert_eq "unbound: the bogus answers are logged as validation failures" \
	"$(grep_yn -E "$DANE_DIR/unbound.log" 'validation failure <_25\._tcp\.mx\.wrongkey\.test\. TLSA IN>')" yes
for n in example.com. . mail.example.test.; do
	assert_eq "unbound: $n refused (nothing outside the stub zones)" \
		"$(status "$(qdig @"$VAL4" "$n" A)")" REFUSED
done
assert_eq "chain Postfix sends leaf and CA" \
	"$(in_client timeout 10 openssl s_client -connect "198.18.4.2:25" -starttls smtp -showcerts \
		</dev/null 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" 2
assert_eq "chain Postfix sends leaf, intermediate and CA to SNI mx-deep" \
	"$(in_client timeout 10 openssl s_client -connect "198.18.4.2:25" -starttls smtp -showcerts \
		-servername mx-deep.dane.test </dev/null 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" 3
assert_eq "bed Postfix sends its leaf only" \
	"$(in_client timeout 10 openssl s_client -connect "198.18.1.2:25" -starttls smtp -showcerts \
		</dev/null 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" 1

# --- smtpprobe

# dprobe NAME DNS ARGS...: lib.sh's probe asking DNS, port 25 only; no
# sanitizer report either (when SMTPPROBE is the ASan build).  --quick
# (QUICK=--quick) skips the follow-up TLS 1.0/1.1 and injection sessions,
# which DANE does not look at: 1 s less per run.
dprobe() {
	local name=$1 DNS_SERVER=$2
	shift 2
	probe "$name" --ports 25 ${QUICK:+"$QUICK"} "$@"
	echo "# $name: $MS ms"
	assert_eq "$name: no sanitizer report" "$(grep -cE 'Sanitizer|runtime error' "$OUT/$name.err")" 0
}
P25='[.probes[] | select(.port == 25)]'
# jq: "dane" of every port-25 probe, compact, one per probe, joined by |
dane_of() { jq -r "$P25"' | map(.dane | tojson) | join("|")' "$1"; }
# probe_findings FILE ID: severities of finding ID on each port-25 probe
# shellcheck disable=SC2016 # $id is jq's
probe_findings() {
	jq -r --arg id "$2" "$P25"' | map([.findings[] | select(.id == $id) | .severity] | join(",")) | join("|")' "$1"
}
# shellcheck disable=SC2016 # $id is jq's
target_finding() { jq -r --arg id "$2" '[.findings[] | select(.id == $id) | .severity] | join(",")' "$1"; }
risk() { jq -r "$P25"' | map(.downgrade_risk | tostring) | join("|")' "$1"; }

# host_addrs HOST: the IPv4 and IPv6 address of an MX host in the zones
host_addrs() {
	case $1 in
	mx-odd.*) echo "198.18.3.2 fd00:3::2" ;;
	mx-chain* | mx-deep.*) echo "198.18.4.2 fd00:4::2" ;;
	*) echo "198.18.1.2 fd00:1::2" ;;
	esac
}
# common NAME HOST: two port-25 probes of HOST (IPv4, IPv6), STARTTLS done
common() {
	local v4 v6
	read -r v4 v6 < <(host_addrs "$2")
	assert_jq "$1: port-25 probes of $2, both families" "$F" \
		"$P25"' | map("\(.host) \(.address)") | sort | join(",")' "$2 $v4,$2 $v6"
	assert_jq "$1: STARTTLS handshakes done" "$F" "$P25"' | map(.tls.handshake | tostring) | join("|")' "true|true"
}
# verified NAME HOST: DANE usable and verified, port 25 protected by DANE
verified() {
	common "$1" "$2"
	assert_eq "$1: dane usable, verified, no error" "$(dane_of "$F")" \
		'{"usable":true,"verified":true,"error":null}|{"usable":true,"verified":true,"error":null}'
	assert_eq "$1: downgrade_risk false" "$(risk "$F")" "false|false"
	assert_eq "$1: finding downgrade-protected (info)" "$(probe_findings "$F" downgrade-protected)" "info|info"
	assert_jq "$1: downgrade-protected names DANE" "$F" \
		"$P25"' | map(.findings[] | select(.id == "downgrade-protected") | .message | test("DANE")) | all' true
	assert_eq "$1: no dane-failure" "$(probe_findings "$F" dane-failure)" "|"
	assert_eq "$1: no downgrade-risk finding" "$(probe_findings "$F" downgrade-risk)" "|"
	assert_eq "$1: no dane-unvalidated" "$(target_finding "$F" dane-unvalidated)" ""
}
# failed NAME HOST: DANE usable, not verified, dane-failure, not protected
failed() {
	common "$1" "$2"
	assert_jq "$1: dane usable, verified false" "$F" \
		"$P25"' | map("\(.dane.usable) \(.dane.verified)") | join("|")' "true false|true false"
	assert_jq "$1: dane error says why" "$F" \
		"$P25"' | map(.dane.error | type == "string" and length > 0) | all' true
	assert_eq "$1: finding dane-failure (error)" "$(probe_findings "$F" dane-failure)" "error|error"
	assert_eq "$1: downgrade_risk true" "$(risk "$F")" "true|true"
	assert_eq "$1: no downgrade-protected" "$(probe_findings "$F" downgrade-protected)" "|"
}

# (a) DANE-EE matching the Postfix key.  The full run, follow-up sessions
# and all: they must not undo the protection.
dprobe ee "$VAL4" dane.test
assert_jq "ee: MX answer validated (mx_ad)" "$F" '.dns.mx_ad' true
assert_jq "ee: one TLSA record, validated" "$F" \
	'[.dns.tlsa[] | "\(.name) \(.usage) \(.selector) \(.matching) \(.ad)"] | join(",")' \
	"_25._tcp.mx.dane.test 3 1 1 true"
assert_jq "ee: TLSA data" "$F" '.dns.tlsa[0].data' "$POSTFIX_SPKI"
verified ee mx.dane.test
assert_jq "ee: the PKIX check is separate (name mismatch stays)" "$F" \
	"$P25"' | map(.tls.name_ok | tostring) | join("|")' "false|false"

QUICK=--quick

# The same over the resolver's IPv6 address.
dprobe ee6 "[$VAL6]:53" dane.test
verified ee6 mx.dane.test

# (b) DANE-EE of a key the server does not have.
dprobe bad "$VAL4" bad.dane.test
failed bad mx-bad.dane.test

# (c) DANE-EE on a self-signed certificate: DANE passes where PKIX fails.
dprobe odd "$VAL4" odd.dane.test
verified odd mx-odd.dane.test
assert_jq "odd: tls.verified false (self-signed)" "$F" "$P25"' | map(.tls.verified | tostring) | join("|")' \
	"false|false"

# (d) DANE-TA 2 0 1 of the test CA on the Postfix that sends no CA, for a
# name its certificate lacks: not verified (RFC 7671 5.2.2, RFC 7672 3.2.2).
dprobe ta "$VAL4" ta.dane.test
failed ta mx-ta.dane.test

# (e) DANE-TA with the CA in the chain and the MX name in the certificate.
dprobe chain "$VAL4" chain.dane.test
verified chain mx-chain.dane.test
assert_jq "chain: tls.verified true too" "$F" "$P25"' | map(.tls.verified | tostring) | join("|")' "true|true"

# (e2) DANE-TA of the root, the chain leaf <- intermediate <- root.
dprobe deep "$VAL4" deep.dane.test
verified deep mx-deep.dane.test
assert_jq "deep: tls.verified true too" "$F" "$P25"' | map(.tls.verified | tostring) | join("|")' "true|true"

# (f) DANE-TA, same chain, but the MX name is not in the certificate:
# DANE-TA(2) checks names (RFC 7672 3.2.2), so it must fail.
dprobe chainname "$VAL4" chainname.dane.test
failed chainname mx-chainname.dane.test

# (g) An unusable-here DANE-TA record first, a matching DANE-EE second:
# one match is enough.
dprobe mixed "$VAL4" mixed.dane.test
assert_jq "mixed: both TLSA records, validated" "$F" \
	'[.dns.tlsa[] | "\(.usage) \(.ad)"] | join(",")' "2 true,3 true"
verified mixed mx-mixed.dane.test

# (h) No TLSA (securely denied): DANE does not apply.
dprobe none "$VAL4" none.dane.test
common none mx-none.dane.test
assert_jq "none: no TLSA" "$F" '.dns.tlsa | length' 0
assert_eq "none: dane null" "$(dane_of "$F")" "null|null"
assert_eq "none: downgrade_risk true (nothing protects it)" "$(risk "$F")" "true|true"
assert_eq "none: no dane findings" \
	"$(probe_findings "$F" dane-failure)/$(target_finding "$F" dane-unvalidated)" "|/"

# (i) TLSA bogus (SERVFAIL from the validator): never DANE-verified.
dprobe bogus "$VAL4" bogus.dane.test
common bogus mx-bogus.dane.test
assert_jq "bogus: the TLSA lookup failure is reported" "$F" \
	'[.dns.errors[] | select(.type == "TLSA") | "\(.name) \(.error)"] | join(",")' \
	"_25._tcp.mx-bogus.dane.test SERVFAIL"
assert_jq "bogus: not DANE-verified" "$F" "$P25"' | map(.dane.verified != true) | all' true
assert_eq "bogus: not protected" "$(risk "$F") $(probe_findings "$F" downgrade-protected)" "true|true |"

# (j) The same domain asked of nsd directly: TLSA without AD.
dprobe unvalidated "$NSD4" dane.test
common unvalidated mx.dane.test
assert_jq "unvalidated: TLSA listed, ad false" "$F" '[.dns.tlsa[] | "\(.usage) \(.ad)"] | join(",")' "3 false"
assert_jq "unvalidated: dane usable false, verified null" "$F" \
	"$P25"' | map("\(.dane.usable) \(.dane.verified)") | join("|")' "false null|false null"
assert_eq "unvalidated: target finding dane-unvalidated (info)" "$(target_finding "$F" dane-unvalidated)" info
assert_jq "unvalidated: dane-unvalidated says DANE cannot be evaluated from this resolver" "$F" \
	'[.findings[] | select(.id == "dane-unvalidated") | .message |
		test("DANE") and test("cannot be evaluated") and test("resolver")] | all' true
assert_eq "unvalidated: no dane-failure" "$(probe_findings "$F" dane-failure)" "|"
assert_eq "unvalidated: not protected" "$(risk "$F") $(probe_findings "$F" downgrade-protected)" "true|true |"

# (k) A signed zone with no trust anchor, through the validating resolver:
# no AD, so no DANE either.
dprobe insecure "$VAL4" insecure.test
common insecure mx.insecure.test
assert_jq "insecure: TLSA listed, ad false" "$F" '[.dns.tlsa[] | "\(.usage) \(.ad)"] | join(",")' "3 false"
assert_jq "insecure: dane usable false, verified null" "$F" \
	"$P25"' | map("\(.dane.usable) \(.dane.verified)") | join("|")' "false null|false null"
assert_eq "insecure: not protected" "$(risk "$F") $(probe_findings "$F" downgrade-protected)" "true|true |"

# (k2) The MX answer unvalidated (insecure.test), the TLSA and address
# answers of its host validated (dane.test): the MX could be forged, so
# DANE is not assessed, and it says which answer was not validated.
dprobe crossmx "$VAL4" cross.insecure.test
common crossmx mx.dane.test
assert_jq "crossmx: mx_ad false, TLSA validated, addresses validated" "$F" \
	'"\(.dns.mx_ad) \([.dns.tlsa[].ad]) \([.dns.hosts[].addresses_ad])"' 'false [true] [true]'
assert_jq "crossmx: dane usable false, verified null" "$F" \
	"$P25"' | map("\(.dane.usable) \(.dane.verified)") | join("|")' "false null|false null"
assert_jq "crossmx: dane.error says DANE not assessed, for the MX answer" "$F" \
	"$P25"' | map(.dane.error | test("^DANE not assessed: the MX answer")) | all' true
assert_eq "crossmx: target finding dane-unvalidated (info)" "$(target_finding "$F" dane-unvalidated)" info
assert_eq "crossmx: not protected" "$(risk "$F") $(probe_findings "$F" downgrade-protected)" "true|true |"

# (k3) The validating resolver, but from resolv.conf and not on this
# machine: its AD bit crossed the network unprotected and proves nothing.
# (ip netns exec gives each command a mount namespace of its own: the
# bind mount ends with it.)
echo "nameserver $VAL4" >"$BED_DIR/resolv-remote.conf"
# shellcheck disable=SC2016 # expanded by the inner sh
ip netns exec "$CLIENT_NS" sh -c 'mount --bind "$0" /etc/resolv.conf || exit 125
exec "$@"' "$BED_DIR/resolv-remote.conf" timeout 30 "$SMTPPROBE" --timeout 2 --ca-file "$CA_FILE" \
	--format json --ports 25 --quick dane.test >"$OUT/remote.json" 2>"$OUT/remote.err"
assert_ran remote "$?" "$OUT/remote.err"
F=$OUT/remote.json
common remote mx.dane.test
assert_jq "remote: ad_trusted false, nothing counts as validated" "$F" \
	'"\(.dns.ad_trusted) \(.dns.mx_ad) \([.dns.tlsa[].ad]) \([.dns.hosts[].addresses_ad])"' \
	'false false [false] [false]'
assert_jq "remote: dane usable false, not assessed because of the resolver" "$F" \
	"$P25"' | map("\(.dane.usable) \(.dane.error | test("^DANE not assessed: the resolver"))") | join("|")' \
	"false true|false true"
assert_eq "remote: not protected" "$(risk "$F") $(probe_findings "$F" downgrade-protected)" "true|true |"
# the same resolver named with --dns-server: trusted, every answer
# validated (case (a))
assert_jq "ee: ad_trusted with --dns-server, addresses validated" "$OUT/ee.json" \
	'"\(.dns.ad_trusted) \([.dns.hosts[].addresses_ad])"' 'true [true]'

# (l) A zone the validator calls bogus: nothing to probe, no DANE claimed.
dprobe wrongkey "$VAL4" wrongkey.test
assert_eq "wrongkey: exit status 1" "$RC" 1
assert_jq "wrongkey: MX SERVFAIL reported" "$F" \
	'[.dns.errors[] | select(.type == "MX") | .error] | join(",")' SERVFAIL
assert_jq "wrongkey: no probes" "$F" '.probes | length' 0

echo "# total $((($(date +%s%N) - t0) / 1000000)) ms after the bed"
finish
