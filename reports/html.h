/*
 * html - the report as one self-contained HTML page: inline CSS, no
 * script, nothing fetched (a Content-Security-Policy says so to the
 * browser), readable printed and on a phone.  Several targets (bulk
 * mode) make one page: a summary ordered by severity, then a section per
 * target.  Reports are freed as soon as they are emitted, so each
 * target's section is rendered when it is added and the page is written
 * at the end.  Like the other writers, it only reads the report and the
 * verdicts.
 */
#ifndef REPORTS_HTML_H
#define REPORTS_HTML_H

#include <stdio.h>
#include <time.h>

#include "reports/report.h"

struct html_page;

/* version: what the page says wrote it ("0.1.0"). */
struct html_page *html_page_new(const char *version);
/* Renders r's section and keeps it with its summary row.  0 or -1. */
int html_page_add(struct html_page *pg, const struct report *r);
/* Writes the whole page.  0, or -1 when the output failed. */
int html_page_write(FILE *out, const struct html_page *pg);
void html_page_free(struct html_page *pg);

/* Text for an element's content or a quoted attribute: & < > " ' as
 * character references, control bytes and broken UTF-8 as U+FFFD. */
void html_esc(FILE *out, const char *s);

/* The parts of a target's section (html_target.c, html_waterfall.c).
 * Its headings are written as <h\1> (the section's own) and <h\2>
 * (below those): the page sets their levels, 2 and 3 for one target, 3
 * and 4 under a bulk run's target headings.  id prefixes its anchors. */
#define HTML_H1 '\1'
#define HTML_H2 '\2'
int html_target(FILE *out, const struct report *r, const char *id,
		const char *version);
void html_waterfall(FILE *out, const struct report *r, const char *id);
/* What a finding means for the reader, in plain words; NULL if unknown. */
const char *html_finding_words(const char *id);

#endif
