#!/bin/bash
# smtpprobe against a hostile SMTP server: one scripted misbehaviour per case
# (tests/hostile/scripts/*.script), each on a random loopback port, 127.0.0.1
# or ::1.  Needs no root.  The expected verdicts are DESIGN.md's; where
# smtpprobe falls short of them the check fails and says what it got.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../hostile/lib.sh
. tests/hostile/lib.sh

h_setup

# 1. Accept, then close at once.
server_start accept-close accept-close
probe accept-close "127.0.0.1:$PORT"
state_is accept-close unusable/early-close
server_stop

# 2. Accept and say nothing.  The silent plaintext port gets one more try
# as implicit TLS, so about two timeouts.
server_start silent silent
probe silent "127.0.0.1:$PORT"
state_is silent unusable/no-greeting
assert_lt "silent: wall time in ms (2 x timeout, not the deadline)" "$MS" 5500
assert_eq "silent: two connections (the retry as implicit TLS)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 2
server_stop

# 3. and 4. Greetings that refuse: 421 is "try later", not "no STARTTLS".
server_start greet-554 greet-554
probe greet-554 "127.0.0.1:$PORT"
state_is greet-554 unusable/rejecting
server_stop

server_start greet-421 greet-421
probe greet-421 "127.0.0.1:$PORT"
state_is greet-421 unusable/rate-limited
finding greet-421 starttls-not-supported false
server_stop

# 5. A 220- teaser and the final line 1.5 s later: nothing may be sent
# before it (the script's "silent" step logs FAIL if anything was).
server_start teaser teaser
probe teaser "127.0.0.1:$PORT"
state_is teaser plaintext/null
assert_jq "teaser: both greeting lines in the banner" "$F" "$P.banner" \
	"220 teaser.example ESMTP, slowly / teaser.example ready"
server_settle
assert_ge "teaser: EHLO sent after the final line (ms after connect)" \
	"$(sed -n 's/.* +\([0-9]*\)ms: < EHLO.*/\1/p' "$SRV_LOG" | head -n 1)" 1500
server_stop

# 6. A reply code that is not one.
server_start malformed-code malformed-code
probe malformed-code "127.0.0.1:$PORT"
state_is malformed-code unusable/protocol-error
finding malformed-code malformed-reply true
server_stop

# 7. A 1 MiB line with no end: rejected as soon as it is too long, not
# when a timer runs out.
server_start long-line long-line
probe long-line "127.0.0.1:$PORT"
state_is long-line unusable/protocol-error
finding long-line overlong-line true
assert_lt "long-line: wall time in ms (less than --timeout)" "$MS" 2000
server_stop

# 8. An EHLO reply that never ends.
server_start ehlo-flood ehlo-flood
probe ehlo-flood "127.0.0.1:$PORT"
state_is ehlo-flood unusable/protocol-error
finding ehlo-flood reply-flood true
assert_lt "ehlo-flood: wall time in ms (less than --timeout)" "$MS" 2000
server_stop

# 9. A tarpit: one byte a second, so no silence ever reaches --timeout;
# only the 6 s deadline ends it.  DESIGN has a "tarpit" finding for this.
server_start tarpit tarpit
probe tarpit "127.0.0.1:$PORT"
assert_lt "tarpit: wall time in ms (deadline 6 s + slack)" "$MS" 7500
# the greeting never ends, so it never came
state_is tarpit unusable/no-greeting
finding tarpit tarpit true
server_stop

# 9b. Targets queued behind others for a session slot: a target's own
# deadline (4 x --deadline) runs from its first session's start, so eight
# targets one at a time (--concurrency 1) are each probed, not reported
# "unusable" for sessions that never left the queue.
server_start queued silent
targets=()
for ((i = 0; i < 8; i++)); do targets+=("127.0.0.1:$PORT"); done
run_smtpprobe queued json --format json --timeout 1 --deadline 1 \
	--concurrency 1 --quick "${targets[@]}"
assert_eq "queued: eight reports" "$(jq -s length "$H_DIR/queued.json" 2>&1)" 8
assert_eq "queued: no target-deadline finding" \
	"$(jq -s '[.[].findings[] | select(.id == "target-deadline")] | length' "$H_DIR/queued.json" 2>&1)" 0
assert_eq "queued: every session connected (none cut in the queue)" \
	"$(jq -s '[.[].probes[] | select(.timings_ms.connect == null)] | length' "$H_DIR/queued.json" 2>&1)" 0
server_stop

# 10. Terminal escapes, BEL and NUL in the banner: flagged, and shown only
# escaped, in JSON and in text.
server_start nonprintable nonprintable
probe nonprintable "127.0.0.1:$PORT"
state_is nonprintable plaintext/null
finding nonprintable nonprintable true
run_smtpprobe nonprintable txt --format text "127.0.0.1:$PORT"
for out in json txt; do
	assert_eq "nonprintable: no raw ESC, BEL or NUL in the $out output" \
		"$(tr -cd '\000\007\033' <"$H_DIR/nonprintable.$out" | od -An -tx1 | tr -s ' \n' ' ')" ""
done
for esc in '\x1b' '\x07' '\x00'; do
	assert_eq "nonprintable: banner shows $esc" \
		"$(jq -r "$P.banner" "$F" | grep -qF -e "$esc" && echo yes)" yes
