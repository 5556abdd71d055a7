#!/bin/bash
# bench/run.sh [-n N] [-T] [-d MS] [-B] [-S] [-o FILE]: smtpprobe against
# the tools users already know, in one run, on the integration test bed
# (tests/integration/lib.sh).  Set up with `tools/install-deps bench` and
# `make -C bench`; run as root from the repository root.
#
#   -n N   repetitions per case (default 5); testssl.sh and the
#          both-families reference run once
#   -T     skip testssl.sh (it takes about a minute, over 300 s with -d)
#   -d MS  delay every packet MS ms each way at the mail and firewalled
#          hosts (bench/delay/nfq-delay: make -C bench; needs iptables)
#   -B     also the bulk case: 1,000 addresses on the mail host
#   -S     with -B, also nmap --script smtp-commands on the 1,000
#   -o F   write the report to F (default bench/RESULTS.md)
#
# Needs root (network namespaces), a built ./smtpprobe (or SMTPPROBE=path),
# swaks, posttls-finger (postfix) and nmap; testssl.sh if installed. Prints a Markdown table and writes it, with the machine facts
# and the exact command lines, to bench/RESULTS.md. The output of each
# case's last run is kept in bench/logs/.
#
# Cases run in rounds (every case once per round), after one untimed
# warm-up round on the good host, so drift hits all tools alike. Each case
# is one shell script run in the client namespace under bash's time: wall
# time is measured around it (so it includes ~ms of ip-netns-exec overhead,
# see the baseline row), CPU time is user+sys of everything it waited for.

# shellcheck source-path=SCRIPTDIR
set -uo pipefail

usage() {
	sed -n '2,16s/^# \{0,1\}//p' "$0"
	exit 2
}

ARGS="$*"
N=5
TESTSSL_WANTED=1
DELAY=0
BULK=0
BULK_SCRIPT=0
RESULTS=bench/RESULTS.md
while getopts n:Td:BSo:h opt; do
	case $opt in
	n) N=$OPTARG ;;
	T) TESTSSL_WANTED=0 ;;
	d) DELAY=$OPTARG ;;
	B) BULK=1 ;;
	S) BULK_SCRIPT=1 ;;
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

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh

need_tools swaks posttls-finger postconf nmap awk sort
TESTSSL=
if [ "$TESTSSL_WANTED" = 1 ]; then
	TESTSSL=$(command -v testssl || command -v testssl.sh)
fi
SP=${SMTPPROBE:-./smtpprobe}
[ -x "$SP" ] || die "no executable $SP: run make first"
SP=$(realpath "$SP")

[ "$BULK" = 0 ] || need_tools /usr/bin/time jq
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
				printf "%s " $((($(date +%s%N) - s) / 1000000))
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
add_case both "good host, IPv4+IPv6, 8 probes" "smtpprobe, 1 command" 1 \
	'timeout 30 "$SP" --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" mail.example.test'
# shellcheck disable=SC2016
add_case fwboth "firewalled host, IPv4+IPv6, 8 probes" "smtpprobe, 1 command" 1 \
	'timeout 30 "$SP" --timeout 5 --ca-file "$CA_FILE" --dns-server "$DNS_SERVER" fw.example.test'

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
	case $key in base | good-smtpprobe | good-swaks | good-ptf | good-nmap) measure "$key" ;; esac
done
for ((round = 1; round <= N; round++)); do
	echo "# round $round of $N" >&2
	for key in "${KEYS[@]}"; do
		[ "${REPS[$key]}" -ge "$round" ] && measure "$key" record
	done
done

# --- bulk ---
# 1,000 addresses on the mail host (198.18.16.1-250 ... 198.18.19.1-250,
# /32 on its veth), routed from the client through 198.18.1.2. Postfix
# listens on the wildcard address, so each is a target with four ports.

BULK_N=1000
BULK_KEYS=()
declare -A BLABEL BCMD BTIME BRC BCONN
bulk_setup() {
	local i dev=sp${RID}mp
	for ((i = 0; i < BULK_N; i++)); do
		echo "addr add 198.18.$((16 + i / 250)).$((i % 250 + 1))/32 dev $dev"
	done >"$W/bulk-addrs"
	ip -n "$MAIL_NS" -batch "$W/bulk-addrs" || return
	ip -n "$CLIENT_NS" route add 198.18.16.0/22 via 198.18.1.2 || return
	for ((i = 0; i < BULK_N; i++)); do
		echo "198.18.$((16 + i / 250)).$((i % 250 + 1))"
	done >"$W/targets"
	TARGETS=$W/targets
	export TARGETS
}

