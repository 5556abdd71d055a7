# shellcheck shell=bash
# shellcheck disable=SC2034 # F, MS, RC and P are for the test that sources this
# Helpers for tests/integration/test_hostile.sh: hostile-server instances on
# loopback, smtpprobe runs, TAP-like assertions (the same lines and summary
# as tests/integration/lib.sh, so run.sh counts them).  Sourcing this file
# only defines things; h_setup does the work.
#
#   SMTPPROBE  the binary under test (./smtpprobe)
#   HOSTILE    the scripted server (build/hostile-server)
#   KEEP=1     keep the temp dir with logs and outputs

H_DIR=     # certificates, server logs, smtpprobe outputs
H_PIDS=()  # servers started here: the only processes h_cleanup ends
CA_FILE=
PASSED=0
FAILED=0
SRV_PID=
SRV_LOG=
PORT=
F=  # JSON output of the last probe
MS= # wall time of the last smtpprobe run, in ms
CASE= # name of the case under way
CASE_FAILED=0

# --- assertions: tests/assert.sh (TAP-like lines, counted by run.sh) ---
# shellcheck source=../assert.sh
. "${BASH_SOURCE[0]%/*}/../assert.sh"
# shellcheck source=../golden.sh
. "${BASH_SOURCE[0]%/*}/../golden.sh"

die() {
	echo "Bail out! $*" >&2
	exit 1
}

# --- setup ---

# A CA and a server certificate for localhost only (no IP address), so a
# probe by address must report a name mismatch and one by name must not;
# and ip.pem / ip-selfsigned.pem naming 127.0.0.1 (--cert "$H_DIR/tls/...").
# Two more for localhost, each wrong in one way: client.pem for TLS
# clients only (no server-auth key purpose), sha1.pem signed with SHA-1.
h_certs() {
	local d=$H_DIR/tls
	mkdir -p "$d" || return
	cat >"$d/ca.tmpl" <<-'EOF'
		cn = "hostile Test CA"
		ca
		cert_signing_key
		expiration_days = 30
	EOF
	cat >"$d/server.tmpl" <<-'EOF'
		cn = "localhost"
		dns_name = "localhost"
		tls_www_server
		signing_key
		encryption_key
		expiration_days = 30
	EOF
	# For the credentials cases: 127.0.0.1 itself, from the CA (verifies
	# by address) and self-signed (never gets a password).
	cat >"$d/ip.tmpl" <<-'EOF'
		cn = "127.0.0.1"
		ip_address = "127.0.0.1"
		tls_www_server
		signing_key
		encryption_key
		expiration_days = 30
	EOF
	(
		cd "$d" &&
			certtool --generate-privkey --key-type=ecdsa --outfile ca.key &&
			certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem &&
			certtool --generate-privkey --key-type=ecdsa --outfile server.key &&
			certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template server.tmpl --outfile server.pem &&
			certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template ip.tmpl --outfile ip.pem &&
			certtool --generate-self-signed --load-privkey server.key --template ip.tmpl \
				--outfile ip-selfsigned.pem &&
			sed 's/^tls_www_server$/tls_www_client/' server.tmpl >client.tmpl &&
			certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template client.tmpl --outfile client.pem &&
			certtool --generate-certificate --hash SHA1 --load-privkey server.key \
				--load-ca-certificate ca.pem --load-ca-privkey ca.key --template server.tmpl \
				--outfile sha1.pem
	) >"$d/certtool.log" 2>&1 || {
		cat "$d/certtool.log" >&2
		return 1
	}
	CA_FILE=$d/ca.pem
}

