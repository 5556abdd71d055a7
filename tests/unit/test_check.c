/* reports/check: --check's judgement of the user's host, port and
 * encryption against what the probes of a report saw, on reports built
 * by hand (no network, no root). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/check.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static struct report R;
static struct check_request Q;
static struct check_result C;

static void setup(void)
{
	memset(&R, 0, sizeof(R));
	R.target = strdup("mail.example.test:587");
	R.host = strdup("mail.example.test");
	R.ports = calloc(1, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	R.ports[0] = 587;
	R.nports = 1;
	memset(&Q, 0, sizeof(Q));
	Q.port = 587;
	Q.enc = ENC_STARTTLS;
	R.check = &Q;
}

static void teardown(void)
{
	report_free(&R);
}

static struct probe *add(const char *address, int port, enum probe_mode m)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **v = realloc(R.probes, (R.nprobes + 1) * sizeof(*v));

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(v);
	R.probes = v;
	R.probes[R.nprobes++] = p;
	probe_init(p);
	p->addr.ss_family = strchr(address, ':') ? AF_INET6 : AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	p->port = port;
	p->expect = p->spoke = m;
	p->host = strdup("mail.example.test");
	p->role = strdup("given");
	return p;
}

static void greeted(struct probe *p, bool starttls)
{
	p->connected = true;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP");
	p->ehlo_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo, "PIPELINING"), 0);
	if (starttls)
		ck_assert_int_eq(strlist_add(&p->ehlo, "STARTTLS"), 0);
}

static void tls(struct probe *p, const char *version, bool verified)
{
	p->tls.done = true;
	snprintf(p->tls.version, sizeof(p->tls.version), "%s", version);
	p->tls.verified = verified;
	p->tls.trusted = true;
	p->tls.name_ok = verified;
	ck_assert_int_eq(
		strlist_add(&p->tls.names, verified ? "mail.example.test"
						    : "other.example.test"),
		0);
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
	if (p->spoke == MODE_PLAIN)
		p->starttls_code = 220;
}

static void judge(void)
{
	check_judge(&R, &Q, &C);
}

#define SAYS(s)                                                                \
	ck_assert_msg(strstr(C.why, s) != NULL, "why '%s' lacks '%s'", C.why, s)

START_TEST(test_works)
{
	tls(add("198.18.1.2", 587, MODE_PLAIN), "TLS1.3", true);
	greeted(R.probes[0], true);
	judge();
	ck_assert(C.works && C.safe);
	SAYS("work from here");
	SAYS("TLS1.3");
}
END_TEST

START_TEST(test_blocked)
{
	struct probe *p = add("198.18.1.2", 587, MODE_PLAIN);

	p->end = END_TIMEOUT;
	p->end_phase = PH_CONNECT;
	judge();
	ck_assert(!C.works && !C.safe);
	SAYS("Connection timed out");
	p->end = END_REFUSED;
	judge();
	SAYS("Connection refused");
}
END_TEST

START_TEST(test_ssl_on_plaintext_port)
{
	struct probe *p = add("198.18.1.2", 587, MODE_PLAIN);

	greeted(p, true);
	tls(p, "TLS1.3", true);
	Q.enc = ENC_IMPLICIT;
	judge();
	ck_assert(!C.works);
	SAYS("wrong version number");
	SAYS("Choose TLS on port 587");
}
END_TEST

START_TEST(test_tls_on_implicit_port)
{
	struct probe *p = add("198.18.1.2", 465, MODE_TLS);

	Q.port = 465;
	tls(p, "TLS1.3", true);
	greeted(p, false);
	judge();
	ck_assert(!C.works);
	SAYS("never comes");
	SAYS("Choose SSL on port 465");
	Q.enc = ENC_IMPLICIT;
	judge();
	ck_assert(C.works && C.safe);
}
END_TEST

START_TEST(test_no_starttls)
{
	greeted(add("198.18.1.2", 587, MODE_PLAIN), false);
	judge();
	ck_assert(!C.works);
	SAYS("does not offer STARTTLS");
	Q.enc = ENC_NONE;
	judge();
	ck_assert(C.works && !C.safe);
	SAYS("cleartext");
}
END_TEST

START_TEST(test_certificate_mismatch)
{
	struct probe *p = add("198.18.1.2", 587, MODE_PLAIN);

	greeted(p, true);
	tls(p, "TLS1.3", false);
	judge();
	ck_assert(!C.safe);
	SAYS("other.example.test");
	/* the name came from the server (an interceptor's, maybe): never
	 * advice to type it, only to ask the provider */
	ck_assert_msg(strstr(C.why, "as the server name") == NULL &&
			      strstr(C.why, "Enter") == NULL,
		      "why '%s' advises the certificate's name", C.why);
	SAYS("Ask your provider");
}
END_TEST

/* A client may land on any address: the worst one decides. */
START_TEST(test_worst_address_decides)
{
	struct probe *a = add("198.18.1.2", 587, MODE_PLAIN);
	struct probe *b = add("fd00:1::2", 587, MODE_PLAIN);

	greeted(a, true);
	tls(a, "TLS1.3", true);
	b->end = END_TIMEOUT;
	b->end_phase = PH_CONNECT;
	judge();
	ck_assert(!C.works);
	SAYS("times out");
	/* probes of other ports do not count */
	b->port = 2525;
	judge();
	ck_assert(C.works && C.safe);
}
END_TEST

START_TEST(test_nothing_probed)
{
	judge();
	ck_assert(!C.works && !C.safe);
	SAYS("did not resolve");
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("judge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_works);
	tcase_add_test(tc, test_blocked);
	tcase_add_test(tc, test_ssl_on_plaintext_port);
	tcase_add_test(tc, test_tls_on_implicit_port);
	tcase_add_test(tc, test_no_starttls);
	tcase_add_test(tc, test_certificate_mismatch);
	tcase_add_test(tc, test_worst_address_decides);
	tcase_add_test(tc, test_nothing_probed);
	suite_add_tcase(s, tc);
	return s;
}
