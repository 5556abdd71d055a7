#!/bin/bash
# The answer to the user's question, end to end on the bed: the recommendation
# (port, encryption, label, alternative, why, exit status) when ports are
# blocked from where the user stands, --check on right and wrong settings,
# --egress across three providers, and --format markdown (golden files and
# rendered HTML).
#
# Blocking "from where the user stands" is an nftables table in the client
# namespace, one per case, deleted when the case is done.
#
#   UPDATE_GOLDEN=1  rewrite tests/integration/golden/ from this run
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools cmark-gfm
need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"
GOLDEN=tests/integration/golden
M4=198.18.1.2
M6=fd00:1::2

# --- helpers ---

# run NAME ARGS...: smtpprobe in the client namespace, output as is (no
# --format forced). Sets T (stdout file) and RC; the exit status is also in
# $OUT/NAME.rc, for runs sent to the background.
run() {
	local name=$1
	shift
	in_client env NO_COLOR=1 timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	RC=$?
	echo "$RC" >"$OUT/$name.rc"
	T=$OUT/$name.out
}
rc_of() { cat "$OUT/$1.rc" 2>/dev/null || echo "no exit status"; }

# says DESC TEXT PATTERN...: TEXT contains every PATTERN (fixed string,
# any case).
says() {
	local desc=$1 text=$2 pat
	shift 2
	for pat; do
		if grep -qiF -e "$pat" <<<"$text"; then
			assert_eq "$desc says '$pat'" yes yes
		else
			assert_eq "$desc says '$pat'" "$text" "(something with '$pat')"
		fi
	done
}
# says_not DESC TEXT PATTERN...: TEXT contains none of them.
says_not() {
	local desc=$1 text=$2 pat
	shift 2
	for pat; do
		assert_eq "$desc does not say '$pat'" "$(grep -iF -e "$pat" <<<"$text")" ""
	done
}

# block NAME RULE...: table inet answer_NAME in the client namespace, its
# output chain dropping what RULEs match.
block() {
	local name=$1 rule
	shift
	{
		echo "table inet answer_$name {"
		echo "chain output { type filter hook output priority 0; policy accept;"
		for rule; do echo "$rule"; done
		echo "}"
		echo "}"
	} | ip netns exec "$CLIENT_NS" nft -f - || die "nft table answer_$name failed"
}
unblock() {
	ip netns exec "$CLIENT_NS" nft delete table inet "answer_$1"
	assert_eq "$1: nft tables left in the client namespace" \
		"$(ip netns exec "$CLIENT_NS" nft list tables)" ""
}
# drop_mail PORTS: rules dropping TCP to mail.example.test's two addresses.
drop_mail() {
	echo "ip daddr $M4 tcp dport { $1 } drop"
	echo "ip6 daddr $M6 tcp dport { $1 } drop"
}

# route DESC FILE JQ_PATH WANT: "port encryption label" of a route object.
route() {
	assert_jq "$1" "$2" "$3"' | "\(.port) \(.encryption) \(.label)"' "$4"
}

# blocked_as NAME PORT REASON: both probes of mail.example.test on PORT.
blocked_as() {
	local a
	for a in "$M4" "$M6"; do
		assert_jq "$1: $a:$2 blocked/$3" "$F" "$(p "$a" "$2")"' | "\(.state)/\(.reason)"' "blocked/$3"
	done
}

# listen_443: a Postfix smtpd on 443 of the mail host, for the 443 control
# connects, that rejects every client with server text in <...>: the
# Markdown must escape it. Added here, not in lib.sh, so the other tests
# keep a mail host whose 443 is closed; and before "pickup", because
# bed_odd_postfix copies the main master.cf from there on.
listen_443() {
	local pf=$BED_DIR/postfix i
	if ! {
		sed -i '/^pickup /i 443 inet n - n - - smtpd' "$pf/master.cf" &&
			postconf -c "$pf" -P '443/inet/syslog_name=postfix/tcp443' \
				'443/inet/smtpd_delay_reject=no' '443/inet/smtpd_client_restrictions=reject' \
				'443/inet/smtpd_reject_footer=<b>rejected</b>' &&
			touch -d '-1 min' "$pf/master.cf" &&
			ns_exec "$MAIL_NS" postfix -c "$pf" reload >/dev/null 2>&1
	}; then
		show_maillog
		die "postfix 443 listener failed"
	fi
	for ((i = 0; i < 50; i++)); do
		[ "$(listeners "$MAIL_NS" 443)" -ge 2 ] && return 0
		sleep 0.1
	done
	show_maillog
	die "postfix not listening on 443 after 5 s"
}

