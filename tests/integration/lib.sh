# shellcheck shell=bash
# Integration test bed for smtpprobe. Source it from tests/integration/test_*.sh.
#
#   client ns --veth-- mail ns  198.18.1.0/24 fd00:1::/64  Postfix 25/587/465/2525, dnsmasq :53
#                                                          and 2526 STARTTLS, 4465 implicit TLS self-signed
#   client ns --veth-- fw ns    198.18.2.0/24 fd00:2::/64  nftables: drop, reset, icmp reject
#   client ns --veth-- odd ns   198.18.3.0/24 fd00:3::/64  misconfigured Postfix (bed_odd_up)
#
# Only 198.18.0.0/15 and fd00::/8 are used, no namespace has a default route,
# and every command runs with a private resolv.conf, so nothing leaves the bed.

set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: integration tests need root (network namespaces)"
	exit 77 # run.sh counts it as skipped, never as passed
fi

RID=$$ # in every name, so two runs never collide
CLIENT_NS=smtpprobe-$RID-client
MAIL_NS=smtpprobe-$RID-mail
FW_NS=smtpprobe-$RID-fw
ODD_NS=smtpprobe-$RID-odd
DNS_SERVER=198.18.1.2
BED_DIR=
BED_NS=() # namespaces this run created: the only ones bed_down deletes
CA_FILE=
PASSED=0
FAILED=0
export CLIENT_NS MAIL_NS FW_NS ODD_NS DNS_SERVER CA_FILE

# Run a command in namespace $1. ip netns exec gives it a private mount
# namespace, so the bind mount keeps the machine's resolver out of reach.
ns_exec() {
	local ns=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" sh -c '[ ! -e /etc/resolv.conf ] || mount --bind "$0" /etc/resolv.conf || exit 125
exec "$@"' "$BED_DIR/resolv.conf" "$@"
}
in_client() { ns_exec "$CLIENT_NS" "$@"; }

die() {
	echo "Bail out! $*" >&2
	exit 1
}

# A missing tool is a broken machine, not a skipped test.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || die "missing tool: $t (see tools/install-deps)"
	done
}

# Print a Postfix log (default: the main instance's): it is the only place
# Postfix says why it failed.
show_maillog() {
	local log=${1:-$BED_DIR/maillog}
	echo "--- $log" >&2
	cat "$log" >&2 2>/dev/null
}

# Recorded in BED_NS right away, so bed_down deletes it whatever fails next.
bed_ns_add() {
	ip netns add "$1" || return
	BED_NS+=("$1")
	ip -n "$1" link set lo up
}

# Number of listening TCP sockets in namespace $1 on the ports that follow.
listeners() {
	local ns=$1 f
	shift
	f=$(printf 'sport = :%s or ' "$@")
	ip netns exec "$ns" ss -Hltn "( ${f% or } )" | wc -l
}

# veth pair from client ns to namespace $1: client gets .1/::1, peer .2/::2.
bed_link() {
	local ns=$1 net=$2 tag=$3
	local c=sp$RID${tag}c p=sp$RID${tag}p
	ip link add "$c" netns "$CLIENT_NS" type veth peer name "$p" netns "$ns" || return
	ip -n "$CLIENT_NS" addr add "198.18.$net.1/24" dev "$c" &&
		ip -n "$CLIENT_NS" addr add "fd00:$net::1/64" dev "$c" nodad &&
		ip -n "$ns" addr add "198.18.$net.2/24" dev "$p" &&
		ip -n "$ns" addr add "fd00:$net::2/64" dev "$p" nodad &&
		ip -n "$CLIENT_NS" link set "$c" up && ip -n "$ns" link set "$p" up
}

bed_net() {
	local ns
	for ns in "$CLIENT_NS" "$MAIL_NS" "$FW_NS"; do
		bed_ns_add "$ns" || return
	done
	bed_link "$MAIL_NS" 1 m && bed_link "$FW_NS" 2 f || return
	# Unlimited ICMP, or repeated rejects start to look like timeouts.
	ip netns exec "$FW_NS" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || return
	ip netns exec "$FW_NS" nft -f - <<-'EOF'
		table inet smtpprobe_fw {
			chain input {
				type filter hook input priority 0; policy accept;
				tcp dport { 25, 587 } drop
				tcp dport 465 reject with tcp reset
				tcp dport 2525 reject with icmpx type admin-prohibited
			}
		}
	EOF
}

