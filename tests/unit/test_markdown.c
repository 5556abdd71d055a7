/* reports/markdown.c: the ticket paragraphs say what the Ports table
 * says.  Each paragraph is read back and checked against the probes it
 * was written from: its addresses are its host's, on its port, blocked
 * the way it says; its source address is of each address's family; and
 * it asks to open a port only when nothing on that port connected. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static struct report R;
static char *out;
static size_t outlen;

static void setup(void)
{
	static const int ports[] = {25, 587};

	memset(&R, 0, sizeof(R));
	R.target = strdup("example.test");
	R.host = strdup("example.test");
	R.ports = calloc(2, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	memcpy(R.ports, ports, sizeof(ports));
	R.nports = 2;
	out = NULL;
	outlen = 0;
}

static void teardown(void)
{
	report_free(&R);
	free(out);
}

/* A probe of host at address, from our source address src. */
static struct probe *add(const char *host, const char *address, int port,
			 const char *src)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **v;

	ck_assert_ptr_nonnull(p);
	v = realloc(R.probes, (R.nprobes + 1) * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	R.probes = v;
	R.probes[R.nprobes++] = p;
	probe_init(p);
	p->addr.ss_family = strchr(address, ':') ? AF_INET6 : AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	snprintf(p->source, sizeof(p->source), "%s", src);
	p->port = port;
	p->expect = p->spoke = MODE_PLAIN;
	p->host = strdup(host);
	p->role = strdup("mx");
	return p;
}

static void dropped(struct probe *p)
{
	p->connected = false;
	p->end = END_TIMEOUT;
	p->end_phase = PH_CONNECT;
	p->total_ms = 5000;
}

static void refused(struct probe *p)
{
	dropped(p);
	p->end = END_REFUSED;
}

static void works(struct probe *p)
{
	p->connected = true;
	p->greeting_code = 220;
	p->banner = strdup("220 mx ESMTP");
	p->ehlo_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo, "PIPELINING"), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->ms[PH_CONNECT] = 1;
	p->total_ms = 12;
}