done
# the finding says "shown escaped": text must show them too
assert_eq "nonprintable: text output shows the banner with \\x1b" \
	"$(grep -qF -e '\x1b' "$H_DIR/nonprintable.txt" && echo yes)" yes
server_stop

# 10b. A UTF-8 banner (SMTPUTF8): the Japanese is text in JSON and in a
# UTF-8 locale's text report, escaped byte by byte under LANG=C; the bidi
# override, the overlong sequence and the C1 control are escaped in both.
server_start utf8-banner utf8-banner
probe utf8-banner "127.0.0.1:$PORT"
finding utf8-banner nonprintable true
want_json='220 例え.example ESMTP 受付中 \xe2\x80\xaelmth.exe \xc0\xaf \xc2\x9b2J'
assert_jq "utf8-banner: JSON banner keeps the text, escapes the rest" "$F" \
	"$P.banner" "$want_json"
LANG=C.UTF-8 LC_ALL="" run_smtpprobe utf8-banner-u txt --format text "127.0.0.1:$PORT"
LANG=C LC_ALL="" run_smtpprobe utf8-banner-c txt --format text "127.0.0.1:$PORT"
assert_eq "utf8-banner: C.UTF-8 text shows the banner as text" \
	"$(grep -cF -e "$want_json" "$H_DIR/utf8-banner-u.txt")" 1
assert_eq "utf8-banner: C text shows the bytes escaped" \
	"$(grep -cF -e '220 \xe4\xbe\x8b\xe3\x81\x88.example ESMTP \xe5\x8f\x97\xe4\xbb\x98\xe4\xb8\xad \xe2\x80\xaelmth.exe' "$H_DIR/utf8-banner-c.txt")" 1
for out in utf8-banner-u utf8-banner-c; do
	assert_eq "utf8-banner: no raw bidi override, C1 or overlong in $out" \
		"$(LC_ALL=C grep -caP '\xe2\x80\xae|\xc2\x9b|\xc0\xaf' "$H_DIR/$out.txt")" 0
done
assert_eq "utf8-banner: nothing but ASCII under C" \
	"$(LC_ALL=C grep -c '[^ -~]' "$H_DIR/utf8-banner-c.txt")" 0
server_stop

# 11. LF without CR.
server_start bare-lf bare-lf
probe bare-lf "127.0.0.1:$PORT"
state_is bare-lf plaintext/null
finding bare-lf bare-lf true
server_stop

# 12. A web server on a mail port.
server_start http http
probe http "127.0.0.1:$PORT"
state_is http unusable/not-smtp
server_stop

# 13. EHLO refused, HELO accepted: SMTP, but never STARTTLS.
server_start helo-only helo-only
probe helo-only "127.0.0.1:$PORT"
state_is helo-only plaintext/null
assert_jq "helo-only: .helo" "$F" "$P.helo" true
finding helo-only starttls-not-supported true
server_stop

# 14. STARTTLS masked as XXXXXXXA by a middlebox, and 500 if tried: that
# is a stripping attack, DESIGN's starttls-stripped.
server_start starttls-masked starttls-masked
probe starttls-masked "127.0.0.1:$PORT"
assert_jq "starttls-masked: state" "$F" "$P.state" plaintext
finding starttls-masked starttls-stripped true
assert_jq "starttls-masked: downgrade_risk" "$F" "$P.downgrade_risk" true
server_stop

# 15. STARTTLS advertised, then refused.
for code in 454 502; do
	server_start "starttls-$code" "starttls-$code"
	probe "starttls-$code" "127.0.0.1:$PORT"
	state_is "starttls-$code" starttls/null
	finding "starttls-$code" starttls-refused true
	assert_jq "starttls-$code: downgrade_risk" "$F" "$P.downgrade_risk" true
	server_stop
done

# 16. 220 to STARTTLS, then plaintext instead of a handshake: a failure,
# and no fallback to cleartext (no EHLO, AUTH or MAIL after STARTTLS).
server_start starttls-plaintext starttls-plaintext
probe starttls-plaintext "127.0.0.1:$PORT"
assert_jq "starttls-plaintext: state" "$F" "$P.state" starttls
finding starttls-plaintext starttls-handshake-failed true
assert_jq "starttls-plaintext: downgrade_risk" "$F" "$P.downgrade_risk" true
server_settle
assert_eq "starttls-plaintext: no cleartext command after STARTTLS" \
	"$(log_after '< STARTTLS$' | grep -ciE '< (EHLO|HELO|AUTH|MAIL)')" 0
server_stop

# 17. A reply pipelined after STARTTLS's 220 (same write): detected, and
# no handshake started on the tainted stream.  Also over IPv6 (20.).
for lo in 127.0.0.1 ::1; do
	if [ "$lo" = ::1 ]; then name=starttls-injection-v6; else name=starttls-injection; fi
	server_start "$name" starttls-injection --listen "$lo"
	if [ "$lo" = ::1 ]; then target="[::1]:$PORT"; else target="127.0.0.1:$PORT"; fi
	probe "$name" "$target"
	assert_jq "$name: address" "$F" "$P.address" "$lo"
	assert_jq "$name: state" "$F" "$P.state" starttls
	finding "$name" response-injection true
	assert_jq "$name: downgrade_risk" "$F" "$P.downgrade_risk" true
	assert_jq "$name: no TLS attempted (.tls)" "$F" "$P.tls" null
	server_settle
	assert_eq "$name: no ClientHello after STARTTLS" \
		"$(log_after '< STARTTLS$' | grep -cF '< \x16\x03')" 0
	server_stop
