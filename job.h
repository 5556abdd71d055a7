/*
 * job - the pipeline's own parts, shared by pipeline.c (the job
 * lifecycle, the fan-out to the prober, the run loop), followups.c (the
 * follow-up sessions of a port that spoke TLS), sharing.c (a bulk run's
 * probes shared between targets), walks.c (the hop walks once the
 * probes have ended) and credentials.c (where --user may be tried).
 * Not an interface for anyone else: pipeline.h is.
 */
#ifndef JOB_H
#define JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/loop.h"
#include "pipeline.h"
#include "probe/probe.h"

struct pipeline {
	struct pipeline_opts opts;
	struct loop *loop;
	struct resolver *resolver;
	struct probe_ctx ctx;
	struct sched *sched;
	struct share *share; /* bulk: one probe per address, port and name */
	gnutls_certificate_credentials_t creds;
	pipeline_emit emit;
	void *arg;
	size_t jobs; /* targets not yet reported */
	int sigfd;
	int signal;	  /* SIGINT or SIGTERM received, else 0 */
	bool input_ready; /* the bulk input may have a line for us */
	struct loop_timer tick;
	unsigned tick_ms;
	void (*tick_cb)(void *);
	void *tick_arg;
	bool gave_up;
	struct loop_timer give_up;
	struct strlist auth_tried; /* "host port": credentials tried there */
};

/* A target in flight.  What it waits for is counted in one place,
 * pending: job_hold when a piece of work starts (the discovery, a
 * probe, a shared probe waited for, a hop walk), job_release when it
 * ends. */
struct job {
	struct pipeline *pl;
	struct report r;
	size_t cap;  /* of r.probes */
	int pending; /* pieces of work not ended; only job_hold/release */
	uint64_t t0;
	/* the target's clock: when its first session started (0: none
	 * yet), and how long its sessions may run from then */
	uint64_t clock0, budget_ms;
	bool walked; /* the hop walks were planned */
};

/* A probe this job runs, and what it still waits for: the session and
 * the follow-ups of its port (one job_hold for them all).  In a bulk
 * run, what it found is then shared with the other targets that have
 * the same probe. */
struct run {
	struct job *job;
	struct probe *p;
	int running;  /* the session and its follow-ups: run_hold/release */
	bool publish; /* claimed for the run's share */
};

void job_hold(struct job *job);
/* One piece of work less; after the last, the hop walks (once), then
 * the report. */
void job_release(struct job *job);

void run_hold(struct run *run);
/* After the session and its follow-ups: publish (bulk), release the
 * job. */
void run_release(struct run *run);

/* credentials.c: probe_ctx may_auth (arg is the pipeline). */
bool credentials_may_try(void *arg, const struct probe *p);

/* followups.c: a run's tls_done (arg is the run): the follow-up
 * sessions of its port, once per host and port. */
void followups_start(void *arg, struct probe *p);
/* When the job ends: the TLS enforcement answer, asked on one address
 * of a host and port, onto every probe of that host and port, and on a
 * probe without one why it was not asked. */
void followups_fill(struct job *job);

/* sharing.c: takes p from another target of a bulk run, or waits for
 * it (job held meanwhile): true; false when this job is to run it, with
 * *publish set when it must then share what it found (sharing_publish).
 * No sharing outside a bulk run. */
bool sharing_claim(struct job *job, struct probe *p, bool *publish);
/* The run of p claimed with *publish has ended: p and its follow-ups
 * (ran false: nothing, it could not run) to every target that waits. */
void sharing_publish(struct job *job, const struct probe *p, bool ran);

/* walks.c: the hop walks of the filtered ports, each held on the job;
 * --hop-walk only. */
void walks_start(struct job *job);

#endif
