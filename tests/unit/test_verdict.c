/* reports/verdict: what a probe's observations mean.  Each test sets the
 * fields probe/session.c would set for the case, then judges. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "reports/verdict.h"
#include "tests/unit/suites.h"

static struct probe P;
static struct verdict V;

/* A fresh probe of port, as the pipeline sets it up: by name. */
static void start(int port)
{
	probe_free(&P);
	memset(&P, 0, sizeof(P));
	P.host = strdup("mail.example.test");
	P.role = strdup("given");
	snprintf(P.address, sizeof(P.address), "198.18.0.2");
	P.port = port;
	P.expect = port == 465 ? MODE_TLS : MODE_PLAIN;
	probe_init(&P);
	P.spoke = P.expect;
}

static void setup(void)
{
	memset(&P, 0, sizeof(P));
	start(25);
}

static void teardown(void)
{
	probe_free(&P);
}

/* Connected, greeted with 220, EHLO answered 250 with the keywords given
 * (NULL-terminated), QUIT done. */
static void greeted(const char *kw, ...)
{
	va_list ap;

	P.connected = true;
	P.greeting_code = 220;
	P.banner = strdup("220 mail.example.test ESMTP");
	P.ehlo_code = 250;
	va_start(ap, kw);
	for (; kw != NULL; kw = va_arg(ap, const char *))
		ck_assert_int_eq(strlist_add(&P.ehlo, kw), 0);
	va_end(ap);
	P.quit_code = 221;
	P.end = END_DONE;
	P.end_phase = PH_QUIT;
}

/* A completed TLS 1.3 handshake with a certificate that verifies. */
static void tls_good(void)
{
	P.tls.done = true;
	snprintf(P.tls.version, sizeof(P.tls.version), "TLS1.3");
	snprintf(P.tls.cipher, sizeof(P.tls.cipher), "TLS_AES_256_GCM_SHA384");
	snprintf(P.tls.group, sizeof(P.tls.group), "X25519");
	P.tls.verified = P.tls.trusted = P.tls.name_ok = true;
	ck_assert_int_eq(strlist_add(&P.tls.names, "mail.example.test"), 0);
	P.tls.issuer = strdup("CN=Test CA");
	P.tls.subject = strdup("CN=mail.example.test");
	P.tls.not_before = 1700000000;
	P.tls.not_after = 1900000000;
}

/* The certificate fails as TLS reports it (tls_collect): what is wrong
 * is cleared, verified goes with it. */
static void cert_bad(bool trusted, bool name_ok, bool expired)
{
	P.tls.trusted = trusted;
	P.tls.name_ok = name_ok;
	P.tls.expired = expired;
	P.tls.verified = false;
	P.tls.verify_error = strdup("not verified");
	if (expired)
		P.tls.not_after = 1600000000; /* 2020-09-13 */
}

/* STARTTLS advertised, answered 220, handshake done, EHLO inside. */
static void starttls_ok(void)
{
	greeted("PIPELINING", "STARTTLS", "SIZE 1000", NULL);
	P.starttls_code = 220;
	P.starttls_reply = strdup("220 2.0.0 go ahead");
	tls_good();
	P.ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&P.ehlo_tls, "AUTH PLAIN LOGIN"), 0);
}

/* Implicit TLS: handshake first, then greeting and EHLO inside. */
static void implicit_ok(void)
{
	P.connected = true;
	P.spoke = MODE_TLS;
	tls_good();
	P.greeting_code = 220;
	P.banner = strdup("220 mail.example.test ESMTP");
	P.ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&P.ehlo_tls, "AUTH PLAIN"), 0);
	P.quit_code = 221;
	P.end = END_DONE;
	P.end_phase = PH_QUIT;
}

static const struct finding *find(const char *id)
{
	size_t i;

	for (i = 0; i < V.nfindings; i++)
		if (strcmp(V.findings[i].id, id) == 0)
			return &V.findings[i];
	return NULL;
}

/* A finding that must be there, with its severity. */
static const struct finding *must(const char *id, enum severity sev)
{
	const struct finding *f = find(id);

	ck_assert_msg(f != NULL, "finding '%s' missing (%zu findings)", id,
		      V.nfindings);
	ck_assert_msg(f->severity == sev, "'%s' is %s, not %s", id,
		      severity_name(f->severity), severity_name(sev));
	return f;
}

static void must_not(const char *id)
{
	ck_assert_msg(find(id) == NULL, "unexpected finding '%s': %s", id,
		      find(id)->message);
}

/* Judges P into V and checks what holds for every verdict. */
static void judge(void)
{
	size_t i;

	memset(&V, 0x5a, sizeof(V));
	verdict_judge(&P, &V);
	ck_assert_uint_le(V.nfindings, VERDICT_MAX_FINDINGS);
	ck_assert_msg(!V.downgrade_risk || V.nfindings > 0,
		      "downgrade_risk without a finding to explain it");
	ck_assert(V.reason == NULL || *V.reason != '\0');
	for (i = 0; i < V.nfindings; i++) {
		const char *c;

		ck_assert_ptr_nonnull(V.findings[i].id);
		for (c = V.findings[i].id; *c != '\0'; c++)
			ck_assert_msg(islower((unsigned char)*c) || *c == '-',
				      "id '%s' not lower case",
				      V.findings[i].id);
		ck_assert_uint_gt(strlen(V.findings[i].message), 0);
		ck_assert(V.findings[i].severity == SEV_INFO ||
			  V.findings[i].severity == SEV_WARNING ||
			  V.findings[i].severity == SEV_ERROR);
		ck_assert(verdict_has(&V, V.findings[i].id));
	}
}

