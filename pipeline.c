/*
 * pipeline - the job of each target: its discovery (resolver/), a probe
 * per address x port as the addresses arrive, handed to the scheduler
 * (probe/) with its follow-ups (followups.c) or taken from another target
 * of a bulk run (sharing.c), the hop walks (walks.c) and the report
 * (reports/); what a job waits for counted in one place, job_hold and
 * job_release.  And the run loop: signals, bulk input, progress tick.
 */
#include "pipeline.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dnsname.h"
#include "core/i18n.h"
#include "core/loop.h"
#include "core/share.h"
#include "job.h"
#include "probe/probe.h"
#include "probe/sched.h"
#include "resolver/resolver.h"

#define SHARE_KEEP 1024 /* ended probes kept for other targets (bulk) */
/* A target as a whole, from its first DNS question to its last
 * follow-up: its sessions end by then, however many hosts and addresses
 * DNS brought. */
#define TARGET_DEADLINES 4 /* x --deadline */

struct pipeline *pipeline_new(const struct pipeline_opts *opts,
			      pipeline_emit emit, void *arg, char *err,
			      size_t errlen)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));
	struct resolver_opts ropts;

	if (pl == NULL) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	pl->opts = *opts;
	pl->sigfd = -1;
	pl->emit = emit;
	pl->arg = arg;
	pl->loop = loop_new();
	if (pl->loop == NULL) {
		snprintf(err, errlen, _("cannot create the event loop"));
		free(pl);
		return NULL;
	}
	if (tls_creds_new(&pl->creds, opts->ca_file, err, errlen) < 0) {
		loop_free(pl->loop);
		free(pl);
		return NULL;
	}
	ropts = (struct resolver_opts){
		.ports = opts->ports,
		.nports = opts->nports,
		.ports_given = opts->ports_given,
		.tls_ports = opts->tls_ports,
		.ntls_ports = opts->ntls_ports,
		.v4 = opts->v4,
		.v6 = opts->v6,
		.hosts_only = opts->hosts_only,
		.bulk = opts->bulk,
		.public_only = opts->public_only,
		.timeout_ms = opts->timeout_ms,
		.dns_timeout_ms = opts->dns_timeout_ms,
		.dns_tries = opts->dns_tries,
		.dns_servers = opts->dns_servers,
		.ca_file = opts->ca_file,
	};
	pl->resolver = resolver_new(pl->loop, &ropts, err, errlen);
	if (pl->resolver == NULL) {
		gnutls_certificate_free_credentials(pl->creds);
		loop_free(pl->loop);
		free(pl);
		return NULL;
	}
	pl->ctx.loop = pl->loop;
	pl->ctx.creds = pl->creds;
	pl->ctx.timeout_ms = opts->timeout_ms;
	pl->ctx.deadline_ms = opts->deadline_ms;
	pl->ctx.ehlo_name = opts->ehlo_name;
	if (opts->credentials != NULL) {
		if (auth_global_init(err, errlen) < 0) {
			pipeline_free(pl);
			return NULL;
		}
		pl->ctx.credentials = opts->credentials;
		pl->ctx.may_auth = credentials_may_try;
		pl->ctx.auth_arg = pl;
	}
	/* a dropped SYN frees its address slot after a quarter of the
	 * timeout (at most 1 s): politeness must not cost timeouts */
	pl->sched = sched_new(&pl->ctx, opts->concurrency, opts->per_address,
			      opts->timeout_ms / 4 < 1000 ? opts->timeout_ms / 4
							  : 1000);
	if (opts->bulk)
		pl->share = share_new(SHARE_KEEP);
	if (pl->sched == NULL || (opts->bulk && pl->share == NULL)) {
		snprintf(err, errlen, _("out of memory"));
		pipeline_free(pl);
		return NULL;
	}
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	if (pl->sigfd >= 0) {
		loop_unwatch(pl->loop, pl->sigfd);
		close(pl->sigfd);
	}
	sched_free(pl->sched);
	share_free(pl->share);
	strlist_free(&pl->auth_tried);
	if (pl->opts.credentials != NULL)
		auth_global_done();
	resolver_free(pl->resolver);
	gnutls_certificate_free_credentials(pl->creds);
	loop_free(pl->loop);
	free(pl);
}

/* job_finish - nothing is pending: judge, write and forget the target */
static void job_finish(struct job *job)
{
	struct pipeline *pl = job->pl;

	job->r.duration_ms = (int64_t)(loop_now() - job->t0);
	followups_fill(job);
	report_deadline_findings(&job->r, (unsigned)(job->budget_ms / 1000),
				 TARGET_DEADLINES);
	report_record_findings(&job->r);
	report_policies(&job->r);
	report_target_findings(&job->r);
	report_sort(&job->r);
	pl->emit(pl->arg, &job->r);
	report_free(&job->r);
	free(job);
	pl->jobs--;
}

