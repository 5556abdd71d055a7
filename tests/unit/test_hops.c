/* Hop walks: which walks hops_plan asks for after the probes (probe/),
 * and what reports/hops says of walks built by hand. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "probe/hops.h"
#include "probe/probe.h"
#include "reports/hops.h"
#include "tests/unit/suites.h"

#define NP 8
static struct probe P[NP], C[2];
static struct probe *PP[NP], *CC[2];
static size_t np, nc;

static void setup(void)
{
	memset(P, 0, sizeof(P));
	memset(C, 0, sizeof(C));
	np = nc = 0;
}

/* A probe of address:port that ended with end (END_DONE: connected). */
static struct probe *mk(struct probe *p, const char *address, int port,
			enum probe_end end, const char *icmp_from)
{
	probe_init(p);
	p->addr.ss_family = strchr(address, ':') ? AF_INET6 : AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	snprintf(p->icmp_from, sizeof(p->icmp_from), "%s", icmp_from);
	p->port = port;
	p->end = end;
	p->connected = end == END_DONE;
	return p;
}

static void probe(const char *a, int port, enum probe_end end,
		  const char *icmp_from)
{
	PP[np] = mk(&P[np], a, port, end, icmp_from);
	np++;
}

static void control(const char *a, enum probe_end end)
{
	CC[nc] = mk(&C[nc], a, 443, end, "");
	C[nc].connect_only = true;
	nc++;
}

/* "address:port[ref]" of each walk planned, space-separated. */
static const char *plan(void)
{
	static char s[400];
	struct hop_walk w[10];
	size_t i, n = hops_plan(PP, np, CC, nc, w, 10);
	size_t len = 0;

	s[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%s:%d%s",
					i ? " " : "", w[i].address, w[i].port,
					w[i].reference ? "ref" : "");
	return s;
}

START_TEST(test_plan_filtered_and_reference)
{
	probe("198.18.0.2", 25, END_TIMEOUT, "");
	probe("198.18.0.2", 587, END_DONE, "");
	probe("198.18.0.3", 25, END_TIMEOUT, ""); /* one address a family */
	probe("198.18.0.3", 587, END_DONE, "");
	probe("fd00::2", 25, END_DEADLINE, "");
	probe("fd00::2", 587, END_DONE, "");
	ck_assert_str_eq(plan(), "198.18.0.2:25 198.18.0.2:587ref "
				 "fd00::2:25 fd00::2:587ref");
}
END_TEST

START_TEST(test_plan_nothing_to_walk)
{
	/* everything connects */
	probe("198.18.0.2", 25, END_DONE, "");
	probe("198.18.0.2", 587, END_DONE, "");
	ck_assert_str_eq(plan(), "");
	/* nothing connects: no port that works to compare with */
	setup();
	probe("198.18.0.2", 25, END_TIMEOUT, "");
	probe("198.18.0.2", 587, END_TIMEOUT, "");
	control("198.18.0.2", END_TIMEOUT);
	ck_assert_str_eq(plan(), "");
	/* a reset, or the destination's own ICMP error, reached it */
	setup();
	probe("198.18.0.2", 25, END_REFUSED, "");
	probe("198.18.0.2", 465, END_UNREACHABLE, "198.18.0.2");
	probe("198.18.0.2", 587, END_DONE, "");
	ck_assert_str_eq(plan(), "");
}
END_TEST

START_TEST(test_plan_router_reject_and_control)
{
	/* a router's ICMP error is walked; the control is the reference
	 * when no mail port connected */
	probe("198.18.0.2", 25, END_UNREACHABLE, "198.18.9.1");
	probe("198.18.0.2", 587, END_TIMEOUT, "");
	probe("198.18.0.2", 25, END_TIMEOUT, ""); /* the same port again */
	probe("198.18.0.2", 2525, END_REFUSED, "198.18.9.1");
	control("198.18.0.2", END_DONE);
	ck_assert_str_eq(plan(), "198.18.0.2:25 198.18.0.2:587 198.18.0.2:2525 "
				 "198.18.0.2:443ref");
}
END_TEST

START_TEST(test_plan_bounded)
{
	int port;

	for (port = 1; port <= 6; port++)
		probe("198.18.0.2", port, END_TIMEOUT, "");
	probe("198.18.0.2", 587, END_DONE, "");
	ck_assert_int_eq(HOPS_MAX_PORTS, 4);
	ck_assert_str_eq(plan(), "198.18.0.2:1 198.18.0.2:2 198.18.0.2:3 "
				 "198.18.0.2:4 198.18.0.2:587ref");
}
END_TEST

