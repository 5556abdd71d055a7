/* What the reports may trust: where a recommended host name came from
 * and whether it is the user's (RFC 6186 6, RFC 7817 4).  Reports built
 * by hand, as in test_report.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dnsname.h"
#include "probe/probe.h"
#include "reports/check.h"
#include "reports/html.h"
#include "reports/nagios.h"
#include "reports/report.h"
#include "reports/verdict.h"
#include "tests/unit/suites.h"

static struct report R;

static void setup(void)
{
	static const int ports[] = {25, 587, 465};

	memset(&R, 0, sizeof(R));
	R.target = strdup("example.test");
	R.host = strdup("example.test");
	R.ports = calloc(3, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	memcpy(R.ports, ports, sizeof(ports));
	R.nports = 3;
	R.dns.domain = true;
}

static void teardown(void)
{
	report_free(&R);
}

/* A probe of host on port, role as the plan gives it, that worked: TLS
 * 1.3 verified for host (and the extra certificate name, if any). */
static struct probe *good(const char *host, const char *address, int port,
			  const char *role, const char *extra_name)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **v = realloc(R.probes, (R.nprobes + 1) * sizeof(*v));

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(v);
	R.probes = v;
	R.probes[R.nprobes++] = p;
	probe_init(p);
	p->addr.ss_family = AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	p->port = port;
	p->host = strdup(host);
	p->role = strdup(role);
	p->connected = true;
	p->greeting_code = 220;
	p->banner = strdup("220 mx ESMTP");
	p->tls.done = true;
	snprintf(p->tls.version, sizeof(p->tls.version), "TLS1.3");
	p->tls.verified = p->tls.trusted = p->tls.name_ok = true;
	ck_assert_int_eq(strlist_add(&p->tls.names, host), 0);
	if (extra_name != NULL)
		ck_assert_int_eq(strlist_add(&p->tls.names, extra_name), 0);
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	if (port == 465) {
		p->expect = p->spoke = MODE_TLS;
	} else {
		p->expect = p->spoke = MODE_PLAIN;
		p->ehlo_code = 250;
		ck_assert_int_eq(strlist_add(&p->ehlo, "STARTTLS"), 0);
		p->starttls_code = 220;
	}
	return p;
}

static void srv(const char *target, int port, bool ad)
{
	R.dns.subs = calloc(1, sizeof(*R.dns.subs));
	ck_assert_ptr_nonnull(R.dns.subs);
	R.dns.subs[0].port = port;
	R.dns.subs[0].target = strdup(target);
	R.dns.nsubs = 1;
	R.dns.subs_ad = ad;
}

/* 1. An SRV target outside the domain, no DNSSEC: recommended, with where
 * the name came from and a warning to confirm it. */
START_TEST(test_srv_target_unproven)
{
	struct recommendation rec;

	srv("smtp.provider.test", 465, false);
	good("smtp.provider.test", "198.18.0.9", 465, "submissions", NULL);
	report_recommend(&R, &rec);
	ck_assert_ptr_eq(rec.probe, R.probes[0]);
	ck_assert_str_eq(rec.id.source, "SRV record _submissions._tcp");
	ck_assert_ptr_null(rec.id.established_by);
	ck_assert_msg(strstr(rec.why, "Warning: the name smtp.provider.test "
				      "came from the _submissions._tcp SRV "
				      "record of example.test") != NULL,
		      "why: %s", rec.why);
	ck_assert_ptr_nonnull(strstr(rec.why, "not DNSSEC-validated"));
	ck_assert_ptr_nonnull(strstr(rec.why, "Confirm this host with your "
					      "provider"));
}
END_TEST

START_TEST(test_srv_target_established)
{
	struct recommendation rec;

	/* a validated SRV answer */
	srv("smtp.provider.test", 465, true);
	good("smtp.provider.test", "198.18.0.9", 465, "submissions", NULL);
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.established_by, "DNSSEC");
	ck_assert_ptr_null(strstr(rec.why, "Warning"));
	ck_assert_ptr_nonnull(
		strstr(rec.why, "DNSSEC-validated by a resolver"));
	/* not validated, but the certificate also names the domain */
	R.dns.subs_ad = false;
	ck_assert_int_eq(strlist_add(&R.probes[0]->tls.names, "*.example.test"),
			 0);
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.established_by, "certificate");
	ck_assert_ptr_null(strstr(rec.why, "Warning"));
	ck_assert_ptr_nonnull(strstr(rec.why, "certificate also names "
					      "example.test"));
}
END_TEST

