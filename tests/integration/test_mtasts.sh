#!/bin/bash
# MTA-STS end to end (RFC 8461): the _mta-sts record, the policy fetched
# over HTTPS from mta-sts.DOMAIN, and the policy checked against the MX
# and what port 25 does.
#
# In the mail namespace, beside the bed's Postfix:
#   - a dnsmasq of this test's own on 198.18.1.54 and fd00:1::54 serving
#     sts.test (local=/sts.test/: authoritative answers, NXDOMAIN for names
#     it lacks, REFUSED for other zones) and mail.example.test;
#   - tests/mtasts/server.py, an HTTPS server on port 443 of 198.18.1.80
#     and fd00:1::80 with a certificate from the bed's test CA naming every
#     mta-sts.DOMAIN below, and of 198.18.1.81 and fd00:1::81 with a
#     self-signed one for the same names; what it serves for each
#     mta-sts.DOMAIN is in tests/mtasts/sites.json.
# Every DOMAIN's MX is mail.example.test, the bed's Postfix, whose
# certificate names mail.example.test only: so the MX name is that one.
# Only port 25 is probed: the policy is about port 25.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools python3 curl
need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

STS_DNS=198.18.1.54
STS_DNS6=fd00:1::54
WEB=198.18.1.80 # certificate from the test CA
WEB6=fd00:1::80
SELF=198.18.1.81 # self-signed certificate
SELF6=fd00:1::81
STS_DIR=$BED_DIR/mtasts
SITES=tests/mtasts/sites.json
MX=mail.example.test

# The domains, one a line: NAME, then whether it has an _mta-sts TXT
# record, a TLS-RPT record (_smtp._tls), and which server answers for
# mta-sts.NAME (ca, self, or - for no such host). What that server sends
# for NAME is in $SITES.
DOMAINS="
enforce     txt rpt ca
wildcard    txt -   ca
testing     txt -   ca
covered     txt -   ca
strict      txt rpt ca
none        txt -   ca
malformed   txt -   ca
big         txt -   ca
bigstream   txt -   ca
exact       txt -   ca
redirect    txt -   ca
notfound    txt -   ca
html        txt -   ca
charset     txt -   ca
notype      txt -   ca
selfsigned  txt -   self
notxt       -   -   ca
slow        txt -   ca
twomx       txt rpt ca
nohost      txt -   -
nosts       -   -   -
rptonly     -   rpt -
"

# Stops our dnsmasq and HTTPS server by their pids; runs from the EXIT
# trap, before the bed's own cleanup.
# shellcheck disable=SC2317 # called from the trap
sts_down() {
	local f
	for f in "$STS_DIR/dnsmasq.pid" "$STS_DIR/server.pid"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# Puts sts_down in front of the EXIT trap bed_up installed (bed_down),
# whatever that trap is: chained, never replaced.
chain_exit_trap() {
	local -a cur=()
	eval "cur=($(trap -p EXIT))" # trap -- 'COMMAND' EXIT
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "sts_down; ${cur[2]:-:}" EXIT
}

# The certificates of mta-sts.DOMAIN for every DOMAIN: one from the bed's
# test CA, one self-signed, on one key.
sts_certs() {
	local d n
	{
		echo 'cn = "mta-sts.enforce.sts.test"'
		for d in $(jq -r 'keys[]' "$SITES"); do
			echo "dns_name = \"mta-sts.$d\""
		done
		printf '%s\n' tls_www_server signing_key "expiration_days = 30"
	} >"$STS_DIR/web.tmpl" || return
	n=$(grep -c '^dns_name' "$STS_DIR/web.tmpl")
	[ "$n" -gt 10 ] || return
	(
		cd "$STS_DIR" &&
			certtool --generate-privkey --key-type=ecdsa --outfile web.key &&
			certtool --generate-certificate --load-privkey web.key \
				--load-ca-certificate "$BED_DIR/tls/ca.pem" \
				--load-ca-privkey "$BED_DIR/tls/ca.key" --template web.tmpl \
				--outfile web.pem &&
			certtool --generate-self-signed --load-privkey web.key --template web.tmpl \
				--outfile web-selfsigned.pem
	) >"$STS_DIR/certtool.log" 2>&1 || {
		cat "$STS_DIR/certtool.log" >&2
		return 1
	}
}

# dnsmasq's lines for the domains above.
sts_zone() {
	local name txt rpt web d
	while read -r name txt rpt web; do
		[ -n "$name" ] || continue
		d=$name.sts.test
		echo "mx-host=$d,$MX,10"
		[ "$txt" = txt ] && echo "txt-record=_mta-sts.$d,\"v=STSv1; id=20240101T000000\""
		[ "$rpt" = rpt ] && echo "txt-record=_smtp._tls.$d,\"v=TLSRPTv1; rua=mailto:tls@$d\""
		case $web in
		ca) echo "host-record=mta-sts.$d,$WEB,$WEB6" ;;
		self) echo "host-record=mta-sts.$d,$SELF,$SELF6" ;;
		esac
	done <<<"$DOMAINS"
}

