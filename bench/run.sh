#!/bin/bash
# bench/run.sh [-n N] [-T] [-d MS] [-b] [-o FILE]: smtpprobe against the
# tools users already know, in one run, on the integration test bed
# (tests/integration/lib.sh), and the six ratios of "one session's time
# for the whole diagnosis" with their goals.  Set up with
# `tools/install-deps bench` and `make -C bench`; run as root from the
# repository root.
#
#   -n N   repetitions per case (default 3); testssl.sh runs once
#   -T     skip testssl.sh (it takes about a minute, over 300 s with -d)
#   -d MS  delay every packet MS ms each way at the mail and firewalled
#          hosts (default 25: 50 ms RTT, what the goals are set for; 0 for
#          none; bench/delay/nfq-delay: make -C bench; needs iptables)
#   -b     skip the bulk cases (1,000 addresses, 1,000 domains): ratios 5
#          and 6 are then not measured
#   -o F   write the report to F (default bench/RESULTS.md)
#
# Needs root (network namespaces), a built ./smtpprobe (or SMTPPROBE=path),
# swaks, posttls-finger (postfix), nmap, strace and jq; testssl.sh if
# installed. Prints the ratios and a Markdown table and writes them, with
# the machine facts, a waterfall of one diagnosis and the exact command
# lines, to bench/RESULTS.md: every figure in it comes from this run. The
# output of each case's last run is kept in bench/logs/.
#
# Cases run in rounds (every case once per round), after one untimed
# warm-up round on the good host, so drift hits all tools alike. Each case
# is one shell script run in the client namespace under bash's time: wall
# time is measured around it (so it includes ~ms of ip-netns-exec overhead,
# see the baseline row), CPU time is user+sys of everything it waited for.
# Every command has a timeout(1) cap and every load loop ends by itself.

# shellcheck source-path=SCRIPTDIR
set -uo pipefail

usage() {
	sed -n '2,18s/^# \{0,1\}//p' "$0"
	exit 2
}

ARGS="$*"
N=3
TESTSSL_WANTED=1
DELAY=25
BULK=1
RESULTS=bench/RESULTS.md
while getopts n:Td:bo:h opt; do
	case $opt in
	n) N=$OPTARG ;;
	T) TESTSSL_WANTED=0 ;;
	d) DELAY=$OPTARG ;;
	b) BULK=0 ;;
	o) RESULTS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
[[ $N =~ ^[1-9][0-9]*$ ]] || {
	echo "bench/run.sh: -n wants a positive integer, not '$N'" >&2
	exit 2
}
[[ $DELAY =~ ^[0-9]+$ ]] || {
	echo "bench/run.sh: -d wants milliseconds, not '$DELAY'" >&2
	exit 2
}
case $RESULTS in /*) ;; *) RESULTS=$PWD/$RESULTS ;; esac
PROV_CAP=150 # seconds: the 1,000-domain run's cap

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh

need_tools swaks posttls-finger postconf nmap awk sort strace jq /usr/bin/python3
TESTSSL=
if [ "$TESTSSL_WANTED" = 1 ]; then
	TESTSSL=$(command -v testssl || command -v testssl.sh)
fi
SP=${SMTPPROBE:-./smtpprobe}
[ -x "$SP" ] || die "no executable $SP: run make first"
SP=$(realpath "$SP")

[ "$BULK" = 0 ] || need_tools /usr/bin/time
NFQ_DELAY=$PWD/bench/delay/nfq-delay
if [ "$DELAY" -gt 0 ]; then
	need_tools iptables-legacy ip6tables-legacy ping
	[ -x "$NFQ_DELAY" ] || die "no $NFQ_DELAY: run make -C bench first"
fi
LOGS=$PWD/bench/logs
mkdir -p "$LOGS" || die "cannot create $LOGS"
rm -f "$LOGS"/*.log

bed_up
W=$BED_DIR/bench # gone with the bed
mkdir -p "$W/pf" || die "mkdir $W failed"
# posttls-finger reads main.cf from MAIL_CONFIG; the package's is empty
# ("No configuration"), so give it a minimal one of its own.
echo "compatibility_level = 3.6" >"$W/pf/main.cf"
MAIL_CONFIG=$W/pf
export SP CA_FILE DNS_SERVER MAIL_CONFIG

# --- delay ---
# One nfq-delay per host namespace holds every packet that enters or leaves
# it (except on lo) for DELAY ms: the client sees 2 x DELAY ms of RTT. The
# mangle hooks run before the fw host's nftables filter (priority 0), so a
# dropped or rejected SYN is delayed like any other packet.

DELAY_PIDS=()
DELAY_NS=()
delay_up() {
	local ns ipt i
	for ns in "$MAIL_NS" "$FW_NS"; do
		ip netns exec "$ns" "$NFQ_DELAY" "$DELAY" 2>"$W/delay-${ns##*-}.log" &
		DELAY_PIDS+=($!)
		DELAY_NS+=("$ns")
	done
	# Bound before packets are sent to it: an unbound queue drops them.
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -l 'nfq-delay: queue' "$W"/delay-*.log | wc -l)" -eq 2 ] && break
		sleep 0.1
	done
	for ns in "$MAIL_NS" "$FW_NS"; do
		for ipt in iptables-legacy ip6tables-legacy; do
			ip netns exec "$ns" "$ipt" -t mangle -A PREROUTING ! -i lo -j NFQUEUE --queue-num 0 &&
				ip netns exec "$ns" "$ipt" -t mangle -A OUTPUT ! -o lo -j NFQUEUE --queue-num 0 ||
				return 1
		done
	done
}

# Stop the delayers (they release what they hold and log their counts).
delay_down() {
	local pid
	for pid in "${DELAY_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	DELAY_PIDS=()
}

# What the delay gives the client: ping RTTs and TCP connect times.
delay_check() {
	local host
	for host in 198.18.1.2 fd00:1::2 198.18.2.2; do
		# The first one waits for neighbour discovery, delayed too.
		echo "- ping $host: $(in_client ping -n -c 10 -i 0.2 "$host" 2>&1 | sed -n 's/^rtt //p')"
	done
	# shellcheck disable=SC2016 # for the inner bash
	for host in 198.18.1.2/25 198.18.1.2/587 198.18.2.2/465; do
		echo "- TCP connect to ${host%/*} port ${host#*/}, 5 times (ms): $(in_client bash -c '
			for i in 1 2 3 4 5; do
				s=$(date +%s%N)
				timeout 2 bash -c "exec 3<>/dev/tcp/$0" 2>/dev/null
				printf "%s%s" "${sep:-}" $((($(date +%s%N) - s) / 1000000))
				sep=" "
			done' "$host")"
	done
	echo "  (198.18.2.2 port 465: the time until the reset that refuses it)"
}