# =====================================================================
# 1. The recommendation
# =====================================================================

# 1a. Everything open: implicit TLS on 465 first, STARTTLS 587 next.
probe all mail.example.test
route "all: recommendation" "$F" .recommendation "465 implicit-tls SSL"
assert_jq "all: recommendation host" "$F" .recommendation.host mail.example.test
route "all: alternative" "$F" .recommendation.alternative "587 starttls TLS"
says "all: why" "$(jq -r .recommendation.why "$F")" "mail.example.test:465" "verified" "TLS1." "implicit TLS"
# report_status: a recommendation, but 2525 offers no STARTTLS, an error
# finding, so the run exits 1 (DESIGN.md: 0 only with no error findings).
assert_eq "all: exit status 1 (2525 is plaintext)" "$RC" 1
assert_jq "all: the only error findings are 2525's starttls-not-supported" "$F" \
	'[.probes[] | {port, e: [.findings[] | select(.severity == "error") | .id]} | select(.e != []) | "\(.port) \(.e | join(" "))"] | unique | join(",")' \
	"2525 starttls-not-supported"
# ... and without 2525 the same answer exits 0.
probe noplain --ports 25,587,465 mail.example.test
route "noplain: recommendation" "$F" .recommendation "465 implicit-tls SSL"
assert_eq "noplain: exit status 0" "$RC" 0

# 1b. 465 blocked from here: STARTTLS on 587.
block 465 "$(drop_mail 465)"
probe block465 mail.example.test
blocked_as block465 465 timeout
route "block465: recommendation" "$F" .recommendation "587 starttls TLS"
# The only other verified route is 25, which offers no AUTH: server-to-
# server delivery, never a mail client's alternative.
assert_jq "block465: no alternative (25 offers no AUTH)" "$F" .recommendation.alternative null
for a in "$M4" "$M6"; do
	assert_jq "block465: $a:587 usable, AUTH inside TLS only" "$F" \
		"$(p "$a" 587)"' | "\(.usable) \(.failed_step) \(.auth | join(" "))/\(.auth_tls | join(" "))"' "true null /PLAIN LOGIN"
	assert_jq "block465: $a:25 usable, no AUTH, no auth-not-offered (an MX)" "$F" \
		"$(p "$a" 25)"' | "\(.usable) \(.auth_tls | length) \(any(.findings[]; .id == "auth-not-offered"))"' "true 0 false"
done
why=$(jq -r .recommendation.why "$F")
says "block465: why" "$why" "mail.example.test:587" "verified"
says_not "block465: why" "$why" "465" "implicit TLS"
assert_eq "block465: exit status 1 (2525 is plaintext)" "$RC" 1
unblock 465

# 1c. 465 and 587 blocked: the third STARTTLS port (2526), before 25.
block 465_587 "$(drop_mail "465, 587")"
probe third --ports 25,587,465,2526 mail.example.test
blocked_as third 465 timeout
blocked_as third 587 timeout
route "third: recommendation" "$F" .recommendation "2526 starttls TLS"
assert_jq "third: no alternative (25 offers no AUTH)" "$F" .recommendation.alternative null
says "third: why" "$(jq -r .recommendation.why "$F")" "mail.example.test:2526" "verified"
assert_eq "third: exit status 0 (a verified route, no error finding)" "$RC" 0
unblock 465_587

# 1c'. 465 and 587 blocked, the default ports: only 25 answers with TLS,
# and it offers no AUTH.  Nothing to recommend to a mail client; why says
# so and what to do.
block 465_587 "$(drop_mail "465, 587")"
probe no_submission mail.example.test
blocked_as no_submission 465 timeout
blocked_as no_submission 587 timeout
assert_jq "no_submission: recommendation is all null" "$F" \
	'.recommendation | [.host, .port, .encryption, .label, .alternative] | all(. == null)' true