sts_up() {
	local dev i a
	mkdir -p "$STS_DIR" || return
	chain_exit_trap
	# The mail side of the client link: whichever device holds the bed's
	# Postfix address.
	dev=$(ip -n "$MAIL_NS" -o -4 addr show to 198.18.1.2/32 | awk '{print $2}')
	dev=${dev%%@*}
	[ -n "$dev" ] || return
	for a in "$STS_DNS/24" "$WEB/24" "$SELF/24"; do
		ip -n "$MAIL_NS" addr add "$a" dev "$dev" || return
	done
	for a in "$STS_DNS6/64" "$WEB6/64" "$SELF6/64"; do
		ip -n "$MAIL_NS" addr add "$a" dev "$dev" nodad || return
	done
	sts_certs || return
	{
		cat <<-EOF
			port=53
			listen-address=$STS_DNS,$STS_DNS6
			bind-interfaces
			no-resolv
			no-hosts
			local=/sts.test/
			local=/$MX/
			pid-file=$STS_DIR/dnsmasq.pid
			log-facility=$STS_DIR/dnsmasq.log
			log-queries
			host-record=$MX,198.18.1.2,fd00:1::2
			# twomx: a second MX the enforce policy does not list
			# (the same Postfix: its certificate names $MX only)
			mx-host=twomx.sts.test,mx2.twomx.sts.test,20
			host-record=mx2.twomx.sts.test,198.18.1.2,fd00:1::2
		EOF
		sts_zone
	} >"$STS_DIR/dnsmasq.conf" || return
	ns_exec "$MAIL_NS" dnsmasq --conf-file="$STS_DIR/dnsmasq.conf" || return
	ns_exec "$MAIL_NS" python3 tests/mtasts/server.py --sites "$SITES" \
		--log "$STS_DIR/requests.log" --pid "$STS_DIR/server.pid" \
		--listen "$WEB,$STS_DIR/web.pem,$STS_DIR/web.key" \
		--listen "$WEB6,$STS_DIR/web.pem,$STS_DIR/web.key" \
		--listen "$SELF,$STS_DIR/web-selfsigned.pem,$STS_DIR/web.key" \
		--listen "$SELF6,$STS_DIR/web-selfsigned.pem,$STS_DIR/web.key" \
		>"$STS_DIR/server.log" 2>&1 &
	SERVER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [ -s "$STS_DIR/server.pid" ] && [ "$(listeners "$MAIL_NS" 443)" -ge 4 ] &&
			[ "$(sdig +short "mta-sts.enforce.sts.test" A)" = "$WEB" ]; then
			return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$STS_DIR/server.log" "$STS_DIR/dnsmasq.log" >&2 2>/dev/null
	return 1
}

# dig at our server from the client namespace.
sdig() { in_client dig +time=1 +tries=1 @"$STS_DNS" "$@"; }

sts_up || die "MTA-STS DNS or HTTPS server failed to start"

