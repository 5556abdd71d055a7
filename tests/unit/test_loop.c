/* core/loop: timers in a heap, fds on epoll, stepped with loop_run_once. */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "tests/unit/suites.h"

#define NT 64

static struct loop *loop;
static struct loop_timer timers[NT];
static int fired[NT * 2]; /* timer indices in the order they ran */
static size_t nfired;
static uint64_t fired_at[NT];

static void setup(void)
{
	loop = loop_new();
	ck_assert_ptr_nonnull(loop);
	memset(timers, 0, sizeof(timers));
	nfired = 0;
}

static void teardown(void)
{
	loop_free(loop);
}

static void on_timer(void *arg)
{
	int i = (int)((struct loop_timer *)arg - timers);

	ck_assert_uint_lt(nfired, NT * 2);
	fired_at[i] = loop_now();
	fired[nfired++] = i;
}

static void arm(int i, uint64_t when)
{
	loop_timer_arm(loop, &timers[i], when, on_timer, &timers[i]);
}

/* Steps the loop until nothing is pending, at most 5 s. */
static void run_all(void)
{
	uint64_t give_up = loop_now() + 5000;

	while (loop_pending(loop) > 0) {
		ck_assert_int_ge(loop_run_once(loop, 100), 0);
		ck_assert_msg(loop_now() < give_up, "the loop never ran dry");
	}
}

/* Deadlines in the past are all due: one step runs them, in order. */
START_TEST(test_due_timers_in_order)
{
	static const int offset[] = {7, 3, 9, 1, 8, 2, 6, 4, 5, 0};
	uint64_t base = loop_now() - 100;
	size_t i;

	for (i = 0; i < 10; i++)
		arm((int)i, base + (uint64_t)offset[i]);
	ck_assert_uint_eq(loop_pending(loop), 10);
	ck_assert_int_eq(loop_run_once(loop, 0), 10);
	ck_assert_uint_eq(nfired, 10);
	/* timer i fires at position offset[i] */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(fired[offset[i]], (int)i);
	ck_assert_uint_eq(loop_pending(loop), 0);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(timers[i].slot, 0);
}
END_TEST

/* Future deadlines: run until none is pending; each fires in order and
 * not before it is due. */
START_TEST(test_future_timers_in_order)
{
	static const int ms[] = {40, 10, 30, 5, 20, 35, 15, 25};
	uint64_t base = loop_now();
	size_t i;

	for (i = 0; i < 8; i++)
		arm((int)i, base + (uint64_t)ms[i]);
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	ck_assert_uint_eq(nfired, 0);
	run_all();
	ck_assert_uint_eq(nfired, 8);
	for (i = 1; i < 8; i++)
		ck_assert_int_lt(ms[fired[i - 1]], ms[fired[i]]);
	for (i = 0; i < 8; i++)
		ck_assert_uint_ge(fired_at[i], timers[i].when);
}
END_TEST

START_TEST(test_equal_deadlines_all_fire)
{
	uint64_t when = loop_now() - 1;
	int i;

	for (i = 0; i < 5; i++)
		arm(i, when);
	ck_assert_int_eq(loop_run_once(loop, 0), 5);
	ck_assert_uint_eq(nfired, 5);
}
END_TEST

START_TEST(test_cancel_middle)
{
	uint64_t base = loop_now() - 1000;
	int i;

	/* in deadline order, so the heap is the array: 3 sits mid-heap
	 * with children 7 and 8 */
	for (i = 0; i < 12; i++)
		arm(i, base + (uint64_t)i * 10);
	ck_assert_uint_eq(timers[3].slot, 4);
	loop_timer_cancel(loop, &timers[3]);
	ck_assert_uint_eq(timers[3].slot, 0);
	ck_assert_uint_eq(loop_pending(loop), 11);
	/* cancelling twice is harmless */
	loop_timer_cancel(loop, &timers[3]);
	ck_assert_uint_eq(loop_pending(loop), 11);
	ck_assert_int_eq(loop_run_once(loop, 0), 11);
	ck_assert_uint_eq(nfired, 11);
	for (i = 0; i < 11; i++)
		ck_assert_int_eq(fired[i], i < 3 ? i : i + 1);
}
END_TEST