static void state_is(enum state st, const char *reason)
{
	ck_assert_msg(V.state == st, "state %s, not %s", state_name(V.state),
		      state_name(st));
	if (reason == NULL)
		ck_assert_msg(V.reason == NULL, "reason '%s', expected none",
			      V.reason);
	else
		ck_assert_msg(V.reason != NULL && strcmp(V.reason, reason) == 0,
			      "reason '%s', not '%s'",
			      V.reason ? V.reason : "(null)", reason);
}

/* ---- blocked ---- */

static const struct {
	enum probe_end end;
	const char *reason;
} blocked[] = {
	{END_TIMEOUT, "timeout"},
	{END_DEADLINE, "timeout"},
	{END_REFUSED, "refused"},
	{END_UNREACHABLE, "unreachable"},
};

START_TEST(test_blocked)
{
	start(587);
	P.connected = false;
	P.end = blocked[_i].end;
	P.end_phase = PH_CONNECT;
	P.sys_errno = 111;
	judge();
	state_is(ST_BLOCKED, blocked[_i].reason);
	ck_assert_uint_eq(V.nfindings, 0);
	ck_assert(!V.downgrade_risk);
	ck_assert(!V.tls_ok);
}
END_TEST

/* ---- STARTTLS ---- */

START_TEST(test_starttls_587_verified)
{
	start(587);
	starttls_ok();
	judge();
	state_is(ST_STARTTLS, NULL);
	ck_assert(V.tls_ok);
	ck_assert(!V.downgrade_risk);
	ck_assert_int_lt(verdict_worst(&V), SEV_ERROR);
	ck_assert_uint_eq(V.nfindings, 0);
}
END_TEST

START_TEST(test_starttls_25_downgrade_risk)
{
	start(25);
	starttls_ok();
	judge();
	state_is(ST_STARTTLS, NULL);
	ck_assert(V.tls_ok);
	ck_assert(V.downgrade_risk);
	must("downgrade-risk", SEV_WARNING);
	ck_assert_int_eq(verdict_worst(&V), SEV_WARNING);
}
END_TEST

START_TEST(test_starttls_tls12_ok)
{
	start(587);
	starttls_ok();
	snprintf(P.tls.version, sizeof(P.tls.version), "TLS1.2");
	judge();
	ck_assert(V.tls_ok);
	must_not("tls-legacy-version");
}
END_TEST

START_TEST(test_starttls_refused)
{
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 454;
	P.starttls_reply = strdup("454 4.7.0 TLS not available");
	judge();
	state_is(ST_STARTTLS, NULL);
	ck_assert(V.downgrade_risk);
	ck_assert(!V.tls_ok);
	ck_assert_ptr_nonnull(
		strstr(must("starttls-refused", SEV_ERROR)->message, "454"));
	start(25);
	greeted("STARTTLS", NULL);
	P.starttls_code = 502;
	judge();
	must("starttls-refused", SEV_WARNING);
	ck_assert(V.downgrade_risk);
}
END_TEST

START_TEST(test_starttls_unanswered)
{
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 0;
	P.end = END_TIMEOUT;
	P.end_phase = PH_STARTTLS;
	judge();
	state_is(ST_STARTTLS, NULL);
	must("starttls-refused", SEV_ERROR);
	ck_assert(V.downgrade_risk);
}
END_TEST

START_TEST(test_starttls_handshake_failed)
{
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 220;
	P.starttls_reply = strdup("220 go ahead");
	P.tls.error = strdup("A TLS fatal alert has been received.: "
			     "Handshake failed");
	P.end = END_TLS_FAILED;
	P.end_phase = PH_HANDSHAKE;
	judge();
	state_is(ST_STARTTLS, NULL);
	ck_assert(V.downgrade_risk);
	ck_assert(!V.tls_ok);
	ck_assert_ptr_nonnull(
		strstr(must("starttls-handshake-failed", SEV_ERROR)->message,
		       "Handshake failed"));
	must_not("starttls-refused");
	must_not("downgrade-risk");
}
END_TEST

/* The --deadline ran out while the server, answering each step in tens
 * of milliseconds, still had --timeout to answer STARTTLS or finish the
 * handshake: reported as the deadline, naming the step, never as the
 * server refusing STARTTLS or failing TLS. */
START_TEST(test_starttls_cut_by_deadline)
{
	const struct finding *f;

	start(587);
	greeted("STARTTLS", NULL);
	P.ms[PH_CONNECT] = 50;
	P.ms[PH_GREETING] = 51;
	P.ms[PH_EHLO] = 52;
	P.starttls_code = 0;
	P.end = END_DEADLINE;
	P.end_phase = PH_STARTTLS;
	P.total_ms = 200;
	judge();
	state_is(ST_STARTTLS, NULL);
	must_not("starttls-refused");
	ck_assert(!V.downgrade_risk);
	f = must("deadline-reached", SEV_WARNING);
	ck_assert_ptr_nonnull(strstr(f->message, "--deadline"));
	ck_assert_ptr_nonnull(strstr(f->message, "starttls step"));
	ck_assert_ptr_nonnull(strstr(f->message, "52 ms"));

	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 220;
	P.starttls_reply = strdup("220 go ahead");
	P.end = END_DEADLINE;
	P.end_phase = PH_HANDSHAKE;
	P.total_ms = 250;
	judge();
	must_not("starttls-handshake-failed");
	ck_assert(!V.downgrade_risk);
	ck_assert_ptr_nonnull(
		strstr(must("deadline-reached", SEV_WARNING)->message,
		       "handshake step"));

	/* implicit TLS cut in its handshake: unusable for the deadline */
	start(465);
	P.connected = true;
	P.end = END_DEADLINE;
	P.end_phase = PH_HANDSHAKE_IMPLICIT;
	judge();
	state_is(ST_UNUSABLE, "deadline");
	must_not("validation-failure");
	must("deadline-reached", SEV_WARNING);

	/* a tarpit is the server's doing: still the server's finding */
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 0;
	P.end = END_DEADLINE;
	P.end_phase = PH_STARTTLS;
	P.tarpit = true;
	judge();
	must("starttls-refused", SEV_ERROR);
	must("tarpit", SEV_ERROR);
	must_not("deadline-reached");
}
END_TEST

