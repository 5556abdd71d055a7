#!/bin/bash
# The reports in Japanese, on the bed: under LANG=ja_JP.UTF-8 the text and
# Markdown reports of a good host, a firewalled host and a --check
# mismatch match golden files (normalised: dates and milliseconds), the
# text table lines up in display cells, and an internationalised name of
# the test zone is shown as typed; under LANG=C the same run is English
# with the name's bytes escaped; JSON stays English with the name as typed.
#
#   UPDATE_GOLDEN=1  rewrite tests/integration/golden/ja-* from this run
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools locale python3 jq tidy
need_smtpprobe
assert_eq "the ja_JP.UTF-8 locale is installed (tools/install-deps test)" \
	"$(locale -a | grep -cx 'ja_JP.utf8')" 1
# The catalogs built next to the binary (make builds $(B)/locale).
LOCALES=$(dirname "$SMTPPROBE")/locale
[ -d "$LOCALES" ] || LOCALES=build/locale
LOCALES=$(realpath "$LOCALES")
bed_up
OUT=$BED_DIR/out-ja
mkdir -p "$OUT"
GOLDEN=tests/integration/golden
IDN=例え.example.test

# run LANG NAME ARGS...: smtpprobe in the client namespace under LANG.
# Sets T (stdout file) and RC.
run() {
	local lang=$1 name=$2
	shift 2
	in_client env -u LC_ALL -u LC_MESSAGES -u LC_CTYPE -u LANGUAGE \
		LANG="$lang" NO_COLOR=1 SMTPPROBE_LOCALEDIR="$LOCALES" \
		timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	RC=$?
	T=$OUT/$name.out
	assert_ran "$name" "$RC" "$OUT/$name.err"
}

# The run's date, duration and milliseconds made constant.
normalise() {
	sed -e 's/^調査日時 [0-9-]* [0-9:]* UTC/調査日時 YYYY-MM-DD HH:MM:SS UTC/' \
		-e 's/所要時間 [0-9]* ms。/所要時間 N ms。/' \
		-e 's/件のプローブ、[0-9.]* 秒$/件のプローブ、N 秒/' \
		-e 's/ *[0-9][0-9]* ms$/ N ms/' -e 's/([0-9][0-9]* ms)$/(N ms)/' \
		-e '/^## 所要時間/,/^## /{' -e ':a' \
		-e 's/^\(| [0-9]* | [^|]* |\( [N\\-]* |\)*\) [0-9][0-9]* |/\1 N |/' -e 'ta' -e '}' "$1"
}

# golden NAME GOLDEN: $T normalised must match golden/GOLDEN.
golden() {
	local name=$1 file=$GOLDEN/$2 d
	normalise "$T" >"$OUT/$name.norm"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$OUT/$name.norm" "$file"
	fi
	d=$(diff -u "$file" "$OUT/$name.norm" 2>&1)
	[ -z "$d" ] || printf '%s\n' "$d" | sed 's/^/# /'
	assert_eq "$name: matches $file (normalised)" "$([ -z "$d" ] && echo same || echo different)" same
}

# aligned NAME: the text table of $T lines up in display cells.
aligned() {
	local out
	out=$(tests/check-columns "$T" 2>&1)
	assert_eq "$1: the table lines up in display cells ($out rows)" \
		"$(printf '%s\n' "$out" | grep -cv '^[0-9][0-9]*$')" 0
}

# english NAME: no Japanese in $T.
english() {
	assert_eq "$1: ASCII only (English, escapes)" "$(LC_ALL=C grep -c '[^ -~]' "$T")" 0
}

# 1. A good host, a firewalled host, a --check mismatch: text and Markdown.
for c in "mail mail.example.test" "fw fw.example.test" \
	"443 --check mail.example.test:443 --encryption tls"; do
	read -r name args <<<"$c"
	# shellcheck disable=SC2086 # the arguments, split
	run ja_JP.UTF-8 "ja-$name-txt" $args
	golden "ja-$name-txt" "ja-$name.txt"
	[ "$name" = 443 ] || aligned "ja-$name-txt"
	# shellcheck disable=SC2086
	run ja_JP.UTF-8 "ja-$name-md" --format markdown $args
	golden "ja-$name-md" "ja-$name.md"
	# shellcheck disable=SC2086
	run C "c-$name-txt" $args
	english "c-$name-txt"
done
assert_eq "ja-mail: the recommendation in Japanese" \
	"$(grep -c '^おすすめの設定: 送信サーバー mail.example.test、ポート 465、暗号化 SSL（SSL/TLS）。$' "$OUT/ja-mail-txt.out")" 1
assert_eq "ja-fw: no safe way, in Japanese" \
	"$(grep -c '^ここから安全にメールを送信する方法はありません: ' "$OUT/ja-fw-txt.out")" 1
assert_eq "ja-443: the settings do not work, in Japanese" \
	"$(grep -c '^この設定では、ここから送信できません。$' "$OUT/ja-443-txt.out")" 1
assert_eq "c-mail: the recommendation in English" \
	"$(grep -c '^Recommendation: server mail.example.test, port 465, encryption SSL (implicit TLS)\.$' "$OUT/c-mail-txt.out")" 1

# The HTML page of a good host: Japanese, marked as such, valid HTML.
run ja_JP.UTF-8 ja-mail-html --format html mail.example.test
assert_eq "ja-mail-html: <html lang=\"ja\">" "$(grep -c '^<html lang="ja">$' "$T")" 1
assert_eq "ja-mail-html: the answer in Japanese" "$(grep -c '>結論</h2>' "$T")" 1
tidy -q -e "$T" >"$OUT/ja-mail-html.tidy" 2>&1
assert_lt "ja-mail-html: tidy finds no error" "$?" 2

# 2. An internationalised name of the test zone, as typed.
run ja_JP.UTF-8 idn-ja "$IDN"
assert_eq "idn-ja: the name as typed, its A-label beside it" \
	"$(head -n 1 "$T" | cut -d: -f1)" "$IDN (xn--r8jz45g.example.test)"
assert_eq "idn-ja: Japanese" "$(grep -c '^おすすめの設定: \|^送信できる設定: \|^ここから安全に' "$T")" 1
aligned idn-ja
run C idn-c "$IDN"
assert_eq "idn-c: the name's bytes escaped" \
	"$(head -n 1 "$T" | cut -d: -f1)" '\xe4\xbe\x8b\xe3\x81\x88.example.test (xn--r8jz45g.example.test)'
english idn-c
assert_eq "idn-c: English" "$(grep -c '^Recommendation: \|^No safe way' "$T")" 1
run ja_JP.UTF-8 idn-json --format json "$IDN"
assert_eq "idn-json: target as typed, the A-label apart" \
	"$(jq -r '[.target, .target_unicode, .target_alabel] | join(" ")' "$T")" \
	"$IDN $IDN xn--r8jz45g.example.test"
assert_eq "idn-json: the messages in English" \
	"$(jq -r '[.findings[].message, (.probes[].findings[]?.message)] | join(" ")' "$T" | LC_ALL=C grep -c '[^ -~]')" 0
v=$(tests/validate-json "$T" 2>&1) && v=valid
assert_eq "idn-json: matches docs/smtpprobe.schema.json" "$v" valid
finish