/* The moved-in last element must be able to go up as well as down. */
START_TEST(test_cancel_moves_last_up)
{
	static const int when[] = {15, 92, 27, 88, 40, 9, 14};
	static const int order[] = {5, 6, 0, 2, 4, 3};
	uint64_t base = loop_now() - 1000;
	int i;

	/* heap: 9 | 40 14 | 92 88 27 15, i.e. timers 5 | 4 6 | 1 3 2 0 */
	for (i = 0; i < 7; i++)
		arm(i, base + (uint64_t)when[i]);
	ck_assert_uint_eq(timers[1].slot, 4);
	ck_assert_uint_eq(timers[0].slot, 7);
	/* 1 goes; 0 (15), the last, lands under 4 (40) and must rise */
	loop_timer_cancel(loop, &timers[1]);
	ck_assert_int_eq(loop_run_once(loop, 0), 6);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(fired[i], order[i]);
}
END_TEST

/* Many timers, a scrambled order, every third cancelled. */
START_TEST(test_cancel_many)
{
	uint64_t base = loop_now() - 10000;
	bool cancelled[NT] = {false};
	size_t i, want = 0;

	for (i = 0; i < NT; i++)
		arm((int)i, base + (i * 37) % NT * 10);
	for (i = 0; i < NT; i += 3) {
		loop_timer_cancel(loop, &timers[i]);
		cancelled[i] = true;
	}
	for (i = 0; i < NT; i++)
		want += !cancelled[i];
	ck_assert_uint_eq(loop_pending(loop), want);
	ck_assert_int_eq(loop_run_once(loop, 0), (int)want);
	ck_assert_uint_eq(nfired, want);
	for (i = 0; i < nfired; i++) {
		ck_assert_msg(!cancelled[fired[i]], "cancelled %d fired",
			      fired[i]);
		if (i > 0)
			ck_assert_uint_lt(timers[fired[i - 1]].when,
					  timers[fired[i]].when);
	}
}
END_TEST

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Rounds of arming, cancelling and re-arming at random: whatever the
 * heap went through, the due timers come out in deadline order. */
START_TEST(test_heap_random)
{
	/* All deadlines lie in the past. The monotonic clock counts from
	 * boot, so on a machine up for less than a minute the span shrinks
	 * instead of wrapping below zero. */
	uint64_t now = loop_now();
	uint32_t span = now / NT < 1000 ? (uint32_t)(now / NT) : 1000;
	uint64_t base = now - (uint64_t)span * NT;
	uint32_t seed = 7;
	int round;

	for (round = 0; round < 200; round++) {
		bool live[NT] = {false};
		size_t i, want = 0;

		nfired = 0;
		for (i = 0; i < NT; i++) {
			arm((int)i, base + (lcg(&seed) % span) * NT + i);
			live[i] = true;
		}
		for (i = 0; i < NT; i++) {
			uint32_t r = lcg(&seed) % 8;

			if (r < 3) {
				loop_timer_cancel(loop, &timers[i]);
				live[i] = false;
			} else if (r < 5) {
				arm((int)i,
				    base + (lcg(&seed) % span) * NT + i);
			}
		}
		for (i = 0; i < NT; i++)
			want += live[i];
		ck_assert_uint_eq(loop_pending(loop), want);
		ck_assert_int_eq(loop_run_once(loop, 0), (int)want);
		for (i = 0; i < nfired; i++) {
			ck_assert_msg(live[fired[i]],
				      "round %d: cancelled %d fired", round,
				      fired[i]);
			if (i > 0)
				ck_assert_msg(timers[fired[i - 1]].when <
						      timers[fired[i]].when,
					      "round %d: out of order at %zu",
					      round, i);
		}
	}
}
END_TEST

START_TEST(test_rearm_moves)
{
	uint64_t now = loop_now();

	arm(0, now + 10);
	arm(1, now + 40);
	arm(0, now + 80); /* later than 1 now */
	ck_assert_uint_eq(loop_pending(loop), 2);
	run_all();
	ck_assert_uint_eq(nfired, 2);
	ck_assert_int_eq(fired[0], 1);
	ck_assert_int_eq(fired[1], 0);
	ck_assert_uint_ge(fired_at[0], now + 80);
}
END_TEST

START_TEST(test_rearm_earlier)
{
	uint64_t now = loop_now();

	arm(0, now + 5000);
	arm(1, now + 2000);
	arm(0, now - 1);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(fired[0], 0);
	ck_assert_uint_eq(loop_pending(loop), 1);
	loop_timer_cancel(loop, &timers[1]);
	ck_assert_uint_eq(loop_pending(loop), 0);
}
END_TEST