# shellcheck disable=SC2016 # expanded when the case runs
bulk_add() {
	BULK_KEYS+=("$1")
	BLABEL[$1]=$2
	BCMD[$1]=$3
}

# bulk_run KEY: one run under /usr/bin/time in the client namespace;
# Postfix's "connect from" lines before and after count the SMTP sessions
# it saw (a SYN scan completes none).
bulk_run() {
	local key=$1 c0
	c0=$(grep -c ' connect from ' "$BED_DIR/maillog")
	echo "# bulk: ${BLABEL[$key]}" >&2
	in_client env /usr/bin/time -o "$W/$key.time" -f '%e %U %S %M' \
		sh -c "${BCMD[$key]}" >"$LOGS/$key.out" 2>"$LOGS/$key.log"
	BRC[$key]=$?
	BTIME[$key]=$(tail -n 1 "$W/$key.time")
	BCONN[$key]=$(($(grep -c ' connect from ' "$BED_DIR/maillog") - c0))
	echo "  ${BTIME[$key]} (wall user sys KiB) exit ${BRC[$key]}, ${BCONN[$key]} sessions at Postfix" >&2
}

if [ "$BULK" = 1 ]; then
	bulk_setup || die "bulk address setup failed"
	# shellcheck disable=SC2016
	bulk_add bulk-smtpprobe "smtpprobe, --quick, 200 at once" \
		'timeout 600 "$SP" --input "$TARGETS" --format json --concurrency 200 --per-address 2 --quick --timeout 5 --ca-file "$CA_FILE"'
	# shellcheck disable=SC2016
	bulk_add bulk-nmap "nmap, port scan only" \
		'timeout 600 nmap -n -Pn -p 25,587,465,2525 -iL "$TARGETS"'
	if [ "$BULK_SCRIPT" = 1 ]; then
		# shellcheck disable=SC2016
		bulk_add bulk-nmap-script "nmap, --script smtp-commands" \
			'timeout 600 nmap -n -Pn -p 25,587,465,2525 --script smtp-commands -iL "$TARGETS"'
	fi
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
	local l=$LOGS
	echo "- smtpprobe: $(wc -l <"$l/bulk-smtpprobe.out") lines, $(jq -s length "$l/bulk-smtpprobe.out" 2>/dev/null) JSON objects, $(jq -r '.target' "$l/bulk-smtpprobe.out" 2>/dev/null | sort -u | wc -l) distinct targets; port/state sets (count):"
	jq -c '[.probes[] | "\(.port) \(.state)"]' "$l/bulk-smtpprobe.out" 2>/dev/null | sort | uniq -c |
		sed 's/^ */  - /'
	echo "  - probes with a verified certificate: $(jq '[.probes[] | select(.tls.verified == true)] | length' "$l/bulk-smtpprobe.out" | awk '{ s += $1 } END { print s + 0 }') (by address: the certificate names only mail.example.test)"
	echo "- nmap port scan: $(grep -c '^Nmap scan report' "$l/bulk-nmap.out") hosts reported, $(grep -c '/tcp  *open' "$l/bulk-nmap.out") open ports"
	if [ "$BULK_SCRIPT" = 1 ]; then
		echo "- nmap --script smtp-commands: $(grep -c '^Nmap scan report' "$l/bulk-nmap-script.out") hosts reported, $(grep -c '/tcp  *open' "$l/bulk-nmap-script.out") open ports, smtp-commands output on $(grep -c 'smtp-commands:' "$l/bulk-nmap-script.out")"
	fi
	echo "- Postfix logged $(grep -c 'too many connections' "$BED_DIR/maillog") \"too many connections\" warnings over the whole run"
}

