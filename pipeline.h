/*
 * pipeline - targets to reports: resolve each target's addresses, start a
 * probe per address x port as soon as its addresses arrive, and hand the
 * finished report of each target to the caller the moment its last probe
 * ends.  Everything runs on one event loop.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/check.h"
#include "reports/report.h"
#include "resolver/target.h"

struct pipeline_opts {
	int ports[TARGET_MAX_PORTS];
	size_t nports;
	bool ports_given; /* --ports: SRV ports outside it are skipped too */
	int tls_ports[TARGET_MAX_PORTS]; /* implicit TLS from the first byte */
	size_t ntls_ports;
	bool v4, v6;	      /* address families to probe */
	unsigned concurrency; /* sessions at once, all targets together */
	unsigned per_address; /* SMTP sessions at once to one address; 0 all */
	unsigned timeout_ms;  /* connect, and silence in a reply */
	unsigned deadline_ms; /* one session, start to end */
	bool hosts_only;      /* a name is a host: no MX, SRV or policies */
	const struct check_request *check; /* handed to every report */
	bool followups;	  /* TLS 1.0/1.1 and STARTTLS-injection sessions */
	bool hop_walk;	  /* where a filtered port's SYNs die (probe/hops.h) */
	bool bulk;	  /* --input: follow-ups wait for their main session */
	bool public_only; /* --public-only: no non-public address probed */
	int control_port; /* TCP-only control beside every address (443) */
	unsigned dns_timeout_ms;
	unsigned dns_tries;
	const char *ca_file;		    /* NULL: the system trust store */
	const char *dns_servers;	    /* c-ares CSV; NULL: the system's */
	const char *ehlo_name;		    /* NULL: our address literal */
	int cert_warn_days, cert_crit_days; /* --cert-days; 0: not judged */
	/* --user: tried inside verified TLS, once per host and port */
	const struct credentials *credentials;
};

/* Called once per target; the report is freed when it returns. */
typedef void (*pipeline_emit)(void *arg, struct report *r);

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_opts *opts,
			      pipeline_emit emit, void *arg, char *err,
			      size_t errlen);
/* Starts work on t (the pipeline keeps its own copy).  0 or -1. */
int pipeline_add(struct pipeline *pl, const struct target *t);
/* Adds the next target(s) of a bulk input with pipeline_add; returns 1
 * when it took a line, 0 when the input is exhausted, -1 when nothing can
 * be read now (the pipeline then waits for input_fd on the loop). */
typedef int (*pipeline_feed)(void *arg, struct pipeline *pl);

/* Runs until every target added (and fed, at most max_jobs in flight) is
 * reported.  0; the signal number when SIGINT or SIGTERM stopped it (the
 * targets in flight then are not reported); -1 on a loop error. */
int pipeline_run(struct pipeline *pl, pipeline_feed feed, void *arg,
		 int input_fd, size_t max_jobs);
/* Calls cb every ms milliseconds while the pipeline runs (progress). */
void pipeline_every(struct pipeline *pl, unsigned ms, void (*cb)(void *),
		    void *arg);
void pipeline_free(struct pipeline *pl);

#endif