# --- The bed as it should be: a wrong answer here is the bed's fault, not
# smtpprobe's.
zone() {
	assert_eq "zone $1 $2" "$(sdig +short "$1" "$2" | LC_ALL=C sort | paste -sd '|')" "$3"
}
zone enforce.sts.test MX "10 $MX."
zone "$MX" A 198.18.1.2
zone "$MX" AAAA fd00:1::2
zone _mta-sts.enforce.sts.test TXT '"v=STSv1; id=20240101T000000"'
zone _smtp._tls.enforce.sts.test TXT '"v=TLSRPTv1; rua=mailto:tls@enforce.sts.test"'
zone mta-sts.enforce.sts.test A "$WEB"
zone mta-sts.enforce.sts.test AAAA "$WEB6"
zone mta-sts.selfsigned.sts.test AAAA "$SELF6"
zone _mta-sts.notxt.sts.test TXT ""
zone mta-sts.nohost.sts.test A ""
assert_eq "zone other zones refused" \
	"$(sdig elsewhere.test MX | grep -o 'status: [A-Z]*')" "status: REFUSED"

# fetch DOMAIN [ADDRESS [CURL ARGS...]]: curl's "status content-type
# bytes" (or $FETCH_W) for the policy of DOMAIN, trusting the test CA,
# from the client namespace.
fetch() {
	local d=$1 a=${2:-$WEB} w='%{http_code} %{content_type} %{size_download}'
	shift
	[ $# -eq 0 ] || shift
	[ -z "${FETCH_W:-}" ] || w=$FETCH_W
	in_client curl -sS --max-time 5 --cacert "$CA_FILE" --noproxy '*' \
		--resolve "mta-sts.$d:443:$a" "$@" -o /dev/null -w "$w" \
		"https://mta-sts.$d/.well-known/mta-sts.txt" 2>&1
}
assert_eq "server: enforce over IPv4" "$(fetch enforce.sts.test)" \
	"200 text/plain $(wc -c <tests/mtasts/policies/enforce.txt)"
assert_eq "server: enforce over IPv6" "$(fetch enforce.sts.test "[$WEB6]")" \
	"200 text/plain $(wc -c <tests/mtasts/policies/enforce.txt)"
assert_eq "server: exact is 65536 bytes" "$(fetch exact.sts.test)" "200 text/plain 65536"
assert_eq "server: big is 70000 bytes" "$(fetch big.sts.test)" "200 text/plain 70000"
assert_eq "server: redirect" "$(FETCH_W='%{http_code} %{redirect_url}' fetch redirect.sts.test)" \
	"301 https://mta-sts.redirect.sts.test/moved/mta-sts.txt"
assert_eq "server: html" "$(fetch html.sts.test | cut -d' ' -f2)" "text/html"
assert_eq "server: the self-signed one does not verify" \
	"$(fetch selfsigned.sts.test "$SELF" | grep -c 'certificate')" 1
assert_eq "server: the self-signed one answers without verification" \
	"$(fetch selfsigned.sts.test "$SELF" -k)" \
	"200 text/plain $(wc -c <tests/mtasts/policies/enforce.txt)"
assert_eq "server: other paths 404" "$(in_client curl -sS --max-time 5 --cacert "$CA_FILE" \
	--noproxy '*' --resolve "mta-sts.enforce.sts.test:443:$WEB" -o /dev/null -w '%{http_code}' \
	https://mta-sts.enforce.sts.test/mta-sts.txt 2>&1)" 404

# --- smtpprobe, asking our server.

# sprobe_args NAME ARGS...: lib.sh's probe, asking our server; no
# sanitizer report either (when SMTPPROBE is the ASan build).
sprobe_args() {
	local DNS_SERVER=$STS_DNS
	probe "$@"
	assert_eq "$1: no sanitizer report" \
		"$(grep -cE 'Sanitizer|runtime error' "$OUT/$1.err")" 0
}
# sprobe NAME LABEL: port 25 of the domain LABEL.sts.test.
sprobe() { sprobe_args "$1" --ports 25 "$2.sts.test"; }
# sev FILE ID: the severities of the target's findings ID, joined by ",".
# shellcheck disable=SC2016 # $id is jq's
sev() { jq -r --arg id "$2" '[.findings[] | select(.id == $id) | .severity] | join(",")' "$1"; }
# msg FILE ID: the message of the target's first finding ID.
# shellcheck disable=SC2016 # $id is jq's
msg() { jq -r --arg id "$2" '[.findings[] | select(.id == $id) | .message][0]' "$1"; }
# p25_has FILE ID: "true true" when both port 25 probes have the
# finding ID (one per address family).
p25_has() { jq -r --arg id "$2" '[.probes[] | select(.port == 25) | [.findings[].id] | index($id) != null] | map(tostring) | join(" ")' "$1"; }
# Requests from smtpprobe (its User-Agent) the HTTPS server saw for
# mta-sts.$1, any path; the bed checks above use curl's.
requests() { grep -c " mta-sts\.${1//./\\.} [^ ]* smtpprobe\$" "$STS_DIR/requests.log"; }
# relay_ok NAME: only port 25 was asked, which offers no AUTH: server-to-
# server delivery, so nothing is recommended to a mail client and the
# exit status is 1 (DESIGN.md), but nothing is wrong: no error finding.
relay_ok() {
	assert_eq "$1: exit status 1 (port 25 is no mail client's route)" "$RC" 1
	assert_jq "$1: no error finding" "$F" '[.findings[], .probes[].findings[] | select(.severity == "error")] | length' 0
	assert_jq "$1: why says server-to-server delivery" "$F" '.recommendation.why | contains("server-to-server delivery")' true
}
# The reasons the policy is unusable must all be in the finding too.
POLICY_ID='[.findings[].id | select(IN("sts-policy-fetch-error", "sts-webpki-invalid", "mta-sts-violation", "mta-sts-record-missing", "no-mta-sts"))] | sort | join(",")'

# (a) enforce, the MX covered, TLS-RPT published: port 25 is protected.
sprobe enforce enforce
relay_ok enforce
assert_eq "enforce: the policy was fetched once" "$(requests enforce.sts.test)" 1
assert_eq "enforce: fetched at our address, not through another resolver" \
	"$(grep -cE '^(198\.18\.1\.1|fd00:1::1) mta-sts\.enforce\.sts\.test /\.well-known/mta-sts\.txt smtpprobe$' \
		"$STS_DIR/requests.log")" 1
assert_jq "enforce: dns.mta_sts" "$F" '.dns.mta_sts' "v=STSv1; id=20240101T000000"
assert_jq "enforce: mta_sts_policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.status) \(.error) \(.mode) \(.max_age) \(.mx | join(","))"' \
	"true 200 null enforce 86400 $MX"
assert_jq "enforce: no policy finding" "$F" "$POLICY_ID" ""
assert_eq "enforce: no no-tls-rpt" "$(sev "$F" no-tls-rpt)" ""
assert_jq "enforce: two port 25 probes on the MX" "$F" \
	'[.probes[] | select(.port == 25)] | "\(map("\(.host) \(.state)") | unique | join(",")) \(length)"' \
	"$MX starttls 2"
assert_eq "enforce: port 25 downgrade-protected" "$(p25_has "$F" downgrade-protected)" "true true"
assert_eq "enforce: port 25 no downgrade-risk" "$(p25_has "$F" downgrade-risk)" "false false"
assert_jq "enforce: port 25 downgrade_risk false" "$F" \
	'[.probes[] | select(.port == 25) | .downgrade_risk] | map(tostring) | join(" ")' "false false"
assert_jq "enforce: downgrade-protected is info and names MTA-STS" "$F" \
	'[.probes[] | select(.port == 25) | .findings[] | select(.id == "downgrade-protected") | "\(.severity) \(.message | test("MTA-STS \\(enforce\\)"))"] | unique | join(",")' \
	"info true"

# --cert-days looks ahead at the policy host's certificate too (30 days
# from the bed's start: 29 whole days left) and at the MX's (365: 364).
assert_jq "enforce: the policy host's certificate, days left" "$F" \
	'.dns.mta_sts_policy.tls | "\(.days_left) \(.not_after | test("^[0-9-]{10}T[0-9:]{8}Z$"))"' "29 true"
assert_jq "enforce: the MX's certificate, days left" "$F" \
	'[.probes[] | select(.port == 25) | .tls.days_left] | unique | map(tostring) | join(",")' 364
assert_eq "enforce: no certificate-expires-soon within 21,7 days" "$(sev "$F" certificate-expires-soon)" ""
sprobe_args enforce-days40 --ports 25 --cert-days 40 enforce.sts.test
relay_ok enforce-days40 # certificate-expires-soon is a warning here
assert_eq "enforce --cert-days 40: the policy host's certificate-expires-soon" \
	"$(sev "$F" certificate-expires-soon)" warning
assert_eq "enforce --cert-days 40: the message names the host and the days" \
	"$(msg "$F" certificate-expires-soon | grep -c 'mta-sts\.enforce\.sts\.test expires on .*, in 29 days (--cert-days 40,7)')" 1
assert_eq "enforce --cert-days 40: the MX's certificate is not soon" "$(p25_has "$F" certificate-expires-soon)" "false false"
sprobe_args enforce-days400 --ports 25 --cert-days 400,30 enforce.sts.test
assert_eq "enforce --cert-days 400,30: exit status 1 (an error)" "$RC" 1
assert_eq "enforce --cert-days 400,30: the policy host's certificate-expires-soon is an error" \
	"$(sev "$F" certificate-expires-soon)" error
assert_jq "enforce --cert-days 400,30: the MX's certificate-expires-soon, a warning" "$F" \
	'[.probes[] | select(.port == 25) | .findings[] | select(.id == "certificate-expires-soon") | "\(.severity) \(.message | test("in 364 days"))"] | join(",")' \
	"warning true,warning true"

# The same in text: the policy line.
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$STS_DNS" \
	--ca-file "$CA_FILE" --ports 25 --format text enforce.sts.test >"$OUT/enforce.txt" 2>&1
assert_eq "enforce: text has the policy line" \
	"$(grep_yn -xF "$OUT/enforce.txt" "  MTA-STS policy: mode enforce, max_age 86400, mx $MX")" yes
assert_eq "enforce: text has the record line" \
	"$(grep_yn -xF "$OUT/enforce.txt" "  MTA-STS: v=STSv1; id=20240101T000000")" yes

# Two MX, the enforce policy lists the first only (RFC 8461 4.2): senders
# refuse mx2 and deliver to the first, whose port 25 is protected whatever
# mx2 does; mx2's downgrade-risk says what was checked and found.
sprobe twomx twomx
P1='[.probes[] | select(.port == 25 and .host == "mail.example.test")]'
P2='[.probes[] | select(.port == 25 and .host == "mx2.twomx.sts.test")]'
assert_jq "twomx: two probes of each MX" "$F" "\"\($P1 | length) \($P2 | length)\"" "2 2"
assert_jq "twomx: the listed MX protected by MTA-STS" "$F" \
	"$P1"' | map("\(.downgrade_risk) \([.findings[] | select(.id == "downgrade-protected") | .message | test("MTA-STS \\(enforce\\)")])") | join("|")' \
	"false [true]|false [true]"
assert_jq "twomx: the other MX not protected" "$F" "$P2"' | map(.downgrade_risk) | all' true
assert_jq "twomx: its downgrade-risk says what was checked and found" "$F" \
	"$P2"' | map(.findings[] | select(.id == "downgrade-risk") | .message |
		test("MTA-STS policy in mode enforce, but this MX is not in its mx list; no TLSA records for DANE") and
		(test("neither was checked") | not)) | [length, all] | map(tostring) | join(" ")' "2 true"
