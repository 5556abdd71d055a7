#!/bin/bash
# The monitoring formats end to end on the bed: --format nagios (plugin
# output checked against the guidelines' grammar by tests/check-nagios,
# exit status 0/1/2/3) and --format openmetrics (parsed by the Prometheus
# client's OpenMetrics parser, tests/check-openmetrics), each against a
# golden file for three hosts:
#   good  mail.example.test on 587 and 465: verified, a year-long
#         certificate (its days left computed from the certificate)
#   fw    fw.example.test: every port dropped, reset or rejected
#   soon  mail.example.test on 3587 (STARTTLS, enforced) and 3465 (implicit TLS)
#         with a certificate from the test CA that expires in 3 days
#
#   UPDATE_GOLDEN=1  rewrite tests/integration/golden/ from this run
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=lib.sh
. tests/integration/lib.sh

need_smtpprobe
need_tools /usr/bin/python3 openssl
bed_up
OUT=$BED_DIR/out
mkdir -p "$OUT"
GOLDEN=tests/integration/golden

# soon_up: a certificate for mail.example.test from the test CA that
# expires in 3 days and an hour (3 whole days left while the test runs),
# on two more listeners of the bed's Postfix, with AUTH inside TLS as on
# the bed's submission ports.
soon_up() {
	local d=$BED_DIR/tls pf=$BED_DIR/postfix i
	{
		printf '%s\n' 'cn = "mail.example.test"' 'dns_name = "mail.example.test"' \
			tls_www_server signing_key
		echo "expiration_date = \"$(TZ=UTC date -d '+3 days +1 hour' '+%Y-%m-%d %H:%M:%S')\""
	} >"$d/soon.tmpl"
	(cd "$d" && TZ=UTC certtool --generate-certificate --load-privkey server.key \
		--load-ca-certificate ca.pem --load-ca-privkey ca.key --template soon.tmpl \
		--outfile soon.pem) >>"$d/certtool.log" 2>&1 || {
		cat "$d/certtool.log" >&2
		die "soon certificate failed"
	}
	if ! {
		sed -i '/^pickup /i 3587 inet n - n - - smtpd\n3465 inet n - n - - smtpd' "$pf/master.cf" &&
			postconf -c "$pf" -P "3587/inet/syslog_name=postfix/soon" \
				"3587/inet/smtpd_tls_chain_files=$d/server.key,$d/soon.pem" \
				"3587/inet/smtpd_sasl_auth_enable=yes" \
				"3587/inet/smtpd_tls_security_level=encrypt" \
				"3465/inet/syslog_name=postfix/soonwrap" "3465/inet/smtpd_tls_wrappermode=yes" \
				"3465/inet/smtpd_tls_chain_files=$d/server.key,$d/soon.pem" \
				"3465/inet/smtpd_sasl_auth_enable=yes" &&
			touch -d '-1 min' "$pf/master.cf" &&
			ns_exec "$MAIL_NS" postfix -c "$pf" reload >/dev/null 2>&1
	}; then
		show_maillog
		die "postfix 3587/3465 listeners failed"
	fi
	for ((i = 0; i < 50; i++)); do
		[ "$(listeners "$MAIL_NS" 3587 3465)" -ge 4 ] && return 0
		sleep 0.1
	done
	show_maillog
	die "postfix not listening on 3587 and 3465 after 5 s"
}

# run NAME ARGS...: smtpprobe in the client namespace; T is its standard
# output, RC its exit status.
run() {
	local name=$1
	shift
	in_client timeout 30 "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" \
		--ca-file "$CA_FILE" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	RC=$?
	T=$OUT/$name.out
	assert_eq "$name: no sanitizer report" "$(grep -cE 'Sanitizer|runtime error' "$OUT/$name.err")" 0
}