START_TEST(test_srv_target_in_domain)
{
	struct recommendation rec;

	srv("smtp.example.test", 465, false);
	good("smtp.example.test", "198.18.0.9", 465, "submissions", NULL);
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.established_by, "in the domain");
	ck_assert_ptr_null(strstr(rec.why, "Warning"));
	ck_assert_ptr_nonnull(strstr(rec.why, "lies inside that domain"));
	/* "badexample.test" is not in example.test */
	ck_assert(!dnsname_under("smtp.badexample.test", "example.test"));
	ck_assert(dnsname_under("EXAMPLE.test.", "example.test"));
}
END_TEST

/* The MX host outside the domain, the MX answer not validated; the
 * name the user typed needs no proof. */
START_TEST(test_mx_target_and_typed)
{
	struct recommendation rec;

	R.dns.mx = calloc(1, sizeof(*R.dns.mx));
	ck_assert_ptr_nonnull(R.dns.mx);
	R.dns.mx[0].preference = 10;
	R.dns.mx[0].host = strdup("mx.provider.test");
	R.dns.nmx = 1;
	good("mx.provider.test", "198.18.0.2", 587, "guess", NULL);
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.source, "MX record");
	ck_assert_ptr_null(rec.id.established_by);
	ck_assert_ptr_nonnull(strstr(rec.why, "Confirm this host"));
	R.dns.mx_ad = true;
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.established_by, "DNSSEC");
	/* the name typed: no sentence at all */
	free(R.probes[0]->host);
	R.probes[0]->host = strdup("EXAMPLE.test.");
	report_recommend(&R, &rec);
	ck_assert_str_eq(rec.id.source, "typed");
	ck_assert_str_eq(rec.id.established_by, "typed");
	ck_assert_ptr_null(strstr(rec.why, "came from"));
}
END_TEST

/* The alternative route names a host too: an SRV target outside the
 * domain, not validated, carries the same warning there as it would as
 * the recommendation, in every report that shows the alternative. */
START_TEST(test_alternative_says_its_origin)
{
	struct recommendation rec;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	srv("smtp.example.test", 465, false);
	R.dns.sub = calloc(1, sizeof(*R.dns.sub));
	ck_assert_ptr_nonnull(R.dns.sub);
	R.dns.sub[0].port = 587;
	R.dns.sub[0].target = strdup("smtp.provider.test");
	R.dns.nsub = 1;
	good("smtp.example.test", "198.18.0.9", 465, "submissions", NULL);
	good("smtp.provider.test", "198.18.0.10", 587, "submission", NULL);
	report_recommend(&R, &rec);
	ck_assert_ptr_eq(rec.probe, R.probes[0]);
	ck_assert_ptr_eq(rec.alt, R.probes[1]);
	ck_assert_ptr_null(rec.alt_id.established_by);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_text(f, &R, false), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "Warning: the name smtp.provider.test "
				  "came from the _submission._tcp SRV record "
				  "of example.test") != NULL,
		      "text: %s", out);
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_markdown(f, &R), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "Warning: the name smtp.provider.test "
				  "came from the \\_submission.\\_tcp SRV "
				  "record of example.test") != NULL,
		      "markdown: %s", out);
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(html_target(f, &R, "t", "test"), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "<dd>Warning: the name smtp.provider.test "
				  "came from the _submission._tcp SRV record "
				  "of example.test") != NULL,
		      "html: %s", out);
	free(out);
}
END_TEST

/* The monitoring status line names the host to use too: an unproven
 * one says so there. */
START_TEST(test_nagios_says_unproven_name)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	srv("smtp.provider.test", 465, false);
	good("smtp.provider.test", "198.18.0.9", 465, "submissions", NULL);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_nagios(f, &R), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "; use smtp.provider.test:465 SSL (the name "
				  "came from the SRV record _submissions._tcp "
				  "of example.test, not DNSSEC-validated: "
				  "confirm it with the provider) |") != NULL,
		      "nagios: %s", out);
	free(out);
	/* validated: the line as before */
	R.dns.subs_ad = true;
	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_nagios(f, &R), 0);
	fclose(f);
	ck_assert_msg(strstr(out, "; use smtp.provider.test:465 SSL |") != NULL,
		      "nagios: %s", out);
	free(out);
}
END_TEST

