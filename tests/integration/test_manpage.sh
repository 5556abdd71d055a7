#!/bin/bash
# man/smtpprobe.1: lint-clean mdoc, and complete against what the program
# and its JSON schema say today: every option of --help and of smtpprobe.c's
# option table, every state, reason and finding id of the schema (each
# finding with its severity), the JSON fields, the exit statuses and the
# RFCs.  No root, no bed, no network: mandoc, col and jq only.
#   SMTPPROBE  the binary whose --help is read (./smtpprobe)
#   MANPAGE    the page (man/smtpprobe.1)
cd "$(dirname "$0")/../.." || exit 1
set -u

SMTPPROBE=${SMTPPROBE:-./smtpprobe}
PAGE=${MANPAGE:-man/smtpprobe.1}
SCHEMA=docs/smtpprobe.schema.json
PASSED=0
FAILED=0

ok() {
	echo "ok - $1"
	PASSED=$((PASSED + 1))
}

not_ok() {
	echo "not ok - $1"
	FAILED=$((FAILED + 1))
}

finish() {
	echo "test_manpage: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

for t in mandoc groff man col jq; do
	if ! command -v "$t" >/dev/null; then
		not_ok "$t is installed (see tools/install-deps)"
		finish
	fi
done

# --- lint ---

lint=$(mandoc -Tlint -W warning "$PAGE" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$lint" ]; then
	ok "mandoc -Tlint -W warning $PAGE prints nothing"
else
	not_ok "mandoc -Tlint -W warning $PAGE prints nothing (rc $rc)"
	printf '%s\n' "$lint" | sed 's/^/# /'
fi

# groff, with every warning an error: what man(1) runs on Debian.  groff
# exits 0 whatever it prints, so what it prints is the verdict.
lint=$(groff -mandoc -ww -z "$PAGE" 2>&1)
if [ -z "$lint" ]; then
	ok "groff -mandoc -ww -z $PAGE prints nothing"
else
	not_ok "groff -mandoc -ww -z $PAGE prints nothing"
	printf '%s\n' "$lint" | sed 's/^/# /'
fi

# man -l: the README's "man ./man/smtpprobe.1", on a terminal's width.
# No warning, and every section heading mandoc renders is there too (a
# macro groff chokes on stops the page where it stands).
manerr=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$PAGE" 2>&1 >/dev/null)
mantext=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$PAGE" 2>/dev/null | col -bx)
if [ -z "$manerr" ]; then
	ok "man -l $PAGE warns of nothing"
else
	not_ok "man -l $PAGE warns of nothing"
	printf '%s\n' "$manerr" | sed 's/^/# /'
fi
man_heads=$(printf '%s\n' "$mantext" | grep -E '^[A-Z][A-Z ]+$')
mandoc_heads=$(mandoc -Tutf8 "$PAGE" 2>/dev/null | col -bx | grep -E '^[A-Z][A-Z ]+$')
if [ -n "$mandoc_heads" ] && [ "$man_heads" = "$mandoc_heads" ]; then
	ok "man -l shows every section mandoc shows"
else
	not_ok "man -l shows every section mandoc shows"
	diff <(printf '%s\n' "$mandoc_heads") <(printf '%s\n' "$man_heads") | sed 's/^/# /'
fi
# The last reference and the last words of the page.
last=$(grep -v '^\.' "$PAGE" | tail -n 1 | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')
if printf '%s\n' "$mantext" | tr -s '[:space:]' ' ' | grep -qF -- "$last"; then
	ok "man -l shows the page to its last line"
else
	not_ok "man -l shows the page to its last line ($last)"
fi

# --- the rendered page ---

# col -x: spaces, not tabs, so that indentation tells tags from bodies.
# Tags of the section lists start in column 5; section headings in 0.
text=$(mandoc -Tutf8 "$PAGE" 2>/dev/null | col -bx)
if [ -n "$text" ]; then
	ok "$PAGE renders"
else
	not_ok "$PAGE renders"
	finish
fi

# section NAME: the lines of one section, heading excluded.
section() {
	printf '%s\n' "$text" | awk -v name="$1" '
		/^[A-Z]/ { in_it = ($0 == name); next }
		in_it'
}

# flat: stdin on one line, every run of white space one blank, so that a
# phrase broken across lines is still found.
flat() {
	tr -s '[:space:]' ' '
}

# has_word HAYSTACK WORD: WORD stands alone (not inside a longer id or
# option) in HAYSTACK.
has_word() {
	local w
	w=$(printf '%s' "$2" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	printf '%s\n' "$1" | grep -Eq -- "(^|[^[:alnum:]_-])$w([^[:alnum:]_-]|$)"
}

# is_tag SECTION_TEXT WORD: WORD is the tag of an entry of a list in the
# section (column 5, or column 16 in a nested list as the reasons are).
is_tag() {
	local w
	w=$(printf '%s' "$2" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	printf '%s\n' "$1" | grep -Eq -- "^ +$w( |\$)"
}

for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT "STATES AND REASONS" \
	FINDINGS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO" \
	STANDARDS AUTHORS CAVEATS; do
	if [ -n "$(section "$s")" ]; then
		ok "section $s"
	else
		not_ok "section $s"
	fi
done

all=$(printf '%s\n' "$text" | flat)
options=$(section OPTIONS)
synopsis=$(section SYNOPSIS | flat)

# --- options ---

# An option is documented when an entry of OPTIONS starts with it, as in
# "     -d seconds, --deadline seconds" or "     --quick".
option_entry() {
	local o
	o=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	printf '%s\n' "$options" |
		grep -Eq -- "^     -.*(^|[ ,])$o([ ,=]|\$)|^     $o([ ,]|\$)"
}

if help=$("$SMTPPROBE" --help 2>&1) && [ -n "$help" ]; then
	ok "$SMTPPROBE --help"
	help_long=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | LC_ALL=C sort -u)
	help_short=$(printf '%s\n' "$help" | grep -oE -- '(^| )-[[:alnum:]]([ ,]|$)' |
		tr -d ' ,' | LC_ALL=C sort -u)
	[ -n "$help_long" ] || not_ok "--help lists long options"
	for o in $help_long; do
		if option_entry "$o"; then
			ok "$o (from --help) has an entry in OPTIONS"
		else
			not_ok "$o (from --help) has an entry in OPTIONS"
		fi
	done
	for o in $help_short; do
		if option_entry "$o"; then
			ok "$o (from --help) has an entry in OPTIONS"
		else
			not_ok "$o (from --help) has an entry in OPTIONS"
		fi
	done
else
	not_ok "$SMTPPROBE --help (run make, or set SMTPPROBE)"
fi

# smtpprobe.c's getopt_long table: no option is left out, not even one
# --help forgets.
src_long=$(grep -o '{"[a-z0-9-]*", *[a-z]*_argument' smtpprobe.c |
	sed 's/{"\([^"]*\)".*/--\1/' | LC_ALL=C sort -u)
[ -n "$src_long" ] || not_ok "smtpprobe.c has a long option table"
for o in $src_long; do
	if option_entry "$o"; then
		ok "$o (smtpprobe.c) has an entry in OPTIONS"
	else
		not_ok "$o (smtpprobe.c) has an entry in OPTIONS"
	fi
done

# Every mode is in the SYNOPSIS.
for o in --input --shard --check --encryption --egress --control; do
	if has_word "$synopsis" "$o" || { [ "$o" = --input ] && has_word "$synopsis" -i; }; then
		ok "SYNOPSIS shows $o"
	else
		not_ok "SYNOPSIS shows $o"
	fi
done

# --- the schema's vocabularies ---

# enum DEF PATH: the string members of the enum at PATH in the schema's
# $defs.DEF, one a line.
enum() {
	# shellcheck disable=SC2016 # $defs and $d are jq's
	jq -r --arg d "$1" '.["$defs"][$d]'"$2"' | .[] | strings' "$SCHEMA"
}

if ! jq -e . "$SCHEMA" >/dev/null 2>&1; then
	not_ok "$SCHEMA is JSON"
	finish
fi

states_text=$(section "STATES AND REASONS")
findings_text=$(section FINDINGS)

n=0
for w in $(enum state .enum); do
	n=$((n + 1))
	if is_tag "$states_text" "$w"; then
		ok "state $w is listed in STATES AND REASONS"
	else
		not_ok "state $w is listed in STATES AND REASONS"
	fi
done
[ "$n" -gt 0 ] || not_ok "the schema lists states"

n=0
for w in $(enum blockedReason .enum) $(enum unusableReason .enum); do
	n=$((n + 1))
	if is_tag "$states_text" "$w"; then
		ok "reason $w is listed in STATES AND REASONS"
	else
		not_ok "reason $w is listed in STATES AND REASONS"
	fi
done
[ "$n" -gt 0 ] || not_ok "the schema lists reasons"

# entry ID: the lines of ID's entry in FINDINGS, up to the next entry.
entry() {
	printf '%s\n' "$findings_text" | awk -v id="$1" '
		{ ind = match($0, /[^ ]/) - 1 }
		ind >= 0 && ind < 5 { in_it = 0 }
		ind == 5 && /^     [a-z]/ {
			split($0, f, " ")
			in_it = (f[1] == id)
		}
		in_it'
}

n=0
for w in $(enum probeFindingId .enum) $(enum targetFindingId .enum); do
	n=$((n + 1))
	e=$(entry "$w" | flat)
	if [ -z "$e" ]; then
		not_ok "finding $w has an entry in FINDINGS"
	elif printf '%s\n' "$e" | grep -Eq 'Error|Warning|Info|By port|by port'; then
		ok "finding $w has an entry in FINDINGS, with its severity"
	else
		not_ok "finding $w has an entry in FINDINGS, with its severity"
	fi
done
[ "$n" -gt 0 ] || not_ok "the schema lists finding ids"

# The Nagios table of OUTPUT: a row for every finding, with the state on
# port 25 and on the other ports.
out_text=$(section OUTPUT)
for w in $(enum probeFindingId .enum) $(enum targetFindingId .enum); do
	if printf '%s\n' "$out_text" | grep -Eq -- "^ +$w +(OK|WARNING|CRITICAL|-)(, [A-Z]+)? +(OK|WARNING|CRITICAL)"; then
		ok "finding $w has a row in the Nagios state table"
	else
		not_ok "finding $w has a row in the Nagios state table"
	fi
done

for w in $(enum severity .enum); do
	if has_word "$(printf '%s\n' "$findings_text" | flat)" "$w"; then
		ok "severity $w is named in FINDINGS"
	else
		not_ok "severity $w is named in FINDINGS"
	fi
done

# The words a JSON reader meets: roles, ends, phases, egress verdicts.
for w in $(enum role .enum) $(enum end .enum) \
	$(enum phase .enum) \
	$(enum egressReport .properties.egress.items.properties.verdict.enum); do
	if has_word "$all" "$w"; then
		ok "JSON value $w appears"
	else
		not_ok "JSON value $w appears"
	fi
done

# The JSON fields: every member of a report, of a probe and of dns.
output=$(section OUTPUT | flat)
for w in $(jq -r '.["$defs"] | (.report.properties, .probe.properties, .dns.properties) | keys[]' "$SCHEMA" | LC_ALL=C sort -u); do
	if has_word "$output" "$w"; then
		ok "JSON field $w is described in OUTPUT"
	else
		not_ok "JSON field $w is described in OUTPUT"
	fi
done
if has_word "$output" docs/smtpprobe.schema.json; then
	ok "OUTPUT points to docs/smtpprobe.schema.json"
else
	not_ok "OUTPUT points to docs/smtpprobe.schema.json"
fi

# --timeout: the rule that judges a silent port sooner once its address
# answered is part of what the option does.
timeout_entry=$(printf '%s\n' "$options" | awk '
	/^     -t seconds/ { in_it = 1; print; next }
	/^     -/ { in_it = 0 }
	in_it' | flat)
for w in "1 second" "round trips" "250 milliseconds"; do
	if printf '%s\n' "$timeout_entry" | grep -qF -- "$w"; then
		ok "--timeout tells when a silent port is judged sooner ($w)"
	else
		not_ok "--timeout tells when a silent port is judged sooner ($w)"
	fi
done

# --- exit statuses ---

exits=$(section "EXIT STATUS")
for s in 0 1 2 3 141; do
	if is_tag "$exits" "$s"; then
		ok "exit status $s in EXIT STATUS"
	else
		not_ok "exit status $s in EXIT STATUS"
	fi
done
if printf '%s\n' "$exits" | grep -Eq '^ +128 ?\+'; then
	ok "exit status 128+signal in EXIT STATUS"
else
	not_ok "exit status 128+signal in EXIT STATUS"
fi

# --- environment, files ---

if is_tag "$(section ENVIRONMENT)" NO_COLOR; then
	ok "NO_COLOR in ENVIRONMENT"
else
	not_ok "NO_COLOR in ENVIRONMENT"
fi
files=$(section FILES | flat)
for f in /etc/resolv.conf /etc/hosts /usr/share/bash-completion/completions/smtpprobe; do
	if has_word "$files" "$f"; then
		ok "$f in FILES"
	else
		not_ok "$f in FILES"
	fi
done

# --- standards ---

standards=$(section STANDARDS | flat)
for r in 3207 5321 6186 6409 7672 7505 8314 8461 8460 8996 6066; do
	if has_word "$standards" "RFC $r"; then
		ok "RFC $r in STANDARDS"
	else
		not_ok "RFC $r in STANDARDS"
	fi
done

finish
