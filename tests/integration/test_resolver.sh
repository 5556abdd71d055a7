#!/bin/bash
# The resolver against a real DNS server: how a domain's MX, SRV, CNAME, TXT
# and TLSA records become the probe plan and the JSON "dns" section.
#
# A second dnsmasq of this test's own, on 198.18.1.53 and fd00:1::53 in the
# mail namespace, serves the zones below from its own data (local=/ZONE/:
# authoritative answers, NXDOMAIN for names it lacks, REFUSED for other
# zones). Not --auth-zone: dnsmasq 2.90 follows only one CNAME hop there
# (smtp -> relay, then nothing), so a chain cannot be served that way.
# Every address in the zones is the bed's Postfix (198.18.1.2, fd00:1::2),
# so every probe gets an answer. The Postfix certificate names
# mail.example.test only: certificate findings are expected here and not
# looked at.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools openssl
need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

ZONE_DNS=198.18.1.53
ZONE_DNS6=fd00:1::53
ZONE_DIR=$BED_DIR/zones

# Stops our dnsmasq by its pid; runs from the EXIT trap, before the bed's
# own cleanup.
# shellcheck disable=SC2317 # called from the trap
zones_down() {
	local f
	for f in "$ZONE_DIR/dnsmasq.pid" "$ZONE_DIR/nx.pid"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
}

# Puts zones_down in front of the EXIT trap bed_up installed (bed_down),
# whatever that trap is: chained, never replaced.
chain_exit_trap() {
	local -a cur=()
	eval "cur=($(trap -p EXIT))" # trap -- 'COMMAND' EXIT
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "zones_down; ${cur[2]:-:}" EXIT
}

# SHA-256 of the Postfix certificate's public key: a TLSA 3 1 1 that
# matches what port 25 presents.
spki_sha256() {
	openssl x509 -in "$BED_DIR/tls/server.pem" -noout -pubkey |
		openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1
}