/* DANE only from validated answers through a trusted resolver. */
static void tlsa_for(const char *name, bool ad)
{
	R.dns.tlsa = calloc(1, sizeof(*R.dns.tlsa));
	ck_assert_ptr_nonnull(R.dns.tlsa);
	R.dns.tlsa[0].name = strdup(name);
	R.dns.tlsa[0].ad = ad;
	R.dns.tlsa[0].recs = calloc(1, sizeof(*R.dns.tlsa[0].recs));
	ck_assert_ptr_nonnull(R.dns.tlsa[0].recs);
	R.dns.tlsa[0].recs[0].usage = 3;
	R.dns.tlsa[0].recs[0].selector = 1;
	R.dns.tlsa[0].recs[0].mtype = 1;
	R.dns.tlsa[0].recs[0].data = calloc(1, 32); /* no key matches zeros */
	ck_assert_ptr_nonnull(R.dns.tlsa[0].recs[0].data);
	R.dns.tlsa[0].recs[0].len = 32;
	R.dns.tlsa[0].n = 1;
	R.dns.ntlsa = 1;
}

static void mx(const char *a, const char *b)
{
	R.dns.mx = calloc(2, sizeof(*R.dns.mx));
	ck_assert_ptr_nonnull(R.dns.mx);
	R.dns.mx[0].preference = 10;
	R.dns.mx[0].host = strdup(a);
	R.dns.nmx = 1;
	if (b != NULL) {
		R.dns.mx[1].preference = 20;
		R.dns.mx[1].host = strdup(b);
		R.dns.nmx = 2;
	}
}

static void plan_host(const char *name, bool addr_ad)
{
	R.hosts = calloc(1, sizeof(*R.hosts));
	ck_assert_ptr_nonnull(R.hosts);
	R.hosts[0].name = strdup(name);
	R.hosts[0].addr_ad = addr_ad;
	R.nhosts = 1;
}

static const char *target_message(const char *id)
{
	size_t i;

	for (i = 0; i < R.nfindings; i++)
		if (strcmp(R.findings[i].id, id) == 0)
			return R.findings[i].message;
	return NULL;
}

/* The DANE conclusion on p, the report's probes concluded afresh. */
static const struct dane_result *dane_of(const struct probe *p)
{
	ck_assert_int_eq(report_conclusions(&R), 0);
	report_dane(&R);
	return &report_ctx(&R, p)->dane;
}

START_TEST(test_dane_not_assessed)
{
	static const struct {
		bool trusted, tlsa_ad, mx_ad, addr_ad;
		const char *why;
	} c[] = {
		{false, true, true, true, "neither on this machine nor named"},
		{true, false, true, true, "the TLSA answer"},
		{true, true, false, true, "the MX answer"},
		{true, true, true, false, "the address answers"},
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const struct dane_result *dane;
		struct probe *p;

		report_free(&R);
		setup();
		mx("mx.example.test", NULL);
		R.dns.ad_trusted = c[i].trusted;
		R.dns.mx_ad = c[i].mx_ad;
		tlsa_for("_25._tcp.mx.example.test", c[i].tlsa_ad);
		plan_host("mx.example.test", c[i].addr_ad);
		p = good("mx.example.test", "198.18.0.2", 25, "mx", NULL);
		dane = dane_of(p);
		ck_assert_msg(dane->present && !dane->usable &&
				      dane->verified == -1,
			      "case %zu", i);
		ck_assert_msg(strncmp(dane->error, "DANE not assessed: ", 19) ==
					      0 &&
				      strstr(dane->error, c[i].why) != NULL,
			      "case %zu: %s", i, dane->error);
		ck_assert_ptr_nonnull(target_message("dane-unvalidated"));
		ck_assert_ptr_nonnull(
			strstr(target_message("dane-unvalidated"), c[i].why));
		ck_assert_ptr_null(report_ctx(&R, p)->protection);
	}
}
END_TEST

/* An SRV target: its SRV answer must be validated too. */
START_TEST(test_dane_srv_not_validated)
{
	const struct dane_result *dane;
	struct probe *p;

	srv("smtp.example.test", 465, false);
	R.dns.ad_trusted = true;
	tlsa_for("_465._tcp.smtp.example.test", true);
	plan_host("smtp.example.test", true);
	p = good("smtp.example.test", "198.18.0.9", 465, "submissions", NULL);
	dane = dane_of(p);
	ck_assert(!dane->usable);
	ck_assert_msg(strstr(dane->error, "the SRV answer") != NULL, "%s",
		      dane->error);
	R.dns.subs_ad = true;
	R.nfindings = 0;
	ck_assert(dane_of(p)->usable);
}
END_TEST