says "no_submission: why" "$(jq -r .recommendation.why "$F")" \
	"no submission port works from here (587 blocked, 465 blocked, 2525 no TLS)" \
	"mail.example.test:25" "server-to-server delivery" \
	"port your provider documents" "open outbound 587 and 465" "HTTPS API"
assert_eq "no_submission: exit status 1" "$RC" 1
run no_submission-text mail.example.test
says "no_submission (text)" "$(cat "$T")" "server-to-server delivery"
says_not "no_submission (text)" "$(grep -i -A1 '^Recommendation' "$T")" "port 25"
unblock 465_587

# 1d. Only plaintext: no recommendation, and why says so.
probe plain --ports 2525 mail.example.test
assert_jq "plain: recommendation is all null" "$F" \
	'.recommendation | [.host, .port, .encryption, .label, .alternative] | all(. == null)' true
says "plain: why" "$(jq -r .recommendation.why "$F")" "plaintext" "unencrypted"
assert_eq "plain: exit status 1" "$RC" 1

# 1e. A self-signed certificate on the implicit-TLS port only: 587.
probe selfsigned --ports 587,4465 --tls-ports 4465 mail.example.test
for a in "$M4" "$M6"; do
	assert_jq "selfsigned: $a:4465 implicit-tls, not verified" "$F" \
		"$(p "$a" 4465)"' | "\(.state) \(.tls.verified)"' "implicit-tls false"
	assert_jq "selfsigned: $a:4465 certificate-not-trusted" "$F" \
		"$(p "$a" 4465)"' | any(.findings[]; .id == "certificate-not-trusted")' true
done
route "selfsigned: recommendation" "$F" .recommendation "587 starttls TLS"
assert_jq "selfsigned: no alternative (4465 does not verify)" "$F" .recommendation.alternative null
says "selfsigned: why" "$(jq -r .recommendation.why "$F")" "mail.example.test:587" "verified"
assert_eq "selfsigned: exit status 1 (4465's certificate is an error)" "$RC" 1

# 1f. Every mail port blocked while 443 on the same host connects.
listen_443
block all "$(drop_mail "25, 587, 465, 2525")"
probe allblocked mail.example.test
for port in 25 587 465 2525; do blocked_as allblocked "$port" timeout; done
assert_jq "allblocked: recommendation is all null" "$F" \
	'.recommendation | [.host, .port, .encryption, .label, .alternative] | all(. == null)' true
says "allblocked: why" "$(jq -r .recommendation.why "$F")" "blocked" "443" "filtered" "HTTPS API"
assert_jq "allblocked: controls are 443 on both addresses" "$F" \
	'[.controls[] | "\(.address):\(.port)"] | sort | join(",")' "$M4:443,$M6:443"
assert_jq "allblocked: every control connected" "$F" '[.controls[].connected] | all' true
# A control that connected has no failure reason (schema: null when it did).
assert_jq "allblocked: connected controls have reason null" "$F" '[.controls[].reason] | unique | map(tostring) | join(",")' null
assert_eq "allblocked: exit status 1" "$RC" 1
unblock all

# =====================================================================
# 2. --check: do these settings work from here?
# =====================================================================

# check NAME HOST:PORT ENC "WORKS SAFE" RC WHY_PATTERN...: JSON (probe) and
# text, side by side.
check() {
	local name=$1 target=$2 enc=$3 ws=$4 rc=$5 port=${2##*:} host=${2%:*} verdict why
	shift 5
	run "$name-text" --check "$target" --encryption "$enc" &
	probe "$name" --check "$target" --encryption "$enc"
	wait
	assert_eq "$name: exit status" "$RC" "$rc"
	assert_jq "$name: check.port" "$F" .check.port "$port"
	assert_jq "$name: check works/safe" "$F" '.check | "\(.works) \(.safe)"' "$ws"
	why=$(jq -r .check.why "$F")
	says "$name: check.why" "$why" "$@"
	# The text says the same.
	case $ws in
	"true true") verdict="They work." ;;
	"true false") verdict="They work, but not safely." ;;
	*) verdict="They do NOT work from here." ;;
	esac
	T=$OUT/$name-text.out
	assert_eq "$name (text): exit status" "$(rc_of "$name-text")" "$rc"
	assert_eq "$name (text): settings line" "$(grep -c "^Your settings: server $host, port $port, " "$T")" 1
	assert_eq "$name (text): verdict" "$(grep -A1 '^Your settings:' "$T" | tail -n 1)" "$verdict"
	says "$name (text)" "$(cat "$T")" "$why"
}