if [ "$DELAY" -gt 0 ]; then
	trap 'delay_down; bed_down' EXIT
	delay_up || die "delay setup failed"
	DELAY_CHECK=$(delay_check)
	echo "$DELAY_CHECK" >&2
fi

# --- cases ---
# Each case is a list of command lines, run one after another in the client
# namespace, as a user would type them. They are written into a script
# literally (variables expand when it runs), so they also go into
# RESULTS.md verbatim. Every command has its own timeout(1) cap.

KEYS=()
declare -A LABEL TOOL REPS WALL CPU RCS

add_case() {
	local key=$1 case=$2 tool=$3 reps=$4 line
	shift 4
	KEYS+=("$key")
	LABEL[$key]=$case
	TOOL[$key]=$tool
	REPS[$key]=$reps
	WALL[$key]=""
	CPU[$key]=""
	RCS[$key]=""
	printf '%s\n' "$@" >"$W/$key.lines"
	{
		for line in "$@"; do
			# shellcheck disable=SC2016 # for the case script
			printf '%s </dev/null >>"$OUTF" 2>&1; printf "%%s " "$?" >>"$RCF"\n' "$line"
		done
	} >"$W/$key.sh"
}

# The peer commands for one host. $1 key prefix, $2 case label, $3 name,
# $4 IPv4 address.
# shellcheck disable=SC2016 # expanded when the case script runs
host_cases() {
	local k=$1 c=$2 name=$3 a=$4 swaks to
	swaks="timeout 30 swaks --server $a --timeout 5 --quit-after EHLO --to postmaster@$name"
	to='--tls-verify --tls-ca-path "$CA_FILE"'
	add_case "$k-smtpprobe" "$c" "smtpprobe, 1 command" "$N" \
		'timeout 30 "$SP" --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" -4 '"$name"
	add_case "$k-swaks" "$c" "swaks, 4 commands" "$N" \
		"$swaks --port 25 -tls $to" \
		"$swaks --port 587 -tls $to" \
		"$swaks --port 465 --tls-on-connect $to" \
		"$swaks --port 2525"
	# By name ([...]: no MX lookup): the certificate has no IP SAN, so
	# "[198.18.x.2]" could never verify. inet_protocols=ipv4 because
	# "-a ipv4" is only a preference: it still tries the AAAA address.
	add_case "$k-ptf" "$c" "posttls-finger, 4 commands" "$N" \
		"timeout 30 posttls-finger -c -t 5 -T 5 -o inet_protocols=ipv4 -l secure -F \"\$CA_FILE\" '[$name]:25'" \
		"timeout 30 posttls-finger -c -t 5 -T 5 -o inet_protocols=ipv4 -l secure -F \"\$CA_FILE\" '[$name]:587'" \
		"timeout 30 posttls-finger -c -t 5 -T 5 -o inet_protocols=ipv4 -l secure -F \"\$CA_FILE\" -w '[$name]:465'" \
		"timeout 30 posttls-finger -c -t 5 -T 5 -o inet_protocols=ipv4 '[$name]:2525'"
	add_case "$k-nmap" "$c" "nmap, 1 command" "$N" \
		"timeout 120 nmap -n -Pn -p25,465,587,2525 --script smtp-commands,ssl-cert $a"
	if [ -n "$TESTSSL" ]; then
		add_case "$k-testssl" "$c" "testssl.sh, port 465 only" 1 \
			"timeout 300 $(basename "$TESTSSL") --quiet --color 0 --nodns none --ip $a --add-ca \"\$CA_FILE\" $name:465"
	fi
}

# shellcheck disable=SC2016 # expanded when the case script runs
add_case base "baseline" "true (namespace entry only)" "$N" "true"
host_cases good "good host, IPv4, 4 ports" mail.example.test 198.18.1.2
host_cases fw "firewalled host, IPv4, 4 ports" fw.example.test 198.18.2.2
# shellcheck disable=SC2016
add_case fwboth "firewalled host, IPv4+IPv6, 8 probes" "smtpprobe, 1 command" 1 \
	'timeout 30 "$SP" --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" fw.example.test'

# The ratios' cases. The full default diagnosis of the good host (both
# families, four ports, every follow-up) against each of its eight main
# sessions alone, and against the peers doing the same eight sessions.
# shellcheck disable=SC2016
add_case full "good host, IPv4+IPv6, 4 ports" "smtpprobe, full default diagnosis" "$N" \
	'timeout 30 "$SP" --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" mail.example.test'
