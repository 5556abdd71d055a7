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

/* A follow-up session on the port of a main probe (p.kind says which
 * question it asked): observations of its own, read by reports/ into
 * the main probe's verdict. */
struct followup {
	struct probe *parent; /* KIND_ENFORCE's answer is written there */
	struct probe p;
};

/* What reports/ concluded about one probe from the follow-ups and the
 * domain's policies (report_policies). */
struct conclusion {
	const struct probe *p;
	struct verdict_ctx c;
};

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
	struct followup **followups; /* ended follow-up sessions */
	size_t nfollowups;
	struct conclusion *conclusions; /* set by report_policies */
	size_t nconclusions;
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

/* How the user came to a probed host's name (reports/identity.c); the
 * strings are the JSON's words. */
struct host_identity {
	/* "typed", "MX record", "SRV record _submission._tcp",
	 * "SRV record _submissions._tcp", "guess" */
	const char *source;
	/* why the name is the user's to trust: "typed", "in the domain",
	 * "DNSSEC" (a validated answer from a trusted resolver),
	 * "certificate" (it also names the user's domain); NULL: unproven */
	const char *established_by;
};
void report_identity(const struct report *r, const struct probe *p,
		     struct host_identity *id);
/* A sentence (with a leading blank) saying where p's name came from and
 * what establishes it, or the warning to confirm it; "" when typed. */
void report_identity_words(const struct report *r, const struct probe *p,
			   const struct host_identity *id, char *buf,
			   size_t len);

struct recommendation {
	const struct probe *probe; /* NULL: nothing qualifies */
	const char *encryption;	   /* "implicit-tls", "starttls" */
	const char *label;	   /* what settings screens call it */
	const struct probe *alt;   /* the best working route on another port */
	const char *alt_encryption, *alt_label;
	struct host_identity id, alt_id; /* of probe's and alt's hosts */
	char why[2048];	    /* every port, the advice and the name's origin */
	char alt_why[1024]; /* the alternative host name's origin, or "" */
};

/* Adds a finding about the target as a whole (not about one probe). */
__attribute__((format(printf, 4, 5))) void report_finding(struct report *r,
							  const char *id,
							  enum severity sev,
							  const char *fmt, ...);

/* Adds the findings about the target as a whole (inconsistent
 * addresses, interception); call once, when every probe has ended. */
void report_target_findings(struct report *r);
/* Adds finding target-deadline when sessions were cut short or never
 * started by the target's deadline (seconds: times --deadline). */
void report_deadline_findings(struct report *r, unsigned seconds, int times);
/* Whether no DNS question of the target got any reply (every one timed
 * out or met a closed port): the DNS server does not answer. */
bool report_dns_unanswered(const struct report *r);
/* Adds finding dns-unanswered when that is so; report_target_findings
 * calls it. */
void report_dns_findings(struct report *r);
/* Findings from the domain's records alone (more than one SPF or DMARC
 * record); call once, when the records are in. */
void report_record_findings(struct report *r);

/* Concludes what the follow-ups found and judges the domain's downgrade
 * protection (DANE, MTA-STS) against the probes, into r->conclusions;
 * once, when every probe has ended, before writing. */
void report_policies(struct report *r);
/* A conclusion for every probe, with the follow-ups' answers in (the
 * rest default); report_policies calls it.  0, or -1 out of memory. */
int report_conclusions(struct report *r);
/* DANE (RFC 7672) for each probe with TLSA records, into its
 * conclusion; report_policies calls it. */
void report_dane(struct report *r);

/* What reports/ concluded about p (verdict_ctx_none before
 * report_policies, and for controls). */
const struct verdict_ctx *report_ctx(const struct report *r,
				     const struct probe *p);
/* The run's one "now" for a certificate's days left: when the target's
 * run started, so two sessions that saw the same certificate a second
 * apart (across a whole day from its not_after) count the same days;
 * seen (when the certificate was seen) for a report without one. */
time_t report_now(const struct report *r, time_t seen);
/* The verdict on p, one of r's probes or controls, in r's context. */
void report_judge(const struct report *r, const struct probe *p,
		  struct verdict *v);

/* Every source address r's connections left from (its probes' and
 * controls'), each once, per family: "source address A", "source
 * addresses A, B" or "source addresses A (IPv4) and B (IPv6)", in buf.
 * false when no connection got a source address. */
bool report_source_words(const struct report *r, char *buf, size_t len);

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