zones_up() {
	local dev i
	mkdir -p "$ZONE_DIR" || return
	# The mail side of the client link: whichever device holds the bed's
	# Postfix address.
	dev=$(ip -n "$MAIL_NS" -o -4 addr show to 198.18.1.2/32 | awk '{print $2}')
	dev=${dev%%@*}
	[ -n "$dev" ] || return
	ip -n "$MAIL_NS" addr add "$ZONE_DNS/24" dev "$dev" &&
		ip -n "$MAIL_NS" addr add "$ZONE_DNS6/64" dev "$dev" nodad || return
	TLSA_HEX=$(spki_sha256) && [ ${#TLSA_HEX} -eq 64 ] || return
	# mx.many.test: 20 IPv4 and 3 IPv6 addresses, all of them on the
	# firewalled namespace (port 25 dropped), listed out of order
	dev=$(ip -n "$FW_NS" -o -4 addr show to 198.18.2.2/32 | awk '{print $2}')
	dev=${dev%%@*}
	[ -n "$dev" ] || return
	: >"$ZONE_DIR/many.hosts"
	for i in $(seq 29 -1 10); do
		ip -n "$FW_NS" addr add "198.18.2.$i/24" dev "$dev" || return
		echo "198.18.2.$i mx.many.test" >>"$ZONE_DIR/many.hosts"
	done
	for i in 12 11 10; do
		ip -n "$FW_NS" addr add "fd00:2::$i/64" dev "$dev" nodad || return
		echo "fd00:2::$i mx.many.test" >>"$ZONE_DIR/many.hosts"
	done
	# mx.lan.test: six loopback addresses (never probed: --public-only)
	for i in $(seq 11 16); do echo "127.0.0.$i mx.lan.test"; done >>"$ZONE_DIR/many.hosts"
	cat >"$ZONE_DIR/dnsmasq.conf" <<-EOF
		port=53
		listen-address=$ZONE_DNS,$ZONE_DNS6
		bind-interfaces
		no-resolv
		no-hosts
		local=/shop.test/
		local=/nomail.test/
		local=/mixednull.test/
		local=/implicit.test/
		local=/dot.test/
		local=/ext.test/
		local=/plain.test/
		local=/noaddr.test/
		local=/hosted.test/
		local=/many.test/
		local=/private.test/
		local=/lan.test/
		addn-hosts=$ZONE_DIR/many.hosts
		pid-file=$ZONE_DIR/dnsmasq.pid
		log-facility=$ZONE_DIR/dnsmasq.log
		log-queries

		# shop.test: two MX (listed out of order), SRV for both
		# submission ports, a CNAME chain, every policy record, TLSA.
		mx-host=shop.test,mx1.shop.test,10
		mx-host=shop.test,mx2.shop.test,20
		host-record=mx1.shop.test,198.18.1.2,fd00:1::2
		# IPv6 only
		host-record=mx2.shop.test,fd00:1::2
		cname=smtp.shop.test,relay.shop.test
		cname=relay.shop.test,mx1.shop.test
		srv-host=_submission._tcp.shop.test,smtp.shop.test,587,0,1
		srv-host=_submissions._tcp.shop.test,smtp.shop.test,465,0,1
		txt-record=shop.test,"site-verification=0123abcd"
		txt-record=shop.test,"v=spf1 -all"
		txt-record=_mta-sts.shop.test,"v=STSv1; id=1"
		txt-record=_smtp._tls.shop.test,"v=TLSRPTv1; rua=mailto:tls@shop.test"
		# two strings in one record: they join
		txt-record=_dmarc.shop.test,"v=DMARC1; ","p=reject"
		dns-rr=_25._tcp.mx1.shop.test,52,030101$TLSA_HEX
		# a TLSA name that is an alias of a name without TLSA
		cname=_25._tcp.mx2.shop.test,mx1.shop.test

		# nomail.test: null MX (RFC 7505)
		dns-rr=nomail.test,15,000000
		# mixednull.test: a null MX and a real one (RFC 7505 says MUST NOT)
		dns-rr=mixednull.test,15,000000
		mx-host=mixednull.test,mx1.shop.test,10

		# implicit.test: no MX, the name has addresses
		host-record=implicit.test,198.18.1.2,fd00:1::2

		# dot.test: _submission._tcp says "not offered"
		mx-host=dot.test,mail.dot.test,10
		host-record=mail.dot.test,198.18.1.2
		dns-rr=_submission._tcp.dot.test,33,00000000000000

		# ext.test: mail handled by shop.test's hosts
		mx-host=ext.test,mx1.shop.test,10
		srv-host=_submission._tcp.ext.test,mx1.shop.test,587,0,1

		# plain.test: MX, no SRV; mail. exists (IPv4 only), smtp. does
		# not; two SPF records
		mx-host=plain.test,mx.plain.test,10
		host-record=mx.plain.test,198.18.1.2,fd00:1::2
		host-record=mail.plain.test,198.18.1.2
		txt-record=plain.test,"v=spf1 a -all"
		txt-record=plain.test,"v=spf1 mx -all"

		# hosted.test: submission at a provider's host, outside the
		# domain, whose certificate verifies (for its own name)
		mx-host=hosted.test,mail.example.test,10
		srv-host=_submissions._tcp.hosted.test,mail.example.test,465,0,1
		host-record=mail.example.test,198.18.1.2,fd00:1::2

		# many.test: an MX host with 23 addresses (many.hosts)
		mx-host=many.test,mx.many.test,10

		# private.test: the MX host on loopback
		mx-host=private.test,mx.private.test,10
		host-record=mx.private.test,127.0.0.1
		# lan.test: the MX host has six loopback addresses (many.hosts)
		mx-host=lan.test,mx.lan.test,10

		# noaddr.test: the MX host exists but has no address
		mx-host=noaddr.test,bare.noaddr.test,10
		txt-record=bare.noaddr.test,"no address here"
	EOF
	chain_exit_trap
	ns_exec "$MAIL_NS" dnsmasq --conf-file="$ZONE_DIR/dnsmasq.conf" || return
	for ((i = 0; i < 50; i++)); do
		[ "$(zdig +short mx1.shop.test A)" = 198.18.1.2 ] && return 0
		sleep 0.1
	done
	cat "$ZONE_DIR/dnsmasq.log" >&2 2>/dev/null
	return 1
}

# dig at our server from the client namespace.
zdig() { in_client dig +time=1 +tries=1 @"$ZONE_DNS" "$@"; }

zones_up || die "zone dnsmasq failed to start"

# --- The zones as dnsmasq serves them: a wrong answer here is the bed's
# fault, not smtpprobe's.
# zone NAME TYPE WANT: dig +short's answer lines, sorted, joined by "|".
zone() {
	assert_eq "zone $1 $2" "$(zdig +short "$1" "$2" | LC_ALL=C sort | paste -sd '|')" "$3"
}
# the server's order is not the preference order: smtpprobe must sort
assert_eq "zone shop.test MX (in answer order)" "$(zdig +short shop.test MX | paste -sd '|')" \
	"20 mx2.shop.test.|10 mx1.shop.test."
zone mx1.shop.test A 198.18.1.2
zone mx1.shop.test AAAA fd00:1::2
zone mx2.shop.test A ""
zone mx2.shop.test AAAA fd00:1::2
zone smtp.shop.test A "198.18.1.2|mx1.shop.test.|relay.shop.test."
zone smtp.shop.test AAAA "fd00:1::2|mx1.shop.test.|relay.shop.test."
zone _submission._tcp.shop.test SRV "0 1 587 smtp.shop.test."
zone _submissions._tcp.shop.test SRV "0 1 465 smtp.shop.test."
zone shop.test TXT '"site-verification=0123abcd"|"v=spf1 -all"'
zone _mta-sts.shop.test TXT '"v=STSv1; id=1"'
zone _smtp._tls.shop.test TXT '"v=TLSRPTv1; rua=mailto:tls@shop.test"'
zone _dmarc.shop.test TXT '"v=DMARC1; " "p=reject"'
# dig splits the hex in chunks and writes it in upper case
assert_eq "zone _25._tcp.mx1.shop.test TLSA" \
	"$(zdig +short _25._tcp.mx1.shop.test TLSA | tr -d ' ' | tr A-F a-f)" "311$TLSA_HEX"
zone _25._tcp.mx2.shop.test TLSA "mx1.shop.test."
zone nomail.test MX "0 ."
zone mixednull.test MX "0 .|10 mx1.shop.test."
zone implicit.test MX ""
zone implicit.test A 198.18.1.2
zone implicit.test AAAA fd00:1::2
zone dot.test MX "10 mail.dot.test."
zone _submission._tcp.dot.test SRV "0 0 0 ."
zone _submission._tcp.ext.test SRV "0 1 587 mx1.shop.test."
zone ext.test MX "10 mx1.shop.test."
zone plain.test MX "10 mx.plain.test."
zone plain.test TXT '"v=spf1 a -all"|"v=spf1 mx -all"'
zone mail.plain.test A 198.18.1.2
zone mail.plain.test AAAA ""
zone noaddr.test MX "10 bare.noaddr.test."
zone bare.noaddr.test A ""
zone mx.private.test A 127.0.0.1
assert_eq "zone mx.many.test: 20 A, 3 AAAA" \
	"$(zdig +short mx.many.test A | wc -l) $(zdig +short mx.many.test AAAA | wc -l)" "20 3"
assert_eq "zone answers are authoritative" "$(zdig shop.test MX | grep -c '^;; flags:.* aa')" 1
assert_eq "zone other zones refused" \
	"$(zdig elsewhere.test MX | grep -o 'status: [A-Z]*')" "status: REFUSED"
assert_eq "zone answers are not validated (no AD)" "$(zdig +adflag shop.test MX | grep -c '^;; flags:.* ad')" 0
for n in smtp.plain.test nope.shop.test; do
	assert_eq "zone $n does not exist" "$(zdig "$n" A | grep -o 'status: [A-Z]*')" "status: NXDOMAIN"
done

# --- smtpprobe, asking our server.

# zprobe NAME ARGS...: lib.sh's probe with --dns-server 198.18.1.53 (or
# $ZPROBE_DNS); no sanitizer report either (when SMTPPROBE is the ASan
# build).
zprobe() {
	local DNS_SERVER=${ZPROBE_DNS:-$ZONE_DNS}
	probe "$@"
	assert_eq "$1: no sanitizer report" \
		"$(grep -cE 'Sanitizer|runtime error' "$OUT/$1.err")" 0
}
# jq filter: the probes of host $1 on port $2.
hp() { printf '[.probes[] | select(.host == "%s" and .port == %s)]' "$1" "$2"; }
# jq filter: the dns.hosts entry of $1.
dh() { printf '.dns.hosts[] | select(.host == "%s")' "$1"; }
# has_finding FILE ID: "true" if the target (not a probe) has finding ID.
# shellcheck disable=SC2016 # $id is jq's
has_finding() { jq -r --arg id "$2" '[.findings[].id] | index($id) != null' "$1"; }

# 1. shop.test: MX, SRV, CNAME chain, policies, TLSA. (The CNAME at
# _25._tcp.mx2 answers a TLSA query with records but no TLSA: under ASan
# that path must not leak.)
zprobe shop shop.test
assert_jq "shop: dns.mx in preference order" "$F" \
	'[.dns.mx[] | "\(.preference) \(.host)"] | join(",")' "10 mx1.shop.test,20 mx2.shop.test"
assert_jq "shop: null_mx, implicit_mx, mx_ad" "$F" \
	'"\(.dns.null_mx) \(.dns.implicit_mx) \(.dns.mx_ad)"' "false false false"
assert_jq "shop: dns.submission" "$F" \
	'[.dns.submission[] | "\(.host):\(.port)"] | join(",")' "smtp.shop.test:587"
assert_jq "shop: dns.submissions" "$F" \
	'[.dns.submissions[] | "\(.host):\(.port)"] | join(",")' "smtp.shop.test:465"
assert_jq "shop: mta_sts" "$F" '.dns.mta_sts' "v=STSv1; id=1"
assert_jq "shop: tls_rpt" "$F" '.dns.tls_rpt' "v=TLSRPTv1; rua=mailto:tls@shop.test"
assert_jq "shop: spf (the apex's other TXT ignored)" "$F" '.dns.spf' "v=spf1 -all"
assert_jq "shop: dmarc (two strings joined)" "$F" '.dns.dmarc' "v=DMARC1; p=reject"
assert_jq "shop: one TLSA record (the alias without TLSA adds none)" "$F" '.dns.tlsa | length' 1
assert_jq "shop: TLSA name, usage selector matching" "$F" \
	'.dns.tlsa[0] | "\(.name) \(.usage) \(.selector) \(.matching)"' "_25._tcp.mx1.shop.test 3 1 1"
assert_jq "shop: TLSA data" "$F" '.dns.tlsa[0].data' "$TLSA_HEX"
assert_jq "shop: TLSA ad false (dnsmasq does not validate)" "$F" '.dns.tlsa[0].ad' false
assert_jq "shop: dns.errors empty" "$F" '.dns.errors | length' 0
assert_jq "shop: plan hosts" "$F" '[.dns.hosts[].host] | sort | join(",")' \
	"mx1.shop.test,mx2.shop.test,smtp.shop.test"
assert_jq "shop: mx1 roles, addresses" "$F" \
	"$(dh mx1.shop.test)"' | "\(.roles) \(.addresses | sort | join(",")) \(.cname) \(.error)"' \
	"mx:25 198.18.1.2,fd00:1::2 null null"
assert_jq "shop: mx2 roles, addresses (AAAA only)" "$F" \
	"$(dh mx2.shop.test)"' | "\(.roles) \(.addresses | join(",")) \(.error)"' "mx:25 fd00:1::2 null"
assert_jq "shop: smtp roles" "$F" "$(dh smtp.shop.test) | .roles" "submission:587 submissions:465"
assert_jq "shop: smtp CNAME chain" "$F" "$(dh smtp.shop.test) | .cname" \
	"smtp.shop.test -> relay.shop.test -> mx1.shop.test"
assert_jq "shop: smtp addresses (of the chain's end)" "$F" \
	"$(dh smtp.shop.test)"' | .addresses | sort | join(",")' "198.18.1.2,fd00:1::2"
assert_jq "shop: port 25 probes: MX hosts only, role mx" "$F" \
	'[.probes[] | select(.port == 25) | "\(.host) \(.address) \(.role)"] | sort | join(",")' \
	"mx1.shop.test 198.18.1.2 mx,mx1.shop.test fd00:1::2 mx,mx2.shop.test fd00:1::2 mx"
assert_jq "shop: 587 probes: smtp, role submission, starttls" "$F" \
	"$(hp smtp.shop.test 587)"' | map("\(.role)/\(.state)") | join(",")' \
	"submission/starttls,submission/starttls"
assert_jq "shop: 465 probes: smtp, role submissions, implicit-tls" "$F" \
	"$(hp smtp.shop.test 465)"' | map("\(.role)/\(.state)") | join(",")' \
	"submissions/implicit-tls,submissions/implicit-tls"
assert_jq "shop: 7 probes, none on 2525, no guess" "$F" \
	'"\(.probes | length) \([.probes[] | select(.port == 2525 or .role == "guess")] | length)"' "7 0"
# the _mta-sts record has no policy server behind it, and dnsmasq does
# not validate: both are said about the target, and the unique local
# address of each MX and SRV host (fd00:1::2, section 17), nothing else
assert_jq "shop: target findings" "$F" '[.findings[].id] | sort | join(",")' \
	"dane-unvalidated,private-address,private-address,private-address,sts-policy-fetch-error"

# The same answers from the server's IPv6 address.
ZPROBE_DNS="[$ZONE_DNS6]:53" zprobe shop6 shop.test
assert_eq "shop6: asked over IPv6" "$(grep_yn -F "$ZONE_DIR/dnsmasq.log" "shop.test from fd00:1::1")" yes
assert_eq "shop6: same dns section as over IPv4" \
	"$(jq -cS '.dns' "$F")" "$(jq -cS '.dns' "$OUT/shop.json")"
assert_jq "shop6: same probes" "$F" '.probes | length' 7

# 2. Text output: the plan above the table.
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$ZONE_DNS" \
	--ca-file "$CA_FILE" --format text shop.test >"$OUT/shop.txt" 2>"$OUT/shop-text.err"
T=$OUT/shop.txt
for line in \
	"  MX: 10 mx1.shop.test, 20 mx2.shop.test" \
	"  SRV submission: smtp.shop.test:587" \
	"  SRV submissions: smtp.shop.test:465" \
	"  MTA-STS: v=STSv1; id=1" \
	"  TLS-RPT: v=TLSRPTv1; rua=mailto:tls@shop.test" \
	"  SPF: v=spf1 -all" \
	"  DMARC: v=DMARC1; p=reject" \
	"  TLSA _25._tcp.mx1.shop.test: 1 record (not validated)" \
	"  Hosts:" \
	"    mx2.shop.test [mx:25] fd00:1::2" \
	"    smtp.shop.test [submission:587 submissions:465] (smtp.shop.test -> relay.shop.test -> mx1.shop.test) 198.18.1.2 fd00:1::2"; do
	assert_eq "text: line '${line#"${line%%[! ]*}"}'" "$(grep_yn -xF "$T" "$line")" yes
done
assert_eq "text: mx1 host line" "$(grep_yn -xE "$T" '    mx1\.shop\.test \[mx:25\]( (198\.18\.1\.2|fd00:1::2)){2}')" yes
assert_eq "text: plan before the table" \
	"$(awk '/^  Hosts:/ {h = NR} /^(HOST +)?PORT / {t = NR} END {print (h && t && h < t) ? "yes" : "no"}' "$T")" yes

# 3. Null MX: the domain accepts no mail, and "." is no host name.
zprobe nomail nomail.test
assert_jq "nomail: null_mx" "$F" '.dns.null_mx' true
assert_jq "nomail: dns.mx shows the null MX" "$F" '[.dns.mx[] | "\(.preference) \(.host)"] | join(",")' "0 ."
assert_jq "nomail: finding null-mx" "$F" '[.findings[] | select(.id == "null-mx") | .severity] | join(",")' info
assert_jq "nomail: no port 25 probe" "$F" '[.probes[] | select(.port == 25)] | length' 0
assert_jq "nomail: implicit_mx false" "$F" '.dns.implicit_mx' false
assert_jq "nomail: the null MX is no host to resolve" "$F" \
	'[.dns.hosts[] | select(.host == "" or .host == ".")] | length' 0

# 4. A null MX beside a real one (RFC 7505 says MUST NOT): the real one is
# still a host; "." never is.
zprobe mixednull mixednull.test
assert_jq "mixednull: dns.mx" "$F" '[.dns.mx[] | "\(.preference) \(.host)"] | join(",")' "0 .,10 mx1.shop.test"
assert_jq "mixednull: port 25 probes on mx1 only" "$F" \
	'[.probes[] | select(.port == 25) | .host] | unique | join(",")' mx1.shop.test
assert_jq "mixednull: the null MX is no host to resolve" "$F" \
	'[.dns.hosts[] | select(.host == "" or .host == ".")] | length' 0

# 5. No MX: the name itself is the implicit MX; every port on it.
zprobe implicit implicit.test
assert_jq "implicit: implicit_mx" "$F" '.dns.implicit_mx' true
assert_jq "implicit: no dns.mx" "$F" '.dns.mx | length' 0
assert_jq "implicit: roles" "$F" "$(dh implicit.test) | .roles" "mx:25 given:587,465,2525"
assert_jq "implicit: 4 ports x 2 addresses on the name" "$F" \
	'[.probes[] | select(.host == "implicit.test") | "\(.port)/\(.address)"] | unique | length' 8
assert_jq "implicit: no other probes" "$F" '.probes | length' 8
assert_jq "implicit: 25 has role mx" "$F" '[.probes[] | select(.port == 25) | .role] | unique | join(",")' mx
assert_eq "implicit: no finding no-srv" "$(has_finding "$F" no-srv)" false

# 6. SRV target ".": listed, not probed, and no guessing.
zprobe dot dot.test
assert_jq "dot: dns.submission lists '.'" "$F" \
	'[.dns.submission[] | "\(.host):\(.port)"] | join(",")' ".:0"
assert_jq "dot: only the MX probed" "$F" \
	'[.probes[] | "\(.host) \(.port) \(.role)"] | join(",")' "mail.dot.test 25 mx"
assert_jq "dot: '.' is no plan host" "$F" '[.dns.hosts[].host] | join(",")' mail.dot.test
assert_eq "dot: no finding no-srv" "$(has_finding "$F" no-srv)" false
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$ZONE_DNS" \
	--ca-file "$CA_FILE" --format text dot.test >"$OUT/dot.txt" 2>&1
assert_eq "dot: text says not offered" \
	"$(grep_yn -E "$OUT/dot.txt" '^  SRV submission: \. \(not offered\)')" yes

# 7. SRV outside the domain.
zprobe ext ext.test
assert_eq "ext: finding srv-outside-domain" "$(has_finding "$F" srv-outside-domain)" true
assert_jq "ext: srv-outside-domain names the target" "$F" \
	'[.findings[] | select(.id == "srv-outside-domain") | .message | contains("mx1.shop.test")] | all' true
assert_jq "ext: 587 on the outside host, role submission" "$F" \
	"$(hp mx1.shop.test 587)"' | map(.role) | join(",")' "submission,submission"
assert_jq "ext: mx1 roles" "$F" "$(dh mx1.shop.test) | .roles" "mx:25 submission:587"
assert_jq "ext: no guess" "$F" '[.probes[] | select(.role == "guess")] | length' 0

# 7b. An SRV answer without DNSSEC naming a host outside the domain: it
# works and is recommended, but as a name DNS handed out, with where it
# came from and a warning to confirm it (RFC 6186 6, RFC 7817 4).
zprobe hosted --ports 465 hosted.test
assert_jq "hosted: recommended mail.example.test:465" "$F" \
	'"\(.recommendation.host):\(.recommendation.port)"' "mail.example.test:465"
assert_jq "hosted: host_source is the SRV record, not established" "$F" \
	'"\(.recommendation.host_source)/\(.recommendation.host_established)/\(.recommendation.host_established_by)"' \
	"SRV record _submissions._tcp/false/null"
assert_jq "hosted: why warns to confirm the host with the provider" "$F" \
	'.recommendation.why | test("Warning: the name mail.example.test came from the _submissions._tcp SRV record of hosted.test and lies outside that domain, in an answer that was not DNSSEC-validated") and test("Confirm this host with your provider")' true
assert_jq "hosted: srv-outside-domain says not validated" "$F" \
	'[.findings[] | select(.id == "srv-outside-domain") | .message | test("not DNSSEC-validated")] | all' true
assert_jq "hosted: submissions_ad false, the resolver named so trusted" "$F" \
	'"\(.dns.submissions_ad) \(.dns.ad_trusted)"' "false true"
for fmt in text markdown html; do
	in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$ZONE_DNS" \
		--ca-file "$CA_FILE" --format "$fmt" --ports 465 hosted.test >"$OUT/hosted.$fmt" 2>&1
	assert_eq "hosted: $fmt shows the warning" \
		"$(grep_yn -F "$OUT/hosted.$fmt" 'Confirm this host with your provider')" yes
done
LOCALES=$(dirname "$SMTPPROBE")/locale
[ -d "$LOCALES" ] || LOCALES=build/locale
in_client env -u LC_ALL -u LC_MESSAGES -u LC_CTYPE -u LANGUAGE LANG=ja_JP.UTF-8 \
	NO_COLOR=1 SMTPPROBE_LOCALEDIR="$(realpath "$LOCALES")" timeout 30 "$SMTPPROBE" \
	--timeout 2 --dns-server "$ZONE_DNS" --ca-file "$CA_FILE" --format text --ports 465 \
	hosted.test >"$OUT/hosted.ja" 2>&1
assert_eq "hosted: Japanese text shows the warning" \
	"$(grep_yn -F "$OUT/hosted.ja" 'プロバイダーに確認してください')" yes
# the user's own name: established, no sentence about where it came from
zprobe typed --ports 465 mail.example.test
assert_jq "typed: host_source and host_established_by typed, no warning" "$F" \
	'"\(.recommendation.host_source) \(.recommendation.host_established_by) \(.recommendation.why | test("came from"))"' "typed typed false"

# 8. MX but no SRV: the usual names are guessed, quietly.
zprobe plain plain.test
assert_eq "plain: finding no-srv" "$(has_finding "$F" no-srv)" true
assert_jq "plain: roles of the MX host" "$F" "$(dh mx.plain.test) | .roles" "mx:25 guess:587,465,2525"
assert_jq "plain: roles of mail." "$F" "$(dh mail.plain.test) | .roles" "guess:587,465,2525"
assert_jq "plain: guess probes (mail. IPv4, the MX both)" "$F" \
	'[.probes[] | select(.role == "guess") | "\(.host)"] | group_by(.) | map("\(.[0])=\(length)") | join(",")' \
	"mail.plain.test=3,mx.plain.test=6"
assert_jq "plain: port 25 only role mx" "$F" \
	'[.probes[] | select(.port == 25) | "\(.host) \(.role)"] | unique | join(",")' "mx.plain.test mx"
assert_jq "plain: smtp. (NXDOMAIN) in dns.hosts with its error" "$F" \
	"$(dh smtp.plain.test)"' | "\(.error) \(.addresses | length)"' "NXDOMAIN 0"
assert_jq "plain: a failed guess is no DNS error" "$F" '.dns.errors | length' 0
assert_jq "plain: no probe of smtp." "$F" '[.probes[] | select(.host == "smtp.plain.test")] | length' 0
assert_jq "plain: spf is one of the two" "$F" \
	'.dns.spf | IN("v=spf1 a -all", "v=spf1 mx -all")' true

# 9. A name that does not exist: an error, not an implicit MX.
zprobe nope nope.shop.test
assert_eq "nope: exit status 1" "$RC" 1
assert_jq "nope: dns.errors not empty" "$F" '.dns.errors | length > 0' true
assert_jq "nope: errors say NXDOMAIN" "$F" '[.dns.errors[].error] | unique | join(",")' NXDOMAIN
assert_jq "nope: no probes" "$F" '.probes | length' 0
assert_jq "nope: not an implicit MX" "$F" '.dns.implicit_mx' false
assert_jq "nope: no recommendation" "$F" '.recommendation.host' null

# 10. A zone the server does not serve: the server's REFUSED is the error,
# and each error names the name that was asked.
zprobe refused elsewhere.test
assert_eq "refused: exit status 1" "$RC" 1
assert_jq "refused: dns.errors say REFUSED" "$F" '[.dns.errors[].error] | index("REFUSED") != null' true
assert_jq "refused: no probes" "$F" '.probes | length' 0
assert_jq "refused: the SRV errors name what was asked" "$F" \
	'[.dns.errors[] | select(.type == "SRV") | .name] | sort | join(",")' \
	"_submission._tcp.elsewhere.test,_submissions._tcp.elsewhere.test"
assert_jq "refused: the TXT errors name what was asked" "$F" \
	'[.dns.errors[] | select(.type == "TXT") | .name] | sort | join(",")' \
	"_dmarc.elsewhere.test,_mta-sts.elsewhere.test,_smtp._tls.elsewhere.test,elsewhere.test"

# 11. --ports: SRV records for ports not asked about are listed, not probed.
zprobe ports --ports 25,587 shop.test
assert_jq "--ports 25,587: submissions still listed" "$F" \
	'[.dns.submissions[] | "\(.host):\(.port)"] | join(",")' "smtp.shop.test:465"
assert_jq "--ports 25,587: ports probed" "$F" '[.probes[].port] | unique | map(tostring) | join(",")' "25,587"

# 12. host:port asks about that one service: no MX, no SRV, no policies.
zprobe hostport mx2.shop.test:2525
assert_jq "hostport: no dns.mx" "$F" '.dns.mx | length' 0
assert_jq "hostport: no SRV" "$F" '(.dns.submission | length) + (.dns.submissions | length)' 0
assert_jq "hostport: no policies, no TLSA" "$F" \
	'"\(.dns.mta_sts) \(.dns.spf) \(.dns.tlsa | length)"' "null null 0"
assert_jq "hostport: one probe" "$F" \
	'[.probes[] | "\(.host) \(.address) \(.port) \(.role) \(.state)"] | join(",")' \
	"mx2.shop.test fd00:1::2 2525 given plaintext"
assert_jq "hostport: no findings about the target" "$F" '.findings | length' 0

# 13. An MX host that exists but has no address: reported, not silent
# (mail to the domain cannot be delivered).
zprobe noaddr noaddr.test
assert_jq "noaddr: the MX host is in the plan" "$F" "$(dh bare.noaddr.test) | .roles" "mx:25 guess:587,465,2525"
assert_jq "noaddr: no probes" "$F" '.probes | length' 0
assert_jq "noaddr: the MX host's missing address is reported" "$F" \
	"(($(dh bare.noaddr.test) | .error) != null) or ([.dns.errors[].name] | index(\"bare.noaddr.test\") != null)" true

# 12. One run, three domains whose mail goes to mx1.shop.test: its address
# is asked once (the cache, with the in-flight question shared), and
# every domain still lists and probes it.
queries() { grep -c "query\[$1\] mx1.shop.test from" "$ZONE_DIR/dnsmasq.log"; }
a0=$(queries A)
aaaa0=$(queries AAAA)
LINES_WANT=3 zprobe shared --ports 25 shop.test ext.test mixednull.test
assert_eq "shared: mx1.shop.test A asked once for three domains" "$(($(queries A) - a0))" 1
assert_eq "shared: mx1.shop.test AAAA asked once for three domains" "$(($(queries AAAA) - aaaa0))" 1
assert_eq "shared: three reports, each probing mx1.shop.test on 25" \
	"$(jq -c '[.probes[] | select(.host == "mx1.shop.test" and .port == 25)] | length' "$F" | tr '\n' ' ')" "2 2 2 "

# 14. localhost with --dns-server is asked of that server, as every name
# is (c-ares alone would answer it from nowhere, RFC 6761).
lq() { grep -c "query\[$1\] localhost from" "$ZONE_DIR/dnsmasq.log"; }
a0=$(lq A)
aaaa0=$(lq AAAA)
zprobe localhost --ports 25 localhost
assert_ge "localhost: A asked of --dns-server" "$(($(lq A) - a0))" 1
assert_ge "localhost: AAAA asked of --dns-server" "$(($(lq AAAA) - aaaa0))" 1

# 15. A DNS server that answers nothing (fw.example.test's host, which
# drops DNS silently): 2 tries of 2 s per question, as the manual says
# (c-ares alone waits 2 s, then 4 s), and one sentence, not a "timeout"
# line per question.
DEAD_DNS=198.18.2.2
printf '%s\n' "table inet dead_dns {" \
	"chain input { type filter hook input priority 0; policy accept;" \
	"udp dport 53 drop" "tcp dport 53 drop" "}" "}" |
	ip netns exec "$FW_NS" nft -f - || die "nft table dead_dns failed"
# deadrun NAME ARGS...: text output in $OUT/NAME.txt, wall time in MS.
deadrun() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --dns-server "$DEAD_DNS" "$@" \
		>"$OUT/$name.txt" 2>"$OUT/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
}
deadrun dead-host mail.example.test:587
assert_eq "dead-host: exit status 1" "$RC" 1
assert_ge "dead-host: 2 tries of 2 s (ms)" "$MS" 3900
assert_lt "dead-host: 2 tries of 2 s, not 2 s + 4 s (ms)" "$MS" 5500
assert_eq "dead-host: no line per question" "$(grep -c '^  DNS ' "$OUT/dead-host.txt")" 0
assert_eq "dead-host: one sentence says the DNS server does not answer" \
	"$(grep -c 'dns-unanswered: the DNS server does not answer: none of the 2 questions about mail.example.test got a reply' "$OUT/dead-host.txt")" 1
deadrun dead-domain example.test
assert_lt "dead-domain: two rounds of 4 s (records, then addresses) (ms)" "$MS" 9500
assert_eq "dead-domain: no line per question" "$(grep -c '^  DNS ' "$OUT/dead-domain.txt")" 0
assert_eq "dead-domain: the finding and the recommendation say the DNS server does not answer" \
	"$(grep -c 'the DNS server does not answer' "$OUT/dead-domain.txt")" 2
assert_eq "dead-domain: the recommendation says why nothing was probed" \
	"$(grep -c '^No safe way to send mail from here: nothing could be probed: the DNS server does not answer.$' "$OUT/dead-domain.txt")" 1
ip netns exec "$FW_NS" nft delete table inet dead_dns

# 16. One host with 23 addresses, 20 IPv4 and 3 IPv6, all on port 25
# dropped, 2 sessions at once of 1 s each: 16 addresses are probed, the 3
# IPv6 ones and the 13 lowest IPv4 ones (by value, whatever order the
# server answers in), and a finding says 7 were left out.  The target's
# own deadline, 4 times --deadline (4 s), ends its sessions: the later
# ones never connect (about 8 s of sessions without it).
zprobe many --ports 25 --quick --concurrency 2 --timeout 1 --deadline 1 many.test
assert_jq "many: 16 probes, the 3 IPv6 and the lowest 13 IPv4 addresses" "$F" \
	'[.probes[].address] | sort | join(",")' \
	"$( (seq -f 198.18.2.%g 10 22; printf 'fd00:2::%s\n' 10 11 12) | LC_ALL=C sort | paste -sd ,)"
assert_jq "many: dns.hosts lists the 16 probed" "$F" "$(dh mx.many.test) | .addresses | length" 16
assert_jq "many: finding too-many-addresses (warning) says 23, 16 and 7" "$F" \
	'[.findings[] | select(.id == "too-many-addresses") | "\(.severity) \(.message | test("^mx.many.test has 23 addresses: 16 are probed .* 7 are left out$"))"] | join(",")' \
	"warning true"
assert_jq "many: finding target-deadline (warning)" "$F" \
	'[.findings[] | select(.id == "target-deadline") | "\(.severity) \(.message | test("deadline \\(4 s: 4 times --deadline\\) passed"))"] | join(",")' \
	"warning true"
assert_ge "many: sessions that never started (target deadline)" \
	"$(jq '[.probes[] | select(.reason == "local-error" and .error == "the target'"'"'s deadline passed before this session could start")] | length' "$F")" 4