done

# 18. AUTH offered before TLS; other capabilities inside.
server_start auth-before-tls auth-before-tls
probe auth-before-tls "127.0.0.1:$PORT"
state_is auth-before-tls starttls/null
finding auth-before-tls plaintext-auth true
assert_jq "auth-before-tls: downgrade_risk" "$F" "$P.downgrade_risk" true
assert_jq "auth-before-tls: handshake done" "$F" "$P.tls.handshake" true
assert_jq "auth-before-tls: .ehlo is the cleartext set" "$F" "$P.ehlo | join(\",\")" \
	"AUTH PLAIN LOGIN,SIZE 1000,STARTTLS"
assert_jq "auth-before-tls: .ehlo_tls is the set inside TLS" "$F" "$P.ehlo_tls | join(\",\")" \
	"AUTH PLAIN,SIZE 35882577"
server_stop

# 19. Implicit TLS on a --tls-ports port.  By name the certificate (for
# localhost) verifies; by address it cannot.  localhost is probed by name (the
# hosts file must map it to loopback alone; smtpprobe reads it when no
# --dns-server is given), and only in the families it lists there: c-ares
# 1.18 answers the other family itself, and leaks 10 bytes doing so.
server_start implicit-tls-addr implicit-tls
probe implicit-tls-addr --tls-ports "$PORT" "127.0.0.1:$PORT"
state_is implicit-tls-addr implicit-tls/null
assert_jq "implicit-tls-addr: tls.verified" "$F" "$P.tls.verified" false
finding implicit-tls-addr certificate-host-mismatch true
finding implicit-tls-addr wrong-port-mode false
server_stop

# A hosts file without localhost on loopback is a broken machine, as a
# missing tool is: the case fails, it is not skipped.
lh=$(awk '!/^[[:space:]]*#/ { for (i = 2; i <= NF; i++) if ($i == "localhost") print $1 }' /etc/hosts | sort -u)
assert_eq "/etc/hosts maps localhost to loopback only (127.0.0.1 and/or ::1)" \
	"$([ -n "$lh" ] && ! grep -qvxE '127\.0\.0\.1|::1' <<<"$lh" && echo yes)" yes
fam=()
grep -qx '::1' <<<"$lh" || fam=(-4)
grep -qx '127\.0\.0\.1' <<<"$lh" || fam=(-6)
server_start implicit-tls-name implicit-tls --listen 127.0.0.1 --listen ::1
probe implicit-tls-name "${fam[@]}" --tls-ports "$PORT" "localhost:$PORT"
assert_jq "implicit-tls-name: at least one probe" "$F" '.probes | length > 0' true
assert_jq "implicit-tls-name: every probe implicit-tls, verified, no findings" "$F" \
	'[.probes[] | "\(.state) \(.tls.verified) \([.findings[].id])"] | unique | join(",")' \
	'implicit-tls true []'
assert_jq "implicit-tls-name: EHLO inside TLS" "$F" "$P.ehlo_tls | join(\",\")" \
	"AUTH PLAIN,SIZE 35882577"
server_stop

# 19b. Certificates that chain to the CA and name localhost but are wrong
# in one way: each is a validation-failure saying what, never "not
# trusted" and never verified.
for c in client:"not for TLS servers" sha1:"insecure algorithm"; do
	name=cert-${c%%:*}
	server_start "$name" implicit-tls --cert "$H_DIR/tls/${c%%:*}.pem"
	probe "$name" -4 --tls-ports "$PORT" "localhost:$PORT"
	state_is "$name" implicit-tls/null
	assert_jq "$name: tls.verified false, name_ok true" "$F" "\"\($P.tls.verified) \($P.tls.name_ok)\"" "false true"
	assert_jq "$name: validation-failure says ${c#*:}" "$F" \
		"[$P.findings[] | select(.id == \"validation-failure\") | .message | test(\"${c#*:}\")] | any" true
	finding "$name" certificate-not-trusted false
	assert_jq "$name: tls.verify_error says ${c#*:}" "$F" "$P.tls.verify_error | test(\"${c#*:}\")" true
	server_stop
done

# The same server on a port not listed as TLS: silent in plaintext, so
# smtpprobe retries with TLS and says the port speaks the other mode.
server_start implicit-tls-plainport implicit-tls
probe implicit-tls-plainport "127.0.0.1:$PORT"
state_is implicit-tls-plainport implicit-tls/null
finding implicit-tls-plainport wrong-port-mode true
server_stop

# 20. IPv6 (case 17 above): accept-close and 421 over ::1.
server_start accept-close-v6 accept-close --listen ::1
probe accept-close-v6 "[::1]:$PORT"
assert_jq "accept-close-v6: address" "$F" "$P.address" ::1
state_is accept-close-v6 unusable/early-close
server_stop