ONE_KEYS=()
for fam in 4 6; do
	for port in 25 587 465 2525; do
		ONE_KEYS+=("one$fam-$port")
		# shellcheck disable=SC2016
		add_case "one$fam-$port" "good host, IPv$fam, port $port alone" "smtpprobe --quick, 1 main session" "$N" \
			'timeout 30 "$SP" --quick --ports '"$port -$fam"' --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" mail.example.test'
	done
done
add_case nmap8 "good host, IPv4+IPv6, 4 ports" "nmap -sT, 2 commands (a family each)" "$N" \
	"timeout 120 nmap -n -Pn -sT -p25,465,587,2525 --script smtp-commands,ssl-cert 198.18.1.2" \
	"timeout 120 nmap -6 -n -Pn -sT -p25,465,587,2525 --script smtp-commands,ssl-cert fd00:1::2"
swaks8=()
for a in 198.18.1.2 fd00:1::2; do
	# shellcheck disable=SC2016 # expanded when the case script runs
	sw="timeout 30 swaks --server $a --timeout 5 --quit-after EHLO --to postmaster@mail.example.test"
	# shellcheck disable=SC2016
	to='--tls-verify --tls-ca-path "$CA_FILE"'
	swaks8+=("$sw --port 25 -tls $to" "$sw --port 587 -tls $to"
		"$sw --port 465 --tls-on-connect $to" "$sw --port 2525")
done
add_case swaks8 "good host, IPv4+IPv6, 4 ports" "swaks, 8 commands" "$N" "${swaks8[@]}"
add_case fw-nmap-plain "firewalled host, IPv4, 4 ports" "nmap plain scan, 1 command" "$N" \
	"timeout 120 nmap -n -Pn -p25,465,587,2525 198.18.2.2"

# --- measuring ---

# measure KEY [record]: run the case once; with "record", keep its wall
# time, CPU time (bash's time: getrusage of everything it waited for, in
# ms) and exit statuses.
measure() {
	local key=$1 TIMEFORMAT='%3R %3U %3S' real user sys cpu
	: >"$W/rc" && : >"$LOGS/$key.log"
	{ time in_client env OUTF="$LOGS/$key.log" RCF="$W/rc" sh "$W/$key.sh" 2>>"$W/ns.err"; } 2>"$W/time"
	[ "${2:-}" = record ] || return 0
	read -r real user sys <"$W/time"
	WALL[$key]+="$real "
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
	CPU[$key]+="$cpu "
	RCS[$key]=$(sed 's/ $//' "$W/rc")
	printf '  %-38s %-30s %8s s  cpu %s s  exit %s\n' "${LABEL[$key]}" "${TOOL[$key]}" \
		"$real" "$cpu" "${RCS[$key]}" >&2
}

echo "# warm-up round (not timed)" >&2
for key in "${KEYS[@]}"; do
	case $key in base | good-smtpprobe | good-swaks | good-ptf | good-nmap | full) measure "$key" ;; esac
done
for ((round = 1; round <= N; round++)); do
	echo "# round $round of $N" >&2
	for key in "${KEYS[@]}"; do
		[ "${REPS[$key]}" -ge "$round" ] && measure "$key" record
	done
done

# --- waterfall ---
# One more full diagnosis of the good host, under strace: the wire
# (DNS queries and answers, connects and closes, the report line written)
# with the JSON phase timings laid over it (bench/waterfall.py).
# shellcheck disable=SC2016
WATERFALL_CMD='strace -f -ttt -yy -x -s 300 -qq -o "$LOGS/waterfall.strace" -e trace=connect,close,sendto,recvfrom,write "$SP" --format json --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" mail.example.test'
echo "# waterfall of one diagnosis" >&2
in_client env LOGS="$LOGS" timeout 60 sh -c "$WATERFALL_CMD" >"$LOGS/waterfall.json" 2>"$LOGS/waterfall.log"
WATERFALL=$(/usr/bin/python3 bench/waterfall.py "$LOGS/waterfall.strace" "$LOGS/waterfall.json" 2>&1)
echo "$WATERFALL" >&2

# --- bulk ---
# 1,000 addresses on the mail host (198.18.16.1-250 ... 198.18.19.1-250,
# /32 on its veth), routed from the client through 198.18.1.2. Postfix
# listens on the wildcard address, so each is a target with four ports.
# Then 1,000 domains whose MX are 3 provider hosts (198.18.20.1-3 and
# fd00:1::21-23 on the same Postfix), added to the bed's dnsmasq.

BULK_N=1000
BULK_KEYS=()
declare -A BLABEL BCMD BTIME BRC BCONN BLINES BUDP
bulk_setup() {
	local i dev=sp${RID}mp
	for ((i = 0; i < BULK_N; i++)); do
		echo "addr add 198.18.$((16 + i / 250)).$((i % 250 + 1))/32 dev $dev"
	done >"$W/bulk-addrs"
	for i in 1 2 3; do
		echo "addr add 198.18.20.$i/32 dev $dev"
		echo "addr add fd00:1::2$i/128 dev $dev nodad"
	done >>"$W/bulk-addrs"
	ip -n "$MAIL_NS" -batch "$W/bulk-addrs" || return
	ip -n "$CLIENT_NS" route add 198.18.16.0/22 via 198.18.1.2 || return
	ip -n "$CLIENT_NS" route add 198.18.20.0/24 via 198.18.1.2 || return
	for ((i = 0; i < BULK_N; i++)); do
		echo "198.18.$((16 + i / 250)).$((i % 250 + 1))"
	done >"$W/targets"
	# The provider: three MX hosts, each the MX of a third of the domains.
	printf 'mx%d.provider.example.test\n' 1 2 3 >"$W/providers"
	for ((i = 1; i <= BULK_N; i++)); do
		echo "d$i.example.test"
	done >"$W/domains"
	{
		for i in 1 2 3; do
			echo "host-record=mx$i.provider.example.test,198.18.20.$i,fd00:1::2$i"
		done
		for ((i = 1; i <= BULK_N; i++)); do
			echo "mx-host=d$i.example.test,mx$((i % 3 + 1)).provider.example.test,10"
		done
	} >>"$BED_DIR/dnsmasq.conf"
	dns_restart || return
	TARGETS=$W/targets DOMAINS=$W/domains PROVIDERS=$W/providers
	export TARGETS DOMAINS PROVIDERS
}

