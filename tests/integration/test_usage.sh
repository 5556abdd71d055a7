#!/bin/bash
# Bad command lines: each one a table row with the exact message the user
# sees and exit status 2, nothing on standard output.  Then -q: the exit
# status and nothing else.  No root, no network: nothing here connects
# beyond loopback.
cd "$(dirname "$0")/../.." || exit 1
SMTPPROBE=${SMTPPROBE:-./smtpprobe}
# shellcheck source=../assert.sh
. tests/assert.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

printf 'x\001\033[31my' >"$T/esc"
: >"$T/empty-ca"
chmod 000 "$T/empty-ca"

# arguments (one per line, escapes allowed) | the first line on stderr
while IFS='|' read -r args want; do
	[ -z "$args" ] && continue
	mapfile -t argv < <(printf '%b\n' "${args// /\\n}")
	out=$(timeout 10 "$SMTPPROBE" "${argv[@]}" 2>"$T/err")
	rc=$?
	assert_eq "[$args] exit status 2" "$rc" 2
	assert_eq "[$args] message" "$(head -n 1 "$T/err")" "$want"
	assert_eq "[$args] nothing on stdout" "$out" ""
	assert_eq "[$args] no raw control bytes on stderr" \
		"$(tr -d '\n' <"$T/err" | tr -cd '\000-\037\177' | wc -c)" 0
