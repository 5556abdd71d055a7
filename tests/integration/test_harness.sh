#!/bin/bash
# The test harness itself: run.sh counts a skipped script apart and fails
# on it with NO_SKIP=1 (CI), fails a script that ran no assertion; a
# sanitizer report fails assert_ran whatever the exit status (each
# sanitizer really exits 86 under tests/assert.sh's options).  Fixtures in
# tests/integration/harness/.  Needs root only because run.sh does.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../assert.sh
. tests/assert.sh

H=tests/integration/harness
TMP=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-harness.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# runsh NAME NO_SKIP SCRIPT...: run.sh's exit status and summary line.
runsh() {
	local name=$1 ns=$2
	shift 2
	NO_SKIP=$ns tests/integration/run.sh "$@" >"$TMP/$name.out" 2>&1
	echo "$? $(grep '^integration: ' "$TMP/$name.out")"
}

assert_eq "run.sh: a passing script passes" "$(runsh pass 1 "$H/passes.sh")" \
	"0 integration: 1 passed, 0 failed, 0 scripts skipped"
assert_eq "run.sh: a skipped script is counted apart, not as passed" \
	"$(runsh skip 0 "$H/passes.sh" "$H/skips.sh")" \
	"0 integration: 1 passed, 0 failed, 1 scripts skipped"
assert_eq "run.sh NO_SKIP=1: a skipped script fails the run" \
	"$(runsh skip-ci 1 "$H/passes.sh" "$H/skips.sh")" \
	"1 integration: 1 passed, 0 failed, 1 scripts skipped"
assert_eq "run.sh NO_SKIP=1: SKIPPED with status 0 is a skip too" \
	"$(runsh skip-quiet 1 "$H/skips-quietly.sh")" \
	"1 integration: 0 passed, 0 failed, 1 scripts skipped"
assert_eq "run.sh: a script that ran no assertion fails" \
	"$(runsh silent 0 "$H/silent.sh")" \
	"1 integration: 0 passed, 1 failed, 0 scripts skipped"

# assert_ran in a subshell: how many of its assertions failed.
ran_fails() (
	PASSED=0 FAILED=0
	assert_ran harness "$1" "$2" >/dev/null
	echo "$FAILED"
)
: >"$TMP/clean.err"
echo "==1==ERROR: LeakSanitizer: detected memory leaks" >"$TMP/lsan.err"
assert_eq "assert_ran: status 1, clean stderr passes" "$(ran_fails 1 "$TMP/clean.err")" 0
assert_eq "assert_ran: status 1 with a LeakSanitizer report fails" "$(ran_fails 1 "$TMP/lsan.err")" 1
assert_eq "assert_ran: status $SAN_EXIT fails" "$(ran_fails "$SAN_EXIT" "$TMP/clean.err")" 1
assert_eq "assert_ran: status 124 (timeout) fails" "$(ran_fails 124 "$TMP/clean.err")" 1

# The sanitizers' own exit status under these options.
if cc -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$TMP/leaks" "$H/leaks.c" 2>"$TMP/cc.err"; then
	for k in leak overflow ub; do
		"$TMP/leaks" "$k" 2>"$TMP/$k.err"
		assert_eq "a sanitizer finding ($k) exits $SAN_EXIT" "$?" "$SAN_EXIT"
		assert_eq "... and assert_ran fails it" "$(ran_fails "$SAN_EXIT" "$TMP/$k.err")" 1
	done
	"$TMP/leaks" none 2>"$TMP/none.err"
	assert_eq "no finding: the program's own status" "$?" 0
else
	assert_eq "cc builds the sanitizer fixture" "$(head -c 300 "$TMP/cc.err")" ""
fi

# make lint runs shellcheck on every shell script in the tree: those with
# a sh or bash "#!" line, or a "shellcheck shell=" directive.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	scripts=$(git ls-files --cached --others --exclude-standard | grep -vE '^(build|build-san|build-fuzz)/' |
		while read -r f; do
			[ -f "$f" ] || continue
			if head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)' ||
				head -n 3 "$f" | grep -q '^# shellcheck shell='; then echo "$f"; fi
		done | LC_ALL=C sort)
	assert_eq "make lint lints every shell script (missing ones listed)" \
		"$(LC_ALL=C comm -23 <(echo "$scripts") <(make -s print-shell-scripts | LC_ALL=C sort) | paste -sd ' ')" ""
else
	assert_eq "a git checkout, to list the shell scripts" no yes
fi

finish