server_start greet-421-v6 greet-421 --listen ::1
probe greet-421-v6 "[::1]:$PORT"
assert_jq "greet-421-v6: address" "$F" "$P.address" ::1
state_is greet-421-v6 unusable/rate-limited
finding greet-421-v6 starttls-not-supported false
server_stop

# 21. One foreign banner on every port of an address: a proxy answering
# for the server (interception-suspect, about the target as a whole).
server_start proxy-a proxy
P1=$PORT
A_PID=$SRV_PID
server_start proxy-b proxy
probe proxy 127.0.0.1 --ports "$P1,$PORT"
assert_jq "proxy: two probes, both plaintext" "$F" '[.probes[].state] | join(",")' plaintext,plaintext
assert_jq "proxy: interception-suspect on the target" "$F" \
	'[.findings[] | select(.id == "interception-suspect") | .severity] | join(",")' warning
server_stop
kill "$A_PID" 2>/dev/null

# ... and one proxy port next to a real-looking server: no suspicion.
server_start proxy-c proxy
P1=$PORT
A_PID=$SRV_PID
server_start proxy-d helo-only
probe proxy-mixed 127.0.0.1 --ports "$P1,$PORT"
assert_jq "proxy-mixed: no interception-suspect" "$F" \
	'[.findings[] | select(.id == "interception-suspect")] | length' 0
server_stop
kill "$A_PID" 2>/dev/null

# 22. CVE-2011-0411: after a TLS handshake smtpprobe opens an injection
# session that sends "STARTTLS\r\nNOOP\r\n" in one write.  A server that
# keeps the NOOP and answers it inside TLS is vulnerable: an error, and a
# downgrade risk.  Four connections: the main one, the TLS 1.0/1.1 one
# (the main handshake was TLS 1.3), the injection one and the TLS
# enforcement one.
server_start command-injection command-injection
probe command-injection "127.0.0.1:$PORT"
state_is command-injection starttls/null
assert_jq "command-injection: finding command-injection, an error" "$F" \
	"[$P.findings[] | select(.id == \"command-injection\") | .severity] | join(\",\")" error
assert_jq "command-injection: downgrade_risk" "$F" "$P.downgrade_risk" true
assert_jq "command-injection: tls.version (of the main session)" "$F" "$P.tls.version" TLS1.3
server_settle
assert_eq "command-injection: four connections (main, TLS 1.0/1.1, injection, enforcement)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 4
assert_eq "command-injection: the server kept the pipelined NOOP" \
	"$(grep -c 'tls: kept 6 plaintext bytes: NOOP' "$SRV_LOG")" 1
assert_eq "command-injection: ... and answered it inside TLS" \
	"$(grep -c '> 250 2.0.0 Ok' "$SRV_LOG")" 1
server_stop