assert_jq "twomx: mta-sts-violation (error) names mx2" "$F" \
	'[.findings[] | select(.id == "mta-sts-violation") | select(.message | test("mx2\\.twomx")) | .severity] | unique | join(",")' error

# The MX covered by a wildcard pattern: protected as well.
sprobe wildcard wildcard
relay_ok wildcard
assert_jq "wildcard: policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.max_age) \(.mx | join(","))"' \
	"true enforce 604800 *.example.test"
assert_jq "wildcard: no policy finding" "$F" "$POLICY_ID" ""
assert_eq "wildcard: port 25 downgrade-protected" "$(p25_has "$F" downgrade-protected)" "true true"

# (b) testing, the MX not covered: a warning, and no protection (testing
# protects nothing).
sprobe testing testing
relay_ok testing
assert_jq "testing: policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.mx | join(","))"' "true testing *.other.test"
assert_eq "testing: mta-sts-violation warning (the MX; each port 25 probe)" \
	"$(sev "$F" mta-sts-violation | tr ',' '\n' | sort -u | paste -sd,)" warning
assert_jq "testing: a violation names the MX" "$F" \
	'[.findings[] | select(.id == "mta-sts-violation") | .message | test("MX mail\\.example\\.test is not among")] | any' true
assert_eq "testing: port 25 not protected" "$(p25_has "$F" downgrade-protected)" "false false"
assert_eq "testing: port 25 downgrade-risk" "$(p25_has "$F" downgrade-risk)" "true true"
assert_eq "testing: no-tls-rpt info" "$(sev "$F" no-tls-rpt)" info