/* All validated: DANE is checked (here it fails: no chain to match). */
START_TEST(test_dane_assessed)
{
	struct probe *p;

	mx("mx.example.test", NULL);
	R.dns.ad_trusted = R.dns.mx_ad = true;
	tlsa_for("_25._tcp.mx.example.test", true);
	plan_host("mx.example.test", true);
	p = good("mx.example.test", "198.18.0.2", 25, "mx", NULL);
	ck_assert(dane_of(p)->usable);
	ck_assert_int_eq(dane_of(p)->verified, 0);
	ck_assert_ptr_null(target_message("dane-unvalidated"));
}
END_TEST

/* MTA-STS enforce naming mx1 only: mx1 (verified STARTTLS) is protected
 * whatever mx2 does (RFC 8461 4.2); mx2's downgrade-risk says what was
 * checked. */
static const struct finding *probe_finding(const struct probe *p,
					   const char *id, struct verdict *v)
{
	size_t i;

	report_judge(&R, p, v);
	for (i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, id) == 0)
			return &v->findings[i];
	return NULL;
}

START_TEST(test_mtasts_per_mx)
{
	static const char policy[] = "version: STSv1\nmode: enforce\n"
				     "mx: mx1.example.test\nmax_age: 86400\n";
	char err[200];
	struct probe *p1, *p2;
	struct verdict v;
	const struct finding *f;

	mx("mx1.example.test", "mx2.example.test");
	R.dns.mta_sts = strdup("v=STSv1; id=1");
	R.dns.tls_rpt = strdup("v=TLSRPTv1; rua=mailto:x@example.test");
	ck_assert_int_eq(mtasts_parse(policy, strlen(policy), &R.dns.sts, err,
				      sizeof(err)),
			 0);
	R.dns.sts_valid = R.dns.sts_tried = true;
	p1 = good("mx1.example.test", "198.18.0.2", 25, "mx", NULL);
	p2 = good("mx2.example.test", "198.18.0.3", 25, "mx", NULL);
	report_policies(&R);
	ck_assert_str_eq(report_ctx(&R, p1)->protection, "MTA-STS (enforce)");
	ck_assert_ptr_nonnull(probe_finding(p1, "downgrade-protected", &v));
	ck_assert(!v.downgrade_risk);
	ck_assert_ptr_null(report_ctx(&R, p2)->protection);
	f = probe_finding(p2, "downgrade-risk", &v);
	ck_assert_ptr_nonnull(f);
	ck_assert(v.downgrade_risk);
	ck_assert_msg(strstr(f->message, "mode enforce") != NULL &&
			      strstr(f->message, "not in its mx list") !=
				      NULL &&
			      strstr(f->message, "no TLSA records") != NULL &&
			      strstr(f->message, "neither was checked") == NULL,
		      "message: %s", f->message);
	ck_assert_ptr_nonnull(target_message("mta-sts-violation"));
}
END_TEST

/* No policy; TLSA records, not validated: the message says both were
 * looked at, and what they gave. */
START_TEST(test_downgrade_message_says_what_was_checked)
{
	struct probe *p;
	struct verdict v;
	const struct finding *f;

	mx("mx.example.test", NULL);
	R.dns.ad_trusted = true;
	tlsa_for("_25._tcp.mx.example.test", false);
	plan_host("mx.example.test", true);
	p = good("mx.example.test", "198.18.0.2", 25, "mx", NULL);
	report_policies(&R);
	f = probe_finding(p, "downgrade-risk", &v);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->message, "no MTA-STS policy; DANE not "
					 "assessed: the TLSA answer") != NULL,
		      "message: %s", f->message);
	/* a host, not a domain: nothing was looked up */
	R.dns.domain = false;
	report_policies(&R);
	f = probe_finding(p, "downgrade-risk", &v);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "neither was checked"));
}
END_TEST

Suite *trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("trust");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_srv_target_unproven);
	tcase_add_test(tc, test_srv_target_established);
	tcase_add_test(tc, test_srv_target_in_domain);
	tcase_add_test(tc, test_mx_target_and_typed);
	tcase_add_test(tc, test_alternative_says_its_origin);
	tcase_add_test(tc, test_nagios_says_unproven_name);
	tcase_add_test(tc, test_dane_not_assessed);
	tcase_add_test(tc, test_dane_srv_not_validated);
	tcase_add_test(tc, test_dane_assessed);
	tcase_add_test(tc, test_mtasts_per_mx);
	tcase_add_test(tc, test_downgrade_message_says_what_was_checked);
	suite_add_tcase(s, tc);
	return s;
}
