/*
 * loop - a small level-triggered epoll event loop with a monotonic clock.
 *
 * File descriptors are watched with a callback each; timers are absolute
 * deadlines on the monotonic clock, kept in a binary heap.  The caller owns
 * the timer structs (embedded in its sessions), so arming and cancelling
 * never allocate.  loop_run_once() runs one iteration, so tests can step it.
 */
#ifndef CORE_LOOP_H
#define CORE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define LOOP_READ 1u
#define LOOP_WRITE 2u

struct loop;

typedef void (*loop_io_cb)(void *arg, int fd, unsigned events);
typedef void (*loop_timer_cb)(void *arg);

struct loop_timer {
	uint64_t when;	  /* absolute, loop_now() milliseconds */
	size_t slot;	  /* heap index + 1; 0 when not armed */
	loop_timer_cb cb; /* called once when due */
	void *arg;
};

struct loop *loop_new(void);
void loop_free(struct loop *loop);

/* Monotonic milliseconds. */
uint64_t loop_now(void);

/* Watch fd for LOOP_READ and/or LOOP_WRITE (0 keeps it registered but
 * silent); calling again changes the interest.  -1 with errno on failure. */
int loop_watch(struct loop *loop, int fd, unsigned events, loop_io_cb cb,
	       void *arg);
/* Forget fd; safe to call before close() and for unwatched fds. */
void loop_unwatch(struct loop *loop, int fd);

void loop_timer_arm(struct loop *loop, struct loop_timer *t, uint64_t when,
		    loop_timer_cb cb, void *arg);
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);

/* Number of fds watched plus timers armed: 0 means nothing can happen. */
size_t loop_pending(const struct loop *loop);

/* Wait at most max_wait_ms (-1: until the next timer) for events, dispatch
 * them and the due timers.  Returns the number of callbacks run, or -1 on
 * an epoll error. */
int loop_run_once(struct loop *loop, int max_wait_ms);

#endif