/* Walks by hand: letters per TTL, from 1: r a router's time-exceeded
 * (from 198.18.T.1), x a router's other ICMP error, d the destination,
 * . nothing. */
static void walk(struct hop_walk *w, const char *address, int port, bool ref,
		 const char *hops)
{
	int t;

	memset(w, 0, sizeof(*w));
	snprintf(w->address, sizeof(w->address), "%s", address);
	w->port = port;
	w->reference = ref;
	w->max_ttl = HOPS_MAX;
	for (t = 1; t <= HOPS_MAX; t++) {
		struct hop *h = &w->hops[t - 1];
		char c = t <= (int)strlen(hops) ? hops[t - 1] : '.';

		h->ms = c == '.' ? -1 : 10;
		if (c == 'r' || c == 'x') {
			h->answer = c == 'r' ? HOP_TIME_EXCEEDED : HOP_REJECTED;
			snprintf(h->from, sizeof(h->from), "198.18.%d.1", t);
		} else if (c == 'd') {
			h->answer = HOP_REACHED;
			snprintf(h->from, sizeof(h->from), "%s", address);
			if (w->reached == 0)
				w->reached = t;
		}
	}
}

static struct hop_walk W[4];
static struct hops_verdict V;

START_TEST(test_judge_path)
{
	walk(&W[0], "198.18.0.2", 25, false, "rr");
	walk(&W[1], "198.18.0.2", 587, true, "rrdd");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_int_eq(V.where, WHERE_PATH);
	ck_assert_int_eq(V.hop, 2);
	ck_assert_str_eq(V.from, "198.18.2.1");
	ck_assert_ptr_eq(V.ref, &W[1]);
	ck_assert_str_eq(V.words, "SYNs to port 25 go no further than hop 2 "
				  "(198.18.2.1); SYNs to 587 reach 198.18.0.2 "
				  "in 3 hops");
	ck_assert(!hops_judge(W, 2, 1, &V)); /* a reference is not judged */
	/* a silent router on the way does not hide the later ones */
	walk(&W[0], "198.18.0.2", 25, false, "r.r");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_int_eq(V.hop, 3);
}
END_TEST

START_TEST(test_judge_rejected)
{
	walk(&W[0], "198.18.0.2", 25, false, "rx");
	walk(&W[1], "198.18.0.2", 587, true, "rrd");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_int_eq(V.where, WHERE_PATH);
	ck_assert(V.rejected);
	ck_assert_str_eq(V.words, "SYNs to port 25 are rejected at hop 2 "
				  "(198.18.2.1, an ICMP error); SYNs to 587 "
				  "reach 198.18.0.2 in 3 hops");
}
END_TEST

START_TEST(test_judge_this_host)
{
	walk(&W[0], "198.18.0.2", 25, false, "");
	walk(&W[1], "198.18.0.2", 587, true, "rrd");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_int_eq(V.where, WHERE_HERE);
	ck_assert_str_eq(V.words, "SYNs to port 25 never leave this machine: "
				  "no hop answers, not even the first, while "
				  "SYNs to 587 get an answer from hop 1 "
				  "(198.18.1.1) and reach 198.18.0.2 in 3 "
				  "hops: a firewall on this machine drops "
				  "them");
}
END_TEST

START_TEST(test_judge_unknown)
{
	/* the destination on the same link: silence at TTL 1 may be
	 * this machine or the destination */
	walk(&W[0], "198.18.0.2", 25, false, "");
	walk(&W[1], "198.18.0.2", 587, true, "d");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_int_eq(V.where, WHERE_UNKNOWN);
	ck_assert_str_eq(V.words, "SYNs to port 25 get no answer from any "
				  "hop; SYNs to 587 reach 198.18.0.2 in 1 hop "
				  "(the same link): this machine or the "
				  "destination itself drops them");
	/* no reference for this address: the other family's is not it */
	walk(&W[1], "fd00::2", 587, true, "rd");
	ck_assert(hops_judge(W, 2, 0, &V));
	ck_assert_ptr_null(V.ref);
	ck_assert_int_eq(V.where, WHERE_UNKNOWN);
}
END_TEST

