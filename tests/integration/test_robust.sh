#!/bin/bash
# smtpprobe over thousands of sessions with misbehaving servers (the
# scripted hostile-server on loopback; no root needed): the run ends in
# bounded time with every result right, descriptors stay bounded by the
# concurrency, memory does not grow with the number of targets; then
# valgrind over the hostile cases, TLS ones included: no memory error, no
# leak, no descriptor left open at exit.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../hostile/lib.sh
. tests/hostile/lib.sh

# A missing hostile-server is a failure (h_setup), not a skip.
h_setup
for t in valgrind awk sort; do
	command -v "$t" >/dev/null || die "missing tool: $t (see tools/install-deps)"
done
[ -x /usr/bin/time ] || die "missing tool: /usr/bin/time (package time, see tools/install-deps)"

# An AddressSanitizer build (make sanitize) cannot run under valgrind, and
# its quarantine keeps freed memory on purpose: those parts are skipped.
ASAN=
grep -qa __asan_init "$SMTPPROBE" && ASAN=1

declare -A PORTS    # script -> port of its server
declare -A EXPECTED # script -> state/reason of its probe
# Each server listens on NADDR loopback addresses: a bulk run probes an
# (address, port) once and shares it with every target that has it, so
# thousands of sessions need thousands of different probes.
NADDR=400
LISTEN=()
# loop_addr I: the I-th of them (0-based), 127.0.0.1 first
loop_addr() { echo "127.0.$(($1 / 250)).$(($1 % 250 + 1))"; }
for ((i = 0; i < NADDR; i++)); do LISTEN+=(--listen "$(loop_addr "$i")"); done
start() {
	server_start "$1" "$1" "${LISTEN[@]}" || die "hostile-server $1 did not start"
	PORTS[$1]=$PORT
}
for s in accept-close greet-554 malformed-code http implicit-tls auth-before-tls; do
	start "$s"
done
EXPECTED=([accept-close]=unusable/early-close [greet-554]=unusable/rejecting
	[malformed-code]=unusable/protocol-error [http]=unusable/not-smtp
	[implicit-tls]=implicit-tls/null [auth-before-tls]=starttls/null)
TLS_PORTS=${PORTS[implicit-tls]}

# mix FILE N SCRIPT...: N lines, ADDRESS:PORT of each script in turn,
# A the next of the NADDR addresses once every script had a line: up to
# NADDR x scripts different probes, then the same ones again (shared).
mix() {
	local f=$1 n=$2 i s ports=()
	shift 2
	for s; do ports+=("${PORTS[$s]}"); done
	for ((i = 0; i < n; i++)); do
		echo "$(loop_addr $((i / ${#ports[@]} % NADDR))):${ports[i % ${#ports[@]}]}"
	done >"$f"
}

# results FILE: "PORT STATE/REASON" of each report's probe, counted.
results() {
	jq -r '"\(.target | sub(".*:"; "")) \(.probes[0].state)/\(.probes[0].reason)"' "$1" |
		sort | uniq -c | awk '{print $2, $3, $1}'
}
# want N SCRIPT...: what results says when each script got N targets.
want() {
	local n=$1 s
	shift
	for s; do echo "${PORTS[$s]} ${EXPECTED[$s]} $n"; done | sort
}

BULK=(--format json --timeout 5 --deadline 20 --ca-file "$CA_FILE" --tls-ports "$TLS_PORTS"
	--concurrency 200 --per-address 64)

# A bound against hangs, not a benchmark (bench/ measures speed): 60 s,
# three times that for a sanitizer build, which runs several times slower.
LIMIT_MS=60000
if ldd "$SMTPPROBE" 2>/dev/null | grep -q libasan; then
	LIMIT_MS=180000
fi

# --- 1. 2,400 sessions, 200 at once, under a descriptor ceiling ---------

# ulimit -n 256, soft and hard, so smtpprobe cannot raise it: room for the
# 200 sessions (it keeps 32 spare), none for a descriptor leaked per
# session, which would turn later sessions into local errors.  Sampled
# from /proc meanwhile: the peak must follow the concurrency, not the
# 2,400 targets.
ALL=(accept-close greet-554 malformed-code http implicit-tls auth-before-tls)
mix "$H_DIR/mix.txt" 2400 "${ALL[@]}"
t0=$(date +%s%N)
# shellcheck disable=SC2016 # expanded by the inner bash
bash -c 'ulimit -n 256 && exec "$@"' ulimit "$SMTPPROBE" "${BULK[@]}" --input "$H_DIR/mix.txt" \
	>"$H_DIR/mix.json" 2>"$H_DIR/mix.err" &
