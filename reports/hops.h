/*
 * hops (reports) - what a hop walk of a filtered port says, compared with
 * the walk to a port that works on the same address: where the SYNs die.
 * Pure functions of the walks.
 */
#ifndef REPORTS_HOPS_H
#define REPORTS_HOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "probe/hops.h"

enum hops_where {
	WHERE_HERE,	   /* no hop answers, not even the first router */
	WHERE_PATH,	   /* the last hop that answers is a router */
	WHERE_DESTINATION, /* the walk reached the destination after all */
	WHERE_UNKNOWN,	   /* nothing answers, and nothing to tell where */
};

struct hops_verdict {
	const struct hop_walk *walk; /* the filtered port's */
	const struct hop_walk *ref;  /* the working port's, or NULL */
	enum hops_where where;
	int hop;	  /* WHERE_PATH: the last hop that answered */
	const char *from; /* ... and its address */
	bool rejected;	  /* that hop rejected with an ICMP error */
	char words[1024]; /* the evidence in one sentence, no final stop */
};

/* Judges the walk at index i of walks[] (not a reference walk); the
 * reference is the one to the same address.  false if i is a reference. */
bool hops_judge(const struct hop_walk *walks, size_t n, size_t i,
		struct hops_verdict *v);
/* The first walk of port (at address, or any when NULL) that is not a
 * reference, judged; false when there is none. */
bool hops_find(const struct hop_walk *walks, size_t n, const char *address,
	       int port, struct hops_verdict *v);
const char *hops_where_name(enum hops_where w);

#endif
