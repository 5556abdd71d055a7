/*
 * report - everything known about one target, and the writers that turn
 * it into text, JSON (one line per target) or an exit status.  The
 * verdicts are computed here from the probes' observations.
 */
#ifndef REPORTS_REPORT_H
#define REPORTS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "probe/probe.h"

struct dns_error {
	char *name;
	const char *type; /* "A", "AAAA" */
	const char *error;
};

struct report {
	char *target;  /* as typed, sanitised */
	char *host;    /* A-label name or address text */
	char *unicode; /* the IDN as typed, or NULL */
	bool is_address;
	char *cname; /* canonical name when the host was an alias */
	int *ports;  /* in the order asked, for sorting */
	size_t nports;
	struct probe **probes;
	size_t nprobes;
	struct dns_error *errors;
	size_t nerrors;
	int64_t duration_ms;
};

struct recommendation {
	const struct probe *probe; /* NULL: nothing qualifies */
	const char *encryption;	   /* "implicit-tls", "starttls" */
	const char *label;	   /* what settings screens call it */
	char why[320];
};

/* Sorts probes by port (in the order asked), family, address. */
void report_sort(struct report *r);
void report_recommend(const struct report *r, struct recommendation *rec);

/* 0 a safe way was found and no error findings; 1 otherwise. */
int report_status(const struct report *r);

int report_json(FILE *out, const struct report *r);
int report_text(FILE *out, const struct report *r, bool colour);

void report_free(struct report *r);

#endif