assert_lt "many: the run ends by the target's deadline (ms)" "$MS" 6500

# 17. An MX answer that points at loopback: an info finding, and probed
# as any client here would connect (nothing listens on the client
# namespace's loopback: refused).  With --public-only no address that is
# not public is probed, whatever named it: not the loopback MX, not the
# bed's fd00:: (unique local) addresses; 198.18.0.0/15 (benchmarking
# space) is public.  Also in a bulk run.
zprobe private --ports 25 private.test
assert_jq "private: the loopback MX is probed" "$F" \
	'[.probes[] | "\(.host) \(.address) \(.state)/\(.reason)"] | join(",")' \
	"mx.private.test 127.0.0.1 blocked/refused"
assert_jq "private: finding private-address (info) names the host, range and address" "$F" \
	'[.findings[] | select(.id == "private-address") | "\(.severity) \(.message)"] | join(",")' \
	"info mx.private.test, named by an MX or SRV answer, has the loopback address 127.0.0.1: a client here connects inside this machine or its network"
assert_jq "shop: the unique local addresses of the MX and SRV hosts are said (info)" "$OUT/shop.json" \
	'[.findings[] | select(.id == "private-address") | "\(.severity) \(.message | capture("^(?<h>[^,]*), named by an MX or SRV answer, has the unique local \\(RFC 4193\\) address fd00:1::2: a client").h)"] | sort | join(",")' \
	"info mx1.shop.test,info mx2.shop.test,info smtp.shop.test"
