#include "probe/hops.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/icmperr.h"

struct slot {
	struct run *run;
	int ttl;
	int fd;
};

struct run {
	struct loop *loop;
	struct hop_walk *w;
	hops_done_cb done;
	void *arg;
	uint64_t t0;
	struct loop_timer timer;
	struct slot slots[HOPS_MAX];
	int open; /* sockets still waiting */
};

static void close_slot(struct run *run, struct slot *s)
{
	struct linger lg = {1, 0};

	if (s->fd < 0)
		return;
	/* a connection made leaves at once, with a reset, before any
	 * greeting: the server sees no session, and we keep no TIME_WAIT */
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	loop_unwatch(run->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	run->open--;
}

static void finish(struct run *run)
{
	struct hop_walk *w = run->w;
	int i;

	loop_timer_cancel(run->loop, &run->timer);
	for (i = 0; i < HOPS_MAX; i++)
		close_slot(run, &run->slots[i]);
	w->ms = (int64_t)(loop_now() - run->t0);
	w->run = NULL;
	run->done(run->arg, w);
	free(run);
}

/* Done once every TTL below the one that reached the destination has
 * answered: the TTLs above it only reach it again. */
static bool complete(const struct run *run)
{
	const struct hop_walk *w = run->w;
	int t, top = w->reached ? w->reached - 1 : w->max_ttl;

	for (t = 1; t <= top; t++)
		if (run->slots[t - 1].fd >= 0)
			return false;
	return true;
}

static void on_timeout(void *arg)
{
	struct run *run = arg;

	run->w->timed_out = run->open > 0;
	finish(run);
}

static void on_io(void *arg, int fd, unsigned events)
{
	struct slot *s = arg;
	struct run *run = s->run;
	struct hop_walk *w = run->w;
	struct hop *h = &w->hops[s->ttl - 1];
	struct icmp_error ie;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	h->ms = (int64_t)(loop_now() - run->t0);
	/* the ICMP error first: a router's port-unreachable is also
	 * ECONNREFUSED, and names the router, not the destination */
	if (err != 0 && icmp_error_read(fd, &ie)) {
		h->answer = ie.time_exceeded ? HOP_TIME_EXCEEDED
			    : strcmp(ie.from, w->address) == 0 ? HOP_REACHED
							       : HOP_REJECTED;
		snprintf(h->from, sizeof(h->from), "%s", ie.from);
	} else if (err == 0 || err == ECONNREFUSED) {
		h->answer = HOP_REACHED;
		snprintf(h->from, sizeof(h->from), "%s", w->address);
	} else {
		h->answer = HOP_LOCAL;
	}
	if (h->answer == HOP_REACHED &&
	    (w->reached == 0 || s->ttl < w->reached))
		w->reached = s->ttl;
	close_slot(run, s);
	if (run->open == 0 || complete(run))
		finish(run);
}

static int open_slot(struct run *run, struct slot *s)
{
	struct hop_walk *w = run->w;
	struct hop *h = &w->hops[s->ttl - 1];
	int fam = w->addr.ss_family, ttl = s->ttl;

	s->fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP);
	if (s->fd < 0)
		return -1;
	if ((fam == AF_INET6 ? setsockopt(s->fd, IPPROTO_IPV6,
					  IPV6_UNICAST_HOPS, &ttl, sizeof(ttl))
			     : setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl,
					  sizeof(ttl))) < 0 ||
	    icmp_errors_keep(s->fd, fam, true) < 0 ||
	    loop_watch(run->loop, s->fd, LOOP_WRITE, on_io, s) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	run->open++;
	if (connect(s->fd, (struct sockaddr *)&w->addr, w->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		h->answer = HOP_LOCAL;
		h->ms = 0;
		close_slot(run, s);
	}
	return 0;
}

int hops_start(struct loop *loop, struct hop_walk *w, unsigned timeout_ms,
	       hops_done_cb done, void *arg)
{
	struct run *run = calloc(1, sizeof(*run));
	int t;

	for (t = 0; t < HOPS_MAX; t++) {
		memset(&w->hops[t], 0, sizeof(w->hops[t]));
		w->hops[t].ms = -1;
	}
	w->max_ttl = 0;
	w->reached = 0;
	w->timed_out = false;
	w->ms = 0;
	if (run == NULL)
		return -1;
	run->loop = loop;
	run->w = w;
	run->done = done;
	run->arg = arg;
	run->t0 = loop_now();
	for (t = 0; t < HOPS_MAX; t++) {
		run->slots[t].run = run;
		run->slots[t].ttl = t + 1;
		run->slots[t].fd = -1;
	}
	/* all at once: the whole walk costs one round trip per answer and
	 * one timeout for the silent hops, not one per hop */
	for (t = 0; t < HOPS_MAX; t++) {
		if (open_slot(run, &run->slots[t]) < 0)
			break; /* out of sockets: walk as far as we can */
		w->max_ttl = t + 1;
	}
	if (w->max_ttl == 0) {
		w->hops[0].answer = HOP_LOCAL;
		free(run);
		return -1;
	}
	w->run = run;
	loop_timer_arm(loop, &run->timer, run->t0 + timeout_ms, on_timeout,
		       run);
	/* every connect may have failed at once: end from the loop, as
	 * promised, with a timer due now (nothing open: no timeout) */
	if (run->open == 0)
		loop_timer_arm(loop, &run->timer, run->t0, on_timeout, run);
	return 0;
}

int hops_last_router(const struct hop_walk *w)
{
	int t;

	for (t = w->max_ttl; t > 0; t--)
		if (w->hops[t - 1].answer == HOP_TIME_EXCEEDED)
			return t;
	return 0;
}

const char *hops_answer_name(enum hop_answer a)
{
	static const char *const names[] = {"none", "time-exceeded", "reached",
					    "rejected", "local-error"};

	return names[a];
}

/* Its SYNs went unanswered: silence, or a router's ICMP error. */
static bool unanswered(const struct probe *p)
{
	if (p->connected)
		return false;
	if (p->end == END_TIMEOUT || p->end == END_DEADLINE)
		return true;
	return (p->end == END_UNREACHABLE || p->end == END_REFUSED) &&
	       p->icmp_from[0] != '\0' && strcmp(p->icmp_from, p->address) != 0;
}

static void walk_of(struct hop_walk *w, const struct probe *p, bool ref)
{
	memset(w, 0, sizeof(*w));
	w->addr = p->addr;
	w->addrlen = p->addrlen;
	memcpy(w->address, p->address, sizeof(w->address));
	w->port = p->port;
	w->reference = ref;
}

/* A probe or control to address a that connected, a mail port first. */
static const struct probe *working(struct probe *const *probes, size_t n,
				   struct probe *const *controls, size_t nc,
				   const char *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (probes[i]->connected && strcmp(probes[i]->address, a) == 0)
			return probes[i];
	for (i = 0; i < nc; i++)
		if (controls[i]->connected &&
		    strcmp(controls[i]->address, a) == 0)
			return controls[i];
	return NULL;
}

size_t hops_plan(struct probe *const *probes, size_t nprobes,
		 struct probe *const *controls, size_t ncontrols,
		 struct hop_walk *out, size_t max)
{
	static const int families[] = {AF_INET, AF_INET6};
	size_t f, i, j, n = 0;

	for (f = 0; f < 2; f++) {
		const struct probe *ref = NULL;
		const char *a = NULL;
		size_t ports = 0;

		for (i = 0; i < nprobes && a == NULL; i++) {
			const struct probe *p = probes[i];

			if (p->addr.ss_family != families[f] || !unanswered(p))
				continue;
			ref = working(probes, nprobes, controls, ncontrols,
				      p->address);
			if (ref != NULL)
				a = p->address;
		}
		if (a == NULL)
			continue;
		for (i = 0; i < nprobes && n < max && ports < HOPS_MAX_PORTS;
		     i++) {
			const struct probe *p = probes[i];
			bool seen = false;

			if (strcmp(p->address, a) != 0 || !unanswered(p))
				continue;
			for (j = 0; j < i; j++)
				seen |= strcmp(probes[j]->address, a) == 0 &&
					probes[j]->port == p->port &&
					unanswered(probes[j]);
			if (seen)
				continue;
			walk_of(&out[n++], p, false);
			ports++;
		}
		if (n < max)
			walk_of(&out[n++], ref, true);
	}
	return n;
}