START_TEST(test_injection)
{
	start(25);
	greeted("STARTTLS", NULL);
	P.starttls_code = 220;
	P.starttls_reply = strdup("220 go ahead");
	P.injected = 17;
	P.end = END_INJECTION;
	P.end_phase = PH_STARTTLS;
	judge();
	state_is(ST_STARTTLS, NULL);
	ck_assert(V.downgrade_risk);
	/* an attack, not a matter of port role */
	ck_assert_ptr_nonnull(
		strstr(must("response-injection", SEV_ERROR)->message, "17"));
	must_not("starttls-handshake-failed");
}
END_TEST

/* ---- plaintext ---- */

START_TEST(test_plaintext_587)
{
	start(587);
	greeted("PIPELINING", "SIZE 1000", NULL);
	judge();
	state_is(ST_PLAINTEXT, NULL);
	must("starttls-not-supported", SEV_ERROR);
	ck_assert(!V.tls_ok);
	ck_assert_int_eq(verdict_worst(&V), SEV_ERROR);
}
END_TEST

START_TEST(test_plaintext_25)
{
	start(25);
	greeted("PIPELINING", NULL);
	judge();
	state_is(ST_PLAINTEXT, NULL);
	must("starttls-not-supported", SEV_WARNING);
	ck_assert_int_eq(verdict_worst(&V), SEV_WARNING);
}
END_TEST

START_TEST(test_plaintext_2525_is_submission)
{
	start(2525);
	greeted(NULL);
	judge();
	state_is(ST_PLAINTEXT, NULL);
	must("starttls-not-supported", SEV_ERROR);
}
END_TEST

START_TEST(test_plaintext_auth_with_starttls)
{
	start(587);
	starttls_ok();
	ck_assert_int_eq(strlist_add(&P.ehlo, "AUTH PLAIN LOGIN"), 0);
	judge();
	state_is(ST_STARTTLS, NULL);
	must("plaintext-auth", SEV_ERROR);
	ck_assert(V.downgrade_risk);
}
END_TEST

START_TEST(test_plaintext_auth_without_starttls)
{
	start(25);
	greeted("auth=LOGIN", NULL);
	judge();
	state_is(ST_PLAINTEXT, NULL);
	must("plaintext-auth", SEV_WARNING);
	must("starttls-not-supported", SEV_WARNING);
	ck_assert(V.downgrade_risk);
}
END_TEST

START_TEST(test_auth_inside_tls_only)
{
	start(587);
	starttls_ok(); /* AUTH only in ehlo_tls */
	judge();
	must_not("plaintext-auth");
	ck_assert(!V.downgrade_risk);
}
END_TEST

START_TEST(test_helo_fallback)
{
	start(587);
	greeted(NULL);
	P.ehlo_code = 502;
	P.helo_used = true;
	P.helo_code = 250;
	judge();
	state_is(ST_PLAINTEXT, NULL);
	ck_assert_ptr_nonnull(strstr(
		must("starttls-not-supported", SEV_ERROR)->message, "HELO"));
}
END_TEST

START_TEST(test_helo_refused_too)
{
	start(25);
	greeted(NULL);
	P.ehlo_code = 502;
	P.helo_used = true;
	P.helo_code = 501;
	judge();
	state_is(ST_UNUSABLE, "protocol-error");
	must_not("starttls-not-supported");
}
END_TEST

/* ---- unusable ---- */

START_TEST(test_greeting_421)
{
	start(587);
	P.connected = true;
	P.greeting_code = 421;
	P.banner = strdup("421 4.3.2 too busy, try later");
	P.quit_code = 221;
	P.end = END_DONE;
	P.end_phase = PH_QUIT;
	judge();
	state_is(ST_UNUSABLE, "rate-limited");
	must_not("starttls-not-supported");
	ck_assert(!V.downgrade_risk);
}
END_TEST

START_TEST(test_greeting_554)
{
	start(25);
	P.connected = true;
	P.greeting_code = 554;
	P.banner = strdup("554 5.7.1 no service for you");
	P.end = END_DONE;
	P.end_phase = PH_QUIT;
	judge();
	state_is(ST_UNUSABLE, "rejecting");
	must_not("starttls-not-supported");
}
END_TEST

/* DESIGN.md: rate-limited is "421: try later" - also when the 421
 * answers EHLO (big providers throttle there), not only the greeting. */
START_TEST(test_ehlo_421_rate_limited)
{
	start(587);
	greeted(NULL);
	P.ehlo_code = 421; /* then QUIT, which met the close: END_DONE */
	judge();
	state_is(ST_UNUSABLE, "rate-limited");
	must_not("starttls-not-supported");
}
END_TEST

/* session.c treats 554 to EHLO as a refusal (no HELO fallback);
 * DESIGN.md calls a 554 "rejecting". */
START_TEST(test_ehlo_554_rejecting)
{
	start(25);
	greeted(NULL);
	P.ehlo_code = 554;
	judge();
	state_is(ST_UNUSABLE, "rejecting");
}
END_TEST

START_TEST(test_no_greeting)
{
	start(25);
	P.connected = true;
	P.bytes_in = 3; /* "220": no retry, the greeting never ended */
	P.end = END_TIMEOUT;
	P.end_phase = PH_GREETING;
	judge();
	state_is(ST_UNUSABLE, "no-greeting");
	must_not("starttls-not-supported");
	/* the session's deadline, not the server, cut the wait */
	start(25);
	P.connected = true;
	P.end = END_DEADLINE;
	P.end_phase = PH_GREETING;
	judge();
	state_is(ST_UNUSABLE, "deadline");
	ck_assert_ptr_nonnull(
		strstr(must("deadline-reached", SEV_WARNING)->message,
		       "greeting step"));
}
END_TEST