pid=$!
shopt -s nullglob
: >"$H_DIR/mix.fds"
while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
	if [ "$(readlink "/proc/$pid/exe")" = "$SMTPPROBE" ]; then
		fds=("/proc/$pid/fd/"*)
		echo "${#fds[@]}" >>"$H_DIR/mix.fds"
	fi
	if [ $(($(date +%s%N) - t0)) -gt 120000000000 ]; then
		echo "# mix: still running after 120 s, killed" >&2
		kill -KILL "$pid"
		break
	fi
	sleep 0.02
done
shopt -u nullglob
wait "$pid"
rc=$?
MS=$((($(date +%s%N) - t0) / 1000000))
peak=$(sort -n "$H_DIR/mix.fds" | tail -n 1)
echo "# mix: 2400 targets in $MS ms; descriptors first/peak/last of $(wc -l <"$H_DIR/mix.fds") samples: $(head -n 1 "$H_DIR/mix.fds")/$peak/$(tail -n 1 "$H_DIR/mix.fds")"
assert_eq "mix: exit status 1 (problems found), no crash" "$rc" 1
assert_lt "mix: 2400 targets within $((LIMIT_MS / 1000)) s (ms)" "$MS" "$LIMIT_MS"
assert_eq "mix: nothing on stderr" "$(head -c 300 "$H_DIR/mix.err")" ""
assert_eq "mix: 2400 results" "$(wc -l <"$H_DIR/mix.json")" 2400
assert_eq "mix: 2400 sessions run, none shared (2400 different probes)" \
	"$(jq -r '.probes[] | .shared' "$H_DIR/mix.json" | sort | uniq -c | awk '{print $1, $2}')" "2400 false"
assert_eq "mix: every result right for its server (port state/reason count)" \
	"$(results "$H_DIR/mix.json" | paste -sd ',')" "$(want 400 "${ALL[@]}" | paste -sd ',')"
assert_eq "mix: no local error" \
	"$(jq -r '(.probes[], .controls[]) | select(.reason == "local-error") | .port' "$H_DIR/mix.json" | sort | uniq -c | paste -sd ' ')" ""
assert_lt "mix: peak descriptors below the 224 left for sessions" "${peak:-999}" 224

# --- 2. memory: 10x the targets, not 10x the memory ----------------------

if [ -n "$ASAN" ]; then
	echo "# memory: SKIPPED, $SMTPPROBE is an AddressSanitizer build (its quarantine grows with every free)"
else
	FOUR=(accept-close greet-554 malformed-code http)
	declare -A RSS
	for n in 2000 20000; do
		mix "$H_DIR/mem$n.txt" "$n" "${FOUR[@]}"
		t0=$(date +%s%N)
		timeout 120 /usr/bin/time -f %M -o "$H_DIR/mem$n.rss" "$SMTPPROBE" "${BULK[@]}" \
			--input "$H_DIR/mem$n.txt" >"$H_DIR/mem$n.json" 2>"$H_DIR/mem$n.err"
		rc=$?
		MS=$((($(date +%s%N) - t0) / 1000000))
		rss=$(tail -n 1 "$H_DIR/mem$n.rss")
		echo "# mem$n: $MS ms, peak RSS $rss KiB"
		assert_eq "mem$n: exit status 1, no crash, no hang" "$rc" 1
		assert_lt "mem$n: within $((LIMIT_MS / 1000)) s (ms)" "$MS" "$LIMIT_MS"
		assert_eq "mem$n: every result right for its server" \
			"$(results "$H_DIR/mem$n.json" | paste -sd ',')" "$(want $((n / 4)) "${FOUR[@]}" | paste -sd ',')"
		RSS[$n]=$rss
	done
	assert_eq "memory: peak RSS with 20000 targets at most 1.5 x that with 2000 (${RSS[20000]} vs ${RSS[2000]} KiB)" \
		"$([ $((RSS[20000] * 2)) -le $((RSS[2000] * 3)) ] 2>/dev/null && echo yes)" yes
