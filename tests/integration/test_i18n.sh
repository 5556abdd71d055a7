#!/bin/bash
# The message catalogs: every message marked in the code (xgettext against
# the sources) is in po/smtpprobe.pot and translated in every po/*.po, none
# fuzzy, none obsolete; msgfmt --check accepts them; and the program
# speaks Japanese under LANG=ja_JP.UTF-8 with its catalog, English under
# LANG=C and in the machine formats.  Needs no bed.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools xgettext msgfmt msgcmp msgcat locale
need_smtpprobe
# The catalogs built next to the binary (make builds $(B)/locale).
LOCALES=$(dirname "$SMTPPROBE")/locale
[ -d "$LOCALES" ] || LOCALES=build/locale
LOCALES=$(realpath "$LOCALES")
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

assert_eq "the ja_JP.UTF-8 locale is installed (tools/install-deps test)" \
	"$(locale -a | grep -cx 'ja_JP.utf8')" 1
assert_eq "po/LINGUAS names ja" "$(grep -cx ja po/LINGUAS)" 1

# The template, fresh from the code.
make -s B="$TMP" "$TMP/smtpprobe.pot" >"$TMP/xgettext.log" 2>&1
assert_eq "xgettext extracts the messages" "$?" 0
n=$(grep -c '^msgid ' "$TMP/smtpprobe.pot")
assert_ge "xgettext found marked messages" "$n" 40

# msgids only, sorted: what two templates must share.
ids() { msgcat --no-location --no-wrap --sort-output "$1" | grep -v '^"POT-Creation-Date' | sed -n '/^msgid /,$p'; }
assert_eq "po/smtpprobe.pot is current with the code (make pot)" \
	"$(diff <(ids po/smtpprobe.pot) <(ids "$TMP/smtpprobe.pot") | head -n 5)" ""

for po in po/*.po; do
	l=$(basename "$po" .po)
	assert_eq "$l: listed in po/LINGUAS" "$(grep -cx "$l" po/LINGUAS)" 1
	# every message of the code has a translation (missing or
	# untranslated is a fatal msgcmp error)
	out=$(msgcmp "$po" "$TMP/smtpprobe.pot" 2>&1)
	assert_eq "$l: every message in the code is translated (msgcmp)" \
		"$?:$(printf '%s' "$out" | grep -v 'warning: this message is not used' | head -n 3)" "0:"
	stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
	assert_eq "$l: msgfmt --check: all translated, none fuzzy" \
		"$(printf '%s\n' "$stats" | grep -vE '^[0-9]+ translated messages\.$')" ""
	assert_eq "$l: no obsolete entries" "$(grep -c '^#~' "$po")" 0
	assert_eq "$l: no message the code lost" \
		"$(msgcmp --use-untranslated "$TMP/smtpprobe.pot" "$po" 2>&1 | grep -c 'used but not defined')" 0
done
assert_eq "ja: one plural form" \
	"$(grep -c '^"Plural-Forms: nplurals=1; plural=0;\\n"$' po/ja.po)" 1

# The check can fail: a message the catalog lacks is found.
mkdir -p "$TMP/src"
printf '#include "core/i18n.h"\nconst char *f(void);\nconst char *f(void) { return _("a message no catalog has"); }\n' >"$TMP/src/new.c"
xgettext --from-code=UTF-8 --language=C --keyword=_ -o "$TMP/new.pot" "$TMP/src/new.c"
msgcat -o "$TMP/both.pot" "$TMP/smtpprobe.pot" "$TMP/new.pot"
assert_eq "a newly marked message without translation fails msgcmp" \
	"$(msgcmp po/ja.po "$TMP/both.pot" >/dev/null 2>&1; echo $?)" 1

# The catalog at work.  A closed DNS port: nothing to probe, at once.
run() {
	env -u LC_ALL -u LC_MESSAGES -u LANGUAGE SMTPPROBE_LOCALEDIR="$LOCALES" \
		timeout 20 "$SMTPPROBE" --dns-server 127.0.0.1:9 --timeout 1 \
		--deadline 3 "$@" 2>&1
}
ja=$(LANG=ja_JP.UTF-8 run 例え.example.test)
assert_eq "ja: the report speaks Japanese" \
	"$(printf '%s\n' "$ja" | grep -c 'ここから安全にメールを送信する方法はありません')" 1
assert_eq "ja: the name as typed" "$(printf '%s\n' "$ja" | head -n 1 | cut -d' ' -f1)" "例え.example.test"
en=$(LANG=C run 例え.example.test)
assert_eq "C: English" "$(printf '%s\n' "$en" | grep -c 'No safe way to send mail from here')" 1
assert_eq "C: the name's bytes escaped" "$(printf '%s\n' "$en" | head -n 1 | cut -d' ' -f1)" \
	'\xe4\xbe\x8b\xe3\x81\x88.example.test'
assert_eq "C: nothing but ASCII" "$(printf '%s\n' "$en" | LC_ALL=C grep -c '[^ -~]')" 0
js=$(LANG=ja_JP.UTF-8 run --format json 例え.example.test)
assert_eq "ja: JSON stays English" \
	"$(printf '%s\n' "$js" | jq -r '.recommendation.why // .findings[0].message' | LC_ALL=C grep -c '[^ -~]')" 0
assert_eq "ja: JSON target as typed, A-label apart" \
	"$(printf '%s\n' "$js" | jq -r '[.target, .target_unicode, .target_alabel] | join(" ")')" \
	"例え.example.test 例え.example.test xn--r8jz45g.example.test"
finish