# Test CA and a server cert naming only mail.example.test (no IP SAN), so
# probing by address must report a name mismatch.
bed_certs() {
	local d=$BED_DIR/tls
	mkdir -p "$d" || return
	cat >"$d/ca.tmpl" <<-'EOF'
		cn = "smtpprobe Test CA"
		ca
		cert_signing_key
		expiration_days = 365
	EOF
	cat >"$d/server.tmpl" <<-'EOF'
		cn = "mail.example.test"
		dns_name = "mail.example.test"
		tls_www_server
		signing_key
		expiration_days = 365
	EOF
	(
		cd "$d" &&
			certtool --generate-privkey --key-type=ecdsa --outfile ca.key &&
			certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem &&
			certtool --generate-privkey --key-type=ecdsa --outfile server.key &&
			certtool --generate-certificate --load-privkey server.key --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template server.tmpl --outfile server.pem &&
			certtool --generate-self-signed --load-privkey server.key --template server.tmpl \
				--outfile server-selfsigned.pem
	) >"$d/certtool.log" 2>&1 || {
		cat "$d/certtool.log" >&2
		return 1
	}
	CA_FILE=$d/ca.pem
}

bed_postfix() {
	local d=$BED_DIR pf=$BED_DIR/postfix
	local sasl=$pf/sasl
	mkdir -p "$sasl" "$d/pf-queue" "$d/pf-data" || return
	chown postfix: "$d/pf-data" || return
	# Cyrus SASL reads smtpd.conf from cyrus_sasl_config_path, but Debian's
	# Postfix looks in $config_directory/sasl instead: use that for both.
	printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" \
		"sasldb_path: $sasl/sasldb2" "mech_list: PLAIN LOGIN" >"$sasl/smtpd.conf"
	echo "testpass" | saslpasswd2 -p -c -f "$sasl/sasldb2" -u example.test testuser || return
	chgrp postfix "$sasl/sasldb2" && chmod 640 "$sasl/sasldb2" || return
	cat >"$pf/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $d/pf-queue
		data_directory = $d/pf-data
		maillog_file = $d/maillog
		maillog_file_prefixes = $d
		inet_interfaces = all
		inet_protocols = all
		myhostname = mail.example.test
		mydestination =
		alias_maps =
		alias_database =
		# Nothing may leave the bed.
		default_transport = error:no outbound mail in tests
		relay_transport = error:no outbound mail in tests
		local_transport = discard:
		smtpd_peername_lookup = no
		smtpd_tls_chain_files = $d/tls/server.key, $d/tls/server.pem
		smtpd_tls_security_level = may
		smtpd_tls_protocols = >=TLSv1.2
		smtpd_tls_mandatory_protocols = >=TLSv1.2
		smtpd_tls_exclude_ciphers = aNULL
		smtpd_tls_loglevel = 1
		smtpd_tls_auth_only = yes
		cyrus_sasl_config_path = $sasl
	EOF
	# Numeric service names: /etc/services calls 465 "submissions".
	cat >"$pf/master.cf" <<-'EOF'
		25        inet  n - n - - smtpd
		587       inet  n - n - - smtpd
		  -o syslog_name=postfix/submission
		  -o smtpd_tls_security_level=encrypt
		  -o smtpd_sasl_auth_enable=yes
		465       inet  n - n - - smtpd
		  -o syslog_name=postfix/smtps
		  -o smtpd_tls_wrappermode=yes
		  -o smtpd_sasl_auth_enable=yes
		2525      inet  n - n - - smtpd
		  -o syslog_name=postfix/plain
		  -o smtpd_tls_security_level=none
		# A third STARTTLS port, for when 587 and 465 are blocked.
		2526      inet  n - n - - smtpd
		  -o syslog_name=postfix/alt
		  -o smtpd_tls_security_level=may
		  -o smtpd_sasl_auth_enable=yes
		# Implicit TLS with a self-signed certificate for mail.example.test.
		4465      inet  n - n - - smtpd
		  -o syslog_name=postfix/selfsigned
		  -o smtpd_tls_wrappermode=yes
		  -o smtpd_tls_chain_files=$config_directory/../tls/server.key,$config_directory/../tls/server-selfsigned.pem
		pickup    unix  n - n 60 1 pickup
		cleanup   unix  n - n - 0 cleanup
		qmgr      unix  n - n 300 1 qmgr
		tlsmgr    unix  - - n 1000? 1 tlsmgr
		rewrite   unix  - - n - - trivial-rewrite
		bounce    unix  - - n - 0 bounce
		defer     unix  - - n - 0 bounce
		trace     unix  - - n - 0 bounce
		verify    unix  - - n - 1 verify
		flush     unix  n - n 1000? 0 flush
		proxymap  unix  - - n - - proxymap
		error     unix  - - n - - error
		retry     unix  - - n - - error
		discard   unix  - - n - - discard
		anvil     unix  - - n - 1 anvil
		scache    unix  - - n - 1 scache
		postlog   unix-dgram n - n - 1 postlogd
	EOF
	# Postfix waits until a config file is a second old before trusting
	# it; backdating saves that wait.  "start" runs the checks itself.
	touch -d '-1 min' "$pf/main.cf" "$pf/master.cf" || return
	ns_exec "$MAIL_NS" postfix -c "$pf" start >/dev/null 2>&1 || {
		show_maillog
		return 1
	}
}