# What changes from run to run made constant: seconds, dates, Unix times,
# and the good host's days left (DAYS: exactly the count good_days computes
# from the certificate; any other count stays and differs).
normalise() {
	sed -E -e "s/=[0-9]+\.[0-9]{3}s;;;0/=Ns;;;0/g" \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC/YYYY-MM-DD HH:MM UTC/g' \
		-e 's/^(smtpprobe_[a-z_]*(seconds)\{.*\}) [0-9.]+$/\1 N/' \
		-e "s/\b${DAYS:-none} days left/DAYS days left/g" -e "s/cert_days'=${DAYS:-none};/cert_days'=DAYS;/g" "$1"
}

# good_days ARGS...: run nagios with ARGS and set DAYS to the good host's
# whole days left, from its certificate's notAfter and the clock before
# and after the run (smtpprobe counts from the moment its run started;
# the two agree unless the run straddles a whole day of the certificate,
# which is itself a failure: the count would be a guess).  The bed comes
# up in under a second, and its certificate's notAfter is exactly 365
# days after its notBefore: a run in the certificate's first second
# counts 365 days, one a second later 364 (the sessions of one run once
# said both).  So the run starts once the certificate is a second old.
good_days() {
	local end nb t0 t1 i
	end=$(date -u -d "$(openssl x509 -in "$BED_DIR/tls/server.pem" -noout -enddate | cut -d= -f2)" +%s)
	nb=$(date -u -d "$(openssl x509 -in "$BED_DIR/tls/server.pem" -noout -startdate | cut -d= -f2)" +%s)
	for ((i = 0; i < 20 && $(date +%s) <= nb; i++)); do
		sleep 0.1
	done
	t0=$(date +%s)
	nagios "$@"
	t1=$(date +%s)
	DAYS=$(((end - t0) / 86400))
	assert_eq "$1: the run did not straddle a whole day of the certificate" "$(((end - t1) / 86400))" "$DAYS"
}

# golden NAME FILE: the normalised output of run NAME is golden/FILE.
golden() {
	local d
	normalise "$T" >"$OUT/$1.norm"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN" && cp "$OUT/$1.norm" "$GOLDEN/$2"
	fi
	d=$(diff -u "$GOLDEN/$2" "$OUT/$1.norm" 2>&1)
	[ -z "$d" ] || printf '%s\n' "$d" | sed 's/^/# /'
	assert_eq "$1: matches $GOLDEN/$2 (normalised)" "$([ -z "$d" ] && echo same || echo different)" same
}

# nagios NAME STATUS CODE ARGS...: --format nagios, well formed, with
# the status word and exit status of the monitoring plugins.
nagios() {
	local name=$1 word=$2 code=$3 g
	shift 3
	run "$name" --format nagios "$@"
	assert_eq "$name: exit status $code ($word)" "$RC" "$code"
	assert_eq "$name: status line says $word" "$(head -n 1 "$T" | cut -d ' ' -f 1-3)" "SMTPPROBE $word -"
	g=$(tests/check-nagios "$T" 2>&1) && g=valid
	assert_eq "$name: the plugin guidelines' grammar" "$g" valid
}

# openmetrics NAME ARGS...: --format openmetrics, parsed; P is the
# parser's list of samples.
openmetrics() {
	local name=$1 g
	shift
	run "$name" --format openmetrics "$@"
	P=$OUT/$name.samples
	g=$(tests/check-openmetrics "$T" 2>&1 >"$P") && g=valid
	assert_eq "$name: the OpenMetrics parser takes it" "$g" valid
	assert_eq "$name: ends with # EOF, once" "$(grep -c '^# EOF$' "$T") $(tail -n 1 "$T")" "1 # EOF"
}
# sample NAME LABELS: the value the parser read for one series (labels
# sorted, as check-openmetrics prints them).
sample() {
	grep -F "$1{$2} " "$P" | awk '{ print $2 }'
}

soon_up

# --- good: mail.example.test on 587 and 465 ---
good_days nagios-good OK 0 --ports 587,465 mail.example.test
golden nagios-good monitor-good.nagios
assert_eq "nagios-good: the recommendation in the status line, $DAYS days left" \
	"$(head -n 1 "$T" | grep -Ec "; use mail.example.test:465 SSL; certificates: $DAYS days left at the soonest \|")" 1