# ... and in a bulk run of two lines naming it: the probe runs once, with
# its follow-ups, and the line that takes it shared takes what they
# found along (the command-injection finding on both lines).
server_start shared-followups command-injection
printf '127.0.0.1:%s\n' "$PORT" "$PORT" >"$H_DIR/shared-followups.txt"
run_smtpprobe shared-followups json --format json --input "$H_DIR/shared-followups.txt"
F=$H_DIR/shared-followups.json
assert_eq "shared-followups: two JSON lines" "$(jq -s length "$F" 2>&1)" 2
assert_eq "shared-followups: output matches docs/smtpprobe.schema.json" \
	"$("${BASH_SOURCE[0]%/*}/../validate-json" "$F" 2>&1 && echo valid)" valid
assert_eq "shared-followups: one line ran the probe, the other took it (shared)" \
	"$(jq -r "$P.shared" "$F" | LC_ALL=C sort | paste -sd ,)" "false,true"
assert_eq "shared-followups: command-injection, an error, on both lines" \
	"$(jq -r "[$P.findings[] | select(.id == \"command-injection\") | .severity] | join(\",\")" "$F" |
		paste -sd ' ')" "error error"
assert_eq "shared-followups: both lines judge the same (state, downgrade risk, findings)" \
	"$(jq -c "[$P.state, $P.downgrade_risk, [$P.findings[].id]]" "$F" | sort -u | wc -l)" 1
server_settle
assert_eq "shared-followups: four connections for two lines (main, TLS 1.0/1.1, injection, enforcement)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 4
server_stop

# ... and a server that answers the pipelined NOOP in plaintext, with the
# 220, before TLS: bytes from before the handshake are no answer inside
# it (the injection session empties its buffer first).
server_start starttls-early-answer starttls-early-answer
probe starttls-early-answer "127.0.0.1:$PORT"
state_is starttls-early-answer starttls/null
finding starttls-early-answer command-injection false
server_settle
assert_eq "starttls-early-answer: the injection session got 220 and 250 in one write" \
	"$(grep -c '> 220 2.0.0 go ahead\\x0d\\x0a250 2.0.0 Ok' "$SRV_LOG")" 1
assert_eq "starttls-early-answer: ... and then TLS" \
	"$(grep -c 'tls handshake done' "$SRV_LOG")" 3
server_stop

# ... and a sound server discards it at the handshake: nothing to find,
# after the injection session listened for its 1 s.
server_start starttls-sound starttls-sound
probe starttls-sound "127.0.0.1:$PORT"
state_is starttls-sound starttls/null
finding starttls-sound command-injection false
assert_jq "starttls-sound: downgrade_risk" "$F" "$P.downgrade_risk" false
# the injection session listens two round trips inside TLS (100 ms at
# least on loopback), not a whole second
assert_ge "starttls-sound: wall time in ms (the injection session listened)" "$MS" 100
assert_lt "starttls-sound: ... but not a second" "$MS" 1000
server_settle
assert_eq "starttls-sound: the server discarded the pipelined NOOP" \
	"$(grep -c 'tls: discarded 6 plaintext bytes: NOOP' "$SRV_LOG")" 1
server_stop

# 23. TLS 1.0 and nothing newer, implicit: the version itself is the
# finding, an error off port 25.  No TLS 1.0/1.1 session follows (the
# main handshake was not TLS 1.2 or 1.3), and no injection session (no
# STARTTLS).
server_start tls10-only tls10-only
probe tls10-only --tls-ports "$PORT" "127.0.0.1:$PORT"
state_is tls10-only implicit-tls/null
assert_jq "tls10-only: tls.version" "$F" "$P.tls.version" TLS1.0
assert_jq "tls10-only: tls-legacy-version, an error (not port 25)" "$F" \
	"[$P.findings[] | select(.id == \"tls-legacy-version\") | .severity] | join(\",\")" error
server_settle
assert_eq "tls10-only: one connection (no follow-up)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 1
server_stop

# 24. Modern servers, implicit TLS, probed by name where the certificate
# (for localhost) verifies, so the findings are exactly what TLS 1.0/1.1
# gives: TLS 1.3 negotiated, then a session that offers only TLS 1.0/1.1.
# One server still accepts it (a warning), one refuses it with an alert
# (nothing to find).
assert_eq "/etc/hosts maps localhost to 127.0.0.1 (needed by the tls-legacy cases)" \
	"$(grep -cE '^[[:space:]]*127\.0\.0\.1[[:space:]](.*[[:space:]])?localhost([[:space:]]|$)' /etc/hosts)" 1
# the target in TGT, for the server just started
modern_target() { TGT=(-4 "localhost:$PORT"); }

server_start tls-legacy-accepted tls-legacy-accepted
modern_target
probe tls-legacy-accepted --tls-ports "$PORT" "${TGT[@]}"
state_is tls-legacy-accepted implicit-tls/null
assert_jq "tls-legacy-accepted: tls.version (of the main session)" "$F" "$P.tls.version" TLS1.3
assert_jq "tls-legacy-accepted: tls-legacy-version, a warning, naming what was accepted" "$F" \
	"[$P.findings[] | select(.id == \"tls-legacy-version\") |
	  \"\(.severity) \(.message | test(\"still accepts TLS1\\\\.[01]\"))\"] | join(\",\")" \
	"warning true"
assert_jq "tls-legacy-accepted: verified, no other finding" "$F" \
	"\"\($P.tls.verified) \([$P.findings[].id])\"" 'true ["tls-legacy-version"]'
server_settle
assert_eq "tls-legacy-accepted: the second connection took TLS 1.0/1.1" \
	"$(grep -cE 'conn 2 .*tls handshake done: TLS1\.[01]$' "$SRV_LOG")" 1
server_stop

server_start tls-modern-only tls-modern-only
modern_target
probe tls-modern-only --tls-ports "$PORT" "${TGT[@]}"
state_is tls-modern-only implicit-tls/null
assert_jq "tls-modern-only: tls.version" "$F" "$P.tls.version" TLS1.3
finding tls-modern-only tls-legacy-version false
assert_jq "tls-modern-only: verified, no findings" "$F" \
	"\"\($P.tls.verified) \([$P.findings[].id])\"" 'true []'
server_settle
assert_eq "tls-modern-only: two connections (the TLS 1.0/1.1 one refused)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 2
assert_eq "tls-modern-only: the server refused TLS 1.0/1.1 with an alert" \
	"$(grep -c 'conn 2 .*tls: sent the fatal alert' "$SRV_LOG")" 1
server_stop

# 24b. This machine's GnuTLS refuses TLS 1.0/1.1 itself (a system priority
# file): the legacy-only follow-up cannot be set up and fails; it must not
# fall back to the defaults and call a TLS 1.3 session "TLS 1.0/1.1
# accepted".
printf '%s\n' "[overrides]" "disabled-version = tls1.0" "disabled-version = tls1.1" >"$H_DIR/no-legacy.cfg"
server_start legacy-refused-here tls-legacy-accepted
modern_target
GNUTLS_SYSTEM_PRIORITY_FILE=$H_DIR/no-legacy.cfg probe legacy-refused-here --tls-ports "$PORT" "${TGT[@]}"
state_is legacy-refused-here implicit-tls/null
assert_jq "legacy-refused-here: tls.version (of the main session)" "$F" "$P.tls.version" TLS1.3
finding legacy-refused-here tls-legacy-version false
server_settle
assert_eq "legacy-refused-here: no TLS 1.0/1.1 session took place" \
	"$(grep -cE 'tls handshake done: TLS1\.[01]$' "$SRV_LOG")" 0
server_stop

# 25. A fatal TLS alert in the middle of the handshake (no cipher suite
# in common): unusable, and the error names the alert the server sent.
server_start tls-alert tls-alert
probe tls-alert --tls-ports "$PORT" "127.0.0.1:$PORT"
# TLS was spoken, but not to the end: no SMTP came of it
state_is tls-alert unusable/protocol-error
finding tls-alert validation-failure true
server_settle
alert=$(sed -n "s/.*tls: sent the fatal alert '\(.*\)'\$/\1/p" "$SRV_LOG" | head -n 1)
assert_eq "tls-alert: the server sent a fatal alert" "${alert:+yes}" yes
assert_eq "tls-alert: tls.error names it ('${alert:-?}')" \
	"$(jq --arg a "${alert:-?}" "$P.tls.error // \"\" | contains(\$a)" "$F")" true
server_stop

# 26. --quick: no follow-up session, even where both would apply.
server_start quick command-injection
probe quick --quick "127.0.0.1:$PORT"
state_is quick starttls/null
finding quick command-injection false
finding quick tls-legacy-version false
server_settle
assert_eq "quick: one connection (no follow-up)" \
	"$(grep -c ': accepted from ' "$SRV_LOG")" 1
server_stop

# 27. A server that answers every step, slowly but within --timeout,
# until --deadline runs out waiting for the 220 to STARTTLS: reported as
# the deadline, naming the step, never as STARTTLS refused or failed.
server_start slow-steps slow-steps
probe slow-steps --timeout 1 --deadline 1 "127.0.0.1:$PORT"
state_is slow-steps starttls/null
finding slow-steps starttls-refused false
finding slow-steps starttls-handshake-failed false
finding slow-steps deadline-reached true
assert_jq "slow-steps: the finding names the deadline and the step" "$F" \
	"$P"' | .findings[] | select(.id == "deadline-reached") | .message | test("--deadline.*starttls step")' true
assert_jq "slow-steps: no downgrade risk claimed" "$F" "$P.downgrade_risk" false
run_smtpprobe slow-steps txt --format text --timeout 1 --deadline 1 "127.0.0.1:$PORT"
assert_eq "slow-steps: the text says it was the deadline" \
	"$(grep -c 'deadline-reached: the session.s --deadline ran out' "$H_DIR/slow-steps.txt")" 1
server_stop

# 28. A mail client's view (DESIGN.md "Recommendation"): TLS works, then
# the EHLO inside TLS gets 554 or the server hangs up.  A session that
# fails after TLS is a failed session: an error, not usable, nothing to
# recommend, exit status 1.
after_tls() {
	assert_eq "$1: exit status 1" "$RC" 1
	assert_jq "$1: handshake done" "$F" "$P.tls.handshake" true
	assert_jq "$1: session-failed-after-tls" "$F" \
		"[$P.findings[] | select(.id == \"session-failed-after-tls\") | \"\(.severity): \(.message)\"] | join(\",\")" "$2"
	# by address the certificate cannot name it: a client stops there first
	assert_jq "$1: not usable, failed at the certificate" "$F" "$P | \"\(.usable) \(.failed_step)\"" "false certificate"
	assert_jq "$1: no recommendation" "$F" .recommendation.port null
	assert_jq "$1: why names the failure" "$F" \
		'.recommendation.why | contains("completes the TLS handshake, then the session fails")' true
}
server_start tls-then-554 tls-then-554
probe tls-then-554 "127.0.0.1:$PORT"
after_tls tls-then-554 "error: the TLS handshake completed, then the session failed: the EHLO sent inside TLS was answered 554; a mail client cannot send here"
server_stop
server_start tls-then-close tls-then-close
probe tls-then-close "127.0.0.1:$PORT"
after_tls tls-then-close "error: the TLS handshake completed, then the session failed: the server closed the connection instead of answering the EHLO sent inside TLS; a mail client cannot send here"
server_stop

# 29. AUTH only before TLS: nothing to log in with inside TLS.
server_start auth-only-before-tls auth-only-before-tls
probe auth-only-before-tls "127.0.0.1:$PORT"
finding auth-only-before-tls plaintext-auth true
assert_jq "auth-only-before-tls: auth-not-offered says why" "$F" \
	"[$P.findings[] | select(.id == \"auth-not-offered\") | \"\(.severity): \(.message)\"] | join(\",\")" \
	"warning: no AUTH inside TLS (offered only before TLS, where a password would travel in cleartext): a mail client cannot log in on this port"
assert_jq "auth-only-before-tls: .auth and .auth_tls" "$F" "$P | \"\(.auth | join(\" \"))/\(.auth_tls | join(\" \"))\"" "PLAIN LOGIN/"
assert_jq "auth-only-before-tls: no recommendation" "$F" .recommendation.port null
server_stop


# 29. TLS enforcement on a submission STARTTLS port (RFC 3207 4): a
# follow-up session sends MAIL FROM:<> before STARTTLS, then RSET, never
# RCPT or DATA.  530 is enforcement; 250 is tls-not-enforced.  Without
# PIPELINING it waits for the reply before RSET (the scripts' "silent"
# step logs FAIL otherwise); with it, both go in one write (the script
# reads both before it answers either, so a client that waited would
# stall).
enforcement() {
	local name=$1 want=$2 finding=$3
	assert_jq "$name: tls_enforcement" "$F" \
		"$P.tls_enforcement | \"\(.enforced) \(.pipelined) \(.reply)\"" "$want"
	finding "$name" tls-not-enforced "$finding"
	server_settle
	assert_eq "$name: MAIL FROM:<> once, RSET once, before any STARTTLS on that connection" \
		"$(grep -E '< (MAIL|RSET)' "$SRV_LOG" | sed 's/.*: < //' | tr '\n' ' ')" "MAIL FROM:<> RSET "
	assert_eq "$name: never RCPT or DATA" "$(grep -cE '< (RCPT|DATA)' "$SRV_LOG")" 0
}
server_start enforce-530 starttls-sound
probe enforce-530 "127.0.0.1:$PORT"
enforcement enforce-530 "true false 530 5.7.0 Must issue a STARTTLS command first" false
server_stop
server_start enforce-250 auth-before-tls
probe enforce-250 "127.0.0.1:$PORT"
enforcement enforce-250 "false false 250 2.1.0 Ok" true
assert_jq "enforce-250: the finding is a warning that says why" "$F" \
	"[$P.findings[] | select(.id == \"tls-not-enforced\") | \"\(.severity): \(.message)\"] | join(\"\")" \
	'warning: MAIL FROM:<> before STARTTLS was accepted (250 2.1.0 Ok): a client set to no encryption or "auto" can be stripped to cleartext; the server should answer 530'
server_stop
server_start enforce-pipelined enforce-pipelined
probe enforce-pipelined "127.0.0.1:$PORT"
enforcement enforce-pipelined "false true 250 2.1.0 Ok" true
# Pipelined: RSET was sent before MAIL's reply came, so the server read
# it first.  The order of the log lines, not their milliseconds, which
# straddle a tick on a busy machine.
C=$(grep -m1 '< MAIL' "$SRV_LOG" | sed 's/.*conn \([0-9]*\) .*/\1/')
assert_eq "enforce-pipelined: RSET arrived before MAIL was answered" \
	"$(grep "hostile conn $C " "$SRV_LOG" | grep -E '< MAIL|< RSET|> 250 2\.1\.0' | sed 's/.*: //' | tr -d '\r' | tr '\n' '|')" \
	'< MAIL FROM:<>|< RSET|> 250 2.1.0 Ok\x0d\x0a|'
assert_lt "enforce-pipelined: no stall (well under --timeout)" "$MS" 1500
server_stop
server_start enforce-quick auth-before-tls
probe enforce-quick --quick "127.0.0.1:$PORT"
assert_jq "enforce-quick: --quick skips it" "$F" "$P.tls_enforcement" null
server_settle
assert_eq "enforce-quick: no MAIL sent" "$(grep -c '< MAIL' "$SRV_LOG")" 0
server_stop


# 30. --user: credentials go only inside TLS verified for the name typed,
# where AUTH is offered inside TLS.  The password never shows in what
# smtpprobe writes (stdout, stderr, JSON), however the run ends.
PW=hostile-secret-42
IPCERT=(--cert "$H_DIR/tls/ip.pem" --key "$H_DIR/tls/server.key")
# creds NAME: the credentials object of the probe, in a few words.
creds() { jq -r "$P.credentials | \"\(.result) \(.reason) \(.mechanism) \(.reply)\"" "$F"; }
no_password() {
	local f
	for f in "$H_DIR/$1".*; do
		case $f in *.server.log | *.port) continue ;; esac
		assert_eq "$1: the password is not in $(basename "$f")" "$(grep -c -F "$PW" "$f")" 0
		assert_eq "$1: nor its base64 in $(basename "$f")" \
			"$(grep -c -F "$(printf '%s' "$PW" | base64)" "$f")" 0
	done
}
no_auth_sent() {
	server_settle
	assert_eq "$1: no AUTH reached the server" "$(grep -c '< AUTH' "$SRV_LOG")" 0
}