fi

# --- 3. valgrind: the hostile cases, TLS ones included -------------------

if [ -n "$ASAN" ]; then
	echo "# valgrind: SKIPPED, $SMTPPROBE is an AddressSanitizer build (make check runs it on the plain one)"
	finish
fi

for s in greet-421 nonprintable bare-lf helo-only teaser long-line ehlo-flood starttls-454 \
	starttls-502 starttls-masked starttls-plaintext starttls-injection; do
	start "$s"
done
TARGETS=()
for s in "${!PORTS[@]}"; do TARGETS+=("127.0.0.1:${PORTS[$s]}"); done
# port 1 is privileged and left unused: refused, and checked below
REFUSED=127.0.0.1:1
TARGETS+=("$REFUSED")

# vg NAME FORMAT ARGS...: smtpprobe under valgrind; a memory error or a
# definite or indirect leak makes it exit 99.  Generous timeouts: valgrind
# is slow.  Address targets only: c-ares 1.18 leaks looking up localhost
# in a family /etc/hosts lacks.
vg() {
	local name=$1 fmt=$2 rc t0 leaked
	shift 2
	t0=$(date +%s%N)
	timeout 300 valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --track-fds=yes --log-file="$H_DIR/$name.vg" \
		"$SMTPPROBE" --format "$fmt" --timeout 10 --deadline 30 --ca-file "$CA_FILE" \
		--tls-ports "$TLS_PORTS" "$@" >"$H_DIR/$name.out" 2>"$H_DIR/$name.err"
	rc=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	echo "# $name: $MS ms under valgrind, exit status $rc"
	assert_lt "$name: exit status (no crash, no timeout)" "$rc" 99
	assert_eq "$name: valgrind: no error" \
		"$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$H_DIR/$name.vg" | tail -n 1)" 0
	assert_eq "$name: valgrind: nothing definitely or indirectly lost" \
		"$(grep -E '(definitely|indirectly) lost: [1-9]' "$H_DIR/$name.vg" | sed 's/^==[0-9]*== *//' | paste -sd ' ')" ""
	# every descriptor open at exit and not inherited is one smtpprobe left
	leaked=$(awk '/== Open /{o = 1; next} o {if ($0 !~ /inherited from parent/) n++; o = 0} END {print n + 0}' \
		"$H_DIR/$name.vg")
	assert_eq "$name: no descriptor of its own left open at exit" "$leaked" 0
	if [ "$rc" -ge 99 ] || [ "$leaked" -gt 0 ]; then
		grep -v '^==[0-9]*== *$' "$H_DIR/$name.vg" | head -n 60 | sed 's/^/#   /'
	fi
}

vg vg-json json "${TARGETS[@]}"
assert_eq "vg-json: one report per target" "$(wc -l <"$H_DIR/vg-json.out")" "${#TARGETS[@]}"
assert_jq "vg-json: $REFUSED refused" "$H_DIR/vg-json.out" \
	"select(.target == \"$REFUSED\") | .probes[0] | \"\(.state)/\(.reason)\"" blocked/refused
bulk_ports=" $(for s in "${ALL[@]}"; do printf '%s ' "${PORTS[$s]}"; done)"
assert_eq "vg-json: the six cases of the bulk run, the same results" \
	"$(results "$H_DIR/vg-json.out" | awk -v p="$bulk_ports" 'index(p, " " $1 " ")' | paste -sd ',')" \
	"$(want 1 "${ALL[@]}" | paste -sd ',')"

# The text report, fed by --input with comments and bad lines.
{
	echo '# valgrind input'
	printf '%s\n' "${TARGETS[@]}"
	printf '127.0.0.1:99999\n[::1\n\x01\x02garbage\n\n'
	printf '%02000d\n' 0
} >"$H_DIR/vg.txt"
vg vg-text text --input "$H_DIR/vg.txt"
assert_eq "vg-text: the bad lines reported" "$(grep -c "^smtpprobe: $H_DIR/vg.txt:[0-9]*: " "$H_DIR/vg-text.err")" 4

vg vg-markdown markdown "${TARGETS[@]}"
assert_eq "vg-markdown: a section per target" "$(grep -c '^---$' "$H_DIR/vg-markdown.out")" $((${#TARGETS[@]} - 1))

finish