# dnsmasq reads its configuration at start only: stop it by its pid, start
# it again, and wait (bounded) until it answers with the new records.
dns_restart() {
	local pid i
	pid=$(cat "$BED_DIR/dnsmasq.pid") || return
	kill "$pid" || return
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	ns_exec "$MAIL_NS" dnsmasq --conf-file="$BED_DIR/dnsmasq.conf" || return
	for ((i = 0; i < 50; i++)); do
		[ "$(in_client dig +short +time=1 +tries=1 @"$DNS_SERVER" d$BULK_N.example.test MX)" = \
			"10 mx$((BULK_N % 3 + 1)).provider.example.test." ] && return 0
		sleep 0.1
	done
	echo "dnsmasq gave no MX for d$BULK_N.example.test" >&2
	return 1
}

# shellcheck disable=SC2016 # expanded when the case runs
bulk_add() {
	BULK_KEYS+=("$1")
	BLABEL[$1]=$2
	BCMD[$1]=$3
}

# UDP datagrams the kernel of namespace $1 dropped for a full receive
# buffer (DNS answers lost on the client, queries lost at dnsmasq).
udp_drops() {
	ip netns exec "$1" nstat -asz UdpRcvbufErrors Udp6RcvbufErrors |
		awk '/RcvbufErrors/ { s += $2 } END { print s + 0 }'
}

# Wait (at most 60 s) until no TCP connection of an earlier case is left
# on either end.  One that opened more sessions at once than Postfix's
# listen queues hold (rss-2000) leaves the client's kernel with orphaned
# sockets in FIN-WAIT-1 whose retransmitted FINs (SYN-cookie ACKs) make
# the mail host accept connections seconds later: Postfix logs each
# ("connect from", "lost connection after CONNECT"), so they counted as
# the next case's sessions and took its CPU.  Prints the seconds waited.
bulk_settle() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -z "$(ip netns exec "$CLIENT_NS" ss -Htn state syn-sent state established \
			state fin-wait-1 state closing state last-ack state close-wait)" ] &&
			[ -z "$(ip netns exec "$MAIL_NS" ss -Htn state syn-recv state established \
				state close-wait)" ] && break
		sleep 0.1
	done
	awk -v i="$i" 'BEGIN { printf "%.1f", i / 10 }'
}

# bulk_run KEY: one run under /usr/bin/time in the client namespace, once
# the bed has settled; Postfix's "connect from" lines before and
# after count the SMTP sessions it saw (a SYN scan completes none).
bulk_run() {
	local key=$1 c0 uc0 um0 settled
	settled=$(bulk_settle)
	c0=$(grep -c ' connect from ' "$BED_DIR/maillog")
	uc0=$(udp_drops "$CLIENT_NS") um0=$(udp_drops "$MAIL_NS")
	echo "# bulk: ${BLABEL[$key]}" >&2
	in_client env W="$W" /usr/bin/time -o "$W/$key.time" -f '%e %U %S %M' \
		sh -c "${BCMD[$key]}" >"$LOGS/$key.out" 2>"$LOGS/$key.log"
	BRC[$key]=$?
	BTIME[$key]=$(tail -n 1 "$W/$key.time")
	BCONN[$key]=$(($(grep -c ' connect from ' "$BED_DIR/maillog") - c0))
	BLINES[$key]=$(wc -l <"$LOGS/$key.out")
	BUDP[$key]="$(($(udp_drops "$CLIENT_NS") - uc0))/$(($(udp_drops "$MAIL_NS") - um0))"
	echo "  ${BTIME[$key]} (wall user sys KiB) exit ${BRC[$key]}, ${BCONN[$key]} sessions at Postfix, ${BLINES[$key]} lines out, UDP drops client/mail host ${BUDP[$key]}; started after ${settled} s of waiting for the last case's TCP connections to end" >&2
}