zprobe privonly --ports 25 --public-only private.test
assert_jq "privonly: nothing probed" "$F" '.probes | length' 0
assert_jq "privonly: private-address says not probed" "$F" \
	'[.findings[] | select(.id == "private-address") | .message] | join(",")' \
	"mx.private.test, named by an MX or SRV answer, has the loopback address 127.0.0.1: not probed (--public-only)"
assert_jq "privonly: the host's error says why it has no address" "$F" \
	"$(dh mx.private.test)"' | "\(.error) \(.addresses | length)"' "not public (--public-only) 0"
assert_jq "privonly: the recommendation says why nothing was probed" "$F" \
	'.recommendation.why | test("^nothing was probed: 1 mail host[(]s[)] resolved only to addresses that are not public .*Run without --public-only")' true
# Six of them: four said one by one, the others counted in one finding.
zprobe lan --ports 25 --public-only lan.test
assert_jq "lan: nothing probed" "$F" '.probes | length' 0
assert_jq "lan: four addresses said, two more counted" "$F" \
	'[.findings[] | select(.id == "private-address") | .message | sub("127[.]0[.]0[.]1[1-6]: not"; "127.0.0.N: not")] | unique | join("|")' \
	"mx.lan.test has 2 more addresses that are not public: not probed (--public-only)|mx.lan.test, named by an MX or SRV answer, has the loopback address 127.0.0.N: not probed (--public-only)"
