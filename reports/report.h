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
#include <time.h>

#include "probe/hops.h"
#include "probe/probe.h"
#include "reports/check.h"
#include "reports/verdict.h"
#include "resolver/resolver.h"

struct report {
	char *target;  /* as typed, sanitised */
	char *host;    /* A-label name or address text */
	char *unicode; /* the IDN as typed, or NULL */
	bool is_address;
	int *ports; /* in the order asked, for sorting */
	size_t nports;
	struct probe **probes;
	size_t nprobes;
	struct probe **controls; /* TCP connects to 443 when all else failed */
	size_t ncontrols;
	struct hop_walk *walks; /* where the SYNs of filtered ports die */
	size_t nwalks;
	time_t started; /* wall clock, for the report's reader */
	struct dns_error *errors;
	size_t nerrors;
	struct dns_info dns;
	struct plan_host *hosts;
	size_t nhosts;
	const struct check_request *check;  /* --check: the user's settings */
	int cert_warn_days, cert_crit_days; /* --cert-days, as on probes */
	const char *user; /* --user: credentials were tried; else NULL */
	struct finding findings[VERDICT_MAX_FINDINGS]; /* about the target */
	size_t nfindings;
	int64_t duration_ms;
};

struct recommendation {
	const struct probe *probe; /* NULL: nothing qualifies */
	const char *encryption;	   /* "implicit-tls", "starttls" */
	const char *label;	   /* what settings screens call it */
	const struct probe *alt;   /* the best working route on another port */
	const char *alt_encryption, *alt_label;
	char why[1536]; /* room for every port and the advice, translated */
};

/* Adds a finding about the target as a whole (not about one probe). */
__attribute__((format(printf, 4, 5))) void report_finding(struct report *r,
							  const char *id,
							  enum severity sev,
							  const char *fmt, ...);

/* Adds the findings about the target as a whole (inconsistent
 * addresses, interception); call once, when every probe has ended. */
void report_target_findings(struct report *r);
/* Whether no DNS question of the target got any reply (every one timed
 * out or met a closed port): the DNS server does not answer. */
bool report_dns_unanswered(const struct report *r);
/* Adds finding dns-unanswered when that is so; report_target_findings
 * calls it. */
void report_dns_findings(struct report *r);
/* Findings from the domain's records alone (more than one SPF or DMARC
 * record); call once, when the records are in. */
void report_record_findings(struct report *r);

/* Judges the domain's downgrade protection (MTA-STS) against the
 * probes; marks the port-25 probes it protects.  Once, before writing. */
void report_policies(struct report *r);
/* DANE (RFC 7672) for each probe with TLSA records; report_policies
 * calls it. */
void report_dane(struct report *r);

/* Sorts probes by port (in the order asked), family, address. */
void report_sort(struct report *r);
void report_recommend(const struct report *r, struct recommendation *rec);
/* A name given with port that has no address but MX or SRV records (a
 * mail domain, as in example.test:587): where to probe instead, in buf.
 * false when there is nothing to point at. */
bool report_domain_hint(const struct report *r, int port, char *buf,
			size_t len);

/* Whether the credentials were accepted on p's host and port (on any
 * of its addresses: they are tried on one). */
bool report_logged_in(const struct report *r, const struct probe *p);

/* 0 a safe way was found and no error findings (with --user: the
 * credentials were accepted on the recommended port); 1 otherwise. */
int report_status(const struct report *r);

int report_json(FILE *out, const struct report *r);
/* Writes o on one line (JSON Lines) and releases it; 0 or -1. */
struct json_object;
int json_write_line(FILE *out, struct json_object *o);
int report_text(FILE *out, const struct report *r, bool colour);
int report_markdown(FILE *out, const struct report *r);
/* Writes s escaped for one line of Markdown (GFM). */
void report_md(FILE *out, const char *s);
/* The paragraph for the hosting provider that probe i opens (the first
 * blocked probe of its host, port and reason), unescaped, for the
 * caller to free; NULL when it opens none. */
char *report_ticket(const struct report *r, size_t i);

void report_free(struct report *r);

#endif
