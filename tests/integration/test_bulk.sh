#!/bin/bash
# Bulk mode on the bed: --input from a file, from stdin and from a FIFO
# (results must stream); --shard with GNU parallel; --concurrency and
# --per-address, counted in smtpprobe's connect and close calls (strace);
# a filtered host's cost (the slot of a dropped SYN freed early); SIGINT
# and SIGTERM in the middle of a run; a reader that leaves (| head -1); a
# low descriptor limit.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
need_tools parallel strace env mkfifo
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"

WRAP=()  # runs what follows, e.g. to lower its ulimit
TRACE=() # runs smtpprobe itself, e.g. under strace
# strace: LeakSanitizer (make sanitize) cannot work under ptrace
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -qq -e "trace=connect,close")

# bulk NAME ARGS...: a JSON run in the client namespace; F is its output,
# $OUT/NAME.err its stderr, RC its exit status, MS its wall time.
bulk() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	in_client "${WRAP[@]}" timeout 60 "${TRACE[@]}" "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" --format json "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	F=$OUT/$name.json
	assert_ran "$name" "$RC" "$OUT/$name.err"
}

# jsonl NAME FILE N: N lines, each one whole JSON object (the last one
# ended too), all valid against docs/smtpprobe.schema.json.
jsonl() {
	local name=$1 f=$2 n=$3 v
	assert_eq "$name: $n lines out" "$(wc -l <"$f")" "$n"
	assert_eq "$name: every line is one JSON object" \
		"$(jq -R -r 'try (fromjson | objects | "ok") catch "bad"' "$f" 2>&1 | grep -c '^ok$')" \
		"$(wc -l <"$f")"
	assert_eq "$name: output ends with a newline (no cut line)" \
		"$([ ! -s "$f" ] || [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" = 0a ] && echo yes)" yes
	if [ -x tests/validate-json ]; then
		v=$(tests/validate-json "$f" 2>&1) && v=valid
		assert_eq "$name: output matches docs/smtpprobe.schema.json" \
			"$(printf '%s\n' "$v" | head -n 3 | tr '\n' ' ' | sed 's/ $//')" valid
	fi
}

# targets FILE: the targets reported, sorted, on one line.
targets() { jq -r .target "$1" | LC_ALL=C sort | paste -sd ' '; }

# What a run found: per target, each probe's address, port and state.
SIG='[.target, ([.probes[] | "\(.address) \(.port) \(.state)"] | sort | join(","))] | join(" ")'
found() { jq -r "$SIG" "$1" | LC_ALL=C sort; }

# bad_lines FILE NAME: line numbers of "smtpprobe: NAME:LINE: ..." in FILE.
bad_lines() {
	sed -n "s|^smtpprobe: $2:\([0-9]*\): .*|\1|p" "$1" | paste -sd ' '
}

