/* reports/egress: the verdict per port from every piece of evidence,
 * on evidence built by hand (a table of cases), then egress_add on
 * hand-built reports, and what the writers say of it. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "reports/egress.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static const int PORTS[] = {25, 587, 465, 2525};
#define NPORTS 4

/* One provider's evidence, one letter per port in PORTS' order:
 *   o connected   t timed out   r reset   i ICMP error from the
 *   provider itself   x ICMP error from a router on the way   - none
 * and the 443 control with the same letters; "?" did not resolve. */
struct host_ev {
	const char *ports, *control;
};

struct verdict_case {
	const char *name;
	struct host_ev hosts[3];
	const char *verdicts; /* one letter per port: o f n u */
	const char *down;     /* one letter per host: d down, . not */
};

static const struct verdict_case CASES[] = {
	/* the run: 25 dropped here, no provider has a web server */
	{"25 dropped, no 443 anywhere",
	 {{"tooo", "t"}, {"tooo", "t"}},
	 "fooo",
	 ".."},
	{"everything dropped", {{"tttt", "t"}, {"tttt", "t"}}, "nnnn", ".."},
	{"a reset on 443 proves the network",
	 {{"tttt", "r"}, {"tttt", "t"}},
	 "ffff",
	 ".d"},
	{"a reset on another mail port proves it",
	 {{"ttrt", "t"}, {"tttt", "t"}},
	 "ffff",
	 ".d"},
	{"the provider's own ICMP reject proves it",
	 {{"ttti", "t"}, {"tttt", "t"}},
	 "ffff",
	 ".d"},
	{"a router's ICMP reject proves nothing",
	 {{"xxxx", "x"}, {"tttt", "x"}},
	 "nnnn",
	 ".."},
	{"HTTPS alone proves it", {{"tttt", "o"}}, "ffff", "."},
	{"one provider down is no evidence",
	 {{"tooo", "o"}, {"tttt", "t"}, {"tooo", "t"}},
	 "fooo",
	 ".d."},
	{"a provider answering with resets only is not down",
	 {{"oooo", "o"}, {"ttrr", "t"}},
	 "oooo",
	 ".."},
	{"open when any provider connects",
	 {{"tttt", "t"}, {"otto", "-"}},
	 "offo",
	 "d."},
	{"nothing resolved", {{"????", "?"}, {"????", "?"}}, "uuuu", ".."},
	{"an unresolved provider is neither evidence nor down",
	 {{"????", "?"}, {"tttt", "t"}},
	 "nnnn",
	 ".."},
};

/* Builds e from the letters. */
static void build(struct egress *e, const struct host_ev *hosts, size_t n)
{
	size_t i, k;

	memset(e, 0, sizeof(*e));
	e->nports = NPORTS;
	memcpy(e->ports, PORTS, sizeof(PORTS));
	for (i = 0; i < n && hosts[i].ports != NULL; i++) {
		struct egress_host *h = &e->hosts[e->nhosts++];

		h->name = malloc(40);
		ck_assert_ptr_nonnull(h->name);
		snprintf(h->name, 40, "p%zu.example.test", i);
		h->resolved = hosts[i].ports[0] != '?';
		h->nports = NPORTS;
		for (k = 0; k < NPORTS; k++) {
			struct egress_port *p = &h->ports[k];

			p->port = PORTS[k];
			switch (hosts[i].ports[k]) {
			case 'o':
				p->connected = 2;
				break;
			case 't':
				p->timeout = 2;
				break;
			case 'r':
				p->refused = 2;
				break;
			case 'i':
				p->unreachable = p->icmp_own = 2;
				break;
			case 'x':
				p->unreachable = 2;
				break;
			}
		}
		h->https_tried = h->resolved ? 2 : 0;
		switch (hosts[i].control[0]) {
		case 'o':
			h->https_ok = 1;
			break;
		case 'r':
		case 'i':
			h->https_answered = 1;
			break;
		}
	}
}

START_TEST(test_verdict_table)
{
	const struct verdict_case *c = &CASES[_i];
	static const char letter[] = {'o', 'f', 'n', 'u'};
	struct egress e;
	char ev[400], got[8] = "", down[4] = "";
	size_t k, i;

	build(&e, c->hosts, 3);
	for (k = 0; k < NPORTS; k++)
		got[k] = letter[egress_judge(&e, k, ev, sizeof(ev))];
	for (i = 0; i < e.nhosts; i++)
		down[i] = egress_down(&e, i) ? 'd' : '.';
	ck_assert_msg(strcmp(got, c->verdicts) == 0, "%s: verdicts %s, want %s",
		      c->name, got, c->verdicts);
	ck_assert_msg(strcmp(down, c->down) == 0, "%s: down %s, want %s",
		      c->name, down, c->down);
	ck_assert_int_eq(egress_status(&e), strcmp(got, "oooo") != 0);
	egress_free(&e);
}
END_TEST

