#!/bin/bash
# A mail client's view on the bed's real Postfix with Cyrus SASL on its
# submission ports: the credentials check (--user) and TLS enforcement
# (MAIL FROM:<> before STARTTLS).  The user is testuser@example.test with
# the password testpass (lib.sh's sasldb).
#
# The password must never show in what smtpprobe writes, and no AUTH may
# ever travel in cleartext: the server's log (a port that offers AUTH in
# cleartext) and strace of smtpprobe's writes (nothing it sends outside
# TLS says AUTH) both show it.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_tools strace
need_smtpprobe
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"
PF=$BED_DIR/postfix
USER_OK=testuser@example.test
PW=testpass
M4=198.18.1.2
M6=fd00:1::2

# probe_pw NAME PASSWORD ARGS...: lib.sh's probe with the password in the
# environment, as a user would give it.
probe_pw() {
	local name=$1 pw=$2
	shift 2
	SMTPPROBE_PASSWORD=$pw probe "$name" "$@"
}
# no_password NAME PASSWORD: neither the password nor its base64 in any
# file smtpprobe wrote for NAME (JSON or text, and standard error).
no_password() {
	local f b64
	b64=$(printf '\0%s\0%s' "$USER_OK" "$2" | base64)
	for f in "$OUT/$1".*; do
		assert_eq "$1: the password is not in $(basename "$f")" "$(grep -c -F "$2" "$f")" 0
		assert_eq "$1: nor the AUTH PLAIN blob in $(basename "$f")" "$(grep -c -F "$b64" "$f")" 0
	done
}
# creds_of FILE PORT: "result mechanism" of each probe on PORT, sorted.
creds_of() {
	jq -r --argjson port "$2" '[.probes[] | select(.port == $port) | .credentials | "\(.result) \(.mechanism)"] | sort | join(",")' "$1"
}
# reload_postfix: master.cf changed; wait until PORT listens again.
reload_postfix() {
	touch -d '-1 min' "$PF/master.cf" "$PF/main.cf"
	ns_exec "$MAIL_NS" postfix -c "$PF" reload >/dev/null 2>&1 || {
		show_maillog
		die "postfix reload failed"
	}
	# the reload restarts the listeners: settle before the next probe
	sleep 1.5
}

# =====================================================================
# 1. The right password: accepted on 465 and 587 (once per host and
#    port: on one address each), never sent where it must not be.
# =====================================================================
probe_pw right "$PW" --user "$USER_OK" mail.example.test
assert_eq "right: exit status 0 (accepted on the recommended port)" "$RC" 0
assert_jq "right: recommendation 465, logged in" "$F" \
	'.recommendation | "\(.port) \(.label) \(.logged_in)"' "465 SSL true"
assert_jq "right: credentials" "$F" '.credentials | "\(.user) \(.accepted)"' "$USER_OK true"
assert_eq "right: 465 accepted on one address, not tried on the other" \
	"$(creds_of "$F" 465)" "accepted PLAIN,not-tried null"
assert_eq "right: 587 accepted on one address, not tried on the other" \
	"$(creds_of "$F" 587)" "accepted PLAIN,not-tried null"
assert_jq "right: 587's reply is the 235" "$F" \
	'[.probes[] | select(.port == 587 and .credentials.result == "accepted") | .credentials.reply] | join("")' \
	"235 2.7.0 Authentication successful"
# 25 offers no AUTH (server-to-server delivery); 2525 has no TLS: never
# sent there, and the finding says why.
assert_eq "right: 25 offers no AUTH" "$(creds_of "$F" 25)" "not-offered null,not-offered null"
assert_eq "right: 2525 not sent (no TLS)" "$(creds_of "$F" 2525)" "not-sent null,not-sent null"
assert_jq "right: 2525's credentials-not-sent says why" "$F" \
	"$(p "$M4" 2525)"' | [.findings[] | select(.id == "credentials-not-sent") | .message] | join("")' \
	"the credentials were not sent: no TLS on this port, and credentials never travel in cleartext"
