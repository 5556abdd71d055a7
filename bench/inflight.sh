#!/bin/bash
# bench/inflight.sh OUT SECONDS CMD...: run CMD (its output goes where
# ours does) and sample it every 50 ms: the sockets it holds (sessions in
# flight, and its few DNS sockets) and its resident memory.  Writes one
# line to OUT: "peak_sockets rss_kib_at_that_peak hwm_kib samples".  CMD
# is stopped (SIGTERM, then SIGKILL 2 s later) after SECONDS; our exit
# status is CMD's, 124 when it had to be stopped.
set -u
[ $# -ge 3 ] || {
	echo "usage: $0 OUT SECONDS CMD..." >&2
	exit 2
}
out=$1 cap=$2
shift 2
"$@" &
pid=$!
peak=0 rss_at_peak=0 hwm=0 n=0 stopped=0
end=$(($(date +%s) + cap))
while kill -0 "$pid" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$end" ]; then
		stopped=1
		kill "$pid" 2>/dev/null
		sleep 2
		kill -9 "$pid" 2>/dev/null
		break
	fi
	socks=$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)
	read -r rss h < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r + 0, h + 0 }' \
		"/proc/$pid/status" 2>/dev/null)
	if [ "${socks:-0}" -gt "$peak" ]; then
		peak=$socks
		rss_at_peak=${rss:-0}
	fi
	[ "${h:-0}" -gt "$hwm" ] && hwm=$h
	n=$((n + 1))
	sleep 0.05
done
wait "$pid"
rc=$?
echo "$peak $rss_at_peak $hwm $n" >"$out"
[ "$stopped" = 1 ] && exit 124
exit "$rc"
