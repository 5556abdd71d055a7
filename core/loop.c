#include "core/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct watch {
	loop_io_cb cb;
	void *arg;
	uint32_t gen; /* tells a stale event for a reused fd from a live one */
	unsigned events;
	int active;
};

struct loop {
	int epfd;
	struct watch *w; /* indexed by fd */
	size_t nw;
	size_t nwatched;
	uint32_t gen;
	struct loop_timer **heap;
	size_t nheap, capheap;
};

uint64_t loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

void loop_free(struct loop *loop)
{
	if (loop == NULL)
		return;
	close(loop->epfd);
	free(loop->w);
	free(loop->heap);
	free(loop);
}

static uint32_t to_epoll(unsigned events)
{
	return ((events & LOOP_READ) ? EPOLLIN : 0) |
	       ((events & LOOP_WRITE) ? EPOLLOUT : 0);
}

int loop_watch(struct loop *loop, int fd, unsigned events, loop_io_cb cb,
	       void *arg)
{
	struct epoll_event ev;
	struct watch *w;
	int op;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if ((size_t)fd >= loop->nw) {
		size_t n = loop->nw ? loop->nw : 64;
		struct watch *nw;

		while (n <= (size_t)fd)
			n *= 2;
		nw = realloc(loop->w, n * sizeof(*nw));
		if (nw == NULL)
			return -1;
		memset(nw + loop->nw, 0, (n - loop->nw) * sizeof(*nw));
		loop->w = nw;
		loop->nw = n;
	}
	w = &loop->w[fd];
	op = w->active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (!w->active)
		w->gen = ++loop->gen;
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)w->gen << 32 | (uint32_t)fd;
	if (op == EPOLL_CTL_MOD && w->events == events) {
		/* same interest: nothing to tell the kernel */
	} else if (epoll_ctl(loop->epfd, op, fd, &ev) < 0) {
		return -1;
	}
	if (!w->active)
		loop->nwatched++;
	w->active = 1;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	return 0;
}

void loop_unwatch(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nw || !loop->w[fd].active)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->w[fd].active = 0;
	loop->nwatched--;
}

/* Binary min-heap on when; slot is index + 1 so 0 can mean "not armed". */
static void heap_set(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (loop->heap[p]->when <= t->when)
			break;
		heap_set(loop, i, loop->heap[p]);
		i = p;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap &&
		    loop->heap[c + 1]->when < loop->heap[c]->when)
			c++;
		if (t->when <= loop->heap[c]->when)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	struct loop_timer *last;
	size_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	loop->nheap--;
	if (i == loop->nheap)
		return;
	last = loop->heap[loop->nheap];
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->slot - 1);
}

void loop_timer_arm(struct loop *loop, struct loop_timer *t, uint64_t when,
		    loop_timer_cb cb, void *arg)
{
	loop_timer_cancel(loop, t);
	if (loop->nheap == loop->capheap) {
		size_t n = loop->capheap ? loop->capheap * 2 : 64;
		struct loop_timer **h = realloc(loop->heap, n * sizeof(*h));

		if (h == NULL)
			abort(); /* a few pointers: nothing sane to do */
		loop->heap = h;
		loop->capheap = n;
	}
	t->when = when;
	t->cb = cb;
	t->arg = arg;
	heap_set(loop, loop->nheap++, t);
	heap_up(loop, loop->nheap - 1);
}

size_t loop_pending(const struct loop *loop)
{
	return loop->nwatched + loop->nheap;
}

static int run_timers(struct loop *loop)
{
	uint64_t now = loop_now();
	int n = 0;

	while (loop->nheap > 0 && loop->heap[0]->when <= now) {
		struct loop_timer *t = loop->heap[0];

		loop_timer_cancel(loop, t);
		t->cb(t->arg);
		n++;
	}
	return n;
}

int loop_run_once(struct loop *loop, int max_wait_ms)
{
	struct epoll_event ev[64];
	int wait = max_wait_ms, n, i, ran;

	if (loop->nheap > 0) {
		uint64_t now = loop_now(), when = loop->heap[0]->when;
		int until = when <= now		    ? 0
			    : when - now > 86400000 ? 86400000
						    : (int)(when - now);

		if (wait < 0 || until < wait)
			wait = until;
	}
	n = epoll_wait(loop->epfd, ev, 64, wait);
	if (n < 0) {
		if (errno != EINTR)
			return -1;
		n = 0;
	}
	ran = 0;
	for (i = 0; i < n; i++) {
		int fd = (int)(uint32_t)ev[i].data.u64;
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
		unsigned events = 0;
		struct watch *w;

		if ((size_t)fd >= loop->nw)
			continue;
		w = &loop->w[fd];
		/* an earlier callback in this batch may have closed it */
		if (!w->active || w->gen != gen)
			continue;
		if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			events |= LOOP_READ;
		if (ev[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			events |= LOOP_WRITE;
		events &= w->events;
		if (events == 0)
			continue;
		w->cb(w->arg, fd, events);
		ran++;
	}
	return ran + run_timers(loop);
}