void job_hold(struct job *job)
{
	job->pending++;
}

void job_release(struct job *job)
{
	if (--job->pending > 0)
		return;
	if (!job->walked && job->pl->signal == 0) {
		job->walked = true;
		job_hold(job); /* while the walks start */
		walks_start(job);
		job_release(job);
		return;
	}
	job_finish(job);
}

void run_hold(struct run *run)
{
	run->running++;
}

void run_release(struct run *run)
{
	struct job *job = run->job;

	if (--run->running > 0)
		return;
	if (run->publish)
		sharing_publish(job, run->p, true);
	free(run);
	job_release(job);
}

static void on_probe_done(void *arg, struct probe *p)
{
	(void)p;
	run_release(arg);
}

/* submit - runs p for job (released when it and its follow-ups have
 * ended) or, in a bulk run, takes another target's run of the same
 * probe. */
static void submit(struct job *job, struct probe *p)
{
	struct run *run;
	bool publish;

	if (sharing_claim(job, p, &publish))
		return;
	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		if (publish)
			sharing_publish(job, p, false);
		return;
	}
	run->job = job;
	run->p = p;
	run->publish = publish;
	if (!p->connect_only) {
		p->tls_done = followups_start;
		p->tls_arg = run;
	}
	job_hold(job);
	run_hold(run);
	if (sched_submit(job->pl->sched, p, on_probe_done, run) < 0) {
		run->publish = false;
		if (publish)
			sharing_publish(job, p, false);
		run_release(run); /* the caller holds the job: not the last */
	}
}

/* A TCP connect to 443 on each address, at the same time as the mail
 * ports so it costs no extra timeout: when no mail port connects, it
 * tells "mail ports filtered here" from "server unreachable". */
static void add_control(struct job *job, const struct resolved_addr *a)
{
	const struct pipeline_opts *o = &job->pl->opts;
	struct probe *p, **v;

	if (o->control_port == 0)
		return;
	v = realloc(job->r.controls,
		    (job->r.ncontrols + 1) * sizeof(*job->r.controls));
	if (v == NULL)
		return;
	job->r.controls = v;
	p = probe_new(a->sa, a->len, o->control_port, a->host, "control");
	if (p == NULL)
		return;
	p->connect_only = true;
	p->target_start = &job->clock0;
	p->target_budget_ms = job->budget_ms;
	job->r.controls[job->r.ncontrols++] = p;
	submit(job, p);
}

/* --check: the user's port starts the way their client starts; the
 * verdict still judges the port by what it is meant to speak. */
static enum probe_mode first_mode(const struct pipeline_opts *o, int port,
				  enum probe_mode declared)
{
	if (o->check != NULL && port == o->check->port)
		return o->check->enc == ENC_IMPLICIT ? MODE_TLS : MODE_PLAIN;
	return declared;
}

static void add_probe(struct job *job, const struct resolved_addr *a,
		      const struct plan_port *e)
{
	struct probe *p;

	if (job->r.nprobes == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 8;
		struct probe **v = realloc(job->r.probes, cap * sizeof(*v));

		if (v == NULL)
			return;
		job->r.probes = v;
		job->cap = cap;
	}
	p = probe_new(a->sa, a->len, e->port, a->host, e->role);
	if (p == NULL)
		return;
	/* an address literal is always one the user typed */
	p->name_typed = a->host == NULL || dnsname_eq(a->host, job->r.host);
	p->declared = e->tls ? MODE_TLS : MODE_PLAIN;
	p->expect = first_mode(&job->pl->opts, e->port, p->declared);
	p->target_start = &job->clock0;
	p->target_budget_ms = job->budget_ms;
	p->cert_warn_days = job->pl->opts.cert_warn_days;
	p->cert_crit_days = job->pl->opts.cert_crit_days;
	job->r.probes[job->r.nprobes++] = p;
	submit(job, p);
}

/* Whether a control already goes to address a (MX and SRV hosts can
 * share addresses). */
static bool address_known(const struct job *job, const char *a)
{
	size_t i;

	for (i = 0; i < job->r.ncontrols; i++)
		if (strcmp(job->r.controls[i]->address, a) == 0)
			return true;
	return false;
}

/* An address of the plan: probe it on every port planned there. */
static void on_address(void *arg, const struct resolved_addr *a)
{
	struct job *job = arg;
	size_t i;

	for (i = 0; i < a->nports; i++)
		add_probe(job, a, &a->ports[i]);
	if (!address_known(job, a->text))
		add_control(job, a);
}

