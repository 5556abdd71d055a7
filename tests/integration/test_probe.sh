#!/bin/bash
# smtpprobe against the bed: real Postfix on mail.example.test, a firewalled
# fw.example.test, and authoritative DNS. Every check names what it expects.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

AUTH_COUNT='map(select(ascii_upcase | startswith("AUTH"))) | length'
HAS_MISMATCH='any(.findings[]; .id == "certificate-host-mismatch")'

# 1. By name: every port on both addresses, certificates verified.
probe byname mail.example.test
assert_jq "byname: 8 probes" "$F" '.probes | length' 8
for a in 198.18.1.2 fd00:1::2; do
	for pw in 25:starttls 587:starttls 465:implicit-tls 2525:plaintext; do
		assert_jq "byname $a:${pw%:*} state" "$F" "$(p "$a" "${pw%:*}") | .state" "${pw#*:}"
	done
	for port in 25 587 465; do
		assert_jq "byname $a:$port tls.verified" "$F" "$(p "$a" "$port") | .tls.verified" true
		assert_jq "byname $a:$port tls.names has mail.example.test" "$F" \
			"$(p "$a" "$port")"' | any(.tls.names[]; . == "mail.example.test")' true
	done
	assert_jq "byname $a:587 no AUTH before TLS" "$F" "$(p "$a" 587) | .ehlo | $AUTH_COUNT" 0
	assert_jq "byname $a:587 AUTH after TLS" "$F" "$(p "$a" 587) | .ehlo_tls | $AUTH_COUNT" 1
	assert_jq "byname $a:2525 tls is null" "$F" "$(p "$a" 2525) | .tls" null
done

# 2. By address: the certificate names only mail.example.test.
for a in 198.18.1.2 fd00:1::2; do
	probe "addr-$a" "$a"
	assert_jq "addr $a: 4 probes" "$F" '.probes | length' 4
	for port in 25 587 465; do
		assert_jq "addr $a:$port tls.verified" "$F" "$(p "$a" "$port") | .tls.verified" false
		assert_jq "addr $a:$port finding certificate-host-mismatch" "$F" "$(p "$a" "$port") | $HAS_MISMATCH" true
	done
done

# 3. Firewalled host: three kinds of block, all ports in parallel.
probe fw fw.example.test
assert_jq "fw: 8 probes" "$F" '.probes | length' 8
for a in 198.18.2.2 fd00:2::2; do
	for pr in 25:timeout 587:timeout 465:refused 2525:unreachable; do
		assert_jq "fw $a:${pr%:*} blocked/${pr#*:}" "$F" \
			"$(p "$a" "${pr%:*}")"' | "\(.state)/\(.reason)"' "blocked/${pr#*:}"
	done
done
# Sequential probing would take >= 4 s (two 2 s timeouts per address).
assert_lt "fw: wall time in ms (parallel probes)" "$MS" 3500

# The host answered on 465, 2525 and 443, so its silent ports are judged
# from that round trip and the kernel's SYN retry (about 1.25 s here), not
# from --timeout: with --timeout 8 the run still ends in under 3 s, and
# the dropped ports are still timeouts, the rest unchanged.
probe fw8 --timeout 8 --deadline 20 fw.example.test
for a in 198.18.2.2 fd00:2::2; do
	for pr in 25:timeout 587:timeout 465:refused 2525:unreachable; do
		assert_jq "fw8 $a:${pr%:*} blocked/${pr#*:}" "$F" \
			"$(p "$a" "${pr%:*}")"' | "\(.state)/\(.reason)"' "blocked/${pr#*:}"
	done
done
assert_lt "fw8: wall time in ms (judged from the round trip, not --timeout 8)" "$MS" 3000

# 4. Address family, port and host:port selection.
probe v4 -4 mail.example.test
assert_jq "-4: 4 probes, all IPv4" "$F" '[.probes[].address | select(contains(":") | not)] | length' 4
assert_jq "-4: no other probes" "$F" '.probes | length' 4
probe v6 -6 mail.example.test
assert_jq "-6: 4 probes, all IPv6" "$F" '[.probes[].address | select(contains(":"))] | length' 4
assert_jq "-6: no other probes" "$F" '.probes | length' 4
probe ports587 --ports 587 mail.example.test
assert_jq "--ports 587: only port 587" "$F" '[.probes[].port] | unique | map(tostring) | join(",")' 587
assert_jq "--ports 587: both addresses" "$F" '.probes | length' 2
probe hostport mail.example.test:465
assert_jq "host:port: only 465 on both addresses" "$F" '[.probes[] | "\(.port)"] | join(",")' 465,465
probe v6port '[fd00:1::2]:587'
assert_jq "[v6]:port: one probe" "$F" '[.probes[] | "\(.address) \(.port)"] | join(",")' "fd00:1::2 587"

# 5. Bad usage exits 2 and names the bad part; an unknown name is a DNS error.
# usage DESC BAD_PART ARGS...
usage() {
	local desc=$1 bad=$2 got
	shift 2
	in_client timeout 10 "$SMTPPROBE" "$@" >/dev/null 2>"$OUT/usage.err"
	assert_eq "usage $desc: exit status" "$?" 2
	got=$(head -n 1 "$OUT/usage.err") # shown when the check fails
	if grep -qiF -e "$bad" "$OUT/usage.err"; then got=yes; fi
	assert_eq "usage $desc: stderr names '$bad'" "${got:-(empty stderr)}" yes
}
usage "--ports 0" port --ports 0 mail.example.test
usage "--ports 70000" 70000 --ports 70000 mail.example.test
usage "--format xml" xml --format xml mail.example.test
usage "--timeout abc" abc --timeout abc mail.example.test
usage "unknown option" --bogus --bogus mail.example.test
usage "host:99999" 99999 mail.example.test:99999
usage "[fd00::1" "[fd00::1" "[fd00::1"
usage "no target" target --format json

probe nope nope.example.test
assert_jq "nope: target echoed" "$F" '.target' nope.example.test
assert_jq "nope: dns.errors not empty" "$F" '.dns.errors | length > 0' true
assert_jq "nope: no probes" "$F" '.probes | length' 0

# 6. Text output: the four ports and their modes, no colour when asked.
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
	--ca-file "$CA_FILE" --format text mail.example.test >"$OUT/text.txt" 2>"$OUT/text.err"
for w in 25 587 465 2525 starttls implicit-tls plaintext; do
	assert_eq "text: mentions $w" "$(grep_yn -w "$OUT/text.txt" "$w")" yes
done
assert_eq "text: no ESC byte with NO_COLOR" "$(grep -c $'\e' "$OUT/text.txt")" 0

finish
