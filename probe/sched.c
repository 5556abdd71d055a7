#include "probe/sched.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

#define BUCKETS 256

struct slot {
	char key[64];	 /* the address */
	unsigned active; /* sessions holding the slot */
	unsigned refs;	 /* entries, waiting or running, that point here */
	int64_t rtt;	 /* the quickest connect answer seen, ms; -1 none */
	struct slot *next;
};

struct entry {
	struct sched *s;
	struct probe *p;
	probe_done_cb done;
	void *arg;
	struct slot *slot; /* NULL for controls */
	int holds_slot;
	struct loop_timer grace;
	uint64_t started;
	struct entry *next; /* in the waiting list */
};

struct sched {
	struct probe_ctx *ctx;
	unsigned max_active, per_addr, grace_ms;
	size_t active, waiting;
	struct entry *head, *tail;
	struct slot *buckets[BUCKETS];
};

static void on_connect_seen(void *arg, const struct probe *p, int64_t ms);

struct sched *sched_new(struct probe_ctx *ctx, unsigned max_active,
			unsigned per_addr, unsigned grace_ms)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->ctx = ctx;
	/* round trips seen on an address judge its silent ports sooner */
	ctx->connect_seen = on_connect_seen;
	ctx->connect_arg = s;
	s->max_active = max_active ? max_active : 1;
	s->per_addr = per_addr ? per_addr : UINT_MAX;
	s->grace_ms = grace_ms;
	return s;
}

void sched_free(struct sched *s)
{
	struct entry *e, *next;
	size_t i;

	if (s == NULL)
		return;
	for (e = s->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	for (i = 0; i < BUCKETS; i++) {
		struct slot *sl, *n;

		for (sl = s->buckets[i]; sl != NULL; sl = n) {
			n = sl->next;
			free(sl);
		}
	}
	free(s);
}

static unsigned hash(const char *k)
{
	return fnv32(k) % BUCKETS;
}

static struct slot *slot_get(struct sched *s, const char *key)
{
	unsigned b = hash(key);
	struct slot *sl;

	for (sl = s->buckets[b]; sl != NULL; sl = sl->next)
		if (strcmp(sl->key, key) == 0)
			return sl;
	sl = calloc(1, sizeof(*sl));
	if (sl == NULL)
		return NULL;
	snprintf(sl->key, sizeof(sl->key), "%s", key);
	sl->rtt = -1;
	sl->next = s->buckets[b];
	s->buckets[b] = sl;
	return sl;
}

/* Forget an address nobody is talking to: bulk runs see many. */
static void slot_put(struct sched *s, struct slot *sl)
{
	struct slot **pp = &s->buckets[hash(sl->key)];

	if (--sl->refs > 0)
		return;
	while (*pp != sl)
		pp = &(*pp)->next;
	*pp = sl->next;
	free(sl);
}

static void pump(struct sched *s);

/* The address answered another connect of ours in rtt ms; a SYN lost on
 * the way is sent again by the kernel after 1 s.  So a connect with no
 * answer by then and a few more round trips is being dropped: judged so
 * without waiting out --timeout, the way nmap judges filtered ports. */
#define SYN_RETRY_MS 1000

/* What the retried SYN's answer may take: four round trips, and at least
 * 250 ms (an ICMP reject can surface late, seen with ICMPv6 on veth). */
static uint64_t retry_slack(int64_t rtt)
{
	return rtt * 4 > 250 ? (uint64_t)rtt * 4 : 250;
}

static void on_grace(void *arg)
{
	struct entry *e = arg;

	if (e->p->connected)
		return;
	if (e->slot->rtt >= 0)
		probe_connect_by(e->p, e->started + SYN_RETRY_MS +
					       retry_slack(e->slot->rtt));
	if (e->holds_slot) {
		e->holds_slot = 0;
		e->slot->active--;
		pump(e->s);
	}
}

/* Whose slot it is: found, never created (controls have none). */
static struct slot *slot_find(struct sched *s, const char *key)
{
	struct slot *sl;

	for (sl = s->buckets[hash(key)]; sl != NULL; sl = sl->next)
		if (strcmp(sl->key, key) == 0)
			return sl;
	return NULL;
}

static void on_connect_seen(void *arg, const struct probe *p, int64_t ms)
{
	struct slot *sl = slot_find(arg, p->address);

	if (sl != NULL && (sl->rtt < 0 || ms < sl->rtt))
		sl->rtt = ms;
}

static void on_done(void *arg, struct probe *p)
{
	struct entry *e = arg;
	struct sched *s = e->s;

	loop_timer_cancel(s->ctx->loop, &e->grace);
	s->active--;
	if (e->slot != NULL) {
		if (e->holds_slot)
			e->slot->active--;
		slot_put(s, e->slot);
	}
	e->done(e->arg, p);
	free(e);
	pump(s);
}

static void start(struct sched *s, struct entry *e)
{
	s->active++;
	e->started = loop_now();
	if (e->slot != NULL) {
		e->slot->active++;
		e->holds_slot = 1;
		if (s->grace_ms > 0)
			loop_timer_arm(s->ctx->loop, &e->grace,
				       loop_now() + s->grace_ms, on_grace, e);
	}
	if (probe_start(s->ctx, e->p, on_done, e) < 0) {
		/* reported as a local failure through the normal path */
		e->p->end = END_LOCAL;
		on_done(e, e->p);
	}
}

static bool can_start(const struct sched *s, const struct entry *e)
{
	return s->active < s->max_active &&
	       (e->slot == NULL || e->slot->active < s->per_addr);
}

static void pump(struct sched *s)
{
	struct entry **pp = &s->head, *prev = NULL;

	while (*pp != NULL && s->active < s->max_active) {
		struct entry *e = *pp;

		if (!can_start(s, e)) {
			prev = e;
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		if (s->tail == e)
			s->tail = prev;
		s->waiting--;
		e->next = NULL;
		start(s, e);
		/* start may have re-entered pump and changed the list */
		pp = &s->head;
		prev = NULL;
	}
}

int sched_submit(struct sched *s, struct probe *p, probe_done_cb done,
		 void *arg)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	e->s = s;
	e->p = p;
	e->done = done;
	e->arg = arg;
	if (!p->connect_only) {
		e->slot = slot_get(s, p->address);
		if (e->slot == NULL) {
			free(e);
			return -1;
		}
		e->slot->refs++;
	}
	if (s->head == NULL && can_start(s, e)) {
		start(s, e);
		return 0;
	}
	if (s->tail != NULL)
		s->tail->next = e;
	else
		s->head = e;
	s->tail = e;
	s->waiting++;
	pump(s);
	return 0;
}

size_t sched_active(const struct sched *s)
{
	return s->active;
}

size_t sched_waiting(const struct sched *s)
{
	return s->waiting;
}

unsigned sched_fd_budget(unsigned long long fds, unsigned want, unsigned others)
{
	unsigned long long reserve = 32 + (unsigned long long)others;
	unsigned long long room = fds > reserve + 16 ? fds - reserve : 16;

	return want <= room ? want : (unsigned)room;
}
