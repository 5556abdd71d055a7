/* resolver/plan: which hosts and ports a target's records make us probe
 * (RFC 5321 5.1 MX and implicit MX, RFC 6186 SRV, the guesses when a
 * domain publishes no SRV), from records made up here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/plan.h"
#include "tests/unit/suites.h"

static int ports[TARGET_MAX_PORTS] = {25, 587, 465, 2525};
static int tls_ports[TARGET_MAX_PORTS] = {465};
static struct resolver_opts O;
static struct plan P;
static struct dns_info D;

static void setup(void)
{
	memset(&O, 0, sizeof(O));
	O.ports = ports;
	O.nports = 4;
	O.tls_ports = tls_ports;
	O.ntls_ports = 1;
	O.v4 = O.v6 = true;
	memset(&P, 0, sizeof(P));
	memset(&D, 0, sizeof(D));
}

static void teardown(void)
{
	plan_free(&P);
	records_mx_free(D.mx, D.nmx);
	records_srv_free(D.sub, D.nsub);
	records_srv_free(D.subs, D.nsubs);
}

static void mx(const char *host)
{
	D.mx = realloc(D.mx, (size_t)(D.nmx + 1) * sizeof(*D.mx));
	ck_assert_ptr_nonnull(D.mx);
	D.mx[D.nmx].preference = 10 * (D.nmx + 1);
	D.mx[D.nmx++].host = strdup(host);
}

static void srv(struct srv_rec **v, int *n, const char *target, int port)
{
	*v = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	ck_assert_ptr_nonnull(*v);
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].port = port;
	(*v)[(*n)++].target = strdup(target);
}

/* The plan as one line: "host roles[ quiet]; ...", in plan order. */
static const char *plan_text(void)
{
	static char buf[2048];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < P.nhosts; i++) {
		char roles[256];

		plan_roles_text(P.hosts[i], roles, sizeof(roles));
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
					 "%s%s %s%s", i ? "; " : "",
					 P.hosts[i]->name, roles,
					 P.hosts[i]->quiet ? " quiet" : "");
	}
	return buf;
}

/* The notes' ids, space-separated, in order. */
static const char *notes(void)
{
	static char buf[512];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < P.nnotes; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 i ? " " : "", P.notes[i].id);
	return buf;
}

#define PLAN_IS(want)                                                          \
	ck_assert_msg(strcmp(plan_text(), want) == 0, "got '%s', want '%s'",   \
		      plan_text(), want)
#define NOTES_ARE(want)                                                        \
	ck_assert_msg(strcmp(notes(), want) == 0, "notes '%s', want '%s'",     \
		      notes(), want)

START_TEST(test_mx_and_srv)
{
	mx("mx1.example.test");
	mx("mx2.example.test");
	srv(&D.sub, &D.nsub, "smtp.example.test", 587);
	srv(&D.subs, &D.nsubs, "smtp.example.test", 465);
	plan_domain(&P, &O, "example.test", &D, false, false);
	PLAN_IS("mx1.example.test mx:25; mx2.example.test mx:25; "
		"smtp.example.test submission:587 submissions:465");
	NOTES_ARE("");
	ck_assert(!D.implicit_mx);
	/* 465 is a TLS port: the submissions SRV says so too */
	ck_assert(P.hosts[2]->ports[1].tls);
	ck_assert(!P.hosts[2]->ports[0].tls);
}
END_TEST

START_TEST(test_no_srv_guesses)
{
	mx("mx1.example.test");
	plan_domain(&P, &O, "example.test", &D, false, false);
	PLAN_IS("mx1.example.test mx:25 guess:587,465,2525; "
		"smtp.example.test guess:587,465,2525 quiet; "
		"mail.example.test guess:587,465,2525 quiet");
	NOTES_ARE("no-srv");
	/* an MX host is looked up in earnest: a guess does not quiet it */
	ck_assert(!P.hosts[0]->quiet);
}
END_TEST

