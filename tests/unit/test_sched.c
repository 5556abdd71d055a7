/* probe/sched: how many sessions run at once, all told and per address,
 * against silent servers on 127.0.0.1 and 127.0.0.2 (loopback, no root):
 * they accept and never greet, so every session holds its slot until its
 * short timeout. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "probe/probe.h"
#include "probe/sched.h"
#include "tests/unit/suites.h"

#define NPROBES 6
#define MAX_ACCEPTED 32

static struct loop *loop;
static struct probe_ctx ctx;
static struct sched *S;
static struct probe *P[NPROBES];
static int lfd[2] = {-1, -1}, port[2];
static int accepted[MAX_ACCEPTED], naccepted;
static int ndone, order[NPROBES];

static void on_accept(void *arg, int fd, unsigned events)
{
	int c;

	(void)arg;
	(void)events;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	       0) {
		ck_assert_int_lt(naccepted, MAX_ACCEPTED);
		accepted[naccepted++] = c; /* kept open, silent */
	}
}

/* A silent server on address a; its port. */
static int listen_on(const char *a, int *fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &sa.sin_addr), 1);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(*fd, 16), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&sa, &len), 0);
	ck_assert_int_eq(loop_watch(loop, *fd, LOOP_READ, on_accept, NULL), 0);
	return ntohs(sa.sin_port);
}

static void setup(void)
{
	loop = loop_new();
	ck_assert_ptr_nonnull(loop);
	memset(&ctx, 0, sizeof(ctx));
	ctx.loop = loop;
	ctx.timeout_ms = 150;
	ctx.deadline_ms = 400;
	port[0] = listen_on("127.0.0.1", &lfd[0]);
	port[1] = listen_on("127.0.0.2", &lfd[1]);
	memset(P, 0, sizeof(P));
	naccepted = ndone = 0;
	S = NULL;
}

static void teardown(void)
{
	int i;

	sched_free(S);
	for (i = 0; i < NPROBES; i++)
		if (P[i] != NULL) {
			probe_free(P[i]);
			free(P[i]);
		}
	for (i = 0; i < naccepted; i++)
		close(accepted[i]);
	for (i = 0; i < 2; i++) {
		loop_unwatch(loop, lfd[i]);
		close(lfd[i]);
	}
	loop_free(loop);
}

static void on_done(void *arg, struct probe *p)
{
	(void)p;
	order[ndone++] = (int)(intptr_t)arg;
}

/* Probe i of address a ("127.0.0.1" or "127.0.0.2"). */
static void submit(int i, const char *a, bool connect_only)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &sa.sin_addr), 1);
	P[i] = probe_new((struct sockaddr *)&sa, sizeof(sa),
			 port[strcmp(a, "127.0.0.1") != 0], NULL, "given");
	ck_assert_ptr_nonnull(P[i]);
	P[i]->connect_only = connect_only;
	ck_assert_int_eq(sched_submit(S, P[i], on_done, (void *)(intptr_t)i),
			 0);
}

/* Runs the loop until every probe has ended (at most 5 s); the most
 * sessions seen running at once. */
static size_t run_all(int n)
{
	uint64_t end = loop_now() + 5000;
	size_t most = sched_active(S);

	while (ndone < n && loop_now() < end) {
		ck_assert_int_ge(loop_run_once(loop, 50), 0);
		if (sched_active(S) > most)
			most = sched_active(S);
	}
	ck_assert_int_eq(ndone, n);
	ck_assert_uint_eq(sched_active(S), 0);
	ck_assert_uint_eq(sched_waiting(S), 0);
	return most;
}

START_TEST(test_per_address)
{
	int i;

	S = sched_new(&ctx, 100, 2, 1000);
	ck_assert_ptr_nonnull(S);
	for (i = 0; i < 5; i++)
		submit(i, "127.0.0.1", false);
	ck_assert_uint_eq(sched_active(S), 2);
	ck_assert_uint_eq(sched_waiting(S), 3);
	ck_assert_uint_eq(run_all(5), 2);
	/* the waiting ones start in the order they came: every session
	 * takes as long, so they end in pairs, in that order */
	ck_assert_int_eq(order[0] + order[1], 0 + 1);
	ck_assert_int_eq(order[2] + order[3], 2 + 3);
	ck_assert_int_eq(order[4], 4);
	for (i = 0; i < 5; i++)
		ck_assert_msg(P[i]->connected, "probe %d never connected", i);
}
END_TEST

START_TEST(test_addresses_apart)
{
	int i;

	S = sched_new(&ctx, 100, 2, 1000);
	ck_assert_ptr_nonnull(S);
	for (i = 0; i < 4; i++)
		submit(i, i % 2 ? "127.0.0.2" : "127.0.0.1", false);
	/* two addresses, two slots each: all four at once */
	ck_assert_uint_eq(sched_active(S), 4);
	ck_assert_uint_eq(sched_waiting(S), 0);
	ck_assert_uint_eq(run_all(4), 4);
}
END_TEST

START_TEST(test_max_active)
{
	int i;

	S = sched_new(&ctx, 3, 2, 1000);
	ck_assert_ptr_nonnull(S);
	for (i = 0; i < 6; i++)
		submit(i, i % 2 ? "127.0.0.2" : "127.0.0.1", false);
	ck_assert_uint_eq(sched_active(S), 3);
	ck_assert_uint_eq(sched_waiting(S), 3);
	ck_assert_uint_eq(run_all(6), 3);
}
END_TEST

/* A TCP-only control takes no address slot. */
START_TEST(test_controls_take_no_slot)
{
	S = sched_new(&ctx, 100, 1, 1000);
	ck_assert_ptr_nonnull(S);
	submit(0, "127.0.0.1", false);
	submit(1, "127.0.0.1", true);
	submit(2, "127.0.0.1", false);
	ck_assert_uint_eq(sched_active(S), 2);
	ck_assert_uint_eq(sched_waiting(S), 1);
	run_all(3);
	ck_assert(P[1]->connected);
	ck_assert_int_eq(P[1]->end, END_DONE);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("slots");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_per_address);
	tcase_add_test(tc, test_addresses_apart);
	tcase_add_test(tc, test_max_active);
	tcase_add_test(tc, test_controls_take_no_slot);
	suite_add_tcase(s, tc);
	return s;
}
