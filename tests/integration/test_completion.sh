#!/bin/bash
# completion/smtpprobe.bash: what it offers after each kind of word, and
# that it offers exactly the options smtpprobe.c has.  No root, no bed, no
# network: it calls the completion function the way bash would, with
# COMP_WORDS and COMP_CWORD set, and reads COMPREPLY.
#   SMTPPROBE  the binary asked which --format values it takes (./smtpprobe)
cd "$(dirname "$0")/../.." || exit 1
set -u

# shellcheck source=../assert.sh
. tests/assert.sh

# shellcheck source=completion/smtpprobe.bash
. completion/smtpprobe.bash
assert_eq "sourcing registers the completion" \
	"$(complete -p smtpprobe 2>&1)" "complete -F _smtpprobe smtpprobe"

# comp WORD...: the sorted completions, on one line, for the command line
# WORD... with the cursor at the end of the last word ('' for a new word).
comp() {
	local COMP_WORDS=("$@")
	local COMP_CWORD=$(($# - 1))
	local COMP_LINE="$*"
	local COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_smtpprobe smtpprobe "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>&1
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# --- options ---

long="--ca-file --cert-days --check --concurrency --control --deadline --dns-server --egress --ehlo --encryption --format --help --input --output --password-file --per-address --ports --public-only --quick --quiet --shard --timeout --tls-ports --user --version"
assert_eq "--: every long option" "$(comp smtpprobe --)" "$long"
assert_eq "-: short and long options" "$(comp smtpprobe -)" \
	"$long -4 -6 -V -d -f -h -i -o -p -q -t"
assert_eq "--form: one option taking a value gets '='" "$(comp smtpprobe --form)" "--format="
assert_eq "--vers: one option without a value, no '='" "$(comp smtpprobe --vers)" "--version"
assert_eq "--eg: --egress takes no value, no '='" "$(comp smtpprobe --eg)" "--egress"
assert_eq "--t: both candidates" "$(comp smtpprobe --t)" "--timeout --tls-ports"
assert_eq "options after a target (getopt permutes)" \
	"$(comp smtpprobe mail.example.test --ca)" "--ca-file="
assert_eq "after --, no options: every word is a target" "$(comp smtpprobe -- --)" ""
assert_eq "a target: nothing without bash-completion's host list" \
	"$(comp smtpprobe mail.exa)" ""

# --- --format values ---

assert_eq "--format VALUE" "$(comp smtpprobe --format '')" "html json markdown nagios openmetrics text"
assert_eq "-f j" "$(comp smtpprobe -f j)" "json"
# with '=' in COMP_WORDBREAKS (the default): "--format" "=" "value"
assert_eq "--format= (cursor after =)" "$(comp smtpprobe --format =)" "html json markdown nagios openmetrics text"
assert_eq "--format=t" "$(comp smtpprobe --format = t)" "text"
# without: one word, the completion keeps its option
assert_eq "--format=j as one word" "$(comp smtpprobe --format=j)" "--format=json"
assert_eq "--version= takes nothing" "$(comp smtpprobe --version=)" ""
assert_eq "--format after --: a target" "$(comp smtpprobe -- --format '')" ""

assert_eq "--encryption VALUE" "$(comp smtpprobe --check smtp.example.test:587 --encryption '')" \
	"implicit none ssl starttls tls"
assert_eq "--encryption=s" "$(comp smtpprobe --encryption = s)" "ssl starttls"

# --- values with nothing to offer ---

for o in --timeout -t --deadline -d --ports -p --tls-ports --dns-server --ehlo \
	--check --control --concurrency --per-address --shard; do
	assert_eq "$o VALUE: nothing offered" "$(comp smtpprobe "$o" '')" ""
done
assert_eq "--timeout=: nothing offered" "$(comp smtpprobe --timeout =)" ""

# --- file names ---

d=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-comp.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
mkdir "$d/certs" && touch "$d/ca.pem" "$d/ca two.pem" "$d/other"
assert_eq "--ca-file: file names" "$(comp smtpprobe --ca-file "$d/c")" \
	"$d/ca two.pem $d/ca.pem $d/certs"
assert_eq "--ca-file=: file names" "$(comp smtpprobe --ca-file = "$d/o")" "$d/other"
assert_eq "--ca-file=PATH as one word" "$(comp smtpprobe "--ca-file=$d/ot")" \
	"--ca-file=$d/other"
assert_eq "--input: file names" "$(comp smtpprobe --input "$d/o")" "$d/other"
assert_eq "--output: file names" "$(comp smtpprobe --output "$d/o")" "$d/other"
assert_eq "-o: file names" "$(comp smtpprobe -o "$d/c")" "$d/ca two.pem $d/ca.pem $d/certs"
assert_eq "--password-file: file names" "$(comp smtpprobe --password-file "$d/o")" "$d/other"
assert_eq "--user: nothing to offer (a user name)" "$(comp smtpprobe --user "")" ""
assert_eq "--input: '-' (stdin) among the files" \
	"$(cd "$d" && comp smtpprobe --input '')" "- ca two.pem ca.pem certs other"
assert_eq "--input=-" "$(cd "$d" && comp smtpprobe --input = -)" "-"

# --- the completion and smtpprobe agree ---

# The getopt_long table and optstring of smtpprobe.c: every option is
# offered, no other, and exactly those taking a value get "=".
opts=$(grep -o '{"[a-z0-9-]*", *[a-z]*_argument' smtpprobe.c |
	sed 's/{"\([^"]*\)", *\([a-z]*\)_argument/\1 \2/')
src_long=$(echo "$opts" | sed 's/^/--/; s/ .*//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
assert_eq "long options match smtpprobe.c's table" "$(comp smtpprobe --)" "$src_long"
while read -r name arg; do
	want=--$name
	[ "$arg" = no ] || want=--$name=
	assert_eq "--$name ($arg argument): completes to $want" "$(comp smtpprobe "--$name")" "$want"
done <<<"$opts"
src_short=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' smtpprobe.c |
	tr -d ':' | fold -w1 | sed 's/^/-/' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
got_short=$(comp smtpprobe - | tr ' ' '\n' | grep -v -- '^--' | tr '\n' ' ' | sed 's/ $//')
assert_eq "short options match smtpprobe.c's optstring" "$got_short" "$src_short"

# accepted_values OPTION CANDIDATE...: those the binary takes (getopt runs
# the option's check before --version exits).
accepted_values() {
	local o=$1 v
	shift
	for v in "$@"; do
		"$SMTPPROBE" "$o" "$v" --version >/dev/null 2>&1 && echo "$v"
	done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
SMTPPROBE=${SMTPPROBE:-./smtpprobe}
if [ -x "$SMTPPROBE" ]; then
	assert_eq "--format: the values $SMTPPROBE accepts" "$(comp smtpprobe --format '')" \
		"$(accepted_values --format text json markdown nagios openmetrics md html csv xml prometheus)"
	assert_eq "--encryption: the values $SMTPPROBE accepts" "$(comp smtpprobe --encryption '')" \
		"$(accepted_values --encryption none tls ssl starttls implicit plain no yes)"
else
	assert_eq "smtpprobe binary $SMTPPROBE is executable (run make)" missing present
fi

finish