static char *write(int (*w)(FILE *, const struct egress *),
		   const struct egress *e)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(w(f, e), 0);
	ck_assert_int_eq(fclose(f), 0);
	return s;
}

/* The run in words: port 25 filtered, never "no network". */
START_TEST(test_text_filtered_not_no_network)
{
	static const struct host_ev h[] = {{"tooo", "t"}, {"tooo", "r"}};
	struct egress e;
	char *t;

	build(&e, h, 2);
	t = write(egress_text, &e);
	ck_assert_msg(strstr(t, "Port 25: outbound 25 is filtered between "
				"this host and the internet (0 of 2 providers "
				"connected; failed connections: 4 timed out, "
				"0 reset, 0 ICMP-rejected; 2 of 2 answered") !=
			      NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "no working outbound network") == NULL, "%s",
		      t);
	ck_assert_msg(strstr(t, "Port 587: open from here (2 of 2 providers "
				"connected;") != NULL,
		      "%s", t);
	/* the control column: blocked, and "answers" for the reset */
	ck_assert_msg(strstr(t,
			     "p0.example.test              timeout     "
			     "open        open        open        blocked\n"),
		      "%s", t);
	ck_assert_msg(strstr(t,
			     "p1.example.test              timeout     "
			     "open        open        open        answers\n"),
		      "%s", t);
	free(t);
	egress_free(&e);
}
END_TEST

START_TEST(test_text_no_network)
{
	static const struct host_ev h[] = {{"tttt", "t"}, {"xxxx", "x"}};
	struct egress e;
	char *t;

	build(&e, h, 2);
	t = write(egress_text, &e);
	ck_assert_msg(strstr(t, "Port 2525: nothing answers on any port, not "
				"even with a reset: this host has no working "
				"outbound network (0 of 2 providers") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "unreachable on every port") == NULL, "%s", t);
	free(t);
	egress_free(&e);
}
END_TEST

START_TEST(test_text_down_and_refusing)
{
	static const struct host_ev h[] = {
		{"oooo", "o"}, {"tttt", "t"}, {"ttri", "t"}};
	struct egress e;
	char *t;

	build(&e, h, 3);
	t = write(egress_text, &e);
	ck_assert_msg(strstr(t, "\nOnly p1.example.test is unreachable on "
				"every port while the others answer: the "
				"problem is on its side or on the way to it, "
				"not here.\n") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "\np2.example.test: answers (a reset or its "
				"own ICMP error) but no mail port connects") !=
			      NULL,
		      "%s", t);
	free(t);
	egress_free(&e);
}
END_TEST

static json_object *parse(const char *s)
{
	json_object *o = json_tokener_parse(s);

	ck_assert_msg(o != NULL, "not JSON: %s", s);
	return o;
}

START_TEST(test_json_fields)
{
	static const struct host_ev h[] = {
		{"tooo", "r"}, {"tttt", "t"}, {"tooo", "o"}};
	struct egress e;
	json_object *o, *p, *v;
	char *t;

	build(&e, h, 3);
	t = write(egress_json, &e);
	o = parse(t);
	p = json_object_array_get_idx(json_object_object_get(o, "egress"), 0);
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(p, "verdict")),
		"filtered");
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(p, "providers")), 3);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(p, "connected")), 0);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(p, "reachable")), 2);
	v = json_object_object_get(o, "providers");
	p = json_object_array_get_idx(v, 0);
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(p, "control")),
		"answers");
	ck_assert(!json_object_get_boolean(json_object_object_get(p, "https")));
	ck_assert(json_object_get_boolean(
		json_object_object_get(p, "reachable")));
	p = json_object_array_get_idx(v, 1);
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(p, "control")),
		"blocked");
	ck_assert(json_object_get_boolean(
		json_object_object_get(p, "unreachable")));
	ck_assert(!json_object_get_boolean(
		json_object_object_get(p, "reachable")));
	p = json_object_array_get_idx(v, 2);
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(p, "control")),
		"open");
	json_object_put(o);
	free(t);
	egress_free(&e);
}
END_TEST

/* A provider that answers on the mail ports only with resets and its
 * own ICMP errors, and connects on 443 alone, never counts as answering
 * on a mail port: each port names the providers that connected there. */
