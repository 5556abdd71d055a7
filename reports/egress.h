/*
 * egress - "is it me or them?": the same ports probed on several
 * independent providers, with TCP 443 on the same hosts as a control,
 * and a verdict per port from every piece of evidence: a connection, a
 * TCP reset or an ICMP error sent by the provider itself all prove that
 * the provider is reachable from here.
 *
 *   open        some provider connects on the port
 *   filtered    no provider connects on it, yet some provider answers
 *               on another port or on the control: the filter is here
 *   no-network  no provider answers anything at all
 *   unknown     no provider resolved
 *
 * A provider that answers nothing while the others answer is down: its
 * problem, and no evidence about this host.
 */
#ifndef REPORTS_EGRESS_H
#define REPORTS_EGRESS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/buf.h"
#include "reports/hops.h"
#include "resolver/target.h"

struct report;

#define EGRESS_MAX_HOSTS 16

/* Where the SYNs to a filtered port die on the way to one address. */
struct egress_hops {
	char address[64];
	enum hops_where where;
	int hop;	  /* WHERE_PATH: the last hop that answered */
	char words[1024]; /* the evidence in one sentence, no final stop */
};

struct egress_port {
	int port;
	int connected, timeout, refused, unreachable; /* connections */
	int icmp_own; /* of unreachable: the ICMP came from the provider */
	struct egress_hops hops[2]; /* a walk per family, at most */
	size_t nhops;
};

struct egress_host {
	char *name;
	struct egress_port ports[TARGET_MAX_PORTS];
	size_t nports;
	int https_ok, https_tried; /* the 443 controls */
	int https_answered;	   /* a reset, or an ICMP error from the host */
	bool resolved;
};

struct egress {
	struct egress_host hosts[EGRESS_MAX_HOSTS];
	size_t nhosts;
	int ports[TARGET_MAX_PORTS];
	size_t nports;
	char source[64];     /* our address, as the first connection saw it */
	char sources[2][64]; /* the first of each family: IPv4, IPv6 */
	time_t started;	     /* wall clock, for the Markdown report */
};

enum egress_verdict { EV_OPEN, EV_FILTERED, EV_NO_NETWORK, EV_UNKNOWN };

/* Adds what one control host's report saw. */
void egress_add(struct egress *e, const struct report *r);

/* The verdict on port index k, and the evidence in words. */
enum egress_verdict egress_judge(const struct egress *e, size_t k,
				 char *evidence, size_t len);
const char *egress_verdict_name(enum egress_verdict v);
/* Host i answered something: a connection, a reset or its own ICMP
 * error, on a mail port or on the control. */
bool egress_reachable(const struct egress *e, size_t i);
/* Host i answered nothing while another provider answered. */
bool egress_down(const struct egress *e, size_t i);
/* The control column: "open", "answers" (a reset or the host's own
 * ICMP error), "blocked" or "did not resolve". */
const char *egress_control(const struct egress_host *h);

/* 0 when every port was reachable somewhere, 1 when some are not. */
int egress_status(const struct egress *e);
int egress_text(FILE *out, const struct egress *e);
int egress_json(FILE *out, const struct egress *e);
int egress_markdown(FILE *out, const struct egress *e);
void egress_free(struct egress *e);

#endif