# sessions LOG [ADDRESS]: the most TCP connections (to ADDRESS) open at once
# in smtpprobe's strace log of connect and close; DNS (53) and the 443
# controls left out.  A connection counts from the connect() call to the
# close() of its descriptor, which spans all the server can see of it:
# exact, where sampling ss can see a closing and an opening socket in one
# table dump though they never overlapped.
sessions() {
	awk -v addr="${2:-}" '
	match($0, /^connect\([0-9]+,/) {
		fd = substr($0, 9, RLENGTH - 9)
		if (addr != "" && index($0, "\"" addr "\"") == 0) next
		if ($0 ~ /htons\((53|443)\)/) next
		if (!(fd in open)) { open[fd] = 1; n++; if (n > max) max = n }
		next
	}
	match($0, /^close\([0-9]+\)/) {
		fd = substr($0, 7, RLENGTH - 7)
		if (fd in open) { delete open[fd]; n-- }
	}
	END { print max + 0 }' "$1"
}

# start_bg NAME ARGS...: like bulk, in the background, with SIGINT and
# SIGTERM at their defaults (a shell's & would ignore SIGINT); PID is
# smtpprobe's own, BG the job to wait for.
start_bg() {
	local name=$1 i
	shift
	rm -f "$OUT/$name.pid"
	# shellcheck disable=SC2016 # expanded by the inner sh
	in_client timeout 60 sh -c 'echo $$ >"$0"; exec "$@"' "$OUT/$name.pid" \
		env --default-signal=INT,TERM "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" --format json "$@" >"$OUT/$name.json" 2>"$OUT/$name.err" &
	BG=$!
	F=$OUT/$name.json
	PID=
	for ((i = 0; i < 100; i++)); do
		read -r PID 2>/dev/null <"$OUT/$name.pid" && [ -n "$PID" ] && return 0
		sleep 0.05
	done
	echo "# $name: smtpprobe did not start" >&2
	return 1
}

# gone_within PID MS: waits until process PID has ended, at most MS
# (then kills it); prints how long it took, in ms.
gone_within() {
	local pid=$1 limit=$2 t0 now
	t0=$(date +%s%N)
	while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		now=$((($(date +%s%N) - t0) / 1000000))
		if [ "$now" -ge "$limit" ]; then
			kill -KILL "$pid" 2>/dev/null
			echo "$now"
			return 1
		fi
		sleep 0.02
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# lines_within FILE N MS: waits until FILE has N lines, at most MS; prints
# the lines there are.
lines_within() {
	local i
	for ((i = 0; i < $3 / 20; i++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && break
		sleep 0.02
	done
	wc -l <"$1"
}

# --- 1. --input: comments, blank lines, spaces, and bad lines ------------

IN=$OUT/input.txt
{
	echo '# bulk input: comments, blank lines, spaces, bad lines'
	echo
	echo '   mail.example.test:2525   '
	echo 'mail.example.test:99999'
	echo '[fd00:1::2:2525'
	printf '\t198.18.1.2:2525\t# a tab before, a comment after\n'
	printf '%02000d\n' 0 | tr 0 a
	printf '\x7fELF\x02\x01\x01 \xff\xfe\x1b[31m garbage\n'
	echo ':25'
	echo '   '
	printf '[fd00:1::2]:465\r\n'
	echo 'fd00:1::2]:2525'
	echo '    # an indented comment'
	echo '198.18.2.2:465'
} >"$IN"
GOOD='198.18.1.2:2525 198.18.2.2:465 [fd00:1::2]:465 mail.example.test:2525'
BAD='4 5 7 8 9 12'

bulk input --input "$IN"
assert_eq "input: exit status 2 (bad lines)" "$RC" 2
jsonl input "$F" 4
assert_eq "input: the good lines probed, once each" "$(targets "$F")" "$GOOD"
assert_eq "input: each bad line named FILE:LINE: on stderr" "$(bad_lines "$OUT/input.err" "$IN")" "$BAD"
assert_eq "input: nothing else on stderr" "$(grep -cv "^smtpprobe: $IN:[0-9]*: " "$OUT/input.err")" 0
assert_eq "input: the overlong line said so" \
	"$(grep -c "^smtpprobe: $IN:7: line longer than" "$OUT/input.err")" 1
assert_eq "input: the garbage shown escaped, no raw ESC on stderr" \
	"$(tr -cd '\033' <"$OUT/input.err" | wc -c)" 0

bulk stdin --input - <"$IN"
assert_eq "stdin: exit status 2 (bad lines)" "$RC" 2
jsonl stdin "$F" 4
assert_eq "stdin: the good lines probed, once each" "$(targets "$F")" "$GOOD"
assert_eq "stdin: each bad line named stdin:LINE: on stderr" "$(bad_lines "$OUT/stdin.err" stdin)" "$BAD"

# A NUL byte is binary garbage too: the line must be refused whole, not
# read up to the NUL (skipped as blank, or probed as the part before it).
printf '\0\0\0 garbage after NULs\n198.18.1.2:2525\0junk\nmail.example.test:2525\n' >"$OUT/nul.txt"
bulk nul --input "$OUT/nul.txt"
assert_eq "nul: exit status 2 (bad lines)" "$RC" 2
assert_eq "nul: only the clean line probed" "$(targets "$F")" mail.example.test:2525
assert_eq "nul: lines with a NUL named on stderr" "$(bad_lines "$OUT/nul.err" "$OUT/nul.txt")" "1 2"

# Usage errors around --input and --shard.
bulk noinput --input "$OUT/does-not-exist"
assert_eq "noinput: exit status 2" "$RC" 2
assert_eq "noinput: says it cannot read the file" \
	"$(grep -c "cannot read --input" "$OUT/noinput.err")" 1
n=0
for bad in 3/3 1 /3 -1/3 0/0 1/2x; do
	n=$((n + 1))
	bulk "badshard-$n" --input "$IN" --shard "$bad"
	assert_eq "--shard $bad: exit status 2, nothing probed" "$RC $(wc -l <"$F")" "2 0"
done
bulk shard-noinput --shard 0/2 mail.example.test:2525
assert_eq "--shard without --input: exit status 2" "$RC" 2

# --- 2. streaming: a result before the input is closed -------------------

mkfifo "$OUT/fifo" || die "mkfifo failed"
start_bg stream --input "$OUT/fifo"
# read-write: the open cannot block, and closing it is the input's EOF
exec {w}<>"$OUT/fifo"
echo 198.18.1.2:2525 >&"$w"
assert_eq "stream: first result out while the input is still open (within 3 s)" \
	"$(lines_within "$F" 1 3000)" 1
assert_eq "stream: smtpprobe waits for more input" \
	"$([ -e "/proc/$PID" ] && echo running || echo ended)" running
echo '[fd00:1::2]:2525' >&"$w"
assert_eq "stream: second result out while the input is still open" \
	"$(lines_within "$F" 2 3000)" 2
exec {w}>&-
wait "$BG"
RC=$?
assert_lt "stream: exit status once the input ends (0 or 1)" "$RC" 2
jsonl stream "$F" 2

# SIGTERM while smtpprobe waits for input: it must still end at once.
start_bg stream-term --input "$OUT/fifo"
exec {w}<>"$OUT/fifo"
echo 198.18.1.2:2525 >&"$w"
sleep 0.5
kill -TERM "$PID"
ms=$(gone_within "$PID" 5000)
assert_lt "stream-term: ends within 1.5 s of SIGTERM with the input open (ms)" "$ms" 1500
exec {w}>&-
wait "$BG"
RC=$?
assert_eq "stream-term: exit status 143" "$RC" 143
rm -f "$OUT/fifo"

# --- 3. --shard K/N with GNU parallel: every target exactly once ---------

T12=$OUT/t12.txt
printf '%s\n' mail.example.test fw.example.test example.test 198.18.1.2 198.18.2.2 \
	fd00:1::2 mail.example.test:25 mail.example.test:587 '[fd00:1::2]:465' \
	198.18.1.2:2525 fw.example.test:465 198.18.2.2:2525 >"$T12"

bulk ref --input "$T12"
assert_eq "ref: exit status 1 (fw.example.test is filtered)" "$RC" 1
REF_RC=$RC
jsonl ref "$F" 12
REF_TARGETS=$(targets "$F")
REF_FOUND=$(found "$F")
assert_eq "ref: every target once" "$REF_TARGETS" "$(LC_ALL=C sort "$T12" | paste -sd ' ')"

# each shard's output and stderr in $OUT/shards/1/K/
t0=$(date +%s%N)
in_client env HOME="$OUT" TMPDIR="$OUT" timeout 120 parallel --will-cite -j3 \
	--joblog "$OUT/shard.joblog" --results "$OUT/shards" "$SMTPPROBE" --timeout 2 \
	--dns-server "$DNS_SERVER" --ca-file "$CA_FILE" --format json --input "$T12" \
	--shard '{}/3' ::: 0 1 2 >"$OUT/shard.out" 2>"$OUT/shard.err"
RC=$?
echo "# shard: parallel exit status $RC in $((($(date +%s%N) - t0) / 1000000)) ms"
assert_eq "shard: three shards ran, each exit status 0 or 1" \
	"$(awk -F '\t' 'NR > 1 && $7 <= 1 && $8 == 0' "$OUT/shard.joblog" | wc -l)" 3
cat "$OUT"/shards/1/[012]/stdout >"$OUT/shard.json"
assert_eq "shard: nothing on stderr" "$(cat "$OUT/shard.err" "$OUT"/shards/1/[012]/stderr | head -c 300)" ""
jsonl shard "$OUT/shard.json" 12
assert_eq "shard: union of the shards = the unsharded run's targets" \
	"$(targets "$OUT/shard.json")" "$REF_TARGETS"
assert_eq "shard: no target in two shards" "$(jq -r .target "$OUT/shard.json" | sort | uniq -d)" ""
assert_eq "shard: the same findings as the unsharded run" "$(found "$OUT/shard.json")" "$REF_FOUND"
for k in 0 1 2; do
	echo "# shard $k/3: $(targets "$OUT/shards/1/$k/stdout")"
done
assert_eq "shard: targets split (no shard has them all)" \
	"$(for k in 0 1 2; do wc -l <"$OUT/shards/1/$k/stdout"; done | sort -n | tail -n 1 | awk '{print ($1 < 12)}')" 1

# --- 4. --concurrency and --per-address ----------------------------------

# --concurrency 1: one session at a time, and still every target.  The
# STARTTLS ports are left out: their follow-up sessions take a second each.
C8=$OUT/c8.txt
printf '%s\n' 198.18.1.2:2525 mail.example.test:2525 '[fd00:1::2]:465' 198.18.1.2:465 \
	fw.example.test:465 198.18.2.2:2525 '[fd00:1::2]:2525' fw.example.test:25 >"$C8"
bulk c8-ref --timeout 1 --input "$C8"
C8_FOUND=$(found "$F")
TRACE=("${STRACE[@]}" -o "$OUT/conc1.strace")
bulk conc1 --timeout 1 --concurrency 1 --input "$C8"
TRACE=()
echo "# conc1: $MS ms"
jsonl conc1 "$F" 8
assert_eq "conc1: every target reported" "$(targets "$F")" "$(LC_ALL=C sort "$C8" | paste -sd ' ')"
assert_eq "conc1: the same findings as with the default concurrency" "$(found "$F")" "$C8_FOUND"
assert_eq "conc1: one connection at a time (strace)" "$(sessions "$OUT/conc1.strace")" 1

# --per-address: sessions to 198.18.1.2 (Postfix) counted from smtpprobe's
# connect and close calls.  The limit must be reached (sessions do overlap)
# and never passed.  Ten different probes of the address (five ports, by
# address and by name: a bulk run probes each once), and their follow-ups.
M10=$OUT/m10.txt
for port in 25 587 465 2525 2526; do printf '%s\n' "198.18.1.2:$port" "mail.example.test:$port"; done >"$M10"
for pa in 1 default 8; do
	args=()
	[ "$pa" = default ] || args=(--per-address "$pa")
	TRACE=("${STRACE[@]}" -o "$OUT/pa-$pa.strace")
	bulk "pa-$pa" "${args[@]}" --input "$M10"
	TRACE=()
	echo "# pa-$pa: $MS ms, $(grep -c '^connect(.*"198\.18\.1\.2"' "$OUT/pa-$pa.strace") connects to 198.18.1.2"
	assert_eq "pa-$pa: 10 results" "$(wc -l <"$F")" 10
done
assert_eq "--per-address 1: at most 1 session at once to 198.18.1.2, and 1 reached" \
	"$(sessions "$OUT/pa-1.strace" 198.18.1.2)" 1
assert_eq "default --per-address (2): at most 2 sessions at once, and 2 reached" \
	"$(sessions "$OUT/pa-default.strace" 198.18.1.2)" 2
max8=$(sessions "$OUT/pa-8.strace" 198.18.1.2)
assert_eq "--per-address 8: more than 2 at once, at most 8 (got $max8)" \
	"$([ "$max8" -gt 2 ] && [ "$max8" -le 8 ] && echo yes)" yes

# A diagnosis of targets on the command line (not --input) opens every
# session to an address at once: the four ports of 198.18.1.2 together
# (connected in one turn of the loop, so none can have ended), then the
# follow-ups of its TLS ports as their handshakes complete.
TRACE=("${STRACE[@]}" -o "$OUT/pa-cli.strace")
bulk pa-cli 198.18.1.2
TRACE=()
cli_conn=$(grep -c '^connect(.*"198\.18\.1\.2"' "$OUT/pa-cli.strace")
maxcli=$(sessions "$OUT/pa-cli.strace" 198.18.1.2)
echo "# pa-cli: $MS ms, $cli_conn connects to 198.18.1.2, at most $maxcli at once"
assert_eq "pa-cli: the 4 main sessions open at once (got $maxcli), 11 connects (4 ports; follow-ups: 3 TLS 1.0/1.1, 2 injection, 1 TLS enforcement on 587; the 443 control)" \
	"$([ "$maxcli" -ge 4 ] && echo ok) $cli_conn" "ok 11"
TRACE=("${STRACE[@]}" -o "$OUT/pa-cli2.strace")
bulk pa-cli2 --per-address 2 198.18.1.2
TRACE=()
assert_eq "pa-cli2: --per-address 2 limits a diagnosis too" "$(sessions "$OUT/pa-cli2.strace" 198.18.1.2)" 2

# Bulk: one probe per address, port and name in a run, reported in full
# for every target that has it ("shared": true where it was not run).
# Four lines of 198.18.1.2:2525 and three of mail.example.test:2525 are
# three probes (198.18.1.2 by address, and by name on each family):
# counted at Postfix (its "plain" service is 2525) and in smtpprobe's
# connects.
SH=$OUT/share.txt
printf '%s\n' 198.18.1.2:2525 mail.example.test:2525 198.18.1.2:2525 198.18.1.2:2525 \
	mail.example.test:2525 198.18.1.2:2525 mail.example.test:2525 >"$SH"
c0=$(grep -c 'postfix/plain/smtpd.*: connect from' "$BED_DIR/maillog")
TRACE=("${STRACE[@]}" -o "$OUT/share.strace")
bulk share --input "$SH"
TRACE=()
jsonl share "$F" 7
sleep 0.3 # Postfix writes its log line as it accepts
assert_eq "share: Postfix saw 3 sessions on 2525 for 7 targets" \
	"$(($(grep -c 'postfix/plain/smtpd.*: connect from' "$BED_DIR/maillog") - c0))" 3
assert_eq "share: smtpprobe connected to 2525 three times" \
	"$(grep -c '^connect(.*htons(2525)' "$OUT/share.strace")" 3
assert_eq "share: 10 probes reported, 7 of them shared" \
	"$(jq -s -r '[.[].probes[]] | "\(length) \([.[] | select(.shared)] | length)"' "$F")" "10 7"
assert_eq "share: every line of a target reports the same probes (state, banner, EHLO)" \
	"$(jq -c '[.target, [.probes[] | [.address, .port, .state, .banner, .ehlo]]]' "$F" | sort -u | wc -l)" 2
assert_eq "share: one line of each target ran its probes, the others took them (count target shared)" \
	"$(jq -r '[.target, ([.probes[].shared] | unique | map(tostring) | join("/"))] | join(" ")' "$F" |
		LC_ALL=C sort | uniq -c | awk '{print $1, $2, $3}' | paste -sd ,)" \
	"1 198.18.1.2:2525 false,3 198.18.1.2:2525 true,1 mail.example.test:2525 false,2 mail.example.test:2525 true"

# Three lines naming one domain: its probes and its TLSA records (DANE)
# are asked once, the other two lines take them (counted in dnsmasq's
# query log: "auth[TLSA] NAME from ...").
printf '%s\n' mail.example.test mail.example.test mail.example.test >"$OUT/share-dom.txt"
t0=$(grep -c 'auth\[TLSA\] _25\._tcp\.mail\.example\.test ' "$BED_DIR/dnsmasq.log")
bulk share-dom --input "$OUT/share-dom.txt"
jsonl share-dom "$F" 3
assert_eq "share-dom: the TLSA records of _25._tcp.mail.example.test asked once for 3 lines" \
	"$(($(grep -c 'auth\[TLSA\] _25\._tcp\.mail\.example\.test ' "$BED_DIR/dnsmasq.log") - t0))" 1
assert_eq "share-dom: 3 lines, 8 probes each, 16 of them shared" \
	"$(jq -s -r '[.[].probes[]] | "\(length) \([.[] | select(.shared)] | length)"' "$F")" "24 16"
assert_eq "share-dom: the same DANE view on every line" \
	"$(jq -c '[.dns.tlsa, [.probes[] | .dane]]' "$F" | sort -u | wc -l)" 1

# A dropped SYN frees its address slot after a quarter of the timeout, so a
# filtered host costs one timeout, not one per queued session.  Without
# that release the second and third runs would take two timeouts (4 s).
bulk grace-fw fw.example.test
assert_lt "grace-fw: fw.example.test within timeout + 1.5 s (ms)" "$MS" 3500
assert_jq "grace-fw: 8 probes, all blocked" "$F" '[.probes[].state] | "\(length) \(unique)"' '8 ["blocked"]'
printf '%s\n' fw.example.test 198.18.2.2 >"$OUT/fw2.txt"
bulk grace-fw2 --input "$OUT/fw2.txt"
assert_lt "grace-fw2: 4 dropped connects on 2 slots of 198.18.2.2, within timeout + 1.5 s (ms)" "$MS" 3500
jsonl grace-fw2 "$F" 2
bulk grace-pa1 --per-address 1 fw.example.test
assert_lt "grace-pa1: --per-address 1, 2 dropped connects per address, within timeout + 1.5 s (ms)" "$MS" 3500
assert_jq "grace-pa1: 8 probes, all blocked" "$F" '[.probes[].state] | "\(length) \(unique)"' '8 ["blocked"]'

# --- 5. SIGINT and SIGTERM in the middle of a run ------------------------

SLOW=$OUT/slow.txt
{
	printf '%s\n' 198.18.1.2:2525 mail.example.test:2525 '[fd00:1::2]:2525'
	for ((i = 0; i < 50; i++)); do echo fw.example.test; done
} >"$SLOW"
# Nothing of fw.example.test answers now, not even its resets and ICMP
# rejects: its targets wait the whole --timeout, well past the second
# of grace after the signal, so none of them may be written.
ip netns exec "$CLIENT_NS" nft -f - <<-'EOF' || die "nft table bulk_slow failed"
	table inet bulk_slow {
		chain output {
			type filter hook output priority 0; policy accept;
			ip daddr 198.18.2.2 drop
			ip6 daddr fd00:2::2 drop
		}
	}
EOF
for s in INT:130 TERM:143; do
	name=sig${s%:*}
	start_bg "$name" --timeout 5 --input "$SLOW"
	assert_eq "$name: the 3 fast targets written first" "$(lines_within "$F" 3 5000)" 3
	sleep 0.3
	kill "-${s%:*}" "$PID"
	ms=$(gone_within "$PID" 10000)
	wait "$BG"
	RC=$?
	assert_lt "$name: ends within 1.5 s of SIG${s%:*} (ms)" "$ms" 1500
	assert_eq "$name: exit status ${s#*:}" "$RC" "${s#*:}"
	# A slow machine may let a filtered target finish before the signal:
	# such a line must be whole (all 8 probes ended); none may be cut.
	n=$(wc -l <"$F")
	assert_lt "$name: the run was cut short (lines out)" "$n" 53
	jsonl "$name" "$F" "$((n < 3 ? 3 : n))"
	assert_eq "$name: the 3 fast targets, then only whole filtered ones" \
		"$(jq -r 'if .target == "fw.example.test" then "fw \([.probes[] | select(.state == "blocked")] | length)" else "fast" end' "$F" | sort | uniq -c | awk '{print $2 $3 "x" $1}' | paste -sd ' ')" \
		"$(printf 'fastx3'; [ "$n" -gt 3 ] && printf ' fw8x%d' "$((n - 3))")"
	assert_eq "$name: nothing on stderr" "$(head -c 300 "$OUT/$name.err")" ""
done
ip netns exec "$CLIENT_NS" nft delete table inet bulk_slow || die "nft delete table bulk_slow failed"

# --- 6. the reader leaves: | head -1 -------------------------------------

for fmt in json text; do
	t0=$(date +%s%N)
	in_client timeout 30 "$SMTPPROBE" --timeout 3 --dns-server "$DNS_SERVER" --ca-file "$CA_FILE" \
		--format "$fmt" --input "$T12" 2>"$OUT/head-$fmt.err" | head -n 1 >"$OUT/head-$fmt.out"
	RC=${PIPESTATUS[0]}
	MS=$((($(date +%s%N) - t0) / 1000000))
	assert_eq "head-$fmt: exit status 0 or 141" "$(case $RC in 0 | 141) echo ok ;; *) echo "$RC" ;; esac)" ok
	assert_eq "head-$fmt: nothing on stderr" "$(head -c 300 "$OUT/head-$fmt.err")" ""
	assert_eq "head-$fmt: head got its line" "$(wc -l <"$OUT/head-$fmt.out")" 1
	# the filtered targets take the 3 s timeout: ending sooner is ending
	# because the reader left
	assert_lt "head-$fmt: ends when the reader leaves, before the 3 s timeouts (ms)" "$MS" 3000
done

# --- 7. ulimit -n 40 -----------------------------------------------------

# shellcheck disable=SC2016 # expanded by the inner bash
WRAP=(bash -c 'ulimit -n 40 && exec "$@"' ulimit)
bulk ulimit40 --input "$T12"
WRAP=()
echo "# ulimit40: $MS ms"
assert_eq "ulimit40: says it fits the sessions to the descriptor limit" \
	"$(grep -c 'only 40 file descriptors allowed (ulimit -n)' "$OUT/ulimit40.err")" 1
assert_eq "ulimit40: exit status as without the limit" "$RC" "$REF_RC"
jsonl ulimit40 "$F" 12
assert_eq "ulimit40: same targets as without the limit" "$(targets "$F")" "$REF_TARGETS"
assert_eq "ulimit40: same findings as without the limit" "$(found "$F")" "$REF_FOUND"
assert_eq "ulimit40: no local error" \
	"$(jq -r '.probes[] | select(.reason == "local-error") | "\(.address):\(.port)"' "$F" | paste -sd ' ')" ""

# A soft limit only: smtpprobe raises it to the hard limit, silently.
# shellcheck disable=SC2016 # expanded by the inner bash
WRAP=(bash -c 'ulimit -Sn 40 && exec "$@"' ulimit)
bulk ulimit-soft --input "$T12"
WRAP=()
assert_eq "ulimit-soft: no message (the soft limit was raised)" "$(head -c 300 "$OUT/ulimit-soft.err")" ""
jsonl ulimit-soft "$F" 12
assert_eq "ulimit-soft: same findings as without the limit" "$(found "$F")" "$REF_FOUND"

# A sanitizer build (make sanitize) reports on stderr, and exits non-zero.
assert_eq "no sanitizer report in any run's stderr" \
	"$(grep -l -E 'Sanitizer|runtime error' "$OUT"/*.err "$OUT"/shards/1/*/stderr 2>/dev/null | paste -sd ' ')" ""

finish