check ssl587 mail.example.test:587 ssl "false false" 1 "wrong version number" "TLS on port 587"
# The user's mistake is the check's verdict only: 587 speaks STARTTLS as
# RFC 6409 asks, so no wrong-port-mode against the server.
assert_jq "ssl587: no wrong-port-mode on 587" "$F" \
	'[.probes[] | select(.port == 587) | .findings[].id] | index("wrong-port-mode")' null
assert_jq "ssl587: 587 probes tried SSL first, then spoke plain" "$F" \
	'[.probes[] | select(.port == 587) | .spoke] | unique | join(",")' plain
check tls465 mail.example.test:465 tls "false false" 1 "greeting that never comes" "times out" "SSL on port 465"
check fw587 fw.example.test:587 tls "false false" 1 "blocked" "times out" "Connection timed out"
check tls2525 mail.example.test:2525 tls "false false" 1 "does not support STARTTLS"
check none2525 mail.example.test:2525 none "true false" 1 "without encryption" "cleartext"
check ssl465 mail.example.test:465 ssl "true true" 0 "work" "verified"
check tls587 mail.example.test:587 tls "true true" 0 "work" "verified"
check mismatch 198.18.1.2:465 ssl "false false" 1 "mail.example.test" "mismatch"

# Bad usage: exit 2, a message naming the problem, nothing on stdout.
# usage NAME WANT_IN_STDERR ARGS...
usage() {
	local name=$1 want=$2
	shift 2
	run "$name" "$@"
	assert_eq "$name: exit status 2" "$RC" 2
	assert_eq "$name: nothing on stdout" "$(cat "$T")" ""
	says "$name: stderr" "$(cat "$OUT/$name.err")" "$want"
}
usage usage-noenc "--encryption" --check mail.example.test:587
usage usage-badenc "'foo'" --check mail.example.test:587 --encryption foo
usage usage-target "--check takes its HOST:PORT instead of TARGET" \
	--check mail.example.test:587 --encryption tls mail.example.test
usage usage-enconly "--encryption goes with --check" --encryption tls mail.example.test

# =====================================================================
# 3. --egress: is outbound mail filtered here?
# =====================================================================

CONTROLS=(--control mail.example.test --control fw.example.test --control odd.example.test)

# egress NAME: text and JSON, side by side; F is the JSON.
egress() {
	run "$1-text" --egress "${CONTROLS[@]}" &
	run "$1" --format json --egress "${CONTROLS[@]}"
	wait
	F=$OUT/$1.json
	mv "$T" "$F"
	T=$OUT/$1-text.out
	assert_eq "$1: one JSON object on one line" "$(wc -l <"$F") $(jq -s length "$F" 2>&1)" "1 1"
	golden_json "$1" "$F"
	assert_eq "$1 (text): exit status as JSON's" "$(rc_of "$1-text")" "$RC"
}
verdicts() { assert_jq "$1: port verdicts" "$F" '[.egress[] | "\(.port):\(.verdict)"] | join(" ")' "$2"; }

# 3a. odd.example.test is not up yet: it answers nothing. fw.example.test
# answers with resets and its own ICMP rejects: reachable, so not down.
egress twodown
verdicts twodown "25:open 587:open 465:open 2525:open"
assert_jq "twodown: unreachable providers" "$F" \
	'[.providers[] | select(.unreachable) | .host] | sort | join(",")' "odd.example.test"
assert_jq "twodown: reachable providers" "$F" \
	'[.providers[] | select(.reachable) | .host] | sort | join(",")' "fw.example.test,mail.example.test"