# 535: refused, the server's reply quoted (sanitised), exit status 1.
server_start auth-535 auth-535 "${IPCERT[@]}"
SMTPPROBE_PASSWORD=$PW probe auth-535 --user me@example.test "127.0.0.1:$PORT"
assert_eq "auth-535: exit status 1" "$RC" 1
assert_eq "auth-535: credentials" "$(creds)" \
	"rejected null PLAIN 535 5.7.8 Error: authentication failed: bad <secret>"
assert_jq "auth-535: auth-failed, an error, quoting the reply" "$F" \
	"[$P.findings[] | select(.id == \"auth-failed\") | \"\(.severity): \(.message)\"] | join(\"\")" \
	"error: the server refused the credentials (PLAIN): 535 5.7.8 Error: authentication failed: bad <secret>"
assert_jq "auth-535: credentials.accepted false" "$F" '.credentials | "\(.user) \(.accepted)"' "me@example.test false"
assert_jq "auth-535: recommendation.logged_in false" "$F" .recommendation.logged_in false
SMTPPROBE_PASSWORD=$PW run_smtpprobe auth-535 txt --user me@example.test "127.0.0.1:$PORT"
server_settle
assert_eq "auth-535: AUTH PLAIN sent once per run (JSON and text runs: 2), inside TLS" \
	"$(grep -c '< AUTH PLAIN ' "$SRV_LOG")" 2