assert_jq "right: 2525 reason no-tls" "$F" "$(p "$M4" 2525) | .credentials.reason" no-tls
no_password right "$PW"
# Postfix's per-session command counts: two logins (465, 587), no more
assert_eq "right: Postfix counted 2 AUTH commands, both accepted" \
	"$(grep -o 'disconnect from .* auth=[0-9/]*' "$BED_DIR/maillog" | sed 's/.* auth=//' | tr '\n' ' ')" "1 1 "

# The text says so too.
SMTPPROBE_PASSWORD=$PW in_client timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
	--ca-file "$CA_FILE" --user "$USER_OK" mail.example.test >"$OUT/right.txt" 2>"$OUT/right.txt.err"
assert_eq "right (text): exit status 0" "$?" 0
assert_eq "right (text): logged in" "$(grep -c "Logged in there as $USER_OK" "$OUT/right.txt")" 1
no_password right "$PW"

# A host that DNS handed out (two.example.test's SRV names
# mail.example.test) is not a name the user chose: a forged answer could
# name a host with a valid certificate of its own.  No credentials there.
auths=$(grep -c 'disconnect from .* auth=' "$BED_DIR/maillog")
probe_pw srv "$PW" --user "$USER_OK" --ports 587 two.example.test
assert_eq "srv: exit status 1 (not logged in anywhere)" "$RC" 1
assert_jq "srv: the SRV target's 587 answered, TLS verified" "$F" \
	'[.probes[] | select(.host == "mail.example.test" and .port == 587) | .tls.verified] | unique | join(" ")' true
assert_jq "srv: credentials not sent to the SRV target, and why" "$F" \
	'[.probes[] | select(.host == "mail.example.test" and .port == 587) | "\(.credentials.result) \(.credentials.reason)"] | unique | join(",")' \
	"not-sent name-not-typed"
assert_jq "srv: the finding tells the user what to do" "$F" \
	'[.probes[].findings[] | select(.id == "credentials-not-sent") | .message | test("came from DNS or a guess.*--check HOST:PORT --user")] | unique | join(" ")' true
assert_jq "srv: not logged in" "$F" '.credentials.accepted' false
assert_eq "srv: Postfix saw no AUTH at all" "$(grep -c 'disconnect from .* auth=' "$BED_DIR/maillog")" "$auths"
no_password srv "$PW"

# =====================================================================
# 2. --check with credentials: "these settings work, logged in".
# =====================================================================
probe_pw check465 "$PW" --user "$USER_OK" --check mail.example.test:465 --encryption ssl
assert_eq "check465: exit status 0" "$RC" 0
assert_jq "check465: works, safe" "$F" '.check | "\(.works) \(.safe)"' "true true"
assert_jq "check465: why" "$F" '.check.why | startswith("These settings work from here, logged in as testuser@example.test")' true
no_password check465 "$PW"

# =====================================================================
# 3. A wrong password: 535, auth-failed with the server's reply, exit 1.
# =====================================================================
BAD=wrong-Pa55word
probe_pw wrong "$BAD" --user "$USER_OK" --ports 587,465 mail.example.test
assert_eq "wrong: exit status 1" "$RC" 1
assert_jq "wrong: credentials not accepted" "$F" '"\(.credentials.accepted) \(.recommendation.logged_in)"' "false false"
for port in 587 465; do
	assert_eq "wrong: $port rejected on one address" "$(creds_of "$F" "$port")" "not-tried null,rejected PLAIN"
	assert_jq "wrong: $port auth-failed quotes the 535" "$F" \
		"[.probes[] | select(.port == $port) | .findings[] | select(.id == \"auth-failed\") | .message] | join(\"\")" \
		"the server refused the credentials (PLAIN): 535 5.7.8 Error: authentication failed: authentication failure"
done
probe_pw wrong-check "$BAD" --user "$USER_OK" --check mail.example.test:587 --encryption tls
assert_eq "wrong-check: exit status 1" "$RC" 1
assert_jq "wrong-check: does not work, says the password was refused" "$F" \
	'.check | "\(.works) \(.why | contains("refused the user name or password"))"' "false true"