START_TEST(test_srv_not_offered_ends_guessing)
{
	mx("mx1.example.test");
	srv(&D.sub, &D.nsub, "", 0); /* "." : not offered */
	plan_domain(&P, &O, "example.test", &D, false, false);
	PLAN_IS("mx1.example.test mx:25");
	NOTES_ARE("");
}
END_TEST

START_TEST(test_srv_outside_domain)
{
	srv(&D.sub, &D.nsub, "smtp.provider.test", 587);
	srv(&D.subs, &D.nsubs, "example.test.evil.test", 465);
	plan_domain(&P, &O, "example.test", &D, false, false);
	/* no MX: the name is its own implicit MX, and the SRV hosts */
	PLAN_IS("example.test mx:25 given:587,465,2525; "
		"smtp.provider.test submission:587; "
		"example.test.evil.test submissions:465");
	NOTES_ARE("srv-outside-domain srv-outside-domain");
	ck_assert_ptr_nonnull(strstr(P.notes[0].message, "smtp.provider.test"));
	ck_assert(!P.notes[0].warning);
	ck_assert(D.implicit_mx);
}
END_TEST

START_TEST(test_srv_port_filter)
{
	srv(&D.sub, &D.nsub, "smtp.example.test", 10587);
	srv(&D.sub, &D.nsub, "smtp2.example.test", 587);
	/* without --ports, an SRV port is taken as published */
	plan_domain(&P, &O, "example.test", &D, false, false);
	ck_assert_ptr_nonnull(strstr(plan_text(), "submission:10587"));
	plan_free(&P);
	/* with --ports, only the ports asked */
	O.ports_given = true;
	plan_domain(&P, &O, "example.test", &D, false, false);
	PLAN_IS("example.test mx:25 given:587,465,2525; "
		"smtp2.example.test submission:587");
}
END_TEST

START_TEST(test_null_mx)
{
	mx("");
	D.null_mx = true;
	plan_domain(&P, &O, "example.test", &D, false, false);
	PLAN_IS("");
	NOTES_ARE("null-mx");
	ck_assert(!D.implicit_mx);
}
END_TEST

START_TEST(test_null_mx_mixed)
{
	mx("");
	mx("mx1.example.test");
	plan_domain(&P, &O, "example.test", &D, false, false);
	ck_assert_ptr_nonnull(strstr(plan_text(), "mx1.example.test mx:25"));
	NOTES_ARE("null-mx-mixed no-srv");
	ck_assert(P.notes[0].warning);
}
END_TEST

START_TEST(test_nxdomain_and_mx_error)
{
	/* NXDOMAIN with --dns-server: nothing to probe */
	O.dns_servers = "198.18.0.53";
	plan_domain(&P, &O, "nope.example.test", &D, true, false);
	PLAN_IS("");
	ck_assert(!D.implicit_mx);
	plan_free(&P);
	/* an MX error: the name is probed, but it is no implicit MX */
	plan_domain(&P, &O, "example.test", &D, false, true);
	PLAN_IS("example.test mx:25 given:587,465,2525");
	ck_assert(!D.implicit_mx);
}
END_TEST

/* NXDOMAIN without --dns-server: the hosts file may know the name, so
 * it is planned on every port asked, quietly (NXDOMAIN is said already),
 * and no implicit MX. */
START_TEST(test_nxdomain_hosts_file)
{
	plan_domain(&P, &O, "localhost", &D, true, false);
	PLAN_IS("localhost given:25,587,465,2525 quiet");
	ck_assert(P.hosts[0]->hosts_file);
	ck_assert(P.hosts[0]->ports[2].tls);
	ck_assert(!D.implicit_mx);
	NOTES_ARE("");
	plan_free(&P);
	/* a name DNS knows is never looked up in the file alone */
	plan_domain(&P, &O, "example.test", &D, false, true);
	ck_assert(!P.hosts[0]->hosts_file);
}
END_TEST

