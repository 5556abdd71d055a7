/*
 * hops - where the SYNs to a port die: one TCP connect per IP TTL / IPv6
 * hop limit from 1 to HOPS_MAX, all in flight at once on the event loop,
 * with IP_TTL / IPV6_UNICAST_HOPS on ordinary sockets and the routers'
 * ICMP time-exceeded read from each socket's error queue (IP_RECVERR /
 * IPV6_RECVERR): no raw socket, no privilege.  A connect that gets a
 * SYN-ACK or a reset has reached the destination.  One timeout bounds
 * the whole walk.  Like the probes, it records what it saw and judges
 * nothing (reports/ compares a filtered port's walk with a working one's).
 */
#ifndef PROBE_HOPS_H
#define PROBE_HOPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "probe/probe.h"

#define HOPS_MAX 30

enum hop_answer {
	HOP_NONE,	   /* nothing came back before the walk ended */
	HOP_TIME_EXCEEDED, /* a router on the way: the TTL ran out there */
	HOP_REACHED,	   /* the destination: a SYN-ACK or a reset */
	HOP_REJECTED,	   /* another ICMP error (from in `from`) */
	HOP_LOCAL,	   /* failed on this machine: no socket, no route */
};

struct hop {
	enum hop_answer answer;
	char from[64]; /* who answered; "" for none */
	int64_t ms;    /* after how long; -1 for none */
};

struct hop_walk {
	/* set by the caller */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char address[64];
	int port;
	bool reference; /* a port that works, walked for comparison */

	/* observations; hops[t - 1] is TTL t */
	struct hop hops[HOPS_MAX];
	int max_ttl;	/* TTLs tried: HOPS_MAX, or fewer if sockets ran out */
	int reached;	/* the lowest TTL that reached the destination, or 0 */
	bool timed_out; /* the walk's timeout ended it */
	int64_t ms;	/* how long the walk took */

	void *run; /* the walk in progress, else NULL (opaque) */
};

typedef void (*hops_done_cb)(void *arg, struct hop_walk *w);

/* Starts the walk to w's address and port: done runs once, from the
 * loop, within timeout_ms.  w must live until then.  -1 if nothing could
 * be started (w->hops then say why). */
int hops_start(struct loop *loop, struct hop_walk *w, unsigned timeout_ms,
	       hops_done_cb done, void *arg);
/* The walks worth making after the probes of one target (probes and
 * controls, ended): for the first address of each family where a port's
 * SYNs went unanswered (a timeout, or an ICMP error from a router on the
 * way) while another port or the control connected, a walk for each such
 * port (at most HOPS_MAX_PORTS) and one to the port that connected (a
 * mail port rather than the control).  Fills out[] (max entries) and
 * returns how many. */
#define HOPS_MAX_PORTS 4
size_t hops_plan(struct probe *const *probes, size_t nprobes,
		 struct probe *const *controls, size_t ncontrols,
		 struct hop_walk *out, size_t max);

/* The highest TTL a router answered with time-exceeded, or 0. */
int hops_last_router(const struct hop_walk *w);
const char *hops_answer_name(enum hop_answer a);

#endif