# testing, the MX covered (mixed case, trailing dot, an unknown key, LF):
# no violation, but no protection either.
sprobe covered covered
assert_jq "covered: policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.max_age) \(.mx | join(","))"' \
	"true testing 3600 $MX"
assert_jq "covered: no policy finding" "$F" "$POLICY_ID" ""
assert_eq "covered: port 25 not protected (testing)" "$(p25_has "$F" downgrade-protected)" "false false"

# (c) enforce, the MX not covered: an error, exit status 1.
sprobe strict strict
assert_eq "strict: exit status 1" "$RC" 1
assert_jq "strict: policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.mx | join(","))"' \
	"true enforce mx.other.test,mail.example.test.other.test"
assert_eq "strict: mta-sts-violation error" \
	"$(sev "$F" mta-sts-violation | tr ',' '\n' | sort -u | paste -sd,)" error
assert_jq "strict: the violation says senders will not deliver" "$F" \
	'[.findings[] | select(.id == "mta-sts-violation") | .message | test("will not deliver")] | any' true
assert_eq "strict: port 25 not protected" "$(p25_has "$F" downgrade-protected)" "false false"
assert_eq "strict: no no-tls-rpt" "$(sev "$F" no-tls-rpt)" ""

# mode none: nothing to check, nothing protected.
sprobe none none
relay_ok none
assert_jq "none: policy" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.mx | length)"' "true none 0"
assert_jq "none: no policy finding" "$F" "$POLICY_ID" ""
assert_eq "none: port 25 downgrade-risk" "$(p25_has "$F" downgrade-risk)" "true true"