assert_eq "nagios-good: every session counts $DAYS days left" \
	"$(grep -Eo '[0-9]+ days left$' "$T" | sort | uniq -c | sed 's/^ *//')" "4 $DAYS days left"
assert_eq "nagios-good: days left with the --cert-days ranges, per session" \
	"$(sed 's/^| //' "$T" | grep -c "^'mail.example.test [^']*:\(587\|465\) cert_days'=$DAYS;21:;7:$")" 4

openmetrics om-good --ports 587,465 mail.example.test
golden om-good monitor-good.om
assert_eq "om-good: exit status 0" "$RC" 0
assert_eq "om-good: 465 on the IPv6 address is implicit-tls" \
	"$(sample smtpprobe_probe_state 'address="fd00:1::2",host="mail.example.test",port="465",state="implicit-tls",target="mail.example.test"')" 1
assert_eq "om-good: ... and no other state" \
	"$(sample smtpprobe_probe_state 'address="fd00:1::2",host="mail.example.test",port="465",state="starttls",target="mail.example.test"')" 0
# the expiry as a Unix time: the JSON's not_after, to the second
jn=$(in_client "$SMTPPROBE" --timeout 2 --dns-server "$DNS_SERVER" --ca-file "$CA_FILE" \
	--format json mail.example.test:465 | jq -r '.probes[0].tls.not_after | fromdateiso8601')
assert_eq "om-good: certificate expiry is not_after as a Unix time" \
	"$(sample smtpprobe_probe_certificate_expiry_timestamp_seconds 'address="198.18.1.2",host="mail.example.test",port="465",target="mail.example.test"')" "$jn"
assert_eq "om-good: target ok" "$(sample smtpprobe_target_ok 'target="mail.example.test"')" 1

# --- fw: every port blocked ---
nagios nagios-fw CRITICAL 2 fw.example.test
golden nagios-fw monitor-fw.nagios
assert_eq "nagios-fw: no safe way, in the status line" \
	"$(head -n 1 "$T" | grep -c '8 connections: 8 blocked; no safe way to send mail |')" 1
assert_eq "nagios-fw: connect not measured is U" "$(sed 's/^| //' "$T" | grep -c "^'fw.example.test [^']* connect'=U$")" 8

openmetrics om-fw fw.example.test
golden om-fw monitor-fw.om
assert_eq "om-fw: exit status 1" "$RC" 1
assert_eq "om-fw: 465 on IPv4 blocked" \
	"$(sample smtpprobe_probe_state 'address="198.18.2.2",host="fw.example.test",port="465",state="blocked",target="fw.example.test"')" 1
assert_eq "om-fw: no certificate series" "$(grep -c certificate_expiry "$P")" 0
assert_eq "om-fw: target not ok" "$(sample smtpprobe_target_ok 'target="fw.example.test"')" 0

# --- soon: the certificate expires in 3 days ---
SOON=(--ports "3587,3465" --tls-ports 3465 mail.example.test)
nagios nagios-soon CRITICAL 2 "${SOON[@]}"
golden nagios-soon monitor-soon.nagios
assert_eq "nagios-soon: the first error is certificate-expires-soon" \
	"$(head -n 1 "$T" | grep -c ': 4 errors, 0 warnings, first certificate-expires-soon on mail.example.test:3587 (198.18.1.2);')" 1
assert_eq "nagios-soon: one long output line per session's finding" \
	"$(grep -c '^\[error\] certificate-expires-soon mail.example.test:34\?[0-9]* (.*): the certificate expires on .*, in 3 days (--cert-days 21,7)$' "$T")" 4
assert_eq "nagios-soon: days left below the critical range" \
	"$(sed 's/^| //' "$T" | grep -c "^'mail.example.test [^']* cert_days'=3;21:;7:$")" 4
nagios nagios-soon-warn WARNING 1 --cert-days 5,2 "${SOON[@]}"
assert_eq "nagios-soon-warn: a warning within 5 days" \
	"$(grep -c '^\[warning\] certificate-expires-soon .* in 3 days (--cert-days 5,2)$' "$T")" 4