START_TEST(test_judge_destination_and_find)
{
	walk(&W[0], "198.18.0.2", 465, true, "rrd");
	walk(&W[1], "198.18.0.2", 25, false, "rrd");
	walk(&W[2], "fd00::2", 25, false, "r");
	walk(&W[3], "fd00::2", 465, true, "rd");
	ck_assert(hops_find(W, 4, NULL, 25, &V));
	ck_assert_ptr_eq(V.walk, &W[1]);
	ck_assert_int_eq(V.where, WHERE_DESTINATION);
	ck_assert(hops_find(W, 4, "fd00::2", 25, &V));
	ck_assert_ptr_eq(V.walk, &W[2]);
	ck_assert_ptr_eq(V.ref, &W[3]);
	ck_assert_int_eq(V.where, WHERE_PATH);
	ck_assert_int_eq(V.hop, 1);
	ck_assert(!hops_find(W, 4, NULL, 587, &V));
	ck_assert(!hops_find(W, 4, NULL, 465, &V)); /* references only */
}
END_TEST

START_TEST(test_last_router)
{
	walk(&W[0], "198.18.0.2", 25, false, "r.rx");
	ck_assert_int_eq(hops_last_router(&W[0]), 3);
	walk(&W[0], "198.18.0.2", 25, false, "");
	ck_assert_int_eq(hops_last_router(&W[0]), 0);
	ck_assert_str_eq(hops_answer_name(HOP_TIME_EXCEEDED), "time-exceeded");
	ck_assert_str_eq(hops_where_name(WHERE_HERE), "this-host");
}
END_TEST

/* A walk on loopback, through the event loop: TTL 1 reaches the
 * listener at once (and a closed port answers with a reset); the walk
 * ends when it has, not at its timeout. */
static void walk_done(void *arg, struct hop_walk *w)
{
	(void)w;
	(*(int *)arg)++;
}

static void loopback_walk(bool listening)
{
	struct loop *loop = loop_new();
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct hop_walk w;
	int fd = socket(AF_INET, SOCK_STREAM, 0), done = 0, i;
	uint64_t t0;

	ck_assert_ptr_nonnull(loop);
	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	if (listening)
		ck_assert_int_eq(listen(fd, 64), 0);
	memset(&w, 0, sizeof(w));
	memcpy(&w.addr, &sa, sizeof(sa));
	w.addrlen = sizeof(sa);
	snprintf(w.address, sizeof(w.address), "127.0.0.1");
	w.port = ntohs(sa.sin_port);
	t0 = loop_now();
	ck_assert_int_eq(hops_start(loop, &w, 5000, walk_done, &done), 0);
	ck_assert_int_eq(done, 0); /* from the loop, never from the start */
	for (i = 0; i < 1000 && done == 0; i++)
		ck_assert_int_ge(loop_run_once(loop, 100), 0);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(w.max_ttl, HOPS_MAX);
	ck_assert_int_eq(w.reached, 1);
	ck_assert_int_eq(w.hops[0].answer, HOP_REACHED);
	ck_assert_str_eq(w.hops[0].from, "127.0.0.1");
	ck_assert(!w.timed_out);
	ck_assert_uint_lt(loop_now() - t0, 2500);
	ck_assert_ptr_null(w.run);
	ck_assert_uint_eq(loop_pending(loop), 0); /* every socket closed */
	close(fd);
	loop_free(loop);
}

START_TEST(test_walk_loopback)
{
	loopback_walk(true);
	loopback_walk(false);
}
END_TEST

Suite *hops_suite(void)
{
	Suite *s = suite_create("hops");
	TCase *p = tcase_create("plan");
	TCase *j = tcase_create("judge");
	TCase *w = tcase_create("walk");

	tcase_add_checked_fixture(p, setup, NULL);
	tcase_add_test(p, test_plan_filtered_and_reference);
	tcase_add_test(p, test_plan_nothing_to_walk);
	tcase_add_test(p, test_plan_router_reject_and_control);
	tcase_add_test(p, test_plan_bounded);
	suite_add_tcase(s, p);
	tcase_add_test(j, test_judge_path);
	tcase_add_test(j, test_judge_rejected);
	tcase_add_test(j, test_judge_this_host);
	tcase_add_test(j, test_judge_unknown);
	tcase_add_test(j, test_judge_destination_and_find);
	tcase_add_test(j, test_last_router);
	suite_add_tcase(s, j);
	tcase_add_test(w, test_walk_loopback);
	suite_add_tcase(s, w);
	return s;
}