# (d) a malformed policy: the parser's reason.
sprobe malformed malformed
assert_jq "malformed: policy invalid, the parser's reason" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.status) \(.error) \(.mode) \(.max_age) \(.mx | length)"' \
	"false 200 unknown mode: 'strict' null null 0"
assert_eq "malformed: sts-policy-fetch-error warning" "$(sev "$F" sts-policy-fetch-error)" warning
assert_jq "malformed: only that policy finding" "$F" "$POLICY_ID" sts-policy-fetch-error
assert_eq "malformed: the finding has the reason" \
	"$(msg "$F" sts-policy-fetch-error | grep -c "unknown mode: 'strict'")" 1
assert_eq "malformed: port 25 not protected" "$(p25_has "$F" downgrade-protected)" "false false"
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$STS_DNS" \
	--ca-file "$CA_FILE" --ports 25 --format text malformed.sts.test >"$OUT/malformed.txt" 2>&1
assert_eq "malformed: text says unusable" \
	"$(grep_yn -xF "$OUT/malformed.txt" "  MTA-STS policy: unusable (unknown mode: 'strict')")" yes

# (e) over 64 KiB: refused, whether the size is announced or not; exactly
# 64 KiB is fine.
sprobe big big
assert_jq "big: policy invalid" "$F" '.dns.mta_sts_policy.valid' false
assert_eq "big: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
assert_jq "big: the error mentions the limit" "$F" \
	'.dns.mta_sts_policy.error | test("limit|64 KiB|65536"; "i")' true