bed_dns() {
	cat >"$BED_DIR/dnsmasq.conf" <<-EOF
		port=53
		listen-address=$DNS_SERVER
		bind-interfaces
		no-resolv
		no-hosts
		# Queries reaching this address get authoritative answers.
		auth-server=ns.example.test,$DNS_SERVER
		auth-zone=example.test
		auth-soa=1,hostmaster.example.test,1200,120,604800
		host-record=mail.example.test,198.18.1.2,fd00:1::2
		host-record=fw.example.test,198.18.2.2,fd00:2::2
		# Answers whether or not a test started the host (bed_odd_up).
		host-record=odd.example.test,198.18.3.2,fd00:3::2
		host-record=split.example.test,198.18.1.2,fd00:3::2
		# An internationalised name (例え.example.test) for the mail host.
		host-record=xn--r8jz45g.example.test,198.18.1.2,fd00:1::2
		# Two MX hosts: the firewalled one first, the working one second.
		mx-host=two.example.test,fw.example.test,10
		mx-host=two.example.test,mail.example.test,20
		# ... and its submission host, but no address of its own.
		srv-host=_submission._tcp.two.example.test,mail.example.test,587
		pid-file=$BED_DIR/dnsmasq.pid
		log-facility=$BED_DIR/dnsmasq.log
		log-queries
	EOF
	ns_exec "$MAIL_NS" dnsmasq --conf-file="$BED_DIR/dnsmasq.conf"
}

