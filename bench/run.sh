#!/bin/bash
# bench/run.sh [-n N] [-T]: smtpprobe against the tools users already know,
# in one run, on the integration test bed (tests/integration/lib.sh).
#
#   -n N   repetitions per case (default 5); testssl.sh and the
#          both-families reference run once
#   -T     skip testssl.sh (it takes about a minute)
#
# Needs root (network namespaces), a built ./smtpprobe (or SMTPPROBE=path),
# swaks, posttls-finger (postfix) and nmap; testssl.sh if installed. Prints a Markdown table and writes it, with the machine facts
# and the exact command lines, to bench/results.md. The output of each
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
	sed -n '2,8s/^# \{0,1\}//p' "$0"
	exit 2
}

N=5
TESTSSL_WANTED=1
while getopts n:Th opt; do
	case $opt in
	n) N=$OPTARG ;;
	T) TESTSSL_WANTED=0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
[[ $N =~ ^[1-9][0-9]*$ ]] || {
	echo "bench/run.sh: -n wants a positive integer, not '$N'" >&2
	exit 2
}

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

RESULTS=bench/results.md
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

# --- cases ---
# Each case is a list of command lines, run one after another in the client
# namespace, as a user would type them. They are written into a script
# literally (variables expand when it runs), so they also go into
# results.md verbatim. Every command has its own timeout(1) cap.

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

		Generated by \`bench/run.sh -n $N\` on $(date -u '+%Y-%m-%d %H:%M UTC').

		## Machine

		- CPUs (nproc): $(nproc); $(lscpu | sed -n 's/^Model name: *//p' | head -1)
		- Kernel: $(uname -r); $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)
		- $("$SP" -V 2>&1 | head -1)
		- swaks $(ver swaks), posttls-finger from Postfix $(env -u MAIL_CONFIG postconf -dh mail_version) ($(ver postfix)),
		  nmap $(ver nmap), testssl.sh $(ver testssl.sh), OpenSSL $(ver openssl),
		  Net::SSLeay $(ver libnet-ssleay-perl) (swaks' TLS), bash $(ver bash)

		## How to read this

		The bed has **no added network delay**: the client reaches the hosts
		over veth pairs in network namespaces (~0 RTT; this kernel has no
		netem). So the good-host figures are mostly each tool's own start-up,
		TLS handshakes and certificate checks, not the network; with real
		round trips every serial tool pays them once per port. The firewalled
		host drops 25 and 587, resets 465 and ICMP-rejects 2525: there the
		figures show serial timeouts (one per dropped port, one after another)
		against parallel ones.

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
}

report >"$RESULTS"
echo
table
echo
echo "Written to $RESULTS; output of each case's last run in $LOGS/"