sprobe bigstream bigstream
assert_jq "bigstream (no Content-Length): policy invalid" "$F" '.dns.mta_sts_policy.valid' false
assert_eq "bigstream: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
assert_jq "bigstream: the error mentions the limit" "$F" \
	'.dns.mta_sts_policy.error | test("limit|64 KiB|65536"; "i")' true
sprobe exact exact
assert_jq "exact (65536 bytes): policy valid" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode) \(.error)"' "true enforce null"
assert_jq "exact: no policy finding" "$F" "$POLICY_ID" ""

# (f) a redirect: not followed.
sprobe redirect redirect
assert_jq "redirect: status 301, invalid" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.status)"' "false 301"
assert_jq "redirect: the error mentions the redirect" "$F" \
	'.dns.mta_sts_policy.error | test("redirect"; "i")' true
assert_eq "redirect: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
assert_eq "redirect: the Location was not fetched" \
	"$(grep -c ' mta-sts\.redirect\.sts\.test /moved/' "$STS_DIR/requests.log")" 0
assert_eq "redirect: one request in all" "$(requests redirect.sts.test)" 1

# Not 200.
sprobe notfound notfound
assert_jq "notfound: status 404, invalid, says so" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.status) \(.error | test("404"))"' "false 404 true"
assert_eq "notfound: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning

# (g) the wrong content type, or none; parameters after text/plain are
# fine.
sprobe html html
assert_jq "html: invalid, status 200" "$F" '.dns.mta_sts_policy | "\(.valid) \(.status)"' "false 200"
assert_jq "html: the error names the type" "$F" \
	'.dns.mta_sts_policy.error | test("text/html") and test("text/plain")' true
assert_eq "html: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
sprobe notype notype
assert_jq "notype: invalid" "$F" '.dns.mta_sts_policy.valid' false
assert_eq "notype: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
sprobe charset charset
assert_jq "charset (text/plain; charset=utf-8): valid" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode)"' "true enforce"
assert_eq "charset: port 25 downgrade-protected" "$(p25_has "$F" downgrade-protected)" "true true"

# (h) a certificate that does not verify.
sprobe selfsigned selfsigned
assert_jq "selfsigned: invalid, no HTTP status" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.status)"' "false 0"
assert_eq "selfsigned: sts-webpki-invalid warning" "$(sev "$F" sts-webpki-invalid)" warning
assert_jq "selfsigned: only that policy finding" "$F" "$POLICY_ID" sts-webpki-invalid
assert_eq "selfsigned: no request got through" "$(requests selfsigned.sts.test)" 0
assert_eq "selfsigned: port 25 not protected" "$(p25_has "$F" downgrade-protected)" "false false"
assert_jq "selfsigned: no certificate date from an unverified host" "$F" ".dns.mta_sts_policy.tls" null

# (i) a policy without the _mta-sts record that announces it.
sprobe notxt notxt
assert_jq "notxt: dns.mta_sts null" "$F" '.dns.mta_sts' null
assert_jq "notxt: the policy was still fetched, valid" "$F" \
	'.dns.mta_sts_policy | "\(.valid) \(.mode)"' "true enforce"