no_password wrong "$BAD"
no_password wrong-check "$BAD"
# once per host and port, and with --check on the port checked only:
# 587 and 465, then the check's 587 (a wrong password repeated on every
# address and port is how accounts get locked)
assert_eq "wrong: Postfix saw exactly 3 failed logins" \
	"$(grep -c 'SASL PLAIN authentication failed' "$BED_DIR/maillog")" 3
assert_jq "wrong-check: 465 (not the port checked) not tried" "$F" \
	'[.probes[] | select(.port == 465) | .credentials.result] | unique | join(",")' not-tried

# LeakSanitizer cannot run under ptrace: under strace a sanitizer build
# checks everything but leaks (the other runs check those).
NOLEAK=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# =====================================================================
# 4. Never in cleartext.  A port that offers AUTH before any TLS (and has
#    none): nothing sent, as the server's log and strace both show.
# =====================================================================
if ! {
	postconf -c "$PF" -M '2527/inet=2527 inet n - n - - smtpd' &&
		postconf -c "$PF" -P '2527/inet/syslog_name=postfix/clearauth' \
			'2527/inet/smtpd_tls_security_level=none' '2527/inet/smtpd_sasl_auth_enable=yes' \
			'2527/inet/smtpd_tls_auth_only=no'
}; then
	die "postconf 2527 failed"
fi
reload_postfix
SMTPPROBE_PASSWORD=$PW ASAN_OPTIONS=$NOLEAK in_client timeout 30 strace -f -qq -o "$OUT/clear.strace" \
	-e trace=sendto,sendmsg -s 4096 \
	"$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" --ca-file "$CA_FILE" --format json \
	--user "$USER_OK" mail.example.test:2527 >"$OUT/clear.json" 2>"$OUT/clear.err"
RC=$?
F=$OUT/clear.json
assert_eq "clear: exit status 1" "$RC" 1
assert_jq "clear: AUTH offered in cleartext" "$F" '.probes[0].auth | join(" ")' "PLAIN LOGIN"
assert_eq "clear: not sent on either address (no TLS)" "$(creds_of "$F" 2527)" "not-sent null,not-sent null"
assert_jq "clear: credentials-not-sent, an error" "$F" \
	'[.probes[].findings[] | select(.id == "credentials-not-sent") | .severity] | unique | join(",")' error
assert_ge "clear: Postfix saw our connections to 2527" \
	"$(grep -c 'postfix/clearauth/smtpd\[[0-9]*\]: connect from' "$BED_DIR/maillog")" 2
assert_eq "clear: ... and no AUTH on them (Postfix's command counts)" \
	"$(grep -E 'postfix/clearauth/smtpd.*disconnect from' "$BED_DIR/maillog" | sed 's/.*\] //' | sort -u)" \
	"ehlo=1 quit=1 commands=2"
assert_eq "clear: no SASL at all on 2527" "$(grep -E 'postfix/clearauth/smtpd' "$BED_DIR/maillog" | grep -ci sasl)" 0
assert_ge "clear: strace saw our cleartext EHLO" "$(grep -c 'EHLO ' "$OUT/clear.strace")" 1
assert_eq "clear: strace: no AUTH written anywhere" "$(grep -c 'AUTH ' "$OUT/clear.strace")" 0
no_password clear "$PW"

# The same strace on 587 (AUTH inside TLS): the AUTH goes out, but only as
# TLS records, never as text.
SMTPPROBE_PASSWORD=$PW ASAN_OPTIONS=$NOLEAK in_client timeout 30 strace -f -qq -o "$OUT/tls587.strace" \
	-e trace=sendto,sendmsg -s 4096 \
	"$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" --ca-file "$CA_FILE" --format json \
	--user "$USER_OK" mail.example.test:587 >"$OUT/tls587.json" 2>"$OUT/tls587.err"
assert_eq "tls587: exit status 0" "$?" 0
assert_eq "tls587: accepted" "$(creds_of "$OUT/tls587.json" 587)" "accepted PLAIN,not-tried null"
assert_ge "tls587: strace saw the cleartext STARTTLS" "$(grep -c 'STARTTLS' "$OUT/tls587.strace")" 1
assert_eq "tls587: strace: no AUTH as text" "$(grep -c 'AUTH ' "$OUT/tls587.strace")" 0
no_password tls587 "$PW"