# Idempotent; runs from the EXIT trap, so it must never call exit.
h_cleanup() {
	local pid
	trap '' INT TERM PIPE
	for pid in "${H_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	H_PIDS=()
	[ -n "$H_DIR" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# KEEP=1: files kept in $H_DIR" >&2
	else
		rm -rf "$H_DIR"
	fi
	H_DIR=
}

h_setup() {
	local t
	SMTPPROBE=${SMTPPROBE:-./smtpprobe}
	HOSTILE=${HOSTILE:-build/hostile-server}
	for t in SMTPPROBE HOSTILE; do
		if [ ! -x "${!t}" ]; then
			assert_eq "$t binary ${!t} is executable (see make)" missing present
			finish
		fi
	done
	SMTPPROBE=$(realpath "$SMTPPROBE")
	HOSTILE=$(realpath "$HOSTILE")
	for t in certtool jq timeout od tr cmark-gfm prlimit; do
		command -v "$t" >/dev/null || die "missing tool: $t (see tools/install-deps)"
	done
	H_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-hostile.$$.XXXXXX") || die "mktemp failed"
	trap h_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	h_certs || die "certificate generation failed"
}

# --- servers ---

# server_start NAME SCRIPT [hostile-server options]: a server running
# tests/hostile/scripts/SCRIPT.script; sets SRV_PID, PORT, SRV_LOG.
server_start() {
	local name=$1 script=$2 i
	shift 2
	CASE=$name
	CASE_FAILED=$FAILED
	SRV_LOG=$H_DIR/$name.server.log
	PORT=
	: >"$H_DIR/$name.port" # exists before the server writes to it
	"$HOSTILE" --script "tests/hostile/scripts/$script.script" \
		--cert "$H_DIR/tls/server.pem" --key "$H_DIR/tls/server.key" "$@" \
		>"$H_DIR/$name.port" 2>"$SRV_LOG" &
	SRV_PID=$!
	H_PIDS+=("$SRV_PID")
	# the port line comes after listen(): from then on connects succeed
	for ((i = 0; i < 100; i++)); do
		read -r PORT <"$H_DIR/$name.port"
		[ -n "$PORT" ] && break
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$PORT" ]; then
		assert_eq "$name: hostile-server started" "no port; $(head -c 300 "$SRV_LOG")" "a port"
		PORT=1 # the probe then fails visibly, not the script
		return 1
	fi
}

# Every connection logs "accepted" and, when its child is done, "end":
# wait (bounded) for them to pair up, so the log is complete.
server_settle() {
	local i a e
	for ((i = 0; i < 60; i++)); do
		a=$(grep -c ': accepted from ' "$SRV_LOG")
		e=$(grep -c ': end: ' "$SRV_LOG")
		[ "$a" = "$e" ] && return 0
		sleep 0.05
	done
	echo "# $CASE: $((a - e)) connection(s) still open after 3 s" >&2
}

# Ends the case: the log complete, the script's own checks clean, the
# server killed by pid.  On a failure in the case, shows what was seen.
server_stop() {
	local pid
	server_settle
	assert_eq "$CASE: server log has no FAIL (the script ran as written)" \
		"$(grep -m 1 'FAIL' "$SRV_LOG" || echo none)" none
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	for pid in "${!H_PIDS[@]}"; do
		[ "${H_PIDS[$pid]}" = "$SRV_PID" ] && unset "H_PIDS[$pid]"
	done
	if [ "$FAILED" -gt "$CASE_FAILED" ]; then
		echo "# $CASE: smtpprobe said: $(jq -c "$PROBE_SUMMARY" "$F" 2>/dev/null | tr '\n' ' ')"
		sed 's/^/#   /' "$SRV_LOG" | cut -c 1-200 | head -n 30
	fi
}

PROBE_SUMMARY='.probes[] | {address, state, reason, findings: [.findings[].id],
	downgrade_risk, banner, helo, ehlo, ehlo_tls, starttls_reply,
	tls: (.tls | if . then {handshake, error, verified} else null end),
	end_state: .end, end_phase, error, ms: .timings_ms.total}'

# --- smtpprobe ---

# run_smtpprobe NAME EXT ARGS...: output in $H_DIR/NAME.EXT, stderr in
# NAME.EXT.err, wall time in MS; checks it neither crashed nor hung, and
# that a sanitizer build found nothing.
run_smtpprobe() {
	local name=$1 t0 rc out=$H_DIR/$1.$2
	shift 2
	t0=$(date +%s%N)
	timeout 30 "$SMTPPROBE" --timeout 2 --deadline 6 --ca-file "$CA_FILE" "$@" \
		>"$out" 2>"$out.err"
	rc=$?
	RC=$rc
	MS=$((($(date +%s%N) - t0) / 1000000))
	assert_ran "$name" "$rc" "$out.err"
}

# probe NAME ARGS...: a JSON run, the output in F.
probe() {
	local name=$1
	shift
	run_smtpprobe "$name" json --format json "$@"
	F=$H_DIR/$name.json
	assert_eq "$name: one JSON object on one line" \
		"$(wc -l <"$F") $(jq -s length "$F" 2>&1)" "1 1"
	# The JSON contract: tests/validate-json prints where the output
	# breaks docs/smtpprobe.schema.json (first errors only, on one line).
	local v
	v=$("${BASH_SOURCE[0]%/*}/../validate-json" "$F" 2>&1) && v=valid
	assert_eq "$name: output matches docs/smtpprobe.schema.json" \
		"$(printf '%s\n' "$v" | head -n 3 | tr '\n' ' ' | sed 's/ $//')" valid
	golden_json "$name" "$F"
}

# jq filter for the one probe of an address target.
P='.probes[0]'

# state_is NAME STATE/REASON (reason "null" when there is none)
state_is() {
	assert_jq "$1: state/reason" "$F" "$P"' | "\(.state)/\(.reason)"' "$2"
}

# finding NAME ID true|false
finding() {
	assert_jq "$1: finding $2 $([ "$3" = true ] && echo present || echo absent)" \
		"$F" "$P | any(.findings[]; .id == \"$2\")" "$3"
}

# Lines of the server log after the first one matching $1.
log_after() {
	sed -n "/$1/,\$p" "$SRV_LOG" | tail -n +2
}
