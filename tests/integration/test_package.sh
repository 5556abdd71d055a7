#!/bin/bash
# The Debian package: "make deb" in a copy of the working tree, lintian on
# the .deb, then install it with apt from the local file (no network),
# check what it installed, and remove it.  Needs root (apt); without it,
# or with a smtpprobe already installed, it says SKIPPED.  KEEP=1 keeps the copy and its logs.
cd "$(dirname "$0")/../.." || exit 1
set -u

WORK=
INSTALLED= # set once this test installed the package: cleanup removes it

# shellcheck source=../assert.sh
. tests/assert.sh

# apt-get, bounded; it waits up to 60 s for the dpkg lock when another
# apt or dpkg runs, rather than failing at once.
apt_get() {
	DEBIAN_FRONTEND=noninteractive timeout 120 apt-get -o DPkg::Lock::Timeout=60 -y -q "$@"
}

skip() {
	echo "SKIPPED: test_package: $*"
	exit 77 # run.sh counts it as skipped (a failure in CI), never as passed
}

# Runs from the EXIT trap: never exits, removes only what it installed.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	trap '' INT TERM
	if [ -n "$INSTALLED" ] && dpkg-query -W -f='${db:Status-Status}' smtpprobe 2>/dev/null | grep -q installed; then
		echo "# cleanup: removing the smtpprobe package this test installed" >&2
		apt_get remove smtpprobe >/dev/null 2>&1
	fi
	[ -n "$WORK" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# KEEP=1: files kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

# The last lines of a log, as TAP comments.
show() {
	tail -n "${2:-25}" "$1" | sed 's/^/#   /'
}

[ "$(id -u)" -eq 0 ] || skip "needs root (apt-get install of the package)"
for t in dh dpkg-buildpackage lintian apt-get dpkg-deb dpkg-query dpkg-parsechangelog flock tar timeout; do
	command -v "$t" >/dev/null || {
		echo "Bail out! missing tool: $t (see tools/install-deps)" >&2
		exit 1
	}
done
# One run at a time on a machine: two would install and remove the same
# package under each other.
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 9>"$lockdir/smtpprobe-test-package.lock" || exit 1
flock -w 300 9 || skip "another test_package run held the lock for 300 s"
# Never replace or remove a smtpprobe this test did not install.
if dpkg-query -W -f='${db:Status-Status}' smtpprobe 2>/dev/null | grep -q installed; then
	skip "the smtpprobe package is already installed here; not replacing it"
fi
if [ -e /usr/bin/smtpprobe ]; then
	skip "/usr/bin/smtpprobe exists (installed by hand?); not overwriting it"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-pkg.XXXXXX") || exit 1
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build: make deb in a copy (tracked and untracked files, no build
# output), so the tree under test is never touched ---

mkdir "$WORK/src" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		grep -zvE '^(build|build-san|build-fuzz)/' |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null
else
	tar --exclude=./build --exclude=./build-san --exclude=./build-fuzz \
		--exclude-vcs -cf - .
fi | tar -xf - -C "$WORK/src"
assert_eq "the copy has debian/ and the Makefile" \
	"$([ -x "$WORK/src/debian/rules" ] && [ -f "$WORK/src/Makefile" ] && echo yes)" yes

# every file but build/, with its size and time: make deb must not change it
tree() { (cd "$WORK/src" && find . -mindepth 1 -path ./build -prune -o -printf '%p %s %T@\n' | sort); }
before=$(tree)
t0=$(date +%s)
# a clean make: not the B=build-san of "make sanitize" around this test
timeout 180 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$WORK/src" B=build deb >"$WORK/build.log" 2>&1
rc=$?
assert_eq "make deb succeeds (log: build.log)" "$rc" 0
[ "$rc" -eq 0 ] || show "$WORK/build.log" 40
echo "# make deb took $(($(date +%s) - t0)) s"
assert_eq "make deb changes nothing outside build/" \
	"$(diff <(echo "$before") <(tree) | grep '^[<>]' | head -n 3 | tr '\n' ' ')" ""

mapfile -t debs < <(ls "$WORK"/src/build/smtpprobe_*.deb 2>/dev/null)
assert_eq "exactly one smtpprobe_*.deb in build/" "${#debs[@]}" 1
[ "${#debs[@]}" -eq 1 ] || finish
DEB=${debs[0]}
echo "# $(basename "$DEB"): $(du -k "$DEB" | cut -f1) KiB"

version=$(dpkg-parsechangelog -l "$WORK/src/debian/changelog" -S Version)
assert_eq "package version is debian/changelog's" "$(dpkg-deb -f "$DEB" Version)" "$version"
contents=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/smtpprobe ./usr/share/man/man1/smtpprobe.1.gz \
	./usr/share/bash-completion/completions/smtpprobe \
	./usr/share/doc/smtpprobe/copyright \
	./usr/share/locale/ja/LC_MESSAGES/smtpprobe.mo; do
	assert_eq "package contains $f" "$(grep -cxF "$f" <<<"$contents")" 1
done

# --- lintian: no errors; warnings and the rest listed ---

timeout 120 lintian --tag-display-limit 0 --display-info "$DEB" >"$WORK/lintian.log" 2>&1
sed -n '/^[A-Z]: /s/^/# lintian: /p' "$WORK/lintian.log"
assert_eq "lintian: no errors (E:)" \
	"$(grep -c '^E: ' "$WORK/lintian.log")" 0
assert_eq "lintian ran (no internal error)" \
	"$(grep -ciE 'internal error|^[a-z-]*: error' "$WORK/lintian.log")" 0

# --- install from the local file, look, remove ---

INSTALLED=1
apt_get install --no-install-recommends "$DEB" >"$WORK/install.log" 2>&1
rc=$?
assert_eq "apt-get install ./$(basename "$DEB")" "$rc" 0
[ "$rc" -eq 0 ] || {
	show "$WORK/install.log"
	finish
}
assert_eq "dpkg says installed" \
	"$(dpkg-query -W -f='${db:Status-Status} ${Version}' smtpprobe)" "installed $version"
assert_eq "smtpprobe is /usr/bin/smtpprobe" "$(command -v smtpprobe)" /usr/bin/smtpprobe
assert_eq "smtpprobe --version is the package's version" \
	"$(smtpprobe --version 2>&1 | cut -d' ' -f1-2)" "smtpprobe $version"

if command -v man >/dev/null; then
	if grep -qs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
		echo "# SKIP man -w: dpkg is set to leave out /usr/share/man here"
	else
		assert_eq "man -w smtpprobe" "$(man -w smtpprobe 2>&1)" \
			/usr/share/man/man1/smtpprobe.1.gz
		assert_eq "man smtpprobe renders, with its SYNOPSIS" \
			"$(MANWIDTH=80 man -P cat smtpprobe 2>/dev/null | grep -c '^SYNOPSIS')" 1
	fi
else
	assert_eq "man is installed (man-db, see tools/install-deps)" missing present
fi

# The installed catalog, found where the package's binary looks for it
# (a closed DNS port: nothing to probe, a report at once).
assert_eq "the installed smtpprobe speaks Japanese under ja_JP.UTF-8" \
	"$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE -u SMTPPROBE_LOCALEDIR LANG=ja_JP.UTF-8 \
		timeout 20 /usr/bin/smtpprobe --dns-server 127.0.0.1:9 --timeout 1 \
		--deadline 3 example.test 2>&1 | grep -c 'ここから安全にメールを送信する方法はありません')" 1

comp=/usr/share/bash-completion/completions/smtpprobe
assert_eq "bash completion installed" "$(dpkg -L smtpprobe | grep -cxF "$comp")" 1
# shellcheck disable=SC2016 # for the inner bash
assert_eq "the installed completion loads in bash" \
	"$(bash --norc -c '. "$1" && complete -p smtpprobe' _ "$comp" 2>&1)" \
	"complete -F _smtpprobe smtpprobe"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	# shellcheck disable=SC2016 # for the inner bash
	assert_eq "bash-completion's loader finds it" \
		"$(bash --norc -c '. /usr/share/bash-completion/bash_completion &&
			__load_completion smtpprobe && complete -p smtpprobe' 2>&1)" \
		"complete -F _smtpprobe smtpprobe"
else
	echo "# SKIP bash-completion's loader: bash-completion not installed"
fi
assert_eq "the JSON schema is in the package's docs" \
	"$(dpkg -L smtpprobe | grep -c '^/usr/share/doc/smtpprobe/smtpprobe.schema.json$')" 1

apt_get remove smtpprobe >"$WORK/remove.log" 2>&1
assert_eq "apt-get remove smtpprobe" "$?" 0
assert_eq "package no longer installed" \
	"$(dpkg-query -W -f='${db:Status-Status}' smtpprobe 2>/dev/null | grep -c '^installed')" 0
assert_eq "/usr/bin/smtpprobe and the completion are gone" \
	"$([ -e /usr/bin/smtpprobe ] || [ -e "$comp" ] || echo gone)" gone
INSTALLED=

finish