START_TEST(test_markdown_ticket_connected_only)
{
	static const struct host_ev h[] = {{"tooo", "t"}, {"trri", "o"}};
	struct egress e;
	char *t;

	build(&e, h, 2);
	snprintf(e.source, sizeof(e.source), "198.18.5.1");
	t = write(egress_markdown, &e);
	ck_assert_msg(strstr(t, "mail providers (p0.example.test, "
				"p1.example.test) fail: the connection "
				"attempts time out (the packets are silently "
				"dropped). Connections from here to "
				"p0.example.test complete on port 587, 465, "
				"2525. Connections from here to "
				"p1.example.test complete on port 443 "
				"(HTTPS). Please open") != NULL,
		      "%s", t);
	ck_assert_ptr_null(strstr(t, "all of them"));
	free(t);
	egress_free(&e);
	/* one provider: named, not "all of them" */
	build(&e, h, 1);
	t = write(egress_markdown, &e);
	ck_assert_msg(strstr(t, "fail: the connection attempts time out (the "
				"packets are silently dropped). Connections "
				"from here to p0.example.test complete on "
				"port 587, 465, 2525. Please open") != NULL,
		      "%s", t);
	free(t);
	egress_free(&e);
}
END_TEST

START_TEST(test_markdown_ticket)
{
	static const struct host_ev h[] = {
		{"tooo", "o"}, {"tttt", "t"}, {"tooo", "t"}};
	struct egress e;
	char *t;

	build(&e, h, 3);
	snprintf(e.source, sizeof(e.source), "198.18.5.1");
	t = write(egress_markdown, &e);
	ck_assert_msg(strstr(t, "| p0.example.test | timeout | open | open | "
				"open | open |\n") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "- Port 25: **filtered between this host and "
				"the internet** (") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "## For your hosting provider\n\n> From this "
				"server (source address 198.18.5.1), outbound "
				"TCP connections to port 25 of independent "
				"mail providers (p0.example.test, "
				"p2.example.test) fail: the connection "
				"attempts time out (the packets are silently "
				"dropped). Connections from here to all of "
				"them complete on port 587, 465, 2525. "
				"Connections from here to p0.example.test "
				"complete on port 443 (HTTPS). Please open "
				"outbound TCP port 25") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "- p1.example.test answers nothing") != NULL,
		      "%s", t);
	/* p2's 443 timed out: never counted as connecting there */
	ck_assert_ptr_null(strstr(t, "same providers"));
	free(t);
	/* IPv6 connections too: never only the IPv4 source address */
	snprintf(e.sources[0], sizeof(e.sources[0]), "198.18.5.1");
	snprintf(e.sources[1], sizeof(e.sources[1]), "fd00:5::1");
	t = write(egress_markdown, &e);
	ck_assert_msg(strstr(t, " from source addresses 198.18.5.1 (IPv4) "
				"and fd00:5::1 (IPv6) with smtpprobe") != NULL,
		      "%s", t);
	ck_assert_msg(strstr(t, "> From this server (source addresses "
				"198.18.5.1 (IPv4) and fd00:5::1 (IPv6)), "
				"outbound TCP connections to port 25") != NULL,
		      "%s", t);
	free(t);
	egress_free(&e);
}
END_TEST

/* egress_add: what a report's probes and controls count as. */
static struct probe *control(struct report *r, const char *address,
			     enum probe_end end, const char *icmp_from)
{
	struct probe *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	probe_init(p);
	snprintf(p->address, sizeof(p->address), "%s", address);
	p->port = 443;
	p->connect_only = true;
	p->role = strdup("control");
	p->end = end;
	p->connected = end == END_DONE;
	snprintf(p->icmp_from, sizeof(p->icmp_from), "%s", icmp_from);
	r->controls[r->ncontrols++] = p;
	return p;
}

static void report_of(struct report *r, const char *name, enum probe_end end,
		      const char *icmp_from)
{
	memset(r, 0, sizeof(*r));
	r->host = strdup(name);
	r->target = strdup(name);
	r->ports = calloc(1, sizeof(int));
	r->probes = calloc(1, sizeof(*r->probes));
	r->controls = calloc(1, sizeof(*r->controls));
	ck_assert_ptr_nonnull(r->controls);
	r->ports[0] = 25;
	r->nports = 1;
	r->probes[0] = calloc(1, sizeof(struct probe));
	probe_init(r->probes[0]);
	r->nprobes = 1;
	snprintf(r->probes[0]->address, 64, "198.18.7.2");
	snprintf(r->probes[0]->source, 64, "198.18.7.1");
	r->probes[0]->port = 25;
	r->probes[0]->role = strdup("given");
	r->probes[0]->end = end;
	r->probes[0]->end_phase = PH_CONNECT;
	snprintf(r->probes[0]->icmp_from, 64, "%s", icmp_from);
}