# Bounded wait: 12 SMTP listeners (6 ports x 2 families) and a DNS answer.
bed_wait() {
	local i n
	for ((i = 0; i < 100; i++)); do
		n=$(listeners "$MAIL_NS" 25 587 465 2525 2526 4465)
		if [ "$n" -ge 12 ] &&
			[ "$(in_client dig +short +time=1 +tries=1 @"$DNS_SERVER" mail.example.test A)" = 198.18.1.2 ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "bed not ready after 10 s: $n SMTP listeners" >&2
	show_maillog
	cat "$BED_DIR/dnsmasq.log" >&2 2>/dev/null
	return 1
}

bed_up() {
	need_tools ip ss nft postfix saslpasswd2 dnsmasq certtool dig jq timeout
	BED_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-it.$RID.XXXXXX") || die "mktemp failed"
	trap bed_down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 755 "$BED_DIR" # Postfix daemons run as postfix and must reach their queue
	echo "nameserver $DNS_SERVER" >"$BED_DIR/resolv.conf"
	bed_net || die "network setup failed"
	bed_certs || die "certificate generation failed"
	bed_postfix || die "postfix failed to start"
	bed_dns || die "dnsmasq failed to start"
	bed_wait || die "bed did not come up"
}

# odd.example.test's certificates, all on one key: one from the test CA, a
# self-signed one, an expired one and one for another name.
bed_odd_certs() {
	local d=$BED_DIR/tls
	(
		cd "$d" || exit
		tmpl() { printf '%s\n' "cn = \"$1\"" "dns_name = \"$1\"" tls_www_server signing_key "${@:2}"; }
		tmpl odd.example.test "expiration_days = 365" >odd.tmpl
		tmpl odd.example.test 'activation_date = "2020-01-01 00:00:00"' \
			'expiration_date = "2021-01-01 00:00:00"' >expired.tmpl
		tmpl wrong.example.test "expiration_days = 365" >wrong.tmpl
		certtool --generate-privkey --key-type=ecdsa --outfile odd.key &&
			certtool --generate-self-signed --load-privkey odd.key --template odd.tmpl \
				--outfile selfsigned.pem || exit
		for c in odd expired wrong; do
			certtool --generate-certificate --load-privkey odd.key --load-ca-certificate ca.pem \
				--load-ca-privkey ca.key --template "$c.tmpl" --outfile "$c.pem" || exit
		done
	) >>"$d/certtool.log" 2>&1 || {
		cat "$d/certtool.log" >&2
		return 1
	}
}

# The main instance's configuration with its own directories, name and
# default certificate; master.cf gives each port its mistake.
bed_odd_postfix() {
	local d=$BED_DIR/odd t=$BED_DIR/tls
	local pf=$d/postfix
	mkdir -p "$d/queue" "$d/data" && chown postfix: "$d/data" || return
	# The copied sasl/ points at the main instance's sasldb: same user.
	cp -a "$BED_DIR/postfix" "$pf" || return
	postconf -c "$pf" -e "queue_directory = $d/queue" "data_directory = $d/data" \
		"maillog_file = $d/maillog" "myhostname = odd.example.test" \
		"smtpd_tls_chain_files = $t/odd.key, $t/odd.pem" || return
	{
		cat <<-EOF
			# self-signed certificate
			25        inet  n - n - - smtpd
			  -o syslog_name=odd/selfsigned
			  -o smtpd_tls_chain_files=$t/odd.key,$t/selfsigned.pem
			# implicit TLS where clients expect STARTTLS
			587       inet  n - n - - smtpd
			  -o syslog_name=odd/wrapper
			  -o smtpd_tls_wrappermode=yes
			  -o smtpd_sasl_auth_enable=yes
			# plaintext with STARTTLS where clients expect implicit TLS
			465       inet  n - n - - smtpd
			  -o syslog_name=odd/plain
			  -o smtpd_sasl_auth_enable=yes
			# expired certificate, and AUTH offered before STARTTLS
			2525      inet  n - n - - smtpd
			  -o syslog_name=odd/expired
			  -o smtpd_tls_chain_files=$t/odd.key,$t/expired.pem
			  -o smtpd_sasl_auth_enable=yes
			  -o smtpd_tls_auth_only=no
			# a certificate for wrong.example.test
			2465      inet  n - n - - smtpd
			  -o syslog_name=odd/wrongname
			  -o smtpd_tls_chain_files=$t/odd.key,$t/wrong.pem
		EOF
		# The same internal services as the main instance.
		sed -n '/^pickup /,$p' "$BED_DIR/postfix/master.cf"
	} >"$pf/master.cf" || return
	# Postfix rereads a file changed within the last second every 300 ms
	# until it is older (util/load_file.c): 2.5 s at start, unless backdated.
	touch -d '-1 min' "$pf/main.cf" "$pf/master.cf" || return
	# No "postfix check": start runs Postfix's integrity checks itself.
	ns_exec "$ODD_NS" postfix -c "$pf" start >/dev/null 2>&1 || {
		show_maillog "$d/maillog"
		return 1
	}
}

# odd.example.test: a second Postfix set up the way real servers go wrong,
# one mistake per port. Separate from bed_up so only the tests that use it
# pay for it; bed_down stops it with the rest. Call after bed_up.
bed_odd_up() {
	local i
	[ -n "$BED_DIR" ] || die "bed_odd_up needs bed_up first"
	bed_ns_add "$ODD_NS" || die "odd namespace failed"
	bed_link "$ODD_NS" 3 o || die "odd network setup failed"
	bed_odd_certs || die "odd certificate generation failed"
	bed_odd_postfix || die "odd postfix failed to start"
	for ((i = 0; i < 100; i++)); do # 5 ports x 2 families
		[ "$(listeners "$ODD_NS" 25 587 465 2525 2465)" -ge 10 ] && return 0
		sleep 0.1
	done
	show_maillog "$BED_DIR/odd/maillog"
	die "odd.example.test not listening after 10 s"
}

# Idempotent; runs from the EXIT trap, so it must never call exit.
bed_down() {
	local ns pids i
	trap '' INT TERM PIPE
	[ -n "$BED_DIR" ] || return 0
	[ -f "$BED_DIR/postfix/main.cf" ] && postfix -c "$BED_DIR/postfix" stop >/dev/null 2>&1
	[ -f "$BED_DIR/odd/postfix/main.cf" ] && postfix -c "$BED_DIR/odd/postfix" stop >/dev/null 2>&1
	[ -s "$BED_DIR/dnsmasq.pid" ] && kill "$(cat "$BED_DIR/dnsmasq.pid")" 2>/dev/null
	# Whatever still runs in our namespaces was started here: end it by pid,
	# or the namespace outlives its name.
	for ((i = 0; i < 50; i++)); do
		pids=$(for ns in "${BED_NS[@]}"; do ip netns pids "$ns" 2>/dev/null; done)
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086 # one pid per word
		if [ "$i" -eq 10 ]; then kill $pids; elif [ "$i" -eq 40 ]; then kill -9 $pids; fi 2>/dev/null
		sleep 0.1
	done
	for ns in "${BED_NS[@]}"; do
		ip netns del "$ns"
	done
	BED_NS=()
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# KEEP=1: bed files kept in $BED_DIR" >&2
	else
		rm -rf "$BED_DIR"
	fi
	BED_DIR=
}

# --- running smtpprobe (tests set OUT to a directory for its output) ---

# SMTPPROBE (default ./smtpprobe) as an absolute path: the tests run it in
# another namespace. A missing binary is a failure, not a skip.
need_smtpprobe() {
	SMTPPROBE=${SMTPPROBE:-./smtpprobe}
	if [ ! -x "$SMTPPROBE" ]; then
		assert_eq "smtpprobe binary $SMTPPROBE is executable" missing present
		finish
	fi
	SMTPPROBE=$(realpath "$SMTPPROBE")
}

# probe NAME ARGS...: JSON run saved as F=$OUT/NAME.json; RC is its exit
# status, MS its wall time. timeout(1) turns a hang into a failure instead
# of a stuck CI run.
# shellcheck disable=SC2034 # F and MS are for the caller
probe() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	in_client timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" --format json "$@" >"$OUT/$name.json" 2>"$OUT/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	assert_ran "$name" "$RC" "$OUT/$name.err"
	# one JSON object per target, one per line (LINES_WANT targets)
	assert_eq "$name: one JSON object on one line per target" \
		"$(wc -l <"$OUT/$name.json") $(jq -s length "$OUT/$name.json" 2>&1)" \
		"${LINES_WANT:-1} ${LINES_WANT:-1}"
	F=$OUT/$name.json
	# The JSON contract: tests/validate-json prints where the output
	# breaks docs/smtpprobe.schema.json (first errors only, on one line).
	local v
	v=$("${BASH_SOURCE[0]%/*}/../validate-json" "$F" 2>&1) && v=valid
	assert_eq "$name: output matches docs/smtpprobe.schema.json" \
		"$(printf '%s\n' "$v" | head -n 3 | tr '\n' ' ' | sed 's/ $//')" valid
	golden_json "$name" "$F"
}
# jq filter selecting the probe of address $1, port $2.
p() { printf '.probes[] | select(.address == "%s" and .port == %s)' "$1" "$2"; }

# --- assertions: tests/assert.sh (TAP-like lines, counted by run.sh) ---
# shellcheck source=../assert.sh
. "${BASH_SOURCE[0]%/*}/../assert.sh"
# shellcheck source=../golden.sh
. "${BASH_SOURCE[0]%/*}/../golden.sh"