assert_eq "notxt: mta-sts-record-missing warning" "$(sev "$F" mta-sts-record-missing)" warning
assert_jq "notxt: only that policy finding" "$F" "$POLICY_ID" mta-sts-record-missing
assert_eq "notxt: port 25 not protected (senders never see the policy)" \
	"$(p25_has "$F" downgrade-protected)" "false false"

# The record without an mta-sts host.
sprobe nohost nohost
assert_jq "nohost: nothing fetched: mta_sts_policy null" "$F" '.dns.mta_sts_policy' null
assert_eq "nohost: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
assert_eq "nohost: the finding says there is no host" \
	"$(msg "$F" sts-policy-fetch-error | grep -c 'has no host')" 1

# A fetch that never answers: given up after twice --timeout (2 s).
sprobe slow slow
assert_jq "slow: invalid, no status" "$F" '.dns.mta_sts_policy | "\(.valid) \(.status)"' "false 0"
assert_jq "slow: the error says timeout" "$F" '.dns.mta_sts_policy.error | test("time"; "i")' true
assert_eq "slow: sts-policy-fetch-error" "$(sev "$F" sts-policy-fetch-error)" warning
assert_eq "slow: took about 4 s (2 x --timeout), not the server's 8" \
	"$([ "$MS" -ge 3500 ] && [ "$MS" -lt 7500 ] && echo yes || echo "no: $MS ms")" yes

# (j) neither record nor policy, nor TLS-RPT.
sprobe nosts nosts
relay_ok nosts
assert_jq "nosts: dns.mta_sts null, mta_sts_policy null" "$F" \
	'"\(.dns.mta_sts) \(.dns.mta_sts_policy)"' "null null"
assert_eq "nosts: no-mta-sts info" "$(sev "$F" no-mta-sts)" info
assert_jq "nosts: only that policy finding" "$F" "$POLICY_ID" no-mta-sts
assert_eq "nosts: no-tls-rpt info" "$(sev "$F" no-tls-rpt)" info
assert_eq "nosts: port 25 downgrade-risk" "$(p25_has "$F" downgrade-risk)" "true true"
assert_jq "nosts: port 25 downgrade_risk true" "$F" \
	'[.probes[] | select(.port == 25) | .downgrade_risk] | map(tostring) | join(" ")' "true true"
assert_eq "nosts: nothing fetched" "$(requests nosts.sts.test)" 0

# TLS-RPT alone.
sprobe rptonly rptonly
assert_jq "rptonly: tls_rpt" "$F" '.dns.tls_rpt' "v=TLSRPTv1; rua=mailto:tls@rptonly.sts.test"
assert_eq "rptonly: no no-tls-rpt" "$(sev "$F" no-tls-rpt)" ""
assert_eq "rptonly: no-mta-sts info" "$(sev "$F" no-mta-sts)" info

# host:port is not a domain: no policy is looked for.
n0=$(requests enforce.sts.test)
sprobe_args hostport enforce.sts.test:25
assert_jq "hostport: no mta_sts_policy" "$F" '.dns.mta_sts_policy' null
assert_jq "hostport: no policy finding" "$F" "$POLICY_ID" ""
assert_eq "hostport: no fetch" "$(requests enforce.sts.test)" "$n0"

# Several domains in one run: each its own policy.
LINES_WANT=3 sprobe_args several --ports 25 \
	enforce.sts.test strict.sts.test nosts.sts.test
assert_eq "several: policy modes per target" \
	"$(jq -r '"\(.target)=\(.dns.mta_sts_policy.mode)"' "$F" | sort | paste -sd' ')" \
	"enforce.sts.test=enforce nosts.sts.test=null strict.sts.test=enforce"
assert_eq "several: violations only for strict" \
	"$(jq -r '"\(.target)=\([.findings[] | select(.id == "mta-sts-violation")] | length > 0)"' "$F" |
		sort | paste -sd' ')" \
	"enforce.sts.test=false nosts.sts.test=false strict.sts.test=true"
assert_eq "several: exit status 1 (strict)" "$RC" 1

finish