if [ "$BULK" = 1 ]; then
	bulk_setup || die "bulk setup failed"
	# shellcheck disable=SC2016
	bulk_add bulk-smtpprobe "smtpprobe, defaults (--per-address 2)" \
		'timeout 300 "$SP" --input "$TARGETS" --format json --timeout 5 --ca-file "$CA_FILE"'
	# shellcheck disable=SC2016
	bulk_add bulk-nmap "nmap, port scan only" \
		'timeout 300 nmap -n -Pn -p 25,587,465,2525 -iL "$TARGETS"'
	# nmap's SYN scan (root's default) completes no session: the
	# sessions Postfix sees are its script's, SMTP ones like ours
	# shellcheck disable=SC2016
	bulk_add bulk-nmap-script "nmap --script smtp-commands" \
		'timeout 150 nmap -n -Pn -p 25,587,465,2525 --script smtp-commands -iL "$TARGETS"'
	# Memory per session in flight: the same list with 200 and 2,000
	# sessions allowed at once (--per-address 4, or 1,000 addresses could
	# not hold 2,000); bench/inflight.sh samples the sockets and resident
	# memory of the process every 50 ms and stops it after 300 s.
	for c in 200 2000; do
		# shellcheck disable=SC2016
		bulk_add "rss-$c" "smtpprobe --quick, --concurrency $c --per-address 4" \
			'bench/inflight.sh "$W/rss-'$c'.peak" 300 "$SP" --input "$TARGETS" --format json --quick --concurrency '$c' --per-address 4 --timeout 5 --ca-file "$CA_FILE"'
	done
	# shellcheck disable=SC2016
	bulk_add prov-3 "smtpprobe, the 3 provider hosts alone" \
		'timeout 300 "$SP" --input "$PROVIDERS" --format json --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER"'
	# Capped: a run that probes the provider once per domain would take
	# many minutes; the cap bounds the bench and the ratio is then a floor.
	# shellcheck disable=SC2016
	bulk_add prov-1000 "smtpprobe, 1,000 domains on the 3 provider hosts" \
		'timeout '"$PROV_CAP"' "$SP" --input "$DOMAINS" --format json --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER"'
	for key in "${BULK_KEYS[@]}"; do
		bulk_run "$key"
	done
fi
if [ "$DELAY" -gt 0 ]; then
	delay_down
	DELAY_STATS=$(for f in "$W"/delay-*.log; do
		f=${f##*/delay-}
		echo "- ${f%.log} host: $(sed -n '$s/^nfq-delay: //p' "$W/delay-$f")"
	done)
fi

# What the bulk outputs hold: smtpprobe's JSON lines and the states of
# their probes, nmap's open ports and script results.
bulk_checks() {
	local l=$LOGS k
	echo "- smtpprobe, defaults: $(wc -l <"$l/bulk-smtpprobe.out") lines, $(jq -s length "$l/bulk-smtpprobe.out" 2>/dev/null) JSON objects, $(jq -r '.target' "$l/bulk-smtpprobe.out" 2>/dev/null | sort -u | wc -l) distinct targets; port/state sets (count):"
	jq -c '[.probes[] | "\(.port) \(.state)"]' "$l/bulk-smtpprobe.out" 2>/dev/null | sort | uniq -c |
		sed 's/^ */  - /'
	echo "  - probes with a verified certificate: $(jq '[.probes[] | select(.tls.verified == true)] | length' "$l/bulk-smtpprobe.out" | awk '{ s += $1 } END { print s + 0 }') (by address: the certificate names only mail.example.test)"
	echo "- nmap port scan: $(grep -c '^Nmap scan report' "$l/bulk-nmap.out") hosts reported, $(grep -c '/tcp  *open' "$l/bulk-nmap.out") open ports"
	echo "- nmap --script smtp-commands: $(grep -c '^Nmap scan report' "$l/bulk-nmap-script.out") hosts reported, $(grep -c '/tcp  *open' "$l/bulk-nmap-script.out") open ports, smtp-commands output on $(grep -c 'smtp-commands:' "$l/bulk-nmap-script.out")$([ "${BRC[bulk-nmap-script]}" = 124 ] && echo "; stopped at its 150 s cap (its rate still counts)")"
	for k in rss-200 rss-2000; do
		read -r peak rss hwm n <"$W/$k.peak"
		echo "- ${BLABEL[$k]}: $(wc -l <"$l/$k.out") lines; at most $peak sockets open at once (sampled $n times), resident $rss KiB then, high-water mark $hwm KiB"
	done
	for k in prov-3 prov-1000; do
		echo "- ${BLABEL[$k]}: $(wc -l <"$l/$k.out") lines, $(jq -r '.target' "$l/$k.out" 2>/dev/null | sort -u | wc -l) distinct targets, $(jq '.probes | length' "$l/$k.out" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }') probes reported, $(jq '[.probes[] | select(.shared == true)] | length' "$l/$k.out" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }') of them shared; exit ${BRC[$k]}$([ "${BRC[$k]}" = 124 ] && echo " (stopped at the ${PROV_CAP} s cap)")"
	done
	# Sharing: the 1,000 domains cost Postfix the sessions of their 3
	# hosts alone, no more (more: sharing broke, or the bed was not idle).
	echo "- sessions at Postfix: ${BCONN[prov-1000]} for the 1,000 domains, ${BCONN[prov-3]} for their 3 hosts alone$([ "${BCONN[prov-1000]}" = "${BCONN[prov-3]}" ] || echo ": NOT the same")"
	echo "- DNS errors in the 1,000 domains' reports (count type error): $(jq -r '.dns.errors[]? | "\(.type) \(.error)"' "$l/prov-1000.out" 2>/dev/null | sort | uniq -c | awk '{ $1 = $1; print }' | paste -sd , | sed 's/,/, /g')"
	echo "- time per domain in its report (duration_ms): $(jq -r .duration_ms "$l/prov-1000.out" 2>/dev/null | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "min %d, median %d, 90th percentile %d, max %d ms", v[1], v[int((NR + 1) / 2)], v[int(NR * 0.9)], v[NR] }')"
	echo "- Postfix logged $(grep -c 'too many connections' "$BED_DIR/maillog") \"too many connections\" warnings over the whole run"
}

bulk_table() {
	local key wall user sys rss
	echo "| case | tool | wall s | sessions at Postfix | sessions/s | lines out | CPU s (user+sys) | peak RSS MiB | UDP drops client/mail host | exit |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
	for key in "${BULK_KEYS[@]}"; do
		read -r wall user sys rss <<<"${BTIME[$key]}"
		awk -v k="$key" -v l="${BLABEL[$key]}" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
			-v c="${BCONN[$key]}" -v n="${BLINES[$key]}" -v d="${BUDP[$key]}" -v rc="${BRC[$key]}" 'BEGIN {
			printf "| %s | %s | %.2f | %d | %.0f | %d | %.2f | %.1f | %s | %s |\n",
				k, l, w, c, (w > 0 ? c / w : 0), n, u + s, r / 1024, d, rc }'
	done
}

