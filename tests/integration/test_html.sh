#!/bin/bash
# --format html and --output, end to end on the bed: the page of a good
# host and of a firewalled one (golden files, normalised), a bulk run on
# one page, a hostile server's markup, every page valid for tidy and
# rendered by a real headless chromium (no network, a new profile each
# time): no console message at all (so no script error and no request
# the Content-Security-Policy blocked), screenshots at desktop and phone
# widths, a printed PDF, and a hostile banner's <script> never runs.  The unit tests'
# golden pages (tests/unit/golden/) go through tidy and the browser too.
#
#   UPDATE_GOLDEN=1  rewrite tests/integration/golden/*.html from this run
#   UPDATE_DOCS=1    copy the good and firewalled screenshots to docs/
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools tidy chromium od
need_smtpprobe
HOSTILE=${HOSTILE:-build/hostile-server}
if [ ! -x "$HOSTILE" ]; then
	assert_eq "HOSTILE binary $HOSTILE is executable (see make)" missing present
	finish
fi
HOSTILE=$(realpath "$HOSTILE")
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"
GOLDEN=tests/integration/golden

# run NAME ARGS...: smtpprobe in the client namespace; stdout in
# $OUT/NAME.stdout, the exit status in RC.
run() {
	local name=$1
	shift
	in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.err"
	RC=$?
	assert_eq "$name: no sanitizer report" \
		"$(grep -m 1 -E 'Sanitizer|runtime error' "$OUT/$name.err" || echo none)" none
}

# has DESC FILE FIXED_STRING: the file holds the string.
has() { assert_eq "$1" "$(grep_yn -F "$2" "$3")" yes; }
hasnt() { assert_eq "$1" "$(grep_yn -F "$2" "$3")" no; }

# What changes from run to run made constant: the time, durations, the
# certificate's end date, every number of the waterfall (and its tick
# lines, whose count follows the longest session, and the closing after
# QUIT, drawn only when it took a millisecond) and of the timings table
# and the controls.
normalise() {
	sed -e 's|<dt>Tested</dt><dd>[^<]*</dd>|<dt>Tested</dt><dd>YYYY-MM-DD HH:MM:SS UTC</dd>|' \
		-e 's|<dt>Duration</dt><dd>[0-9]* ms</dd>|<dt>Duration</dt><dd>N ms</dd>|' \
		-e 's|valid until [0-9-]*|valid until YYYY-MM-DD|' \
		-e 's| ([0-9]* ms)</li>$| (N ms)</li>|' \
		-e '/^<line /d' -e '/<title>closing: [0-9]* ms<\/title>/d' \
		-e '/<svg /,/<\/svg>/s/[0-9][0-9]*/N/g' \
		-e '/^<tr><th scope="row">[0-9]*<\/th><td>[^<]*<\/td><td class="num">/s/<td class="num">[0-9]*<\/td>/<td class="num">N<\/td>/g' \
		"$1"
}

# valid NAME FILE: tidy finds neither errors nor warnings.
valid() {
	local t
	t=$(tidy -q -errors --show-warnings yes "$2" 2>&1)
	assert_eq "$1: tidy says nothing" "$t" ""
}

# chrome NAME ARGS...: chromium headless in the client namespace (nothing
# there routes off the bed) with a new empty profile; stdout in
# $OUT/NAME.dom, its log in $OUT/NAME.log.
chrome() {
	local name=$1 profile
	shift
	profile=$(mktemp -d "$OUT/profile.XXXXXX")
	in_client timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" >"$OUT/$name.dom" 2>"$OUT/$name.log"
	assert_eq "$name: chromium exit status" "$?" 0
	rm -rf "$profile"
}

# title_of FILE: the page's title element (the first: SVG has titles too).
title_of() { grep -o '<title>[^<]*</title>' "$1" | head -n 1; }

# console NAME: what the page said on the console (CSP blocks, failed
# loads, script errors), one line per message.
console() { grep -F ':CONSOLE' "$OUT/$1.log"; }

# png_size FILE: "WIDTHxHEIGHT" from the PNG header.
png_size() {
	local w h
	read -r w h < <(od -An -tu1 -j16 -N8 "$1" |
		awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }')
	echo "${w}x$h"
}