static void write_md(void)
{
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_markdown(f, &R), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static const struct probe *find(const char *host, const char *address, int port)
{
	size_t i;

	for (i = 0; i < R.nprobes; i++)
		if (strcmp(R.probes[i]->host, host) == 0 &&
		    strcmp(R.probes[i]->address, address) == 0 &&
		    R.probes[i]->port == port)
			return R.probes[i];
	return NULL;
}

static bool is_v6(const char *a)
{
	return strchr(a, ':') != NULL;
}

/* Checks every paragraph against the probes; returns how many there were.
 * "> From this server (source address S[ (IPv4) and S6 (IPv6)]),
 *  outbound TCP connections to port N of HOST (A, B) fail: ..." */
static int check_paragraphs(void)
{
	const char *line = out;
	int n = 0;

	while ((line = strstr(line, "\n> From this server (")) != NULL) {
		char para[2048], host[256], list[512], srcs[256];
		const char *eol, *s;
		int port, covered = 0;
		bool v4 = false, v6 = false;
		size_t i;
		char *tok, *save = NULL;

		const char *mid;

		line += 1;
		eol = strchr(line, '\n');
		ck_assert_ptr_nonnull(eol);
		snprintf(para, sizeof(para), "%.*s", (int)(eol - line), line);
		/* the sources hold "(IPv4)": cut at the sentence, not at ')' */
		mid = strstr(para, "), outbound TCP connections to port ");
		ck_assert_msg(mid != NULL, "unreadable paragraph: %s", para);
		snprintf(srcs, sizeof(srcs), "%.*s",
			 (int)(mid - para - strlen("> From this server (")),
			 para + strlen("> From this server ("));
		ck_assert_msg(sscanf(mid,
				     "), outbound TCP connections to port %d "
				     "of %255s (%511[^)])",
				     &port, host, list) == 3,
			      "unreadable paragraph: %s", para);
		/* every address: this host's, this port's, blocked */
		for (tok = strtok_r(list, ", ", &save); tok != NULL;
		     tok = strtok_r(NULL, ", ", &save)) {
			const struct probe *p = find(host, tok, port);
			struct verdict v;

			ck_assert_msg(p != NULL,
				      "%s is not an address of %s on port %d: "
				      "%s",
				      tok, host, port, para);
			verdict_judge(p, &v);
			ck_assert_msg(v.state == ST_BLOCKED, "%s works: %s",
				      tok, para);
			if (is_v6(tok))
				v6 = true;
			else
				v4 = true;
			/* its own family's source address is named */
			ck_assert_msg(strstr(srcs, p->source) != NULL,
				      "source %s of %s missing: %s", p->source,
				      tok, para);
			covered++;
		}
		ck_assert_int_gt(covered, 0);
		/* no source address of a family not in the paragraph */
		for (i = 0; i < R.nprobes; i++) {
			const char *src = R.probes[i]->source;

			if (strstr(srcs, src) != NULL)
				ck_assert_msg(is_v6(src) ? v6 : v4,
					      "source %s of another family: %s",
					      src, para);
		}
		/* "open port N" only when nothing on port N connected */
		s = strstr(para, "Please open outbound TCP port");
		for (i = 0; i < R.nprobes; i++) {
			struct verdict v;

			verdict_judge(R.probes[i], &v);
			if (R.probes[i]->port == port && v.state != ST_BLOCKED)
				ck_assert_msg(s == NULL,
					      "asks to open port %d, which "
					      "connects to %s: %s",
					      port, R.probes[i]->address, para);
		}
		n++;
		line = eol;
	}
	return n;
}

/* The case: mx1 is firewalled on both families; mx2 answers on
 * 25 over IPv6.  mx1's paragraph must not list mx2's address, must not
 * ask to open 25, and must give the IPv6 source for IPv6. */
START_TEST(test_ticket_per_host)
{
	dropped(add("mx1.example.test", "198.18.5.2", 25, "198.18.5.1"));
	dropped(add("mx1.example.test", "fd00:5d::2", 25, "fd00:5d::1"));
	works(add("mx2.example.test", "fd00:5e::2", 25, "fd00:5e::1"));
	dropped(add("mx1.example.test", "198.18.5.2", 587, "198.18.5.1"));
	dropped(add("mx1.example.test", "fd00:5d::2", 587, "fd00:5d::1"));
	dropped(add("mx2.example.test", "fd00:5e::2", 587, "fd00:5e::1"));
	write_md();
	/* 25 of mx1; 587 of mx1; 587 of mx2 */
	ck_assert_int_eq(check_paragraphs(), 3);
	ck_assert_ptr_nonnull(strstr(out, "port 25 of mx1.example.test "
					  "(198.18.5.2, fd00:5d::2) fail"));
	ck_assert_ptr_nonnull(strstr(out, "source addresses 198.18.5.1 "
					  "(IPv4) and fd00:5d::1 (IPv6)"));
	ck_assert_ptr_nonnull(
		strstr(out, "connections to port 25 of mx2.example.test "
			    "(fd00:5e::2) get through"));
	ck_assert_ptr_null(strstr(out, "Please open outbound TCP port 25 "));
	ck_assert_ptr_nonnull(
		strstr(out, "Please open outbound TCP port 587 "));
	ck_assert_ptr_nonnull(strstr(out, "(source address fd00:5e::1), "
					  "outbound TCP connections to port "
					  "587 of mx2.example.test "
					  "(fd00:5e::2) fail"));
}
END_TEST

/* One host, IPv4 answering and IPv6 dropped; and two ways of being
 * blocked on one port get a paragraph each, with their own addresses. */
START_TEST(test_ticket_per_family_and_reason)
{
	works(add("mail.example.test", "198.18.1.2", 25, "198.18.1.1"));
	dropped(add("mail.example.test", "fd00:3::2", 25, "fd00:3::1"));
	dropped(add("mail.example.test", "198.18.1.2", 587, "198.18.1.1"));
	refused(add("mail.example.test", "fd00:3::2", 587, "fd00:3::1"));
	write_md();
	ck_assert_int_eq(check_paragraphs(), 3);
	ck_assert_ptr_nonnull(strstr(out, "(source address fd00:3::1), "
					  "outbound TCP connections to port "
					  "25 of mail.example.test "
					  "(fd00:3::2) fail"));
	ck_assert_ptr_null(strstr(out, "Please open outbound TCP port 25 "));
	ck_assert_ptr_nonnull(strstr(out, "(source address 198.18.1.1), "
					  "outbound TCP connections to port "
					  "587 of mail.example.test "
					  "(198.18.1.2) fail: connection "
					  "attempts time out"));
	ck_assert_ptr_nonnull(strstr(out, "(source address fd00:3::1), "
					  "outbound TCP connections to port "
					  "587 of mail.example.test "
					  "(fd00:3::2) fail: connection "
					  "attempts are refused"));
}
END_TEST

/* Nothing blocked: no paragraph, no heading. */
START_TEST(test_ticket_none)
{
	works(add("mail.example.test", "198.18.1.2", 25, "198.18.1.1"));
	write_md();
	ck_assert_int_eq(check_paragraphs(), 0);
	ck_assert_ptr_null(strstr(out, "For your hosting provider"));
}
END_TEST

/* The header's "Tested ... from": every source address the run's
 * connections left from, per family, each once (the 443 controls'
 * too); one address alone in the singular. */
START_TEST(test_header_sources)
{
	struct probe *c;

	works(add("mail.example.test", "198.18.1.2", 25, "198.18.1.1"));
	works(add("mail.example.test", "fd00:1::2", 25, "fd00:1::1"));
	works(add("mail.example.test", "198.18.1.2", 587, "198.18.1.1"));
	write_md();
	ck_assert_msg(strstr(out,
			     " from source addresses 198.18.1.1 (IPv4) "
			     "and fd00:1::1 (IPv6) with smtpprobe;") != NULL,
		      "%s", out);
	free(out);
	out = NULL;
	/* a second IPv4 source (another route), from a control only */
	R.controls = calloc(1, sizeof(*R.controls));
	ck_assert_ptr_nonnull(R.controls);
	c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	probe_init(c);
	c->addr.ss_family = AF_INET;
	c->connect_only = true;
	c->port = 443;
	snprintf(c->address, sizeof(c->address), "198.18.7.2");
	snprintf(c->source, sizeof(c->source), "198.18.7.1");
	R.controls[R.ncontrols++] = c;
	write_md();
	ck_assert_msg(strstr(out, " from source addresses 198.18.1.1, "
				  "198.18.7.1 (IPv4) and fd00:1::1 (IPv6) "
				  "with smtpprobe;") != NULL,
		      "%s", out);
}
END_TEST

START_TEST(test_header_one_source)
{
	works(add("mail.example.test", "fd00:1::2", 25, "fd00:1::1"));
	works(add("mail.example.test", "fd00:1::2", 587, "fd00:1::1"));
	write_md();
	ck_assert_msg(strstr(out, " from source address fd00:1::1 with "
				  "smtpprobe;") != NULL,
		      "%s", out);
}
END_TEST

Suite *markdown_suite(void)
{
	Suite *s = suite_create("markdown");
	TCase *tc = tcase_create("ticket");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ticket_per_host);
	tcase_add_test(tc, test_ticket_per_family_and_reason);
	tcase_add_test(tc, test_ticket_none);
	tcase_add_test(tc, test_header_sources);
	tcase_add_test(tc, test_header_one_source);
	suite_add_tcase(s, tc);
	return s;
}