/* Silent 587: retried as implicit TLS, which timed out as well. */
START_TEST(test_no_greeting_after_retry)
{
	start(587);
	P.connected = true;
	P.retried = true;
	P.spoke = MODE_TLS;
	P.end = END_TIMEOUT;
	P.end_phase = PH_HANDSHAKE_IMPLICIT;
	judge();
	state_is(ST_UNUSABLE, "no-greeting");
	must_not("starttls-not-supported");
}
END_TEST

START_TEST(test_early_close)
{
	start(587);
	P.connected = true;
	P.end = END_CLOSED;
	P.end_phase = PH_GREETING;
	judge();
	state_is(ST_UNUSABLE, "early-close");
	must_not("starttls-not-supported");
}
END_TEST

START_TEST(test_close_after_greeting)
{
	start(587);
	greeted(NULL);
	P.ehlo_code = 0;
	P.end = END_CLOSED;
	P.end_phase = PH_EHLO;
	judge();
	state_is(ST_UNUSABLE, "early-close");
}
END_TEST

static const struct {
	const char *detail;
	const char *what;
} not_smtp[] = {
	{"HTTP/1.1 400 Bad Request", "HTTP"},
	{"SSH-2.0-OpenSSH_9.2p1 Debian-2", "SSH"},
	{"* OK [CAPABILITY IMAP4rev1] ready", "IMAP"},
	{"+OK POP3 ready", "POP3"},
};

/* A plaintext port whose first line is another protocol's. */
START_TEST(test_not_smtp_detail)
{
	start(25);
	P.connected = true;
	P.reply_error = REPLY_MALFORMED;
	P.detail = strdup(not_smtp[_i].detail);
	P.bytes_in = strlen(not_smtp[_i].detail) + 2;
	P.end = END_PROTOCOL;
	P.end_phase = PH_GREETING;
	judge();
	state_is(ST_UNUSABLE, "not-smtp");
	ck_assert_ptr_nonnull(strstr(must("not-smtp", SEV_ERROR)->message,
				     not_smtp[_i].what));
	must_not("starttls-not-supported");
}
END_TEST

/* 465: the TLS handshake met an HTTP answer. */
START_TEST(test_not_smtp_sniff)
{
	start(465);
	P.connected = true;
	P.spoke = MODE_TLS;
	P.tls.error = strdup("An unexpected TLS packet was received.");
	P.sniff = strdup("HTTP/1.1 400 Bad Request\\x0d\\x0a");
	P.end = END_TLS_FAILED;
	P.end_phase = PH_HANDSHAKE_IMPLICIT;
	judge();
	state_is(ST_UNUSABLE, "not-smtp");
	must_not("validation-failure");
}
END_TEST

START_TEST(test_implicit_handshake_garbage)
{
	start(465);
	P.connected = true;
	P.spoke = MODE_TLS;
	P.tls.error = strdup("An unexpected TLS packet was received.");
	P.sniff = strdup("\\x00\\x01garbage");
	P.end = END_TLS_FAILED;
	P.end_phase = PH_HANDSHAKE_IMPLICIT;
	judge();
	state_is(ST_UNUSABLE, "protocol-error");
	ck_assert_ptr_nonnull(
		strstr(must("validation-failure", SEV_ERROR)->message,
		       "unexpected TLS packet"));
}
END_TEST

/* ---- wrong port mode ---- */

START_TEST(test_implicit_tls_on_587)
{
	start(587);
	P.retried = true; /* silent as plaintext, then TLS */
	implicit_ok();
	judge();
	state_is(ST_IMPLICIT_TLS, NULL);
	must("wrong-port-mode", SEV_WARNING);
	ck_assert(V.tls_ok);
	must_not("starttls-not-supported");
}
END_TEST

START_TEST(test_implicit_tls_465)
{
	start(465);
	implicit_ok();
	judge();
	state_is(ST_IMPLICIT_TLS, NULL);
	ck_assert(V.tls_ok);
	ck_assert(!V.downgrade_risk);
	ck_assert_uint_eq(V.nfindings, 0);
}
END_TEST

/* 465 answered the handshake with a plaintext greeting; the retry in
 * plaintext kept the failed handshake's error. */
START_TEST(test_plaintext_on_465)
{
	start(465);
	P.retried = true;
	P.tls.error = strdup("An unexpected TLS packet was received.");
	P.sniff = strdup("220 mail.example.test ESMTP\\x0d\\x0a");
	greeted("PIPELINING", NULL);
	P.spoke = MODE_PLAIN;
	judge();
	state_is(ST_PLAINTEXT, NULL);
	must("wrong-port-mode", SEV_WARNING);
	must("starttls-not-supported", SEV_ERROR);
	must_not("validation-failure");
}
END_TEST

START_TEST(test_starttls_on_465)
{
	start(465);
	P.retried = true;
	starttls_ok();
	P.spoke = MODE_PLAIN;
	judge();
	state_is(ST_STARTTLS, NULL);
	must("wrong-port-mode", SEV_WARNING);
}
END_TEST

/* --tls-ports 587: 465 is probed in plaintext and speaks implicit TLS,
 * as 465 usually does.  The message must not call the user's choice
 * "the usual"; it names where the expectation came from. */