assert_jq "lan: five findings" "$F" '[.findings[] | select(.id == "private-address")] | length' 5
printf '%s\n' shop.test private.test 198.18.1.2:587 '[fd00:1::2]:587' >"$OUT/pubbulk.txt"
LINES_WANT=4 zprobe pubbulk --ports 25,587 --public-only --input "$OUT/pubbulk.txt"
# jq filter: the report of target $1.
tg() { printf 'select(.target == "%s")' "$1"; }
assert_jq "pubbulk: shop.test probed at 198.18.1.2 only" "$F" \
	"$(tg shop.test)"' | [.probes[].address] | unique | join(",")' "198.18.1.2"
assert_jq "pubbulk: shop.test says what was refused" "$F" \
	"$(tg shop.test)"' | [.findings[] | select(.id == "private-address") | .message | test("fd00:1::2: not probed \\(--public-only\\)$")] | "\(length) \(all)"' \
	"3 true"
assert_jq "pubbulk: mx2.shop.test (IPv6 only) not probed" "$F" \
	"$(tg shop.test) | $(dh mx2.shop.test)"' | .error' "not public (--public-only)"
assert_jq "pubbulk: private.test: nothing probed" "$F" "$(tg private.test)"' | .probes | length' 0
assert_jq "pubbulk: a literal 198.18.1.2 is probed" "$F" "$(tg 198.18.1.2:587)"' | [.probes[].state] | join(",")' starttls
assert_jq "pubbulk: a literal fd00:1::2 is not" "$F" \
	"$(tg "[fd00:1::2]:587")"' | "\(.probes | length) \([.findings[] | select(.id == "private-address") | .message] | join(","))"' \
	"0 fd00:1::2 has the unique local (RFC 4193) address fd00:1::2: not probed (--public-only)"

