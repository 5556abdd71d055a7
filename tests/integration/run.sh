#!/bin/bash
# Runs tests/integration/test_*.sh (or the scripts named as arguments) from
# the repo root, as root, and exits non-zero if any of them failed.
# SMTPPROBE overrides ./smtpprobe.  A script that skips exits 77 (or says
# "SKIPPED:"): counted apart from the passed ones, and a failure with
# NO_SKIP=1 (CI).
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	# network namespaces need root: ask sudo once, or say so loudly
	if command -v sudo >/dev/null 2>&1; then
		exec sudo SMTPPROBE="${SMTPPROBE:-}" HOSTILE="${HOSTILE:-}" NO_SKIP="${NO_SKIP:-}" "$0" "$@"
	fi
	echo "SKIPPED: integration tests need root (network namespaces)"
	[ "${NO_SKIP:-0}" = 1 ] && exit 1
	exit 77
fi
# A test cleans up on Ctrl-C and exits normally; stop here too, not go on.
trap 'exit 130' INT
trap 'exit 143' TERM

log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
[ $# -gt 0 ] || set -- tests/integration/test_*.sh
passed=0 failed=0 skipped=0 bad=() skips=()
for t in "$@"; do
	echo "# $t"
	bash "$t" | tee -i "$log" # -i: on Ctrl-C keep the pipe open for cleanup
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ] || { [ "$rc" -eq 0 ] && grep -q '^SKIPPED' "$log"; }; then
		skips+=("$t")
		skipped=$((skipped + 1))
		continue
	fi
	read -r p f < <(sed -n 's/^[^ ]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
	p=${p:-0} f=${f:-0}
	# A script that died without failing an assertion still counts as one
	# failure, and so does one that ran none.
	if [ "$rc" -ne 0 ] || [ $((p + f)) -eq 0 ]; then
		bad+=("$t")
		[ "$f" -gt 0 ] || f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
[ ${#bad[@]} -eq 0 ] || echo "# failed: ${bad[*]}"
[ ${#skips[@]} -eq 0 ] || echo "# skipped: ${skips[*]}"
echo "integration: $passed passed, $failed failed, $skipped scripts skipped"
[ ${#bad[@]} -eq 0 ] || exit 1
if [ "$skipped" -gt 0 ] && [ "${NO_SKIP:-0}" = 1 ]; then
	echo "# NO_SKIP=1: a skipped script is a failure"
	exit 1
fi
exit 0
