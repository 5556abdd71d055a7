#!/bin/bash
# Runs every tests/integration/test_*.sh (from the repo root, as root) and
# exits non-zero if any of them failed. SMTPPROBE overrides ./smtpprobe.
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	# network namespaces need root: ask sudo once, or say so loudly
	if command -v sudo >/dev/null 2>&1; then
		exec sudo SMTPPROBE="${SMTPPROBE:-}" HOSTILE="${HOSTILE:-}" "$0"
	fi
	echo "SKIPPED: integration tests need root (network namespaces)"
	exit 0
fi
# A test cleans up on Ctrl-C and exits normally; stop here too, not go on.
trap 'exit 130' INT
trap 'exit 143' TERM

log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
passed=0 failed=0 bad=()
for t in tests/integration/test_*.sh; do
	echo "# $t"
	bash "$t" | tee -i "$log" # -i: on Ctrl-C keep the pipe open for cleanup
	rc=${PIPESTATUS[0]}
	read -r p f < <(sed -n 's/^[^ ]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
	p=${p:-0} f=${f:-0}
	# A script that died without failing an assertion still counts as one failure.
	if [ "$rc" -ne 0 ]; then
		bad+=("$t")
		[ "$f" -gt 0 ] || f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
[ ${#bad[@]} -eq 0 ] || echo "# failed: ${bad[*]}"
echo "integration: $passed passed, $failed failed"
[ ${#bad[@]} -eq 0 ]