# 18. A name DNS does not know but the hosts file does: without
# --dns-server it is probed at the hosts file's addresses (localhost, an
# internal network's host), as any other client here would connect; with
# --dns-server, DNS only.  The client gets a hosts file and a resolv.conf
# of its own, bind-mounted in its private mount namespace (ip netns exec),
# and the resolver there (198.18.1.54, in the mail namespace) says
# NXDOMAIN for localhost and .internal, as real ones do.
NX_DNS=198.18.1.54
dev=$(ip -n "$MAIL_NS" -o -4 addr show to 198.18.1.2/32 | awk '{print $2}')
ip -n "$MAIL_NS" addr add "$NX_DNS/24" dev "${dev%%@*}" || die "no address for the NXDOMAIN resolver"
ns_exec "$MAIL_NS" dnsmasq --port=53 --listen-address="$NX_DNS" --bind-interfaces --no-resolv \
	--no-hosts --local=/localhost/ --local=/internal/ --local=/example.test/ --pid-file="$ZONE_DIR/nx.pid" ||
	die "the NXDOMAIN resolver failed to start"
printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "198.18.1.2 mail.example.test" \
	"fd00:1::2 mail.example.test" >"$ZONE_DIR/hosts"
echo "nameserver $NX_DNS" >"$ZONE_DIR/resolv.conf"
assert_eq "the NXDOMAIN resolver: NXDOMAIN for localhost and mail.example.test" \
	"$(for n in localhost mail.example.test; do in_client dig +time=1 +tries=1 @"$NX_DNS" "$n" MX |
		grep -o 'status: [A-Z]*'; done | paste -sd ,)" "status: NXDOMAIN,status: NXDOMAIN"
