/* reports/conclusion.c: what reports/ concludes about a probe beyond its
 * own session (the follow-ups' answers, the MTA-STS protection) goes
 * into the report's conclusions, judged through report_judge, and no
 * probe is written on the way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static struct report R;

static void setup(void)
{
	memset(&R, 0, sizeof(R));
	R.target = strdup("example.test");
	R.host = strdup("example.test");
	R.ports = calloc(2, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	R.ports[0] = 25;
	R.ports[1] = 587;
	R.nports = 2;
}

static void teardown(void)
{
	report_free(&R);
}

/* A main probe that spoke STARTTLS and negotiated TLS 1.3, verified. */
static struct probe *add(int port)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **v = realloc(R.probes, (R.nprobes + 1) * sizeof(*v));

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(v);
	R.probes = v;
	R.probes[R.nprobes++] = p;
	probe_init(p);
	p->addr.ss_family = AF_INET;
	snprintf(p->address, sizeof(p->address), "198.18.0.25");
	p->port = port;
	p->host = strdup("mx.example.test");
	p->role = strdup(port == 25 ? "mx" : "given");
	p->expect = p->spoke = MODE_PLAIN;
	p->connected = true;
	p->greeting_code = 220;
	p->ehlo_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo, "STARTTLS"), 0);
	p->starttls_code = 220;
	p->tls.done = p->tls.verified = p->tls.trusted = p->tls.name_ok = true;
	snprintf(p->tls.version, sizeof(p->tls.version), "TLS1.3");
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	return p;
}

/* A follow-up session of kind on parent's port, as followups.c keeps
 * it in the report. */
static struct probe *follow(struct probe *parent, enum probe_kind kind)
{
	struct followup *f = calloc(1, sizeof(*f));
	struct followup **v =
		realloc(R.followups, (R.nfollowups + 1) * sizeof(*v));

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(v);
	R.followups = v;
	R.followups[R.nfollowups++] = f;
	f->parent = parent;
	probe_init(&f->p);
	f->p.kind = kind;
	f->p.port = parent->port;
	return &f->p;
}

static bool has(const struct probe *p, bool in_context, const char *id,
		const char *words)
{
	struct verdict v;
	size_t i;

	if (in_context)
		report_judge(&R, p, &v);
	else
		verdict_judge(p, &v);
	for (i = 0; i < v.nfindings; i++)
		if (strcmp(v.findings[i].id, id) == 0)
			return words == NULL ||
			       strstr(v.findings[i].message, words) != NULL;
	return false;
}

/* RFC 8996: only a negotiated TLS 1.0 or 1.1 counts as accepting it. */
START_TEST(test_legacy_negotiated_only)
{
	struct probe *p = add(587), *q = add(25), *f;

	f = follow(p, KIND_LEGACY);
	f->tls.done = true;
	snprintf(f->tls.version, sizeof(f->tls.version), "TLS1.0");
	report_policies(&R);
	ck_assert(has(p, true, "tls-legacy-version", "still accepts TLS1.0"));
	/* the session alone says nothing of it, nor does another port */
	ck_assert(!has(p, false, "tls-legacy-version", NULL));
	ck_assert(!has(q, true, "tls-legacy-version", NULL));

	/* a server that answered the legacy-only offer with TLS 1.2 */
	snprintf(f->tls.version, sizeof(f->tls.version), "TLS1.2");
	report_policies(&R);
	ck_assert(!has(p, true, "tls-legacy-version", NULL));
	/* no handshake: no answer */
	snprintf(f->tls.version, sizeof(f->tls.version), "TLS1.1");
	f->tls.done = false;
	report_policies(&R);
	ck_assert(!has(p, true, "tls-legacy-version", NULL));
	f->tls.done = true;
	report_policies(&R);
	ck_assert(has(p, true, "tls-legacy-version", "still accepts TLS1.1"));
}
END_TEST

/* CVE-2011-0411: only a completed handshake answers the question. */
START_TEST(test_injection_after_handshake_only)
{
	struct probe *p = add(587), *f;

	f = follow(p, KIND_INJECT);
	f->injected_code = 250;
	report_policies(&R);
	ck_assert(!has(p, true, "command-injection", NULL));
	f->tls.done = true;
	report_policies(&R);
	ck_assert(has(p, true, "command-injection", "CVE-2011-0411"));
	ck_assert(!has(p, false, "command-injection", NULL));
	f->injected_code = 0;
	report_policies(&R);
	ck_assert(!has(p, true, "command-injection", NULL));
}
END_TEST

/* MTA-STS enforce covering every passing MX: port 25 is protected, in
 * the report's conclusions, not on the probe. */
START_TEST(test_protection_is_a_conclusion)
{
	struct probe *p = add(25);

	R.dns.domain = true;
	R.dns.mx = calloc(1, sizeof(*R.dns.mx));
	ck_assert_ptr_nonnull(R.dns.mx);
	R.dns.mx[0].host = strdup("mx.example.test");
	R.dns.nmx = 1;
	R.dns.mta_sts = strdup("v=STSv1; id=1");
	R.dns.tls_rpt = strdup("v=TLSRPTv1; rua=mailto:tls@example.test");
	R.dns.sts_tried = R.dns.sts_valid = true;
	R.dns.sts.mode = MTASTS_ENFORCE;
	ck_assert_int_eq(strlist_add(&R.dns.sts.mx, "mx.example.test"), 0);
	ck_assert(has(p, true, "downgrade-risk", NULL));
	report_policies(&R);
	ck_assert(has(p, true, "downgrade-protected", "MTA-STS (enforce)"));
	ck_assert(!has(p, true, "downgrade-risk", NULL));
	ck_assert(has(p, false, "downgrade-risk", NULL));
	ck_assert_str_eq(report_ctx(&R, p)->protection, "MTA-STS (enforce)");
}
END_TEST

/* Judging, concluding and writing leave every probe as the sessions
 * left it, byte for byte. */
START_TEST(test_probes_untouched)
{
	struct probe *p = add(587), *q = add(25), *f;
	struct probe before[2];
	FILE *out = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(out);
	f = follow(p, KIND_LEGACY);
	f->tls.done = true;
	snprintf(f->tls.version, sizeof(f->tls.version), "TLS1.1");
	f = follow(p, KIND_INJECT);
	f->tls.done = true;
	f->injected_code = 250;
	memcpy(&before[0], p, sizeof(*p));
	memcpy(&before[1], q, sizeof(*q));
	report_record_findings(&R);
	report_policies(&R);
	report_target_findings(&R);
	ck_assert_int_eq(report_json(out, &R), 0);
	ck_assert_int_eq(report_text(out, &R, false), 0);
	ck_assert_int_eq(report_markdown(out, &R), 0);
	fclose(out);
	ck_assert(has(p, true, "command-injection", NULL));
	ck_assert_mem_eq(&before[0], p, sizeof(*p));
	ck_assert_mem_eq(&before[1], q, sizeof(*q));
}
END_TEST

Suite *conclusion_suite(void)
{
	Suite *s = suite_create("conclusion");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_legacy_negotiated_only);
	tcase_add_test(tc, test_injection_after_handshake_only);
	tcase_add_test(tc, test_protection_is_a_conclusion);
	tcase_add_test(tc, test_probes_untouched);
	suite_add_tcase(s, tc);
	return s;
}