static struct loop_timer *chain_next;

/* A callback may arm another timer (and its own again). */
static void on_chain(void *arg)
{
	on_timer(arg);
	if (chain_next != NULL) {
		struct loop_timer *t = chain_next;

		chain_next = NULL;
		loop_timer_arm(loop, t, loop_now() + 5, on_timer, t);
	}
}

START_TEST(test_arm_from_callback)
{
	chain_next = &timers[1];
	loop_timer_arm(loop, &timers[0], loop_now(), on_chain, &timers[0]);
	run_all();
	ck_assert_uint_eq(nfired, 2);
	ck_assert_int_eq(fired[0], 0);
	ck_assert_int_eq(fired[1], 1);
}
END_TEST

struct io_rec {
	int calls;
	int fd;
	unsigned events;
	int other; /* fd to unwatch from the callback, or -1 */
};

static void on_io(void *arg, int fd, unsigned events)
{
	struct io_rec *rec = arg;

	rec->calls++;
	rec->fd = fd;
	rec->events = events;
	if (rec->other >= 0)
		loop_unwatch(loop, rec->other);
}

static void make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

START_TEST(test_read_fires_when_written)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert_int_eq(rec.calls, 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_int_eq(rec.fd, p[0]);
	ck_assert_uint_eq(rec.events, LOOP_READ);
	/* level-triggered: still readable, still called */
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(rec.calls, 2);
	loop_unwatch(loop, p[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_write_interest)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(loop_watch(loop, p[1], LOOP_WRITE, on_io, &rec), 0);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_uint_eq(rec.events, LOOP_WRITE);
	ck_assert_int_eq(rec.fd, p[1]);
	/* interest 0: registered, silent */
	ck_assert_int_eq(loop_watch(loop, p[1], 0, on_io, &rec), 0);
	ck_assert_uint_eq(loop_pending(loop), 1);
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert_int_eq(rec.calls, 1);
	loop_unwatch(loop, p[1]);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_change_interest)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_WRITE, on_io, &rec), 0);
	/* readable, but only writing was asked for */
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert_int_eq(rec.calls, 0);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	ck_assert_uint_eq(loop_pending(loop), 1);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_uint_eq(rec.events, LOOP_READ);
	loop_unwatch(loop, p[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_hangup_is_read)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	close(p[1]);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	/* only what was asked for, though a hangup is both */
	ck_assert_uint_eq(rec.events, LOOP_READ);
	/* and nothing for a silent watch */
	ck_assert_int_eq(loop_watch(loop, p[0], 0, on_io, &rec), 0);
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert_int_eq(rec.calls, 1);
	loop_unwatch(loop, p[0]);
	close(p[0]);
}
END_TEST