# browse NAME FILE TITLE: the page in a real browser: the DOM after load
# has the title the page was written with (no script changed it), the
# console is silent, screenshots at 1280 and 390 pixels wide exist, and
# it prints.
browse() {
	local name=$1 file=$2 title=$3 w
	chrome "$name-dom" --dump-dom "file://$file"
	assert_eq "$name: the title after load (no script ran)" \
		"$(title_of "$OUT/$name-dom.dom")" "<title>$title</title>"
	assert_eq "$name: nothing on the console (no error, no blocked request)" "$(console "$name-dom")" ""
	for w in 1280x1800 390x1800; do
		chrome "$name-$w" --hide-scrollbars --window-size="${w/x/,}" \
			--screenshot="$OUT/$name-$w.png" "file://$file"
		assert_eq "$name: screenshot at $w" "$(png_size "$OUT/$name-$w.png" 2>&1)" "$w"
		assert_ge "$name: screenshot at $w has content (bytes)" \
			"$(stat -c %s "$OUT/$name-$w.png" 2>/dev/null || echo 0)" 20000
		assert_eq "$name: nothing on the console at $w" "$(console "$name-$w")" ""
	done
	# printed (the print style sheet): a PDF of at least one page
	chrome "$name-pdf" --no-pdf-header-footer --print-to-pdf="$OUT/$name.pdf" "file://$file"
	assert_eq "$name: printed to PDF" "$(head -c 5 "$OUT/$name.pdf" 2>&1)" "%PDF-"
	assert_ge "$name: PDF pages" "$(grep -ac '/Type /Page\b' "$OUT/$name.pdf")" 1
	assert_eq "$name: nothing on the console when printed" "$(console "$name-pdf")" ""
}

# page NAME GOLDEN ARGS...: an HTML run written with --output, compared
# (normalised) with golden/GOLDEN, checked by tidy and the browser.
page() {
	local name=$1 golden=$GOLDEN/$2 d
	shift 2
	run "$name" --format html --output "$OUT/$name.html" "$@"
	H=$OUT/$name.html
	assert_eq "$name: nothing on stdout with --output" "$(wc -c <"$OUT/$name.stdout")" 0
	assert_eq "$name: one page" "$(grep -c '^<!DOCTYPE html>$' "$H") $(grep -c '^</html>$' "$H")" "1 1"
	normalise "$H" >"$OUT/$name.norm"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$OUT/$name.norm" "$golden"
	fi
	d=$(diff -u "$golden" "$OUT/$name.norm" 2>&1)
	[ -z "$d" ] || printf '%s\n' "$d" | head -n 60 | sed 's/^/# /'
	assert_eq "$name: matches $golden (normalised)" "$([ -z "$d" ] && echo same || echo different)" same
	valid "$name" "$H"
}

# =====================================================================
# 1. A good host and a firewalled one
# =====================================================================

page html-mail answer-mail.html mail.example.test
assert_eq "html-mail: exit status 1 (2525 is plaintext), as the other formats" "$RC" 1
has "html-mail: the recommendation" "$H" '<dt>Port</dt><dd>465</dd>'
has "html-mail: every source address, per family" "$H" '<dt>From</dt><dd>source addresses 198.18.1.1 (IPv4) and fd00:1::1 (IPv6)</dd>'
assert_eq "html-mail: 8 sessions drawn" "$(grep -c '^<text x="4" y=' "$H")" 8
browse html-mail "$H" "SMTP report for mail.example.test"

page html-fw answer-fw.html fw.example.test
assert_eq "html-fw: exit status 1" "$RC" 1
has "html-fw: nothing works" "$H" 'Nothing works from here'
assert_eq "html-fw: a ticket paragraph per port" "$(grep -c '^<blockquote><p>From this server (source addresses 198.18.2.1 (IPv4) and fd00:2::1 (IPv6))' "$H")" 4
assert_eq "html-fw: each blocked session drawn unfinished" \
	"$(grep -c '<rect class="ph7"' "$H")" 8
browse html-fw "$H" "SMTP report for fw.example.test"

# For the README: taller, down to the waterfall.
if [ "${UPDATE_DOCS:-0}" = 1 ]; then
	chrome docs-good --hide-scrollbars --window-size=1000,2250 \
		--screenshot="$OUT/docs-good.png" "file://$OUT/html-mail.html"
	chrome docs-fw --hide-scrollbars --window-size=1000,1900 \
		--screenshot="$OUT/docs-fw.png" "file://$OUT/html-fw.html"
	cp "$OUT/docs-good.png" docs/report-good.png
	cp "$OUT/docs-fw.png" docs/report-firewalled.png