# =====================================================================
# 5. TLS enforcement: 587 with smtpd_tls_security_level=encrypt answers
#    530 to MAIL before STARTTLS; with "may" it accepts it.  Never on 25.
# =====================================================================
refused_mail() {
	grep -c 'postfix/submission/smtpd.*disconnect from .* ehlo=1 mail=0/1 rset=0/1 quit=1 commands=2/4' "$BED_DIR/maillog"
}
before=$(refused_mail)
probe enforce mail.example.test
for a in "$M4" "$M6"; do
	assert_jq "enforce: $a:25 not asked (opportunistic by design), and why" "$F" \
		"$(p "$a" 25) | \"\(.tls_enforcement) \(.tls_enforcement_skipped)\"" "null not-submission"
	assert_jq "enforce: $a:465 not asked (implicit TLS), and why" "$F" \
		"$(p "$a" 465) | \"\(.tls_enforcement) \(.tls_enforcement_skipped)\"" "null implicit-tls"
	# asked once per host and port, on whichever address completed its
	# handshake first: both addresses carry the answer, whatever the race
	assert_jq "enforce: $a:587 carries the answer: enforced, pipelined" "$F" \
		"$(p "$a" 587) | .tls_enforcement | \"\(.enforced) \(.pipelined) \(.end) \(.reply)\"" \
		"true true done 530 5.7.0 Must issue a STARTTLS command first"
	assert_jq "enforce: $a:587 nothing skipped" "$F" "$(p "$a" 587) | .tls_enforcement_skipped" null
done
assert_jq "enforce: 587 asked once, on one of the host's addresses (the same on both)" "$F" \
	"[.probes[] | select(.port == 587) | .tls_enforcement.address] | unique | map(. == \"$M4\" or . == \"$M6\") | map(tostring) | join(\",\")" true
assert_jq "enforce: no tls-not-enforced on 587" "$F" \
	'[.probes[] | select(.port == 587) | .findings[].id] | index("tls-not-enforced")' null
# Postfix's per-session counts: MAIL refused (and RSET with it: encrypt
# refuses all but EHLO, STARTTLS, NOOP and QUIT before TLS)
assert_eq "enforce: Postfix counted one more refused MAIL on 587, then QUIT" \
	"$(($(refused_mail) - before))" 1

postconf -c "$PF" -P '587/inet/smtpd_tls_security_level=may' || die "postconf 587 may failed"
reload_postfix
probe may587 --ports 587 mail.example.test
assert_jq "may587: enforced false, MAIL accepted (both addresses carry it)" "$F" \
	'[.probes[] | .tls_enforcement | "\(.enforced) \(.pipelined) \(.reply)"] | unique | join(",")' \
	"false true 250 2.1.0 Ok"
assert_jq "may587: tls-not-enforced, a warning, on the address asked only" "$F" \
	'[.probes[] | select(.address == .tls_enforcement.address) | .findings[] | select(.id == "tls-not-enforced") | .severity] + [.probes[] | select(.address != .tls_enforcement.address) | .findings[] | select(.id == "tls-not-enforced") | "also on \(.address)"] | join(",")' warning
assert_eq "may587: Postfix counted MAIL and RSET accepted" \
	"$(grep -c 'postfix/submission/smtpd.*disconnect from .* ehlo=1 mail=1 rset=1 quit=1 commands=4' "$BED_DIR/maillog")" 1
assert_eq "no RCPT or DATA ever, in the whole run" "$(grep -cE ' (rcpt|data|bdat)=' "$BED_DIR/maillog")" 0
# --quick skips it
probe may587-quick --quick --ports 587 mail.example.test
assert_jq "may587-quick: not asked, and why" "$F" '[.probes[] | "\(.tls_enforcement) \(.tls_enforcement_skipped)"] | unique | join(",")' "null quick"
postconf -c "$PF" -P '587/inet/smtpd_tls_security_level=encrypt' || die "postconf 587 encrypt failed"
reload_postfix

finish