START_TEST(test_wrong_port_mode_words)
{
	const char *m;

	/* 465 speaking implicit TLS as its standard asks: whatever the
	 * user tried (--tls-ports without 465), no fault of the server */
	start(465);
	P.expect = MODE_PLAIN;
	P.retried = true;
	implicit_ok();
	judge();
	must_not("wrong-port-mode");

	/* another port: the words say where the expectation came from */
	start(10465);
	P.declared = P.expect = MODE_TLS; /* --tls-ports lists it */
	P.retried = true;
	starttls_ok();
	judge();
	m = must("wrong-port-mode", SEV_WARNING)->message;
	ck_assert_msg(strstr(m, "not the usual") == NULL, "%s", m);
	ck_assert_msg(strstr(m, "--tls-ports lists it") != NULL, "%s", m);

	/* the usual expectation keeps the usual words */
	start(587);
	P.retried = true;
	implicit_ok();
	judge();
	m = must("wrong-port-mode", SEV_WARNING)->message;
	ck_assert_msg(strstr(m, "not the usual plaintext SMTP") != NULL, "%s",
		      m);

	/* an SRV record set the expectation */
	start(4465);
	free(P.role);
	P.role = strdup("submissions");
	P.declared = P.expect = MODE_TLS;
	P.retried = true;
	starttls_ok();
	P.spoke = MODE_PLAIN;
	judge();
	m = must("wrong-port-mode", SEV_WARNING)->message;
	ck_assert_msg(strstr(m, "_submissions._tcp") != NULL, "%s", m);
}
END_TEST

/* ---- certificates ---- */

static const struct {
	int port;
	enum severity sev;
} roles[] = {{587, SEV_ERROR}, {25, SEV_WARNING}, {465, SEV_ERROR}};

static void tls_for(int port)
{
	start(port);
	if (port == 465)
		implicit_ok();
	else
		starttls_ok();
}

START_TEST(test_cert_untrusted)
{
	tls_for(roles[_i].port);
	cert_bad(false, true, false);
	judge();
	ck_assert(!V.tls_ok);
	ck_assert_ptr_nonnull(
		strstr(must("certificate-not-trusted", roles[_i].sev)->message,
		       "CN=Test CA"));
	must_not("certificate-expired");
	must_not("certificate-host-mismatch");
}
END_TEST

START_TEST(test_cert_expired)
{
	tls_for(roles[_i].port);
	cert_bad(true, true, true);
	judge();
	ck_assert(!V.tls_ok);
	ck_assert_ptr_nonnull(
		strstr(must("certificate-expired", roles[_i].sev)->message,
		       "2020-09-13"));
	must_not("certificate-not-trusted");
	must_not("certificate-host-mismatch");
}
END_TEST

START_TEST(test_cert_name_mismatch)
{
	const struct finding *f;

	tls_for(roles[_i].port);
	cert_bad(true, false, false);
	free(P.tls.names.v[0]);
	P.tls.names.v[0] = strdup("other.example.test");
	judge();
	ck_assert(!V.tls_ok);
	f = must("certificate-host-mismatch", roles[_i].sev);
	ck_assert_ptr_nonnull(strstr(f->message, "other.example.test"));
	ck_assert_ptr_nonnull(strstr(f->message, "mail.example.test"));
	must_not("certificate-not-trusted");
	must_not("certificate-expired");
}
END_TEST

START_TEST(test_cert_all_wrong)
{
	tls_for(587);
	cert_bad(false, false, true);
	judge();
	must("certificate-not-trusted", SEV_ERROR);
	must("certificate-expired", SEV_ERROR);
	must("certificate-host-mismatch", SEV_ERROR);
}
END_TEST

/* Probed by address: no name to check, a warning that says so. */
START_TEST(test_cert_by_address)
{
	const struct finding *f;

	tls_for(587);
	free(P.host);
	P.host = NULL;
	cert_bad(true, false, false);
	judge();
	f = must("certificate-host-mismatch", SEV_WARNING);
	ck_assert_ptr_nonnull(strstr(f->message, "198.18.0.2"));
	ck_assert_ptr_nonnull(strstr(f->message, "mail.example.test"));
}
END_TEST

/* The session asked the certificate about a name; if it is not yet
 * valid, that must be said: nothing else explains verified=false. */
START_TEST(test_cert_not_yet_valid)
{
	bool said = false;
	size_t i;

	tls_for(roles[_i].port);
	cert_bad(true, true, false);
	P.tls.not_yet_valid = true;
	P.tls.not_before = 2000000000;
	judge();
	ck_assert(!V.tls_ok);
	for (i = 0; i < V.nfindings; i++)
		if (strcmp(V.findings[i].id, "downgrade-risk") != 0 &&
		    V.findings[i].severity == roles[_i].sev)
			said = true;
	ck_assert_msg(said,
		      "port %d: a certificate that is not yet valid "
		      "gives no %s finding",
		      roles[_i].port, severity_name(roles[_i].sev));
}
END_TEST

START_TEST(test_tls_legacy)
{
	tls_for(roles[_i].port);
	snprintf(P.tls.version, sizeof(P.tls.version), "TLS1.0");
	judge();
	ck_assert_ptr_nonnull(strstr(
		must("tls-legacy-version", roles[_i].sev)->message, "TLS1.0"));
	ck_assert(!V.tls_ok); /* verified, but too old */
	start(587);
	starttls_ok();
	snprintf(P.tls.version, sizeof(P.tls.version), "TLS1.1");
	judge();
	must("tls-legacy-version", SEV_ERROR);
	ck_assert(!V.tls_ok);
}
END_TEST

/* ---- reply hygiene ---- */

START_TEST(test_reply_hygiene)
{
	start(25);
	starttls_ok();
	P.bare_lf = true;
	P.nonprintable = true;
	judge();
	must("bare-lf", SEV_WARNING);
	must("nonprintable", SEV_WARNING);
	start(25);
	starttls_ok();
	judge();
	must_not("bare-lf");
	must_not("nonprintable");
}
END_TEST

