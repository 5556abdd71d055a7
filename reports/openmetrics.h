/*
 * openmetrics - reports as one OpenMetrics text exposition, for
 * node_exporter's textfile collector or a scrape through an exec
 * exporter.  A metric family's samples must stand together, so the
 * samples of every target are gathered per family and written, with
 * their # HELP, # TYPE and # UNIT lines and the closing # EOF, once the
 * last target is in.
 */
#ifndef REPORTS_OPENMETRICS_H
#define REPORTS_OPENMETRICS_H

#include <stdio.h>

struct report;
struct openmetrics;

struct openmetrics *openmetrics_new(void);
/* Adds the samples of one target; a target already added is skipped (its
 * series would repeat).  0, or -1 when memory ran out. */
int openmetrics_add(struct openmetrics *om, const struct report *r);
/* Writes the exposition, # EOF included; 0, or -1 when writing failed. */
int openmetrics_write(FILE *out, const struct openmetrics *om);
void openmetrics_free(struct openmetrics *om);

/* Appends s to a label value in quotes' escapes (\\, \", \n); for
 * tests.  The result is NUL-terminated and cut short to fit len. */
void openmetrics_escape(char *buf, size_t len, const char *s);

#endif