assert_eq "twodown (text): odd.example.test is the one down" "$(grep -E '^Only [^ ]+ is unreachable' "$T")" \
	"Only odd.example.test is unreachable on every port while the others answer: the problem is on its side or on the way to it, not here."
assert_eq "twodown: exit status 0 (every port open)" "$RC" 0

bed_odd_up

# 3b. As the bed is: every port open; fw.example.test answers (a reset on
# 465 and on 443, its own ICMP reject on 2525) but takes no mail.
egress open
assert_jq "open: top-level keys" "$F" 'keys | join(",")' "egress,providers"
assert_jq "open: egress entries" "$F" \
	'[.egress[] | keys | join(",")] | unique | join(";")' "connected,evidence,hops,port,providers,reachable,verdict"
assert_jq "open: providers' fields" "$F" \
	'[.providers[] | keys | join(",")] | unique | join(";")' "control,host,https,ports,reachable,resolved,unreachable"
assert_jq "open: three providers, all resolved" "$F" \
	'[.providers[] | select(.resolved) | .host] | sort | join(",")' "fw.example.test,mail.example.test,odd.example.test"
verdicts open "25:open 587:open 465:open 2525:open"
assert_jq "open: evidence" "$F" '[.egress[].evidence | test("^2 of 3 providers connected;.*; 3 of 3 answered on some port")] | all' true
assert_jq "open: counts" "$F" '[.egress[] | "\(.providers)/\(.connected)/\(.reachable)"] | unique | join(",")' "3/2/3"
assert_jq "open: no provider down" "$F" '[.providers[] | select(.unreachable)] | length' 0
assert_jq "open: mail.example.test ports" "$F" \
	'.providers[] | select(.host == "mail.example.test") | [.ports[]] | join(",")' "open,open,open,open"
assert_jq "open: fw.example.test ports" "$F" \
	'.providers[] | select(.host == "fw.example.test") | .ports | "\(."25") \(."587") \(."465") \(."2525")"' \
	"timeout timeout refused unreachable"
assert_jq "open: controls (443 resets on fw.example.test: it answers)" "$F" \
	'[.providers[] | "\(.host):\(.control)"] | join(" ")' \
	"mail.example.test:open fw.example.test:answers odd.example.test:answers"
assert_eq "open (text): the 443 column" "$(awk '$1 == "fw.example.test" {print $NF}' "$T")" answers
assert_eq "open (text): fw.example.test takes no mail, on its side" "$(grep '^fw.example.test: ' "$T")" \
	"fw.example.test: answers (a reset or its own ICMP error) but no mail port connects while other providers' do: refused or filtered on its side, not here."
assert_eq "open (text): nobody called unreachable" "$(grep -c 'nreachable on every port' "$T")" 0
assert_eq "open (text): every port open from here" "$(grep -c '^Port [0-9]*: open from here' "$T")" 4
assert_eq "open: exit status 0" "$RC" 0

# 3c. 25 and 587 dropped to every bed address; 443 on the mail host connects.
block egress "ip daddr 198.18.0.0/15 tcp dport { 25, 587 } drop" \
	"ip6 daddr fd00::/8 tcp dport { 25, 587 } drop"