assert_eq "auth-535: never before STARTTLS on any connection" \
	"$(awk '/: < STARTTLS$/ { tls[$3] = 1 } /: < AUTH/ && !tls[$3] { print }' "$SRV_LOG" | wc -l)" 0
no_password auth-535
server_stop

# AUTH LOGIN, the server's challenges answered: accepted, exit status 0.
server_start auth-login auth-login "${IPCERT[@]}"
SMTPPROBE_PASSWORD=$PW probe auth-login --user me@example.test "127.0.0.1:$PORT"
assert_eq "auth-login: exit status 0 (accepted on the recommended port)" "$RC" 0
assert_eq "auth-login: credentials" "$(creds)" "accepted null LOGIN 235 2.7.0 Authentication successful"
assert_jq "auth-login: recommended, logged in" "$F" \
	'"\(.recommendation.port) \(.recommendation.logged_in) \(.credentials.accepted)"' "$PORT true true"
assert_jq "auth-login: why says logged in" "$F" '.recommendation.why | contains("Logged in there as me@example.test")' true
# --check with the same: "these settings work, logged in"
SMTPPROBE_PASSWORD=$PW probe auth-login-check --user me@example.test --check "127.0.0.1:$PORT" --encryption tls
assert_eq "auth-login-check: exit status 0" "$RC" 0
assert_jq "auth-login-check: works, logged in" "$F" \
	'.check | "\(.works) \(.safe) \(.why | startswith("These settings work from here, logged in as me@example.test"))"' "true true true"
