# shellcheck shell=bash
# shellcheck disable=SC2034 # PASSED and FAILED are read by the sourcing test
# TAP-like assertions shared by the integration and hostile tests: each
# prints "ok - ..." or "not ok - ... (got X, want Y)"; finish prints the
# "NAME: P passed, F failed" line run.sh counts and exits 1 on a failure.
PASSED=${PASSED:-0}
FAILED=${FAILED:-0}

# A sanitizer build (make sanitize) that finds something exits 86, a
# status of its own: by default ASan exits 1 and LeakSanitizer 23, which
# look like smtpprobe's "problems found".
SAN_EXIT=86
export ASAN_OPTIONS="exitcode=$SAN_EXIT${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="exitcode=$SAN_EXIT${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="exitcode=$SAN_EXIT:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

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

# assert_ran NAME RC ERRFILE: the run neither crashed nor hung (status
# below 124) and no sanitizer spoke (not status 86, no report on stderr).
assert_ran() {
	local san=none
	if [ "$2" = "$SAN_EXIT" ]; then
		san="exit status $SAN_EXIT"
	elif [ -f "$3" ]; then
		san=$(grep -m 1 -E 'Sanitizer|runtime error' "$3" | cut -c 1-200)
		san=${san:-none}
	else
		san="no stderr file $3"
	fi
	assert_lt "$1: exit status (no crash, no hang)" "$2" 124
	assert_eq "$1: no sanitizer report (exit status, stderr)" "$san" none
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
