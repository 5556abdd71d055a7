# shellcheck shell=bash
# shellcheck disable=SC2034 # PASSED and FAILED are read by the sourcing test
# TAP-like assertions shared by the integration and hostile tests: each
# prints "ok - ..." or "not ok - ... (got X, want Y)"; finish prints the
# "NAME: P passed, F failed" line run.sh counts and exits 1 on a failure.
PASSED=${PASSED:-0}
FAILED=${FAILED:-0}

assert_eq() {
	local desc=$1 got=$2 want=$3
	if [ "$got" = "$want" ]; then
		echo "ok - $desc"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $desc (got '$got', want '$want')"
		FAILED=$((FAILED + 1))
	fi
}

# assert_jq DESC FILE FILTER WANT: jq -r FILTER FILE must print WANT.
assert_jq() {
	assert_eq "$1" "$(jq -r "$3" "$2" 2>&1)" "$4"
}

# grep_yn GREP_OPTS FILE PATTERN: "yes" if FILE matches, else "no".
grep_yn() {
	if grep -q "$1" -e "$3" -- "$2"; then echo yes; else echo no; fi
}

# GOT < LIMIT, both integers.
assert_lt() {
	if [ "$2" -lt "$3" ] 2>/dev/null; then
		assert_eq "$1" "$2" "$2"
	else
		assert_eq "$1" "$2" "< $3"
	fi
}

# GOT >= LIMIT, both integers.
assert_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then
		assert_eq "$1" "$2" "$2"
	else
		assert_eq "$1" "$2" ">= $3"
	fi
}

finish() {
	local name
	name=$(basename "$0" .sh)
	if [ $((PASSED + FAILED)) -eq 0 ]; then
		echo "not ok - $name ran no assertion"
		FAILED=1
	fi
	echo "$name: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] || exit 1
	exit 0
}