no_password auth-login
no_password auth-login-check
server_stop

# A self-signed certificate: nothing sent, and the finding says why.
server_start auth-selfsigned auth-535 --cert "$H_DIR/tls/ip-selfsigned.pem" --key "$H_DIR/tls/server.key"
SMTPPROBE_PASSWORD=$PW probe auth-selfsigned --user me@example.test "127.0.0.1:$PORT"
assert_eq "auth-selfsigned: exit status 1" "$RC" 1
assert_eq "auth-selfsigned: credentials" "$(creds)" "not-sent unverified null null"
finding auth-selfsigned credentials-not-sent true
no_auth_sent auth-selfsigned
no_password auth-selfsigned
server_stop

# AUTH only before TLS (a verified certificate): nothing sent either.
server_start auth-before-only auth-only-before-tls "${IPCERT[@]}"
SMTPPROBE_PASSWORD=$PW probe auth-before-only --user me@example.test "127.0.0.1:$PORT"
assert_eq "auth-before-only: exit status 1" "$RC" 1
assert_eq "auth-before-only: credentials" "$(creds)" "not-sent auth-before-tls-only null null"
assert_jq "auth-before-only: credentials-not-sent says why" "$F" \
	"[$P.findings[] | select(.id == \"credentials-not-sent\") | .message] | join(\"\")" \
	"the credentials were not sent: AUTH was offered only before TLS, never inside it"
no_auth_sent auth-before-only
no_password auth-before-only
server_stop

# The password from --password-file, and from nowhere: exit status 2.
printf '%s\n' "$PW" >"$H_DIR/pwfile"
server_start auth-pwfile auth-login "${IPCERT[@]}"
probe auth-pwfile --user me@example.test --password-file "$H_DIR/pwfile" "127.0.0.1:$PORT"
assert_eq "auth-pwfile: exit status 0" "$RC" 0
no_password auth-pwfile
server_stop
run_smtpprobe auth-nopw txt --user me@example.test 127.0.0.1:1 </dev/null
assert_eq "auth-nopw: exit status 2" "$RC" 2
assert_eq "auth-nopw: says where a password comes from" \
	"$(grep -c 'set SMTPPROBE_PASSWORD, give --password-file FILE, or run on a terminal' "$H_DIR/auth-nopw.txt.err")" 1

# 32. Server text quoted in Markdown never becomes a link (GFM's
# autolinks: https://, www., e-mail addresses).
server_start links-in-reply links-in-reply
run_smtpprobe links-in-reply md --format markdown "127.0.0.1:$PORT"
cmark-gfm -e autolink -e table "$H_DIR/links-in-reply.md" >"$H_DIR/links-in-reply.html"
assert_eq "links-in-reply: the reply is quoted" \
	"$(grep -c 'see https://evil.test/x or www.evil.test or mail a<code>@</code>evil.test' "$H_DIR/links-in-reply.html")" 1
assert_eq "links-in-reply: no link in the HTML" "$(grep -c '<a ' "$H_DIR/links-in-reply.html")" 0
server_stop

# 33. The descriptor budget: with 100 descriptors and one --dns-server,
# 100 - 32 spare - 8 for curl - 2 for c-ares = 58 sessions at most.
server_start fd-budget accept-close
prlimit --nofile=100 timeout 20 "$SMTPPROBE" --timeout 2 --concurrency 256 --dns-server 127.0.0.1 \
	--format json "127.0.0.1:$PORT" >"$H_DIR/fd-budget.json" 2>"$H_DIR/fd-budget.err"
assert_ran fd-budget "$?" "$H_DIR/fd-budget.err"
assert_eq "fd-budget: curl's and c-ares' sockets counted" \
	"$(grep -o 'running at most [0-9]* sessions' "$H_DIR/fd-budget.err")" "running at most 58 sessions"
F=$H_DIR/fd-budget.json
state_is fd-budget unusable/early-close
server_stop

finish