static const struct {
	enum reply_error e;
	const char *id;
} reply_errors[] = {
	{REPLY_MALFORMED, "malformed-reply"},
	{REPLY_MIXED, "malformed-reply"},
	{REPLY_OVERLONG, "overlong-line"},
	{REPLY_FLOOD, "reply-flood"},
};

START_TEST(test_reply_errors)
{
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 0;
	P.reply_error = reply_errors[_i].e;
	P.detail = strdup("250-x");
	P.end = END_PROTOCOL;
	P.end_phase = PH_STARTTLS;
	judge();
	must(reply_errors[_i].id, SEV_ERROR);
}
END_TEST

/* ---- helpers ---- */

START_TEST(test_worst_and_has)
{
	start(25);
	P.connected = false;
	P.end = END_REFUSED;
	judge();
	ck_assert_int_eq(verdict_worst(&V), -1);
	ck_assert(!verdict_has(&V, "downgrade-risk"));
	start(25);
	starttls_ok();
	cert_bad(false, true, false);
	judge();
	ck_assert(verdict_has(&V, "downgrade-risk"));
	ck_assert(verdict_has(&V, "certificate-not-trusted"));
	ck_assert(!verdict_has(&V, "certificate"));
	ck_assert_int_eq(verdict_worst(&V), SEV_WARNING);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(state_name(ST_BLOCKED), "blocked");
	ck_assert_str_eq(state_name(ST_PLAINTEXT), "plaintext");
	ck_assert_str_eq(state_name(ST_STARTTLS), "starttls");
	ck_assert_str_eq(state_name(ST_IMPLICIT_TLS), "implicit-tls");
	ck_assert_str_eq(state_name(ST_UNUSABLE), "unusable");
	ck_assert_str_eq(severity_name(SEV_ERROR), "error");
	ck_assert_str_eq(severity_name(SEV_WARNING), "warning");
	ck_assert_str_eq(severity_name(SEV_INFO), "info");
}
END_TEST

START_TEST(test_probe_init)
{
	struct probe p;
	int i;

	memset(&p, 0, sizeof(p));
	p.port = 587;
	p.expect = MODE_TLS;
	snprintf(p.address, sizeof(p.address), "fd00::25");
	probe_init(&p);
	for (i = 0; i < PH_COUNT; i++)
		ck_assert_int_eq(p.ms[i], -1);
	ck_assert_int_eq(p.total_ms, -1);
	/* the caller's fields are kept */
	ck_assert_int_eq(p.port, 587);
	ck_assert_int_eq(p.expect, MODE_TLS);
	ck_assert_str_eq(p.address, "fd00::25");
	probe_free(&p);
}
END_TEST

/* --cert-days: the days left and the thresholds, at their edges. */
START_TEST(test_cert_days_left)
{
	const time_t now = 1800000000;

	ck_assert_int_eq(cert_days_left(now + 3 * 86400 + 3600, now), 3);
	ck_assert_int_eq(cert_days_left(now + 86400, now), 1);
	ck_assert_int_eq(cert_days_left(now + 86399, now), 0);
	ck_assert_int_eq(cert_days_left(now, now), 0);
	ck_assert_int_eq(cert_days_left(now - 1, now), -1);
	ck_assert_int_eq(cert_days_left(now - 86400, now), -1);
	ck_assert_int_eq(cert_days_left(now - 86401, now), -2);
	/* within WARN days: a warning; within CRIT: an error */
	ck_assert_int_eq(cert_expiry(now + 21 * 86400, now, 21, 7), -1);
	ck_assert_int_eq(cert_expiry(now + 21 * 86400 - 1, now, 21, 7),
			 SEV_WARNING);
	ck_assert_int_eq(cert_expiry(now + 7 * 86400, now, 21, 7), SEV_WARNING);
	ck_assert_int_eq(cert_expiry(now + 7 * 86400 - 1, now, 21, 7),
			 SEV_ERROR);
	ck_assert_int_eq(cert_expiry(now + 3 * 86400, now, 21, 0), SEV_WARNING);
	ck_assert_int_eq(cert_expiry(now + 3 * 86400, now, 0, 0), -1);
}
END_TEST

static const struct {
	int port;
	long days; /* the certificate expires in days + 1 hour */
	int warn, crit;
	int sev; /* -1: no certificate-expires-soon */
} soon[] = {
	{465, 3, 21, 7, SEV_ERROR},
	{465, 10, 21, 7, SEV_WARNING},
	{465, 30, 21, 7, -1},
	{25, 3, 21, 7, SEV_ERROR},
	{587, 3, 0, 0, -1},
	{587, 20, 30, 21, SEV_ERROR},
	{587, 29, 30, 21, SEV_WARNING},
};

START_TEST(test_cert_expires_soon)
{
	const struct finding *f;
	char want[64];

	start(soon[_i].port);
	P.cert_warn_days = soon[_i].warn;
	P.cert_crit_days = soon[_i].crit;
	if (P.expect == MODE_TLS)
		implicit_ok();
	else
		starttls_ok();
	P.tls.seen = 1800000000;
	P.tls.not_after = P.tls.seen + soon[_i].days * 86400 + 3600;
	verdict_judge(&P, &V);
	f = find("certificate-expires-soon");
	if (soon[_i].sev < 0) {
		ck_assert_ptr_null(f);
		return;
	}
	must("certificate-expires-soon", (enum severity)soon[_i].sev);
	snprintf(want, sizeof(want), "in %ld days (--cert-days %d,%d)",
		 soon[_i].days, soon[_i].warn, soon[_i].crit);
	ck_assert_msg(strstr(f->message, want) != NULL, "message: %s",
		      f->message);
	/* a warning about the future changes nothing about today */
	ck_assert(V.tls_ok);
	ck_assert_int_eq(V.state,
			 P.expect == MODE_TLS ? ST_IMPLICIT_TLS : ST_STARTTLS);
}
END_TEST