START_TEST(test_unwatch_stops)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	loop_unwatch(loop, p[0]);
	ck_assert_uint_eq(loop_pending(loop), 0);
	ck_assert_int_eq(loop_run_once(loop, 20), 0);
	ck_assert_int_eq(rec.calls, 1);
	/* twice, and for fds never watched: harmless */
	loop_unwatch(loop, p[0]);
	loop_unwatch(loop, p[1]);
	loop_unwatch(loop, 1000);
	loop_unwatch(loop, -1);
	ck_assert_uint_eq(loop_pending(loop), 0);
	/* and it can be watched again */
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_int_eq(rec.calls, 2);
	loop_unwatch(loop, p[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Two fds ready in one step; whichever runs first unwatches the other,
 * whose event in the same batch must then be dropped. */
START_TEST(test_unwatch_from_callback)
{
	struct io_rec a = {0}, b = {0};
	int p[2], q[2];

	make_pipe(p);
	make_pipe(q);
	a.other = q[0];
	b.other = p[0];
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &a), 0);
	ck_assert_int_eq(loop_watch(loop, q[0], LOOP_READ, on_io, &b), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(write(q[1], "x", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_int_eq(a.calls + b.calls, 1);
	loop_unwatch(loop, p[0]);
	loop_unwatch(loop, q[0]);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}
END_TEST

START_TEST(test_watch_bad_fd)
{
	struct io_rec rec = {.other = -1};

	ck_assert_int_eq(loop_watch(loop, -1, LOOP_READ, on_io, &rec), -1);
	ck_assert_uint_eq(loop_pending(loop), 0);
}
END_TEST

START_TEST(test_high_fd)
{
	struct io_rec rec = {.other = -1};
	int p[2], hi;

	make_pipe(p);
	hi = fcntl(p[0], F_DUPFD_CLOEXEC, 300);
	ck_assert_int_ge(hi, 300);
	ck_assert_int_eq(loop_watch(loop, hi, LOOP_READ, on_io, &rec), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 1000), 1);
	ck_assert_int_eq(rec.fd, hi);
	loop_unwatch(loop, hi);
	close(hi);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_pending_counts)
{
	struct io_rec rec = {.other = -1};
	int p[2];

	make_pipe(p);
	ck_assert_uint_eq(loop_pending(loop), 0);
	ck_assert_int_eq(loop_watch(loop, p[0], LOOP_READ, on_io, &rec), 0);
	ck_assert_uint_eq(loop_pending(loop), 1);
	/* a second watch of the same fd changes it, adds nothing */
	ck_assert_int_eq(
		loop_watch(loop, p[0], LOOP_READ | LOOP_WRITE, on_io, &rec), 0);
	ck_assert_uint_eq(loop_pending(loop), 1);
	ck_assert_int_eq(loop_watch(loop, p[1], LOOP_WRITE, on_io, &rec), 0);
	ck_assert_uint_eq(loop_pending(loop), 2);
	arm(0, loop_now() + 10000);
	arm(1, loop_now() + 20000);
	ck_assert_uint_eq(loop_pending(loop), 4);
	/* re-arming is not a second timer */
	arm(0, loop_now() + 30000);
	ck_assert_uint_eq(loop_pending(loop), 4);
	loop_timer_cancel(loop, &timers[1]);
	ck_assert_uint_eq(loop_pending(loop), 3);
	loop_unwatch(loop, p[1]);
	ck_assert_uint_eq(loop_pending(loop), 2);
	loop_unwatch(loop, p[0]);
	loop_timer_cancel(loop, &timers[0]);
	ck_assert_uint_eq(loop_pending(loop), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* A step waits for the next timer, not for max_wait_ms. */
START_TEST(test_wait_bounded_by_timer)
{
	uint64_t t0 = loop_now();

	arm(0, t0 + 30);
	while (nfired == 0)
		ck_assert_int_ge(loop_run_once(loop, 10000), 0);
	ck_assert_uint_lt(loop_now() - t0, 2000);
	ck_assert_uint_ge(fired_at[0], t0 + 30);
}
END_TEST

START_TEST(test_now_monotonic)
{
	uint64_t a = loop_now(), b;

	usleep(20000);
	b = loop_now();
	ck_assert_uint_ge(b - a, 19);
	ck_assert_uint_lt(b - a, 2000);
}
END_TEST

Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tt = tcase_create("timers");
	TCase *io = tcase_create("io");

	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_add_test(tt, test_due_timers_in_order);
	tcase_add_test(tt, test_future_timers_in_order);
	tcase_add_test(tt, test_equal_deadlines_all_fire);
	tcase_add_test(tt, test_cancel_middle);
	tcase_add_test(tt, test_cancel_moves_last_up);
	tcase_add_test(tt, test_cancel_many);
	tcase_add_test(tt, test_heap_random);
	tcase_add_test(tt, test_rearm_moves);
	tcase_add_test(tt, test_rearm_earlier);
	tcase_add_test(tt, test_arm_from_callback);
	tcase_add_test(tt, test_wait_bounded_by_timer);
	tcase_add_test(tt, test_now_monotonic);
	suite_add_tcase(s, tt);

	tcase_add_checked_fixture(io, setup, teardown);
	tcase_add_test(io, test_read_fires_when_written);
	tcase_add_test(io, test_write_interest);
	tcase_add_test(io, test_change_interest);
	tcase_add_test(io, test_hangup_is_read);
	tcase_add_test(io, test_unwatch_stops);
	tcase_add_test(io, test_unwatch_from_callback);
	tcase_add_test(io, test_watch_bad_fd);
	tcase_add_test(io, test_high_fd);
	tcase_add_test(io, test_pending_counts);
	suite_add_tcase(s, io);
	return s;
}