done <<'TABLE'
|
--bogus|smtpprobe: unknown option '--bogus'
--ports 0 a|smtpprobe: bad --ports: '0' is not a port from 1 to 65535
--ports 25,,587 a|smtpprobe: bad --ports: empty or overlong item
--ports 25,25 a|smtpprobe: bad --ports: 25 given twice
--tls-ports 70000 a|smtpprobe: bad --tls-ports: '70000' is not a port from 1 to 65535
--timeout abc a|smtpprobe: bad --timeout 'abc': want seconds from 0.001 (1 ms) to 3600
--timeout 0 a|smtpprobe: bad --timeout '0': want seconds from 0.001 (1 ms) to 3600
--timeout 0.0001 a|smtpprobe: bad --timeout '0.0001': want seconds from 0.001 (1 ms) to 3600
--deadline 0.0004 a|smtpprobe: bad --deadline '0.0004': want seconds from 0.001 (1 ms) to 3600
--timeout 5 --deadline 2 a|smtpprobe: --deadline 2 must not be shorter than --timeout 5
--timeout 30 a|smtpprobe: --timeout 30 is longer than the default --deadline of 20 s: give a --deadline of 30 or more
--shard 0/1000001 --input x|smtpprobe: bad --shard '0/1000001': want K/N with 0 <= K < N <= 1000000
--egress --check a.example --encryption tls|smtpprobe: --egress and --check are two modes: give one
--egress --input x|smtpprobe: --egress and --input are two modes: give one
http://mail.example.test|smtpprobe: bad target 'http://mail.example.test': a URL, not a host: give the host name or HOST:PORT, as in 'mail.example.test'
--format xml a|smtpprobe: bad --format 'xml': want text, json, markdown, html, nagios or openmetrics
--output /nonexistent/dir/r.html a|smtpprobe: cannot write --output '/nonexistent/dir/r.html': No such file or directory
-q --output r.html a|smtpprobe: -q writes nothing: no --output with it
--egress --format html|smtpprobe: --egress writes text, JSON or Markdown, not HTML
--format openmetrics --egress|smtpprobe: --format openmetrics goes with TARGETs or --input, not --egress
--cert-days 7,21 a|smtpprobe: bad --cert-days '7,21': want WARN[,CRIT], days from 0 to 3650 with CRIT at most WARN
--cert-days 3651 a|smtpprobe: bad --cert-days '3651': want WARN[,CRIT], days from 0 to 3650 with CRIT at most WARN
--cert-days 21, a|smtpprobe: bad --cert-days '21,': want WARN[,CRIT], days from 0 to 3650 with CRIT at most WARN
--concurrency 0 a|smtpprobe: bad --concurrency '0': want a number from 1 to 100000
--per-address 65 a|smtpprobe: bad --per-address '65': want a number from 1 to 64
--shard 3/3|smtpprobe: bad --shard '3/3': want K/N with 0 <= K < N <= 1000000
--shard 0/2 a|smtpprobe: --shard goes with --input
--dns-server example.com a|smtpprobe: bad --dns-server 'example.com': an IP address, not a name
--dns-server [fd00::1 a|smtpprobe: bad --dns-server '[fd00::1': want ADDRESS, ADDRESS:PORT or [IPv6]:PORT
-4 -6 a|smtpprobe: -4 and -6 exclude each other
-6 198.18.1.2|smtpprobe: '198.18.1.2' is an address of the family excluded by -4/-6
--check a.example|smtpprobe: --check needs --encryption none, tls or ssl: the setting your mail client uses
--check a.example --encryption rot13|smtpprobe: bad --encryption 'rot13': want none, tls (STARTTLS), ssl (implicit TLS), starttls or implicit
--encryption tls a|smtpprobe: --encryption goes with --check HOST:PORT
--control a.example|smtpprobe: --control goes with --egress
--egress a.example|smtpprobe: --egress takes no TARGET (see --control)
--input /nonexistent/list|smtpprobe: cannot read --input '/nonexistent/list': No such file or directory
--ca-file /nonexistent/ca a|smtpprobe: cannot read --ca-file '/nonexistent/ca': No such file or directory
--user me@example.test --input x|smtpprobe: --user does not go with --input: credentials are tried on one server you name, never in bulk
--user me@example.test --egress|smtpprobe: --user does not go with --egress: name the server with --check HOST:PORT or as a TARGET
--password-file /nonexistent/pw a|smtpprobe: --password-file goes with --user
--password hunter2 --user me a|smtpprobe: no password on the command line (other users see it in ps): set SMTPPROBE_PASSWORD, give --password-file FILE, or be asked on a terminal
--password=hunter2 --user me a|smtpprobe: no password on the command line (other users see it in ps): set SMTPPROBE_PASSWORD, give --password-file FILE, or be asked on a terminal
--user x\001y a|smtpprobe: bad --user: want a user name of 1 to 256 printable characters
--user me --password-file /nonexistent/pw a|smtpprobe: cannot read --password-file: No such file or directory
host:99999|smtpprobe: bad target 'host:99999': port must be a number from 1 to 65535
host:port:extra|smtpprobe: bad target 'host:port:extra': not an IPv6 address (with a port, write [ADDRESS]:PORT)
[fd00::1|smtpprobe: bad target '[fd00::1': missing ']'
[fd00::1]x|smtpprobe: bad target '[fd00::1]x': after ']' only ':PORT' (1-65535)
[nothost]:25|smtpprobe: bad target '[nothost]:25': not an IPv6 address inside [ ]
999.1.1.1|smtpprobe: bad target '999.1.1.1': not a valid IPv4 address
-bad.example|smtpprobe: unknown option '-b'
a..b|smtpprobe: bad target 'a..b': empty label in host name
x\001\033[31my|smtpprobe: bad target 'x\x01\x1b[31my': character not allowed in a host name
TABLE

# A password typed on the command line is refused without being echoed.
for a in "--password hunter2" "--password=hunter2"; do
	# shellcheck disable=SC2086 # two words, on purpose
	timeout 10 "$SMTPPROBE" $a --user me a >"$T/out" 2>"$T/err"
	assert_eq "[$a] the password is not echoed" "$(cat "$T/out" "$T/err" | grep -c hunter2)" 0
done

# No target at all.
out=$(timeout 10 "$SMTPPROBE" 2>"$T/err")
assert_eq "no target: exit status 2" "$?" 2
assert_eq "no target: message" "$(head -n 1 "$T/err")" "smtpprobe: no TARGET given"

# A label of 64 characters, and a name of 254.
l64=$(printf 'a%.0s' {1..64})
timeout 10 "$SMTPPROBE" "$l64.example" >/dev/null 2>"$T/err"
assert_eq "64-character label: exit 2" "$?" 2
assert_eq "64-character label: message" "$(head -n 1 "$T/err")" \
	"smtpprobe: bad target '$l64.example': label longer than 63 characters"

# -q: the exit status only (a refused loopback port: nothing safe, 1).
out=$(timeout 10 "$SMTPPROBE" -q --timeout 1 127.0.0.1:1 2>"$T/err")
assert_eq "-q: exit status 1 (nothing safe)" "$?" 1
assert_eq "-q: nothing on stdout" "$out" ""
assert_eq "-q: nothing on stderr" "$(cat "$T/err")" ""
out=$(timeout 10 "$SMTPPROBE" -q -f json --timeout 1 127.0.0.1:1 2>/dev/null)
assert_eq "-q with --format json: still nothing" "$out" ""

finish