# --- the six ratios ---
# Each from this run's figures: medians of the rounds for the single-host
# cases, the one bulk run of each kind. RATIOS holds Markdown table rows.

med() { median "${WALL[$1]}"; }
bwall() { read -r w _ <<<"${BTIME[$1]}" && echo "$w"; }

# ratio N WHAT VALUE OP GOAL HOW: one row; VALUE may be empty (not measured).
RATIOS=()
MISSED=()
ratio() {
	local n=$1 what=$2 v=$3 op=$4 goal=$5 how=$6 met sym=≥
	[ "$op" = "<=" ] && sym=≤
	if [ -z "$v" ]; then
		met="not measured"
	elif awk -v v="${v#≥ }" -v g="$goal" -v op="$op" 'BEGIN { exit !(op == "<=" ? v <= g : v >= g) }'; then
		met=yes
	else
		met=no
		MISSED+=("$n")
	fi
	RATIOS+=("| $n | $what | ${v:--} | $sym $goal | $met | $how |")
}

ratios() {
	local full slow slowkey k m r v
	full=$(med full)
	slow=0 slowkey=
	for k in "${ONE_KEYS[@]}"; do
		m=$(med "$k")
		if awk -v a="$m" -v b="$slow" 'BEGIN { exit !(a > b) }'; then
			slow=$m slowkey=$k
		fi
	done
	r=$(awk -v a="$full" -v b="$slow" 'BEGIN { printf "%.2f", a / b }')
	ratio 1 "full default diagnosis ÷ slowest single main session alone" "$r" "<=" 1.15 \
		"$full s ÷ $slow s (${LABEL[$slowkey]})"
	r=$(awk -v a="$(med nmap8)" -v b="$full" 'BEGIN { printf "%.2f", a / b }')
	ratio 2 "nmap -sT --script smtp-commands,ssl-cert, same 8 sessions ÷ full diagnosis" "$r" ">=" 1.5 \
		"$(med nmap8) s ÷ $full s"
	r=$(awk -v a="$(med swaks8)" -v b="$full" 'BEGIN { printf "%.2f", a / b }')
	ratio 3 "swaks once per port and family, serially ÷ full diagnosis" "$r" ">=" 5 \
		"$(med swaks8) s ÷ $full s"
	r=$(awk -v a="$(med fw-smtpprobe)" -v b="$(med fw-nmap-plain)" 'BEGIN { printf "%.2f", a / b }')
	ratio 4 "firewalled host (IPv4: drop, reset, ICMP) ÷ nmap's plain scan" "$r" "<=" 1.2 \
		"$(med fw-smtpprobe) s ÷ $(med fw-nmap-plain) s"
	if [ "$BULK" = 1 ]; then
		r=$(awk -v c1="${BCONN[bulk-smtpprobe]}" -v w1="$(bwall bulk-smtpprobe)" \
			-v c2="${BCONN[bulk-nmap-script]}" -v w2="$(bwall bulk-nmap-script)" \
			'BEGIN { if (c2 > 0) printf "%.2f", (c1 / w1) / (c2 / w2) }')
		ratio 5a "bulk, 1,000 addresses × 4 ports: SMTP sessions/s ÷ nmap --script smtp-commands'" "$r" ">=" 3 \
			"$(awk -v c="${BCONN[bulk-smtpprobe]}" -v w="$(bwall bulk-smtpprobe)" 'BEGIN { printf "%d sessions in %s s", c, w }') ÷ $(awk -v c="${BCONN[bulk-nmap-script]}" -v w="$(bwall bulk-nmap-script)" 'BEGIN { printf "%d in %s s", c, w }') (sessions counted at Postfix)"
		local p1 r1 p2 r2
		read -r p1 r1 _ <"$W/rss-200.peak"
		read -r p2 r2 _ <"$W/rss-2000.peak"
		v=$(awk -v p1="$p1" -v r1="$r1" -v p2="$p2" -v r2="$r2" \
			'BEGIN { if (p2 > p1) printf "%.1f", (r2 - r1) / (p2 - p1) }')
		ratio 5b "bulk: resident KiB per session in flight (marginal)" "$v" "<=" 64 \
			"($r2 − $r1) KiB ÷ ($p2 − $p1) sockets at the sampled peaks of --concurrency 2000 and 200"
		v=$(awk -v a="$(bwall prov-1000)" -v b="$(bwall prov-3)" 'BEGIN { printf "%.2f", a / b }')
		how="$(bwall prov-1000) s ÷ $(bwall prov-3) s"
		if [ "${BRC[prov-1000]}" = 124 ]; then
			how+="; stopped at the ${PROV_CAP} s cap with ${BLINES[prov-1000]} of $BULK_N domains reported: the true ratio is higher"
			v="≥ $v"
		fi
		ratio 6 "bulk, 1,000 domains on 3 provider MX hosts ÷ those 3 hosts alone" "$v" "<=" 2 "$how"
	else
		ratio 5a "bulk sessions/s ÷ nmap's" "" ">=" 3 "not run: -b"
		ratio 5b "bulk KiB per session in flight" "" "<=" 64 "not run: -b"
		ratio 6 "1,000 domains on 3 provider hosts ÷ the 3 hosts" "" "<=" 2 "not run: -b"
	fi
}