nagios nagios-soon-ok OK 0 --cert-days 3 "${SOON[@]}"
assert_eq "nagios-soon-ok: 3 days and an hour are not within 3 days" "$(grep -c 'expires-soon' "$T")" 0

openmetrics om-soon "${SOON[@]}"
golden om-soon monitor-soon.om
assert_eq "om-soon: exit status 1" "$RC" 1
assert_eq "om-soon: four certificate-expires-soon errors" \
	"$(sample smtpprobe_findings 'id="certificate-expires-soon",severity="error",target="mail.example.test"')" 4
exp=$(sample smtpprobe_probe_certificate_expiry_timestamp_seconds 'address="198.18.1.2",host="mail.example.test",port="3465",target="mail.example.test"')
left=$((${exp%.*} - $(date +%s)))
assert_eq "om-soon: the expiry is 3 days and under an hour ahead" \
	"$([ "$left" -gt $((3 * 86400)) ] && [ "$left" -le $((3 * 86400 + 3600)) ] && echo yes || echo "$left s")" yes

# --- UNKNOWN: bad usage in nagios mode ---
nagios nagios-usage UNKNOWN 3 --cert-days 7,21 mail.example.test
assert_eq "nagios-usage: says what is wrong" "$(grep -c "bad --cert-days '7,21'" "$T")" 1
nagios nagios-two UNKNOWN 3 mail.example.test fw.example.test
nagios nagios-bar UNKNOWN 3 --ports 'a|b' mail.example.test
assert_eq "nagios-bar: the '|' of the argument kept out of the status line" \
	"$(grep -c "^SMTPPROBE UNKNOWN - bad --ports: 'a/b' is not a port" "$T")" 1
run json-usage --format json --cert-days 7,21 mail.example.test
assert_eq "json: bad usage stays exit status 2" "$RC" 2

# --- --output FILE: the same formats, into the file ---
run om-output --format openmetrics --output "$OUT/om-output.prom" --ports 465 mail.example.test
assert_eq "om-output: nothing on standard output" "$(wc -c <"$T")" 0
g=$(tests/check-openmetrics "$OUT/om-output.prom" 2>&1 >/dev/null) && g=valid
assert_eq "om-output: the file parses" "$g" valid
assert_eq "om-output: the file has the target" "$(grep -c '^smtpprobe_target_ok{target="mail.example.test"} 1$' "$OUT/om-output.prom")" 1
run nagios-output --format nagios --output "$OUT/nagios-output.txt" --ports 465 mail.example.test
assert_eq "nagios-output: exit status 0 (OK)" "$RC" 0
assert_eq "nagios-output: the status line in the file" "$(head -n 1 "$OUT/nagios-output.txt" | cut -d ' ' -f 1-3)" "SMTPPROBE OK -"
g=$(tests/check-nagios "$OUT/nagios-output.txt" 2>&1) && g=valid
assert_eq "nagios-output: the file has the guidelines' grammar" "$g" valid

# --- bulk: one exposition for every target ---
printf '%s\n' mail.example.test:465 mail.example.test:3465 fw.example.test:587 \
	mail.example.test:465 >"$OUT/targets"
openmetrics om-bulk --input "$OUT/targets"
assert_eq "om-bulk: exit status 1 (3465 and 587 have problems)" "$RC" 1
assert_eq "om-bulk: every target once (a repeated line adds nothing)" \
	"$(grep '^smtpprobe_target_ok{' "$P" | sort | tr '\n' ' ')" \
	'smtpprobe_target_ok{target="fw.example.test:587"} 0 gauge  smtpprobe_target_ok{target="mail.example.test:3465"} 0 gauge  smtpprobe_target_ok{target="mail.example.test:465"} 1 gauge  '
assert_eq "om-bulk: one # TYPE line per family" \
	"$(grep '^# TYPE ' "$T" | sort | uniq -d)" ""

finish
