/*
 * sched - when probes may start: at most max_active sessions at once
 * (file descriptors, the --concurrency of bulk runs), and at most per_addr
 * SMTP sessions at once to one address (0: no limit, what a diagnosis of
 * the targets given uses), so a mail server never sees a bulk run as a
 * flood (DESIGN.md: manners).  A connect still unanswered after grace_ms
 * gives up its address slot: a silently dropped port is not a connection
 * the server sees, and it must not make the other ports wait a timeout.
 * TCP-only controls (connect_only) take no address slot.  Once an address
 * has answered any connect, a connect to it with no answer after the
 * kernel's SYN retry and a few round trips is judged dropped then,
 * bounded by --timeout (sched_new hooks itself into ctx for that).
 */
#ifndef PROBE_SCHED_H
#define PROBE_SCHED_H

#include <stddef.h>

#include "probe/probe.h"

struct sched;

struct sched *sched_new(struct probe_ctx *ctx, unsigned max_active,
			unsigned per_addr, unsigned grace_ms);
void sched_free(struct sched *s);

/* Starts p now, or when a slot frees; done runs from the loop once p has
 * ended.  -1 if out of memory (nothing will run). */
int sched_submit(struct sched *s, struct probe *p, probe_done_cb done,
		 void *arg);

/* Sessions that fit in a limit of fds descriptors, at most want: each
 * session holds one, and others are held by the rest (curl's and c-ares'
 * sockets) besides a fixed reserve for stdio, epoll, signalfd and the CA
 * file.  At least 16. */
unsigned sched_fd_budget(unsigned long long fds, unsigned want,
			 unsigned others);

size_t sched_active(const struct sched *s);
size_t sched_waiting(const struct sched *s);

#endif