START_TEST(test_port_25_not_asked)
{
	ports[0] = 587;
	ports[1] = 465;
	O.nports = 2;
	mx("mx1.example.test");
	plan_domain(&P, &O, "example.test", &D, false, false);
	ports[0] = 25;
	ports[1] = 587;
	/* the MX is kept for the guesses only */
	ck_assert_ptr_null(strstr(plan_text(), "mx:25"));
	ck_assert_ptr_nonnull(
		strstr(plan_text(), "mx1.example.test guess:587,465"));
}
END_TEST

START_TEST(test_first_role_wins)
{
	plan_add(&P, "Mail.Example.Test", 587, "submission", false, true);
	plan_add(&P, "mail.example.test", 587, "guess", false, true);
	plan_add(&P, "mail.example.test", 25, "mx", false, false);
	PLAN_IS("Mail.Example.Test submission:587 mx:25");
	ck_assert_uint_eq(P.nhosts, 1);
}
END_TEST

START_TEST(test_limits)
{
	char name[64];
	int i;

	for (i = 0; i < PLAN_MAX_HOSTS + 5; i++) {
		snprintf(name, sizeof(name), "h%d.example.test", i);
		plan_add(&P, name, 25, "mx", false, false);
	}
	ck_assert_uint_eq(P.nhosts, PLAN_MAX_HOSTS);
	for (i = 0; i < PLAN_MAX_PORTS + 5; i++)
		plan_add(&P, "h0.example.test", 1000 + i, "given", false,
			 false);
	ck_assert_uint_eq(P.hosts[0]->nports, PLAN_MAX_PORTS);
}
END_TEST

/* Every port --ports may name is probed on a domain's host: none cut. */
START_TEST(test_all_ports_kept)
{
	int many[TARGET_MAX_PORTS];
	size_t i;

	for (i = 0; i < TARGET_MAX_PORTS; i++)
		many[i] = 2000 + (int)i;
	O.ports = many;
	O.nports = TARGET_MAX_PORTS;
	plan_given(&P, &O, "mail.example.test", 0);
	ck_assert_uint_eq(P.nhosts, 1);
	ck_assert_uint_eq(P.hosts[0]->nports, TARGET_MAX_PORTS);
	ck_assert_int_eq(P.hosts[0]->ports[TARGET_MAX_PORTS - 1].port,
			 2000 + TARGET_MAX_PORTS - 1);
}
END_TEST

START_TEST(test_given)
{
	plan_given(&P, &O, "mail.example.test", 0);
	PLAN_IS("mail.example.test given:25,587,465,2525");
	ck_assert(P.hosts[0]->ports[2].tls);
	plan_free(&P);
	plan_given(&P, &O, "mail.example.test", 2465);
	PLAN_IS("mail.example.test given:2465");
	ck_assert(!P.hosts[0]->ports[0].tls);
	ck_assert(plan_port_wanted(&O, 2525));
	ck_assert(!plan_port_wanted(&O, 2465));
	ck_assert(plan_port_tls(&O, 465));
	ck_assert(!plan_port_tls(&O, 587));
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("domain");
	TCase *add = tcase_create("add");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mx_and_srv);
	tcase_add_test(tc, test_no_srv_guesses);
	tcase_add_test(tc, test_srv_not_offered_ends_guessing);
	tcase_add_test(tc, test_srv_outside_domain);
	tcase_add_test(tc, test_srv_port_filter);
	tcase_add_test(tc, test_null_mx);
	tcase_add_test(tc, test_null_mx_mixed);
	tcase_add_test(tc, test_nxdomain_and_mx_error);
	tcase_add_test(tc, test_nxdomain_hosts_file);
	tcase_add_test(tc, test_port_25_not_asked);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(add, setup, teardown);
	tcase_add_test(add, test_first_role_wins);
	tcase_add_test(add, test_limits);
	tcase_add_test(add, test_all_ports_kept);
	tcase_add_test(add, test_given);
	suite_add_tcase(s, add);
	return s;
}