egress filtered
verdicts filtered "25:filtered 587:filtered 465:open 2525:open"
for port in 25 587; do
	assert_jq "filtered: $port evidence" "$F" ".egress[] | select(.port == $port) | .evidence" \
		"0 of 3 providers connected; failed connections: 6 timed out, 0 reset, 0 ICMP-rejected; 3 of 3 answered on some port or on the control (a connection, a reset or their own ICMP error)"
	assert_eq "filtered (text): port $port" \
		"$(grep -c "^Port $port: outbound $port is filtered between this host and the internet (" "$T")" 1
done
assert_jq "filtered: HTTPS only to mail.example.test" "$F" \
	'[.providers[] | select(.https) | .host] | join(",")' mail.example.test
assert_eq "filtered: exit status 1" "$RC" 1
unblock egress

# 3d. The issue's run: 25 and 443 dropped here, 587, 465 and 2525 open.
# Port 25 is filtered here, never "no network".
block egress "ip daddr 198.18.0.0/15 tcp dport { 25, 443 } drop" \
	"ip6 daddr fd00::/8 tcp dport { 25, 443 } drop"
egress no443
verdicts no443 "25:filtered 587:open 465:open 2525:open"
assert_jq "no443: every control blocked" "$F" '[.providers[].control] | unique | join(",")' blocked
assert_eq "no443 (text): port 25 filtered here" \
	"$(grep -c '^Port 25: outbound 25 is filtered between this host and the internet (0 of 3 providers connected; failed connections: 6 timed out, 0 reset, 0 ICMP-rejected; 3 of 3 answered' "$T")" 1
assert_eq "no443 (text): never \"no network\"" "$(grep -c 'no working outbound network' "$T")" 0
run no443-md --format markdown --egress "${CONTROLS[@]}"
says "no443 (Markdown)" "$(cat "$T")" "- Port 25: **filtered between this host and the internet** ("
# one source address per family, of whichever provider answered first;
# fw.example.test answers 465 with a reset and 2525 with its own ICMP
# reject and connects nowhere: it never counts as connecting on a port
assert_eq "no443 (Markdown): the ticket" "$(grep -cE '^> From this server \(source addresses 198\.18\.[123]\.1 \(IPv4\) and fd00:[123]::1 \(IPv6\)\), outbound TCP connections to port 25 of independent mail providers \(([a-z]+\.example\.test(, )?){3}\) fail: the connection attempts time out \(the packets are silently dropped\)\. Connections from here to (mail\.example\.test, odd\.example\.test|odd\.example\.test, mail\.example\.test) complete on port 587, 465, 2525\. .*Please open outbound TCP port 25 ' "$T")" 1
assert_eq "no443 (Markdown): no provider claimed where it did not connect" \
	"$(grep -cE 'same providers|all of them|to [^.]*fw\.example\.test[^.]* complete' "$T")" 0
# The providers are on this host's own links: a silent TTL 1 may be this
# machine or the provider, and the ticket says just that.
says "no443 (Markdown)" "$(cat "$T")" \
	"SYNs to port 25 get no answer from any hop; SYNs to 587 reach 198.18.1.2 in 1 hop (the same link): this machine or the destination itself drops them."
assert_eq "no443 (Markdown): exit status 1" "$RC" 1
unblock egress

# 3e. Everything dropped: nothing answers, not even a reset: no network.
block egress "ip daddr 198.18.0.0/15 tcp dport != 53 drop" "ip6 daddr fd00::/8 tcp dport != 53 drop"
egress nonet
verdicts nonet "25:no-network 587:no-network 465:no-network 2525:no-network"
assert_jq "nonet: nobody reachable, nobody down" "$F" \
	'[.providers[] | select(.reachable or .unreachable)] | length' 0
assert_eq "nonet (text): port 25" \
	"$(grep -c '^Port 25: nothing answers on any port, not even with a reset: this host has no working outbound network (0 of 3 providers connected' "$T")" 1
assert_eq "nonet: exit status 1" "$RC" 1
unblock egress

# =====================================================================
# 4. --format markdown
# =====================================================================

# The run's date, source address and milliseconds made constant: the
# "Tested" line's date and duration, and every number in the timings table
# (only the "\-" of phases that never happened stay).
normalise() {
	sed -e 's/^Tested [0-9-]* [0-9:]* UTC /Tested YYYY-MM-DD HH:MM:SS UTC /' \
		-e 's/the test took [0-9]* ms\./the test took N ms./' \
		-e '/^## Timings/,/^## /{' -e ':a' \
		-e 's/^\(| [0-9]* | [^|]* |\( [N\\-]* |\)*\) [0-9][0-9]* |/\1 N |/' -e 'ta' -e '}' "$1"
}

# markdown NAME GOLDEN ARGS...: run, compare with golden/GOLDEN, render.
# Sets T (Markdown) and H (HTML).
markdown() {
	local name=$1 golden=$GOLDEN/$2 d
	shift 2
	run "$name" --format markdown "$@"
	normalise "$T" >"$OUT/$name.norm"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN" && cp "$OUT/$name.norm" "$golden"
	fi
	d=$(diff -u "$golden" "$OUT/$name.norm" 2>&1)
	[ -z "$d" ] || printf '%s\n' "$d" | sed 's/^/# /'
	assert_eq "$name: matches $golden (normalised)" "$([ -z "$d" ] && echo same || echo different)" same
	H=$OUT/$name.html
	cmark-gfm -e table "$T" >"$H"
	# every source address the run left from, per family (the bed's
	# hosts are dual-stack)
	assert_eq "$name: Tested line" \
		"$(grep -cE '^Tested [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC from source addresses 198\.18\.([12])\.1 \(IPv4\) and fd00:\1::1 \(IPv6\) with smtpprobe; the test took [0-9]+ ms\.$' "$T")" 1
	assert_eq "$name: no unescaped < in the Markdown" "$(grep -nE '(^|[^\\])<' "$T")" ""
	assert_eq "$name: no raw HTML reached the renderer" "$(grep -c 'raw HTML omitted' "$H")" 0
}

# ticket_vs_table NAME: the ticket paragraphs of $T say what its Ports
# table says.  Each address a paragraph names is a row of its host, on its
# port, blocked; each blocked row is in one paragraph; a paragraph asks to
# open a port only when no row of that port connected; it names a source
# address of each family among its addresses and of no other.
ticket_vs_table() {
	local name=$1 problems
	problems=$(awk -F' [|] ' '
		/^## Ports/ { tab = 1; next }
		/^## / { tab = 0 }
		tab && /^[|] / && !/^[|] Host/ && !/^[|]---/ {
			host = substr($1, 3); port = $2; addr = $3; state = $4
			row[host "|" port "|" addr] = state
			if (state ~ /^blocked/) blocked[host "|" port "|" addr] = 1
			else open_on[port] = 1
		}
		/^> From this server \(/ {
			n++
			src = $0; sub(/^> From this server \(/, "", src)
			sub(/\), outbound TCP connections to port .*/, "", src)
			rest = $0; sub(/.*\), outbound TCP connections to port /, "", rest)
			split(rest, w, " ")
			port = w[1]; host = w[3]
			list = rest; sub(/^[0-9]+ of [^ ]+ \(/, "", list); sub(/\).*/, "", list)
			k = split(list, a, ", ")
			v4 = v6 = 0
			for (i = 1; i <= k; i++) {
				key = host "|" port "|" a[i]
				if (!(key in row)) print "paragraph " n ": " a[i] " is no address of " host " on port " port
				else if (!(key in blocked)) print "paragraph " n ": " a[i] " port " port " is " row[key]
				seen[key]++
				if (a[i] ~ /:/) v6 = 1; else v4 = 1
			}
			if (v6 != (src ~ /fd00:/)) print "paragraph " n ": IPv6 source " (v6 ? "missing" : "without IPv6 addresses") ": " src
			if (v4 != (src ~ /198\.18\./)) print "paragraph " n ": IPv4 source " (v4 ? "missing" : "without IPv4 addresses") ": " src
			if (/Please open outbound TCP port/ && open_on[port]) print "paragraph " n ": asks to open " port ", which connects"
		}
		END {
			for (key in blocked) if (seen[key] != 1) print key " is in " seen[key] + 0 " paragraphs"
		}' "$T")
	assert_eq "$name: every ticket paragraph says what the Ports table says" "$problems" ""
}

markdown md-mail answer-mail.md mail.example.test
assert_eq "md-mail: exit status 1 (2525 is plaintext)" "$RC" 1
assert_eq "md-mail: h1" "$(grep -c '^<h1>SMTP report for mail.example.test</h1>$' "$H")" 1
assert_eq "md-mail: two tables (ports, timings)" "$(grep -c '^<table>$' "$H")" 2
assert_eq "md-mail: 8 ports rows + 8 timings rows + 2 heads" "$(grep -c '^<tr>$' "$H")" 18
assert_eq "md-mail: recommendation" "$(grep -c '^<li>Port: <strong>465</strong></li>$' "$H")" 1
assert_eq "md-mail: no ticket paragraph (nothing blocked)" "$(grep -c '<blockquote>' "$H")" 0
says_not "md-mail" "$(cat "$T")" "blocked (" "For your hosting provider" "NOT verified"

markdown md-fw answer-fw.md fw.example.test
assert_eq "md-fw: exit status 1" "$RC" 1
assert_eq "md-fw: h1" "$(grep -c '^<h1>SMTP report for fw.example.test</h1>$' "$H")" 1
assert_eq "md-fw: two tables (ports, timings)" "$(grep -c '^<table>$' "$H")" 2
assert_eq "md-fw: a ticket paragraph per port, as blockquotes" "$(grep -c '^<blockquote>$' "$H")" 4
assert_eq "md-fw: the 25 ticket in a blockquote" \
	"$(grep -A1 '^<blockquote>$' "$H" | grep -c '^<p>From this server (source addresses 198.18.2.1 (IPv4) and fd00:2::1 (IPv6)), outbound TCP connections to port 25 of fw.example.test (198.18.2.2, fd00:2::2) fail: connection attempts time out')" 1
# Nothing was negotiated with fw.example.test: no TLS words.
says_not "md-fw" "$(cat "$T")" "verified" "TLS1." "Server: **" "Alternative"
ticket_vs_table md-fw

# Two MX hosts, the first firewalled: its paragraphs name its own
# addresses only, and do not ask to open 25, which reaches the second.
run md-two --format markdown -p 25,587 two.example.test
ticket_vs_table md-two
says "md-two" "$(cat "$T")" "port 25 of fw.example.test (198.18.2.2, fd00:2::2) fail" \
	"source addresses 198.18.2.1 (IPv4) and fd00:2::1 (IPv6)" \
	"connections to port 25 of mail.example.test (198.18.1.2, fd00:1::2) get through"
says_not "md-two" "$(cat "$T")" "Please open outbound TCP port 25 "

# A domain given with a port (two.example.test has MX and SRV records but
# no address): the answer points at its host for that port, not at "no
# address"; --check the same.
run domport two.example.test:587
says "domport" "$(cat "$T")" \
	"two.example.test has no address of its own: it is a mail domain, whose host for port 587 is mail.example.test (its _submission._tcp SRV record). Probe mail.example.test:587"
run domport25 two.example.test:25
says "domport25" "$(cat "$T")" "whose mail for port 25 goes to fw.example.test (its MX record)"
run domcheck --check two.example.test:587 --encryption tls
says "domcheck" "$(cat "$T")" "whose host for port 587 is mail.example.test"
assert_eq "domcheck: exit status 1" "$RC" 1

# -p 2525 on a domain whose records name 25 and 587: no host was planned
# for 2525, and every host resolved; the answer says so.
run unplanned -p 2525 two.example.test
says "unplanned" "$(cat "$T")" "no mail host of two.example.test was planned for port 2525" \
	"ports 25 and 587" "smtpprobe -p 2525 fw.example.test"
says_not "unplanned" "$(cat "$T")" "no mail host resolved"

# One host, IPv6 dropped on 25 from here: the paragraph names the IPv6
# address and source only, and 25 as open (IPv4 connects).
block v6drop "ip6 daddr $M6 tcp dport 25 drop"
run md-v6drop --format markdown -p 25 mail.example.test
ticket_vs_table md-v6drop
says "md-v6drop" "$(cat "$T")" "(source address fd00:1::1), outbound TCP connections to port 25 of mail.example.test (fd00:1::2) fail"
says_not "md-v6drop" "$(cat "$T")" "Please open outbound TCP port 25 "
unblock v6drop

# Server text with markup (443 rejects with "<unknown[...]>" and a
# "<b>rejected</b>" footer) comes out escaped, and as text in the HTML.
markdown md-443 answer-443.md --check mail.example.test:443 --encryption tls
assert_eq "md-443: exit status 1" "$RC" 1
says "md-443 (Markdown)" "$(cat "$T")" '\<unknown\[198.18.1.1\]\>' '\<b\>rejected\</b\>'
says "md-443 (HTML)" "$(cat "$H")" '&lt;unknown[198.18.1.1]&gt;' '&lt;b&gt;rejected&lt;/b&gt;'
assert_eq "md-443: no <b> tag from the server in the HTML" "$(grep -c '<b>' "$H")" 0

finish