# hprobe NAME ARGS...: smtpprobe in the client namespace with that hosts
# file and resolver, no --dns-server; checked as lib.sh's probe checks.
hprobe() {
	local name=$1 v
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$CLIENT_NS" sh -c 'mount --bind "$0" /etc/resolv.conf && mount --bind "$1" /etc/hosts || exit 125
shift; exec "$@"' "$ZONE_DIR/resolv.conf" "$ZONE_DIR/hosts" timeout 30 "$SMTPPROBE" --timeout 2 \
		--ca-file "$CA_FILE" --format json "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	RC=$?
	assert_ran "$name" "$RC" "$OUT/$name.err"
	F=$OUT/$name.json
	v=$(tests/validate-json "$F" 2>&1) && v=valid
	assert_eq "$name: output matches docs/smtpprobe.schema.json" \
		"$(printf '%s\n' "$v" | head -n 3 | tr '\n' ' ' | sed 's/ $//')" valid
	golden_json "$name" "$F"
}
hprobe hub --ports 587 mail.example.test
assert_jq "hub: probed at the hosts file's addresses, STARTTLS" "$F" \
	'[.probes[] | "\(.address) \(.port) \(.role) \(.state)"] | sort | join(",")' \
	"198.18.1.2 587 given starttls,fd00:1::2 587 given starttls"