/* An expired certificate is certificate-expired, not "soon". */
START_TEST(test_cert_expired_not_soon)
{
	start(465);
	P.cert_warn_days = 21;
	P.cert_crit_days = 7;
	implicit_ok();
	cert_bad(true, true, true);
	P.tls.seen = 1800000000;
	verdict_judge(&P, &V);
	must("certificate-expired", SEV_ERROR);
	ck_assert_ptr_null(find("certificate-expires-soon"));
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The server is judged by the port's standard, not by the user's
 * guess: --check :587 --encryption ssl starts with TLS, the server
 * speaks STARTTLS as RFC 6409 asks: no wrong-port-mode. */
START_TEST(test_standard_mode_not_the_guess)
{
	start(587);
	P.expect = MODE_TLS; /* the user's "SSL" */
	starttls_ok();
	P.retried = true;
	judge();
	state_is(ST_STARTTLS, NULL);
	must_not("wrong-port-mode");
	ck_assert(V.usable);
	/* 465 the other way round: the user's "TLS" on an SSL port */
	start(465);
	P.expect = MODE_PLAIN;
	implicit_ok();
	judge();
	must_not("wrong-port-mode");
	/* another port is judged by what the plan declares for it */
	start(10465);
	P.declared = MODE_TLS;
	starttls_ok();
	judge();
	must("wrong-port-mode", SEV_WARNING);
	P.declared = MODE_PLAIN;
	judge();
	must_not("wrong-port-mode");
}
END_TEST

/* A mail client's view: usable end to end, and the step that failed. */
START_TEST(test_usable_steps)
{
	start(587);
	starttls_ok();
	judge();
	ck_assert(V.usable && V.auth_tls && V.submission);
	ck_assert_ptr_null(V.failed_step);
	must_not("session-failed-after-tls");
	must_not("auth-not-offered");
	/* 554 to the EHLO inside TLS */
	P.ehlo_tls_code = 554;
	strlist_free(&P.ehlo_tls);
	P.detail = strdup("554 5.7.1 go away");
	judge();
	ck_assert(!V.usable);
	ck_assert_str_eq(V.failed_step, "ehlo_tls");
	must("session-failed-after-tls", SEV_ERROR);
	ck_assert_ptr_nonnull(strstr(find("session-failed-after-tls")->message,
				     "answered 554"));
	/* closed instead of answering */
	P.ehlo_tls_code = 0;
	P.end = END_CLOSED;
	P.end_phase = PH_EHLO_TLS;
	judge();
	ck_assert_str_eq(V.failed_step, "ehlo_tls");
	ck_assert_ptr_nonnull(strstr(find("session-failed-after-tls")->message,
				     "closed the connection"));
	/* the certificate fails first for a client, the finding stays */
	cert_bad(false, true, false);
	judge();
	ck_assert_str_eq(V.failed_step, "certificate");
	must("session-failed-after-tls", SEV_ERROR);
	/* implicit TLS whose server hangs up before the greeting */
	start(465);
	implicit_ok();
	P.greeting_code = 0;
	P.ehlo_tls_code = 0;
	P.end = END_CLOSED;
	P.end_phase = PH_GREETING;
	judge();
	ck_assert_str_eq(V.failed_step, "greeting");
	must("session-failed-after-tls", SEV_ERROR);
	/* ... but a 421 greeting is rate limiting, named by the state */
	P.greeting_code = 421;
	judge();
	state_is(ST_UNUSABLE, "rate-limited");
	must_not("session-failed-after-tls");
	/* the earlier steps */
	start(587);
	greeted("STARTTLS", NULL);
	P.starttls_code = 454;
	judge();
	ck_assert_str_eq(V.failed_step, "starttls");
	start(587);
	greeted("SIZE 1000", NULL);
	judge();
	ck_assert_str_eq(V.failed_step, "starttls");
	start(587);
	judge();
	ck_assert_str_eq(V.failed_step, "connect");
}
END_TEST

/* AUTH inside TLS, by role: a submission port without it is flagged, an
 * MX on 25 is server-to-server delivery and is not. */
START_TEST(test_auth_not_offered)
{
	start(587);
	starttls_ok();
	strlist_free(&P.ehlo_tls);
	ck_assert_int_eq(strlist_add(&P.ehlo_tls, "SIZE 1000"), 0);
	judge();
	ck_assert(V.usable && !V.auth_tls);
	must("auth-not-offered", SEV_WARNING);
	ck_assert_ptr_null(
		strstr(find("auth-not-offered")->message, "only before TLS"));
	ck_assert_int_eq(strlist_add(&P.ehlo, "AUTH PLAIN"), 0);
	judge();
	ck_assert_ptr_nonnull(
		strstr(find("auth-not-offered")->message, "only before TLS"));
	start(25);
	free(P.role);
	P.role = strdup("mx");
	starttls_ok();
	strlist_free(&P.ehlo_tls);
	judge();
	ck_assert(!V.submission && V.usable && !V.auth_tls);
	must_not("auth-not-offered");
}
END_TEST

/* TLS enforcement (RFC 3207 4): a 2xx to MAIL before STARTTLS is
 * tls-not-enforced; a 530 is enforcement; not asked, nothing. */
START_TEST(test_tls_enforcement)
{
	start(587);
	starttls_ok();
	judge();
	must_not("tls-not-enforced");
	P.enforce_code = 530;
	P.enforce_reply =
		strdup("530 5.7.0 Must issue a STARTTLS command first");
	judge();
	must_not("tls-not-enforced");
	P.enforce_code = 250;
	free(P.enforce_reply);
	P.enforce_reply = strdup("250 2.1.0 Ok");
	/* asked on another address of the host and port: the finding is
	 * that address's */
	snprintf(P.enforce_address, sizeof(P.enforce_address), "198.18.0.3");
	judge();
	must_not("tls-not-enforced");
	memcpy(P.enforce_address, P.address, sizeof(P.address));
	judge();
	ck_assert_ptr_nonnull(
		strstr(must("tls-not-enforced", SEV_WARNING)->message,
		       "(250 2.1.0 Ok)"));
	P.enforce_code = 421; /* neither: no claim either way */
	judge();
	must_not("tls-not-enforced");
}
END_TEST

/* --user: what the session did with the credentials, as findings. */
START_TEST(test_credentials_findings)
{
	start(587);
	starttls_ok();
	P.auth = AUTH_ACCEPTED;
	judge();
	must_not("auth-failed");
	must_not("credentials-not-sent");
	P.auth = AUTH_REJECTED;
	snprintf(P.auth_mech, sizeof(P.auth_mech), "PLAIN");
	P.auth_reply = strdup("535 5.7.8 Error: authentication failed");
	judge();
	ck_assert_str_eq(must("auth-failed", SEV_ERROR)->message,
			 "the server refused the credentials (PLAIN): 535 "
			 "5.7.8 Error: authentication failed");
	P.auth = AUTH_NOT_SENT;
	P.auth_skip = SKIP_UNVERIFIED;
	judge();
	ck_assert_ptr_nonnull(
		strstr(must("credentials-not-sent", SEV_ERROR)->message,
		       "did not verify for the name typed"));
	P.auth_skip = SKIP_BEFORE_TLS;
	judge();
	ck_assert_ptr_nonnull(
		strstr(must("credentials-not-sent", SEV_ERROR)->message,
		       "only before TLS"));
	P.auth = AUTH_NOT_TRIED; /* another address carried it */
	judge();
	must_not("credentials-not-sent");
	must_not("auth-failed");
}
END_TEST

Suite *verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *st = tcase_create("states");
	TCase *un = tcase_create("unusable");
	TCase *cert = tcase_create("certificates");
	TCase *misc = tcase_create("misc");

	tcase_add_checked_fixture(st, setup, teardown);
	tcase_add_loop_test(st, test_blocked, 0, NELEM(blocked));
	tcase_add_test(st, test_starttls_587_verified);
	tcase_add_test(st, test_starttls_25_downgrade_risk);
	tcase_add_test(st, test_starttls_tls12_ok);
	tcase_add_test(st, test_starttls_refused);
	tcase_add_test(st, test_starttls_unanswered);
	tcase_add_test(st, test_starttls_handshake_failed);
	tcase_add_test(st, test_starttls_cut_by_deadline);
	tcase_add_test(st, test_wrong_port_mode_words);
	tcase_add_test(st, test_injection);
	tcase_add_test(st, test_plaintext_587);
	tcase_add_test(st, test_plaintext_25);
	tcase_add_test(st, test_plaintext_2525_is_submission);
	tcase_add_test(st, test_plaintext_auth_with_starttls);
	tcase_add_test(st, test_plaintext_auth_without_starttls);
	tcase_add_test(st, test_auth_inside_tls_only);
	tcase_add_test(st, test_helo_fallback);
	tcase_add_test(st, test_implicit_tls_on_587);
	tcase_add_test(st, test_implicit_tls_465);
	tcase_add_test(st, test_plaintext_on_465);
	tcase_add_test(st, test_starttls_on_465);
	tcase_add_test(st, test_standard_mode_not_the_guess);
	tcase_add_test(st, test_usable_steps);
	tcase_add_test(st, test_auth_not_offered);
	tcase_add_test(st, test_tls_enforcement);
	tcase_add_test(st, test_credentials_findings);
	suite_add_tcase(s, st);

	tcase_add_checked_fixture(un, setup, teardown);
	tcase_add_test(un, test_helo_refused_too);
	tcase_add_test(un, test_greeting_421);
	tcase_add_test(un, test_greeting_554);
	tcase_add_test(un, test_ehlo_421_rate_limited);
	tcase_add_test(un, test_ehlo_554_rejecting);
	tcase_add_test(un, test_no_greeting);
	tcase_add_test(un, test_no_greeting_after_retry);
	tcase_add_test(un, test_early_close);
	tcase_add_test(un, test_close_after_greeting);
	tcase_add_loop_test(un, test_not_smtp_detail, 0, NELEM(not_smtp));
	tcase_add_test(un, test_not_smtp_sniff);
	tcase_add_test(un, test_implicit_handshake_garbage);
	suite_add_tcase(s, un);

	tcase_add_checked_fixture(cert, setup, teardown);
	tcase_add_loop_test(cert, test_cert_untrusted, 0, NELEM(roles));
	tcase_add_loop_test(cert, test_cert_expired, 0, NELEM(roles));
	tcase_add_loop_test(cert, test_cert_name_mismatch, 0, NELEM(roles));
	tcase_add_test(cert, test_cert_all_wrong);
	tcase_add_test(cert, test_cert_by_address);
	tcase_add_loop_test(cert, test_cert_not_yet_valid, 0, NELEM(roles));
	tcase_add_loop_test(cert, test_tls_legacy, 0, NELEM(roles));
	tcase_add_test(cert, test_cert_days_left);
	tcase_add_loop_test(cert, test_cert_expires_soon, 0, NELEM(soon));
	tcase_add_test(cert, test_cert_expired_not_soon);
	suite_add_tcase(s, cert);

	tcase_add_checked_fixture(misc, setup, teardown);
	tcase_add_test(misc, test_reply_hygiene);
	tcase_add_loop_test(misc, test_reply_errors, 0, NELEM(reply_errors));
	tcase_add_test(misc, test_worst_and_has);
	tcase_add_test(misc, test_names);
	tcase_add_test(misc, test_probe_init);
	suite_add_tcase(s, misc);
	return s;
}