bulk_table() {
	local key wall user sys rss
	echo "| tool | wall s | sessions at Postfix | sessions/s | port probes/s | CPU s (user+sys) | peak RSS MiB | exit |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	for key in "${BULK_KEYS[@]}"; do
		read -r wall user sys rss <<<"${BTIME[$key]}"
		awk -v l="${BLABEL[$key]}" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
			-v c="${BCONN[$key]}" -v p=$((BULK_N * 4)) -v rc="${BRC[$key]}" 'BEGIN {
			printf "| %s | %.2f | %d | %.0f | %.0f | %.2f | %.1f | %s |\n",
				l, w, c, (w > 0 ? c / w : 0), (w > 0 ? p / w : 0), u + s, r / 1024, rc }'
	done
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
	echo "- smtpprobe: $(n ' ok mail.example.test' good-smtpprobe) of 3 TLS ports with a verified certificate"
	echo "- swaks: $(n '^=== TLS started' good-swaks) of 3 TLS sessions started with --tls-verify; exit statuses ${RCS[good-swaks]}"
	if [ "$(echo "${RCS[good-swaks]}" | cut -d' ' -f3)" = 0 ]; then
		echo "  (465 by address verified although the certificate names only mail.example.test and has no IP SAN: this swaks checks the chain, not the host name)"
	fi
	echo "- posttls-finger: $(n 'Verified TLS connection' good-ptf) of 3 \"Verified TLS connection\"; it exits 0 even when it cannot connect (firewalled: ${RCS[fw-ptf]})"
	echo "- nmap: smtp-commands ran on $(n 'smtp-commands:' good-nmap) of 4 ports, ssl-cert on $(n 'ssl-cert:' good-nmap) (without -sV nmap only knows 2525 as \"$(awk '$1 == "2525/tcp" { print $3 }' "$l/good-nmap.log")\", not SMTP)"
	if [ -n "$TESTSSL" ]; then
		echo "- testssl.sh: $(grep -h 'Chain of trust' "$l/good-testssl.log" | tr -s ' ' | sed 's/^ //') (exit status ${RCS[good-testssl]})"
	fi
}

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }

report() {
	local key
	cat <<-EOF
		# smtpprobe benchmark

		Generated by \`bench/run.sh $ARGS\` on $(date -u '+%Y-%m-%d %H:%M UTC').

		## Machine

		- CPUs (nproc): $(nproc); $(lscpu | sed -n 's/^Model name: *//p' | head -1)
		- Kernel: $(uname -r); $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)
		- $("$SP" -V 2>&1 | head -1)
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
		  round; testssl.sh and the IPv4+IPv6 reference run once.
		- All tools are told the same 5 s timeout where they have one
		  (smtpprobe \`--timeout 5\`, swaks \`--timeout 5\`, posttls-finger
		  \`-t 5 -T 5\`); nmap and testssl.sh run with their defaults.
		- Certificate verification against the bed's private CA: smtpprobe
		  \`--ca-file\`, swaks \`--tls-verify --tls-ca-path\`, posttls-finger
		  \`-l secure -F\`, testssl.sh \`--add-ca\`; nmap's ssl-cert only shows
		  the certificate.

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
	[ "$BULK" = 1 ] && bulk_report
}

bulk_report() {
	local key
	cat <<-EOF

		## Bulk: $BULK_N targets

		$BULK_N distinct addresses (198.18.16.1-250 to 198.18.19.1-250, /32
		on the mail host's veth, routed from the client through 198.18.1.2),
		all served by the one Postfix, $([ "$DELAY" -gt 0 ] && echo "behind the same $DELAY ms delay each way" || echo "with no added delay").
		\$TARGETS holds one plain address per line. Each tool runs once, after
		the single-host rounds, under \`/usr/bin/time -f '%e %U %S %M'\` in
		the client namespace. "Sessions at Postfix" counts its
		\`connect from\` log lines during the run (nmap's default SYN scan
		completes no session); port probes/s is $((BULK_N * 4)) / wall time.

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
			netem). So the good-host figures are mostly each tool's own start-up,
			TLS handshakes and certificate checks, not the network; with real
			round trips every serial tool pays them once per port. The firewalled
			host drops 25 and 587, resets 465 and ICMP-rejects 2525: there the
			figures show serial timeouts (one per dropped port, one after another)
			against parallel ones.
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
		2525: there the figures show serial timeouts against parallel ones.
	EOF
}

# The floor: the CPU of one TLS session, client and server in one process
# with the bed's certificate, smtpprobe's priorities and checks.
make -s -C bench tls-floor >/dev/null || exit 1
FLOOR=$(bench/tls-floor "$BED_DIR/tls/server.pem" "$BED_DIR/tls/server.key" \
	"$CA_FILE" 2000 | sed 's/^/    /')

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
echo
echo "Written to $RESULTS; output of each case's last run in $LOGS/"