/* egress_add keeps the first source address of each family. */
START_TEST(test_add_sources)
{
	struct egress e;
	struct report r;

	memset(&e, 0, sizeof(e));
	report_of(&r, "a.example.test", END_TIMEOUT, "");
	r.probes[0]->addr.ss_family = AF_INET6;
	snprintf(r.probes[0]->address, 64, "fd00:7::2");
	snprintf(r.probes[0]->source, 64, "fd00:7::1");
	egress_add(&e, &r);
	report_free(&r);
	report_of(&r, "b.example.test", END_TIMEOUT, "");
	r.probes[0]->addr.ss_family = AF_INET;
	egress_add(&e, &r);
	report_free(&r);
	ck_assert_str_eq(e.sources[0], "198.18.7.1");
	ck_assert_str_eq(e.sources[1], "fd00:7::1");
	egress_free(&e);
}
END_TEST

START_TEST(test_add_counts)
{
	struct egress e;
	struct report r;

	memset(&e, 0, sizeof(e));
	/* own ICMP reject on 25, a router's on the control */
	report_of(&r, "a.example.test", END_UNREACHABLE, "198.18.7.2");
	control(&r, "198.18.7.2", END_UNREACHABLE, "198.18.6.1");
	egress_add(&e, &r);
	report_free(&r);
	/* a router's ICMP reject on 25, a reset on the control */
	report_of(&r, "b.example.test", END_UNREACHABLE, "198.18.6.1");
	control(&r, "198.18.7.2", END_REFUSED, "");
	egress_add(&e, &r);
	report_free(&r);
	/* a timeout; the control's ICMP reject from the host itself */
	report_of(&r, "c.example.test", END_TIMEOUT, "");
	control(&r, "198.18.7.2", END_UNREACHABLE, "198.18.7.2");
	egress_add(&e, &r);
	report_free(&r);
	/* a router's reject on both */
	report_of(&r, "d.example.test", END_UNREACHABLE, "198.18.6.1");
	control(&r, "198.18.7.2", END_UNREACHABLE, "198.18.6.1");
	egress_add(&e, &r);
	report_free(&r);

	/* a router's port-unreachable (ECONNREFUSED) proves nothing */
	report_of(&r, "e.example.test", END_REFUSED, "198.18.6.1");
	control(&r, "198.18.7.2", END_REFUSED, "198.18.6.1");
	egress_add(&e, &r);
	report_free(&r);

	ck_assert_str_eq(e.source, "198.18.7.1");
	ck_assert_int_eq(e.hosts[4].ports[0].refused, 0);
	ck_assert_int_eq(e.hosts[4].ports[0].unreachable, 1);
	ck_assert_int_eq(e.hosts[4].https_answered, 0);
	ck_assert(!egress_reachable(&e, 4));
	ck_assert_int_eq(e.hosts[0].ports[0].unreachable, 1);
	ck_assert_int_eq(e.hosts[0].ports[0].icmp_own, 1);
	ck_assert_int_eq(e.hosts[0].https_answered, 0);
	ck_assert_int_eq(e.hosts[1].ports[0].icmp_own, 0);
	ck_assert_int_eq(e.hosts[1].https_answered, 1);
	ck_assert_int_eq(e.hosts[2].ports[0].timeout, 1);
	ck_assert_int_eq(e.hosts[2].https_answered, 1);
	ck_assert(egress_reachable(&e, 0));
	ck_assert(egress_reachable(&e, 1));
	ck_assert(egress_reachable(&e, 2));
	ck_assert(!egress_reachable(&e, 3));
	ck_assert(egress_down(&e, 3));
	ck_assert_str_eq(egress_control(&e.hosts[0]), "blocked");
	ck_assert_str_eq(egress_control(&e.hosts[1]), "answers");
	ck_assert_str_eq(egress_control(&e.hosts[2]), "answers");
	egress_free(&e);
}
END_TEST

Suite *egress_suite(void)
{
	Suite *s = suite_create("egress");
	TCase *v = tcase_create("verdicts");
	TCase *w = tcase_create("writers");

	tcase_add_loop_test(v, test_verdict_table, 0,
			    (int)(sizeof(CASES) / sizeof(CASES[0])));
	tcase_add_test(v, test_add_counts);
	tcase_add_test(v, test_add_sources);
	suite_add_tcase(s, v);
	tcase_add_test(w, test_text_filtered_not_no_network);
	tcase_add_test(w, test_text_no_network);
	tcase_add_test(w, test_text_down_and_refusing);
	tcase_add_test(w, test_json_fields);
	tcase_add_test(w, test_markdown_ticket);
	tcase_add_test(w, test_markdown_ticket_connected_only);
	suite_add_tcase(s, w);
	return s;
}
