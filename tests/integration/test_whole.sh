#!/bin/bash
# Findings about a target as a whole, which no single session shows:
# STARTTLS on one address of a host but not another (inconsistent-
# addresses, on the bed), and one foreign banner on every port
# (interception-suspect, with the hostile server on loopback).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
bed_up
bed_odd_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

# split.example.test: A is the main Postfix (2525 plaintext), AAAA the odd
# one (2525 STARTTLS).  A client that lands on the A record is downgraded.
probe split --ports 2525 split.example.test
assert_jq "split: 2525 on 198.18.1.2 is plaintext" "$F" "$(p 198.18.1.2 2525) | .state" plaintext
assert_jq "split: 2525 on fd00:3::2 is starttls" "$F" "$(p fd00:3::2 2525) | .state" starttls
assert_jq "split: inconsistent-addresses, an error" "$F" \
	'[.findings[] | select(.id == "inconsistent-addresses") | .severity] | join(",")' error
assert_jq "split: the message names both addresses" "$F" \
	'[.findings[] | select(.id == "inconsistent-addresses") | .message | test("198.18.1.2") and test("fd00:3::2")] | all' true

# mail.example.test: the same on both addresses, so no such finding.
probe consistent --ports 2525,587 mail.example.test
assert_jq "consistent: no inconsistent-addresses" "$F" \
	'[.findings[] | select(.id == "inconsistent-addresses")] | length' 0
assert_jq "consistent: no interception-suspect (banners name the host)" "$F" \
	'[.findings[] | select(.id == "interception-suspect")] | length' 0
finish