fi

# =====================================================================
# 2. A hostile server's markup stays text, and would have run otherwise
# =====================================================================

: >"$OUT/hostile.port"
ip netns exec "$CLIENT_NS" "$HOSTILE" --script tests/hostile/scripts/html.script \
	--listen 127.0.0.1 >"$OUT/hostile.port" 2>"$OUT/hostile.log" &
HPID=$!
for ((i = 0; i < 100; i++)); do
	read -r HPORT <"$OUT/hostile.port"
	[ -n "${HPORT:-}" ] && break
	sleep 0.05
done
assert_eq "hostile-server listening" "$([ -n "${HPORT:-}" ] && echo yes)" yes
run html-hostile --format html --output "$OUT/hostile.html" --quick "127.0.0.1:$HPORT"
H=$OUT/hostile.html
TITLE="SMTP report for 127.0.0.1:$HPORT"
has "hostile: the banner shown, escaped" "$H" \
	"html.example &lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;&lt;/style&gt;&lt;img"
has "hostile: the EHLO line shown, escaped" "$H" "X-&lt;/table&gt;&lt;/svg&gt;&lt;script&gt;"
hasnt "hostile: no script element" "$H" "<script"
hasnt "hostile: no img element" "$H" "<img"
hasnt "hostile: no link to javascript:" "$H" 'href="javascript'
valid hostile "$H"
browse hostile "$H" "$TITLE"

# The checks above can fail: the same page with the server's markup let
# through (unescaped) runs its script once the CSP is gone, and with the
# CSP in place the browser blocks it and says so on the console.
sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&#39;/'"'"'/g' -e 's/&quot;/"/g' "$H" >"$OUT/raw-csp.html"
grep -v 'http-equiv="Content-Security-Policy"' "$OUT/raw-csp.html" >"$OUT/raw-nocsp.html"
grep -v 'http-equiv="Content-Security-Policy"' "$H" >"$OUT/escaped-nocsp.html"
chrome raw-nocsp --dump-dom "file://$OUT/raw-nocsp.html"
assert_eq "control: unescaped and without CSP, the banner's script runs" \
	"$(title_of "$OUT/raw-nocsp.dom")" "<title>PWNED</title>"
chrome raw-csp --dump-dom "file://$OUT/raw-csp.html"
assert_eq "control: unescaped, the CSP alone keeps the title" \
	"$(title_of "$OUT/raw-csp.dom")" "<title>$TITLE</title>"
assert_ge "control: ... and the console reports the blocked script" \
	"$(console raw-csp | grep -c 'Content Security Policy')" 1
chrome escaped-nocsp --dump-dom "file://$OUT/escaped-nocsp.html"
assert_eq "without the CSP, the escaping alone keeps the title" \
	"$(title_of "$OUT/escaped-nocsp.dom")" "<title>$TITLE</title>"
assert_eq "without the CSP, the console stays silent" "$(console escaped-nocsp)" ""
# A request to the network is seen as well: an image on a bed address.
sed 's|</main>|<img src="http://198.18.1.2/x.png" alt="x"></main>|' "$H" >"$OUT/remote.html"
chrome remote --dump-dom "file://$OUT/remote.html"
assert_ge "control: a remote image is blocked and reported" \
	"$(console remote | grep -c '198.18.1.2/x.png')" 1
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null

# =====================================================================
# 3. Bulk: one page, worst first
# =====================================================================

printf '%s\n' mail.example.test fw.example.test "127.0.0.1:$HPORT" nomx.example.test >"$OUT/list"
# the hostile server is gone: 127.0.0.1 now refuses, like fw
run html-bulk --format html --output "$OUT/bulk.html" --input "$OUT/list"
H=$OUT/bulk.html
assert_eq "bulk: exit status 1" "$RC" 1
assert_eq "bulk: one page" "$(grep -c '^<!DOCTYPE html>$' "$H") $(grep -c '^</html>$' "$H")" "1 1"
has "bulk: the title" "$H" "<title>SMTP report for 4 targets</title>"
assert_eq "bulk: a section per target" "$(grep -c '^<section class="target"' "$H")" 4
assert_eq "bulk: the summary, worst first (then by name)" \
	"$(grep -o '^<tr><th scope="row"><a href="#[^"]*">' "$H" | sed 's/.*#\([^"]*\)".*/\1/' | tr '\n' ' ')" \
	"t-127.0.0.1_$HPORT t-fw.example.test t-nomx.example.test t-mail.example.test "