/* Discovery has ended: what it found becomes the report's. */
static void on_resolved(void *arg, struct resolution *res)
{
	struct job *job = arg;
	size_t i;

	job->r.dns = res->dns;
	job->r.hosts = res->hosts;
	job->r.nhosts = res->nhosts;
	job->r.errors = res->errors;
	job->r.nerrors = res->nerrors;
	for (i = 0; i < res->nnotes; i++) {
		report_finding(&job->r, res->notes[i].id,
			       res->notes[i].warning ? SEV_WARNING : SEV_INFO,
			       "%s", res->notes[i].message);
		free(res->notes[i].message);
	}
	free(res->notes);
	memset(res, 0, sizeof(*res));
	job_release(job);
}

int pipeline_add(struct pipeline *pl, const struct target *t)
{
	struct job *job = calloc(1, sizeof(*job));

	if (job == NULL)
		return -1;
	job->pl = pl;
	job->t0 = loop_now();
	job->budget_ms = (uint64_t)TARGET_DEADLINES * pl->opts.deadline_ms;
	job->r.started = time(NULL);
	job->r.check = pl->opts.check;
	job->r.cert_warn_days = pl->opts.cert_warn_days;
	job->r.cert_crit_days = pl->opts.cert_crit_days;
	job->r.user = pl->opts.credentials ? pl->opts.credentials->user : NULL;
	job->r.target = strdup(t->input);
	job->r.host = strdup(t->host);
	job->r.unicode = t->unicode ? strdup(t->unicode) : NULL;
	job->r.is_address = t->family != 0;
	job->r.nports = t->port ? 1 : pl->opts.nports;
	job->r.ports = calloc(job->r.nports, sizeof(int));
	if (job->r.target == NULL || job->r.host == NULL ||
	    job->r.ports == NULL) {
		report_free(&job->r);
		free(job);
		return -1;
	}
	if (t->port)
		job->r.ports[0] = t->port;
	else
		memcpy(job->r.ports, pl->opts.ports,
		       pl->opts.nports * sizeof(int));
	pl->jobs++;
	/* held while starting, so work that ends at once cannot finish
	 * the job under our feet */
	job_hold(job);
	job_hold(job); /* the discovery's */
	if (resolver_start(pl->resolver, t, on_address, on_resolved, job) < 0)
		job_release(job);
	job_release(job);
	return 0;
}

static void on_tick(void *arg)
{
	struct pipeline *pl = arg;

	pl->tick_cb(pl->tick_arg);
	loop_timer_arm(pl->loop, &pl->tick, loop_now() + pl->tick_ms, on_tick,
		       pl);
}

void pipeline_every(struct pipeline *pl, unsigned ms, void (*cb)(void *),
		    void *arg)
{
	pl->tick_ms = ms;
	pl->tick_cb = cb;
	pl->tick_arg = arg;
	loop_timer_arm(pl->loop, &pl->tick, loop_now() + ms, on_tick, pl);
}

/* SIGINT or SIGTERM: stop taking targets, give the sessions in flight a
 * second, then give up on them; every line already written stays whole. */
static void on_give_up(void *arg)
{
	struct pipeline *pl = arg;

	pl->gave_up = true;
}

static void on_signal(void *arg, int fd, unsigned events)
{
	struct pipeline *pl = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (pl->signal == 0)
		loop_timer_arm(pl->loop, &pl->give_up, loop_now() + 1000,
			       on_give_up, pl);
	pl->signal = (int)si.ssi_signo;
}

static void watch_signals(struct pipeline *pl)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return;
	pl->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (pl->sigfd >= 0 &&
	    loop_watch(pl->loop, pl->sigfd, LOOP_READ, on_signal, pl) < 0) {
		close(pl->sigfd);
		pl->sigfd = -1;
	}
}

static void on_input(void *arg, int fd, unsigned events)
{
	struct pipeline *pl = arg;

	(void)events;
	loop_unwatch(pl->loop, fd);
	pl->input_ready = true;
}

int pipeline_run(struct pipeline *pl, pipeline_feed feed, void *arg,
		 int input_fd, size_t max_jobs)
{
	bool more = feed != NULL;

	if (pl->sigfd < 0)
		watch_signals(pl);
	pl->input_ready = true;
	for (;;) {
		/* bulk input: keep a bounded set of targets in flight */
		while (more && pl->input_ready && pl->signal == 0 &&
		       pl->jobs < max_jobs) {
			int r = feed(arg, pl);

			more = r != 0;
			if (r < 0) {
				/* nothing to read now: wait on the loop */
				pl->input_ready = false;
				if (loop_watch(pl->loop, input_fd, LOOP_READ,
					       on_input, pl) < 0)
					pl->input_ready = true;
			}
		}
		if (pl->jobs == 0 && (!more || pl->signal != 0))
			break;
		if (pl->gave_up)
			break;
		if (loop_run_once(pl->loop, -1) < 0)
			return -1;
	}
	if (!pl->input_ready)
		loop_unwatch(pl->loop, input_fd);
	return pl->signal;
}
