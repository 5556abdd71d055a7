/*
 * egress - "is it me or them?": the same ports probed on several
 * independent providers, with TCP 443 on the same hosts as a control,
 * and a conclusion per port: open, filtered between this host and the
 * internet (with the evidence), or only one provider unreachable.
 */
#ifndef REPORTS_EGRESS_H
#define REPORTS_EGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"
#include "resolver/target.h"

struct report;

#define EGRESS_MAX_HOSTS 16

struct egress_port {
	int port;
	int connected, timeout, refused, unreachable; /* connections */
};

struct egress_host {
	char *name;
	struct egress_port ports[TARGET_MAX_PORTS];
	size_t nports;
	int https_ok, https_tried; /* the 443 controls */
	bool resolved;
};

struct egress {
	struct egress_host hosts[EGRESS_MAX_HOSTS];
	size_t nhosts;
	int ports[TARGET_MAX_PORTS];
	size_t nports;
};

/* Adds what one control host's report saw. */
void egress_add(struct egress *e, const struct report *r);
/* 0 when every port was reachable somewhere, 1 when some are filtered. */
int egress_status(const struct egress *e);
int egress_text(FILE *out, const struct egress *e);
int egress_json(FILE *out, const struct egress *e);
void egress_free(struct egress *e);

#endif
