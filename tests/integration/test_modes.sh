#!/bin/bash
# smtpprobe against odd.example.test, a Postfix with one mistake per port
# (bed_odd_up): states, findings and their severities, downgrade risk, the
# mode each port spoke, what the wrong-mode retry costs, the recommendation
# and the exit status.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
bed_up
bed_odd_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

# A wrong answer here is the bed's fault, not smtpprobe's.
for ta in A:198.18.3.2 AAAA:fd00:3::2; do
	assert_eq "dns odd.example.test ${ta%%:*}" \
		"$(in_client dig +short @"$DNS_SERVER" odd.example.test "${ta%%:*}")" "${ta#*:}"
done

# expect PORT STATE SPOKE DOWNGRADE_RISK VERIFIED ID:SEVERITY...: the probes
# of both addresses in $F, with exactly these findings.
expect() {
	local port=$1 state=$2 spoke=$3 risk=$4 verified=$5 ids a q fs
	shift 5
	ids=$(printf '%s\n' "${@%:*}" | LC_ALL=C sort | paste -sd ' ')
	for a in 198.18.3.2 fd00:3::2; do
		q=$(p "$a" "$port")
		assert_jq "$a:$port state/spoke" "$F" "$q"' | "\(.state)/\(.spoke)"' "$state/$spoke"
		assert_jq "$a:$port downgrade_risk" "$F" "$q | .downgrade_risk" "$risk"
		assert_jq "$a:$port tls.verified" "$F" "$q | .tls.verified" "$verified"
		# tls-not-enforced is on one address only: see not_enforced
		assert_jq "$a:$port finding ids" "$F" "$q"' | [.findings[].id | select(. != "tls-not-enforced")] | sort | join(" ")' "$ids"
		for fs; do
			assert_jq "$a:$port ${fs%:*} severity" "$F" \
				"$q | [.findings[] | select(.id == \"${fs%:*}\") | .severity] | join(\",\")" "${fs#*:}"
		done
	done
}

# not_enforced PORT: odd's STARTTLS ports take MAIL before STARTTLS
# (security level "may"): tls-not-enforced, a warning, on the one address
# of the host and port the enforcement session went to.
not_enforced() {
	assert_jq "odd:$1 tls-not-enforced on one address" "$F" \
		"[.probes[] | select(.port == $1) | .findings[] | select(.id == \"tls-not-enforced\") | .severity] | join(\",\")" warning
}

# The text run waits out 587's silence too: let it do so alongside.
in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
	--ca-file "$CA_FILE" --format text odd.example.test >"$OUT/text.txt" 2>"$OUT/text.err" &
text_pid=$!

# 1. The default ports by name. 587 says nothing for --timeout (it waits for
# a TLS hello), then smtpprobe retries in TLS: at most timeout*2 + 1.5 s.
probe odd odd.example.test
assert_jq "odd: 8 probes" "$F" '.probes | length' 8
assert_lt "odd: wall time in ms (wrong-port-mode retry)" "$MS" $((2 * 2000 + 1500))
assert_eq "odd: exit status 1 (errors found)" "$RC" 1
expect 25 starttls plain true false certificate-not-trusted:warning downgrade-risk:warning
# wrong-port-mode is always a warning (verdict.c): the port works, only not
# in the mode clients expect there.
expect 587 implicit-tls tls false true wrong-port-mode:warning
expect 465 starttls plain false true wrong-port-mode:warning
expect 2525 starttls plain true false certificate-expired:error plaintext-auth:error
not_enforced 465
not_enforced 2525
# Only verified TLS >= 1.2 qualifies, implicit TLS first (recommend.c):
# 587 in implicit TLS beats 465 in STARTTLS.
assert_jq "odd: recommendation" "$F" \
	'.recommendation | "\(.host) \(.port) \(.encryption) \(.label)"' "odd.example.test 587 implicit-tls SSL"

# 2. To smtpprobe 2465 is a plaintext submission port; its STARTTLS
# certificate names wrong.example.test only, and it offers no AUTH.
probe odd2465 --ports 2465 odd.example.test
assert_jq "odd2465: 2 probes" "$F" '.probes | length' 2
assert_eq "odd2465: exit status 1 (errors found)" "$RC" 1
expect 2465 starttls plain false false auth-not-offered:warning certificate-host-mismatch:error
not_enforced 2465

# 3. Text: the recommendation is the one port that verified in implicit TLS.
wait "$text_pid"
assert_eq "text: exit status 1 (errors found)" "$?" 1
assert_eq "text: recommendation line" "$(grep '^Recommendation:' "$OUT/text.txt")" \
	"Recommendation: server odd.example.test, port 587, encryption SSL (implicit TLS)."

finish