ratios_table() {
	echo "| # | ratio | measured | goal | met | from |"
	echo "|---|---|---:|---|---|---|"
	printf '%s\n' "${RATIOS[@]}"
}

# --- report ---

# stats "s s ...": median min max.
stats() {
	tr ' ' '\n' <<<"$1" | awk 'NF' | sort -n | awk '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f | %.3f | %.3f", m, v[1], v[NR]
		}'
}
median() {
	tr ' ' '\n' <<<"$1" | awk 'NF' | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

table() {
	local key
	echo "| case | tool | runs | median s | min | max | CPU s | exit status (last run) |"
	echo "|---|---|---:|---:|---:|---:|---:|---|"
	for key in "${KEYS[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$key]}" "${TOOL[$key]}" \
			"${REPS[$key]}" "$(stats "${WALL[$key]}")" "$(median "${CPU[$key]}")" "${RCS[$key]}"
	done
	if [ -z "$TESTSSL" ]; then
		echo "| good / firewalled host | testssl.sh | 0 | - | - | - | - | not run: $([ "$TESTSSL_WANTED" = 1 ] && echo "not installed" || echo "-T") |"
	fi
}

# What each tool saw on the good host, from the logs of its last run, so
# that a fast run is not a failed one.
checks() {
	local l=$LOGS n
	n() { grep -c -e "$1" "$l/$2.log" 2>/dev/null; }
	echo "- smtpprobe: $(n ' ok mail.example.test' good-smtpprobe) of 3 TLS ports with a verified certificate (IPv4); full diagnosis: $(n ' ok mail.example.test' full) of 6 (IPv4+IPv6)"
	echo "- swaks: $(n '^=== TLS started' good-swaks) of 3 TLS sessions started with --tls-verify; exit statuses ${RCS[good-swaks]}"
	echo "  (port 465 is asked by address; the bed's certificate names only mail.example.test)"
	echo "- posttls-finger: $(n 'Verified TLS connection' good-ptf) of 3 \"Verified TLS connection\"; exit statuses ${RCS[good-ptf]}, on the firewalled host ${RCS[fw-ptf]}"
	echo "- nmap: smtp-commands ran on $(n 'smtp-commands:' good-nmap) of 4 ports, ssl-cert on $(n 'ssl-cert:' good-nmap); it names port 2525 \"$(awk '$1 == "2525/tcp" { print $3 }' "$l/good-nmap.log")\""
	if [ -n "$TESTSSL" ]; then
		echo "- testssl.sh: $(grep -h 'Chain of trust' "$l/good-testssl.log" | tr -s ' ' | sed 's/^ //') (exit status ${RCS[good-testssl]})"
	fi
}

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }

# The code measured: the commit of the tree, and whether it had changes.
code_version() {
	local c
	c=$(git rev-parse --short HEAD 2>/dev/null) || {
		echo "not a git checkout"
		return
	}
	if git diff --quiet HEAD -- . ':!bench/RESULTS.md' 2>/dev/null; then
		echo "built from commit $c"
	else
		echo "built from commit $c with local changes"
	fi
}