assert_eq "bulk: the sections in the same order" \
	"$(grep -o '^<h2 id="t-[^"]*">' "$H" | sed 's/.*"\(t-[^"]*\)".*/\1/' | tr '\n' ' ')" \
	"t-127.0.0.1_$HPORT t-fw.example.test t-nomx.example.test t-mail.example.test "
valid bulk "$H"
browse bulk "$H" "SMTP report for 4 targets"

# =====================================================================
# 4. --output for every format, and what it refuses
# =====================================================================

run out-text --output "$OUT/o.txt" --ports 587 mail.example.test
assert_eq "--output text: nothing on stdout" "$(wc -c <"$OUT/out-text.stdout")" 0
assert_eq "--output text: the report in the file" "$(head -n 1 "$OUT/o.txt" | sed 's/ in .*//')" "mail.example.test: 2 probes"
assert_eq "--output text: exit status 0" "$RC" 0
run out-json --format json --output "$OUT/o.json" --ports 587 mail.example.test
assert_eq "--output json: nothing on stdout" "$(wc -c <"$OUT/out-json.stdout")" 0
assert_jq "--output json: the report in the file" "$OUT/o.json" '[.target, (.probes | length)] | join(" ")' "mail.example.test 2"
run out-md --format markdown --output "$OUT/o.md" --ports 587 mail.example.test
assert_eq "--output markdown: the report in the file" "$(head -n 1 "$OUT/o.md")" "# SMTP report for mail.example.test"
run out-dash --format html --output - --ports 587 mail.example.test
assert_eq "--output -: standard output" "$(head -n 1 "$OUT/out-dash.stdout")" "<!DOCTYPE html>"
run out-egress --egress --control mail.example.test --output "$OUT/o.egress"
assert_eq "--output with --egress: the verdicts in the file" "$(grep -c '^Port [0-9]*: open from here' "$OUT/o.egress")" 4
echo old >"$OUT/o.old"
run out-over --output "$OUT/o.old" --ports 587 mail.example.test
assert_eq "--output replaces what the file held" "$(grep -c '^old$' "$OUT/o.old")" 0

# usage NAME WANT ARGS...: exit 2 at once, the message, no file.
usage() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	assert_eq "$name: exit status 2" "$RC" 2
	assert_eq "$name: the message" "$(grep -cF -e "$want" "$OUT/$name.err")" 1
}
usage out-nodir "cannot write --output '$OUT/no/such/dir/x.html': No such file or directory" \
	--format html --output "$OUT/no/such/dir/x.html" mail.example.test
usage out-quiet "-q writes nothing: no --output with it" -q --output "$OUT/q.txt" mail.example.test
printf 'mail.example.test\n' >"$OUT/in.txt"
usage out-input "--output '$OUT/in.txt' is the --input file" --input "$OUT/in.txt" --output "$OUT/in.txt"
assert_eq "out-input: the input file kept" "$(cat "$OUT/in.txt")" mail.example.test
assert_eq "out-quiet: no file made" "$([ -e "$OUT/q.txt" ] && echo made || echo none)" none
usage html-egress "--egress writes text, JSON or Markdown, not HTML" --egress --format html

# Every finding of the JSON schema has its plain words on the page.
missing=$(jq -r '."$defs" | .probeFindingId.enum[], .targetFindingId.enum[]' docs/smtpprobe.schema.json |
	sort -u | while read -r id; do
		grep -qF "{\"$id\"" reports/html_words.c || printf '%s ' "$id"
	done)
assert_eq "every finding id of the schema is explained in reports/html_words.c" "$missing" ""

# =====================================================================
# 5. The unit tests' golden pages (hand-built reports) in tidy and chromium
# =====================================================================

for f in tests/unit/golden/*.html; do
	n=unit-$(basename "$f" .html)
	valid "$n" "$f"
	cp "$f" "$OUT/$n.html"
	title=$(title_of "$f")
	chrome "$n" --dump-dom "file://$OUT/$n.html"
	assert_eq "$n: the title after load" "$(title_of "$OUT/$n.dom")" "$title"
	assert_eq "$n: nothing on the console" "$(console "$n")" ""
done

finish