assert_jq "hub: finding hosts-file (info) names the host" "$F" \
	'[.findings[] | select(.id == "hosts-file") | "\(.severity) \(.message | test("^mail.example.test is not in DNS"))"] | join(",")' \
	"info true"
assert_jq "hub: recommended" "$F" '"\(.recommendation.host) \(.recommendation.port)"' "mail.example.test 587"
hprobe lh --ports 25 localhost
assert_jq "lh: localhost probed at 127.0.0.1 and ::1 (refused: nothing listens)" "$F" \
	'[.probes[] | "\(.address) \(.state)/\(.reason)"] | sort | join(",")' \
	"127.0.0.1 blocked/refused,::1 blocked/refused"
assert_jq "lh: not 'no mail host resolved'" "$F" \
	'.recommendation.why // "" | test("no mail host resolved")' false
hprobe nohost --ports 25 nowhere.internal
assert_jq "nohost: in neither DNS nor the hosts file: nothing probed" "$F" '.probes | length' 0
assert_jq "nohost: the host's error is NXDOMAIN, no finding hosts-file" "$F" \
	'"\([.dns.hosts[].error] | join(",")) \([.findings[] | select(.id == "hosts-file")] | length)"' \
	"NXDOMAIN 0"
ZPROBE_DNS=$NX_DNS zprobe hubdns --ports 587 mail.example.test
assert_jq "hubdns: with --dns-server, DNS only: nothing probed" "$F" '.probes | length' 0
assert_jq "hubdns: no finding hosts-file" "$F" '[.findings[] | select(.id == "hosts-file")] | length' 0

finish