report() {
	local key
	cat <<-EOF
		# smtpprobe benchmark

		Generated by \`bench/run.sh $ARGS\` on $(date -u '+%Y-%m-%d %H:%M UTC').

		## Machine

		- CPUs (nproc): $(nproc); $(lscpu | sed -n 's/^Model name: *//p' | head -1)
		- Kernel: $(uname -r); $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)
		- $("$SP" -V 2>&1 | head -1), $(code_version)
		- swaks $(ver swaks), posttls-finger from Postfix $(env -u MAIL_CONFIG postconf -dh mail_version) ($(ver postfix)),
		  nmap $(ver nmap), testssl.sh $(ver testssl.sh), OpenSSL $(ver openssl),
		  Net::SSLeay $(ver libnet-ssleay-perl) (swaks' TLS), bash $(ver bash)

		## How to read this

		$(how_delay)

		- Wall time is measured around the whole case (every command of it,
		  one after another), including entering the namespace: see the
		  baseline row. CPU s is the median of user+sys of the case and every
		  process it waited for (bash \`time\`, getrusage, ms resolution).
		- $N runs per case, interleaved in rounds after one untimed warm-up
		  round; testssl.sh and the firewalled IPv4+IPv6 case run once.
		- All tools are told the same 5 s timeout where they have one
		  (smtpprobe \`--timeout 5\`, swaks \`--timeout 5\`, posttls-finger
		  \`-t 5 -T 5\`); nmap and testssl.sh run with their defaults.
		- Certificate verification against the bed's private CA: smtpprobe
		  \`--ca-file\`, swaks \`--tls-verify --tls-ca-path\`, posttls-finger
		  \`-l secure -F\`, testssl.sh \`--add-ca\`; nmap's ssl-cert only shows
		  the certificate.

		## The six ratios

		Goals from the issue "one session's time for the whole diagnosis";
		every figure from this run (medians of the rounds; the bulk cases
		once each).

		$(ratios_table)

		## Results

		$(table)

		What the tools saw on the good host (from bench/logs/):

		$(checks)

		## Command lines

		Run in the client namespace, where \$SP is ./smtpprobe, \$CA_FILE the
		bed's test CA, \$DNS_SERVER $DNS_SERVER and MAIL_CONFIG a directory
		whose main.cf holds only \`compatibility_level = 3.6\`. Each case's
		commands run one after another.
	EOF
	for key in "${KEYS[@]}"; do
		# shellcheck disable=SC2016 # Markdown code fences
		printf '\n%s, %s:\n\n```sh\n%s\n```\n' "${LABEL[$key]}" "${TOOL[$key]}" "$(cat "$W/$key.lines")"
	done
	waterfall_report
	[ "$BULK" = 1 ] && bulk_report
}

waterfall_report() {
	cat <<-EOF

		## Waterfall of one diagnosis

		The full default diagnosis of the good host once more, under strace
		(which slows each traced system call a little): DNS queries and
		answers, TCP connects and closes and the report line as the trace
		saw them, with each main session's JSON phase timings laid from
		its connect (\`bench/waterfall.py\`):

		\`\`\`sh
		$WATERFALL_CMD
		\`\`\`

		\`\`\`
		$WATERFALL
		\`\`\`
	EOF
}

bulk_report() {
	local key
	cat <<-EOF

		## Bulk: $BULK_N addresses, $BULK_N domains

		$BULK_N distinct addresses (198.18.16.1-250 to 198.18.19.1-250, /32
		on the mail host's veth, routed from the client through 198.18.1.2),
		all served by the one Postfix, $([ "$DELAY" -gt 0 ] && echo "behind the same $DELAY ms delay each way" || echo "with no added delay").
		\$TARGETS holds one plain address per line. Then $BULK_N domains
		(\$DOMAINS: d1.example.test ...) whose MX is one of three provider
		hosts (\$PROVIDERS: mx1-3.provider.example.test, 198.18.20.1-3 and
		fd00:1::21-23 on the same Postfix), against those three hosts alone.
		Each runs once, after the single-host rounds, under
		\`/usr/bin/time -f '%e %U %S %M'\` in the client namespace, once
		no TCP connection of the case before is left on either end (at
		most 60 s of waiting: late retransmissions of an overloaded case
		would otherwise reach Postfix during the next one).
		"Sessions at Postfix" counts its \`connect from\` log lines during
		the run (nmap's default SYN scan completes no session). The memory
		runs go through \`bench/inflight.sh\`, which samples the sockets the
		process holds and its resident memory every 50 ms.

		$(bulk_table)

		$(bulk_checks)
	EOF
	for key in "${BULK_KEYS[@]}"; do
		# shellcheck disable=SC2016 # Markdown code fences
		printf '\n%s:\n\n```sh\n%s\n```\n' "${BLABEL[$key]}" "${BCMD[$key]}"
	done
}

how_delay() {
	if [ "$DELAY" = 0 ]; then
		cat <<-'EOF'
			The bed has **no added network delay**: the client reaches the hosts
			over veth pairs in network namespaces (~0 RTT; this kernel has no
			netem). The firewalled host drops 25 and 587, resets 465 and
			ICMP-rejects 2525.
		EOF
		return
	fi
	cat <<-EOF
		Every packet into and out of the mail and firewalled hosts' namespaces
		is **held $DELAY ms** (so $((2 * DELAY)) ms RTT from the client): this
		kernel has no sch_netem, so \`iptables-legacy\`/\`ip6tables-legacy\`
		rules in each host namespace (\`-t mangle -A PREROUTING ! -i lo\` and
		\`-A OUTPUT ! -o lo\`, \`-j NFQUEUE --queue-num 0\`) hand them to
		\`bench/delay/nfq-delay $DELAY\` running in that namespace, which
		accepts each one $DELAY ms after it arrived, in order (a FIFO of at
		most 65,536 packets, a batch verdict per release, ppoll on the
		netlink socket until the oldest is due). The mangle hooks run before
		the firewalled host's nftables filter, so its dropped, reset and
		rejected SYNs are delayed too; DNS (dnsmasq on the mail host) is
		delayed like SMTP. Measured from the client namespace before the
		cases:

		$DELAY_CHECK

		The delayers' own counts at the end of the run (held, released,
		dropped on a full FIFO, netlink overruns):

		$DELAY_STATS

		The firewalled host drops 25 and 587, resets 465 and ICMP-rejects
		2525.
	EOF
}

# The floor: the CPU of one TLS session, client and server in one process
# with the bed's certificate, smtpprobe's priorities and checks.
make -s -C bench tls-floor >/dev/null || exit 1
FLOOR=$(bench/tls-floor "$BED_DIR/tls/server.pem" "$BED_DIR/tls/server.key" \
	"$CA_FILE" 2000 | sed 's/^/    /')

ratios
report >"$RESULTS"
{
	echo
	echo "## The floor: one TLS handshake in process"
	echo
	echo "bench/tls-floor: a GnuTLS client and server over a socketpair, the"
	echo "bed's ECDSA certificate, smtpprobe's priority string and certificate"
	echo "verification after each handshake; 2,000 handshakes:"
	echo
	echo "$FLOOR"
} >>"$RESULTS"
echo
echo "TLS floor:"
echo "$FLOOR"
echo
table
[ "$BULK" = 1 ] && echo && bulk_table
echo
echo "The six ratios (goals of one session's time for the whole diagnosis):"
echo
ratios_table
echo
if [ ${#MISSED[@]} -gt 0 ]; then
	echo "Goals missed: ${MISSED[*]}"
else
	echo "Goals missed: none"
fi
echo "Written to $RESULTS; output of each case's last run in $LOGS/"
