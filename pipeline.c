/*
 * pipeline - the job of each target: its discovery (resolver/), a probe
 * per address x port as the addresses arrive (probe/), the follow-ups of
 * ports that spoke TLS, and the report once the last of them has ended
 * (reports/).  A job counts what it waits for in one place, job->pending:
 * job_hold when work starts, job_release when it ends.
 */
#include "pipeline.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/i18n.h"
#include "core/loop.h"
#include "probe/hops.h"
#include "probe/probe.h"
#include "probe/sched.h"
#include "core/share.h"
#include "resolver/resolver.h"

#define SHARE_KEEP 1024 /* ended probes kept for other targets (bulk) */
/* A target as a whole, from its first DNS question to its last
 * follow-up: its sessions end by then, however many hosts and addresses
 * DNS brought. */
#define TARGET_DEADLINES 4 /* x --deadline */

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

struct job {
	struct pipeline *pl;
	struct report r;
	size_t cap;  /* of r.probes */
	int pending; /* the discovery, probes and follow-ups running */
	uint64_t t0;
	uint64_t not_after; /* the target's deadline, loop_now() ms */
	bool walked;	    /* the hop walks were planned */
};

/* Credentials are tried once per host and port, on the first address
 * whose session gets that far, and with --check on the port checked
 * only: a wrong password repeated on every address and port is how
 * accounts get locked (fail2ban and kin). */
static bool may_auth(void *arg, const struct probe *p)
{
	struct pipeline *pl = arg;
	char key[320];
	size_t i;

	/* --check: the port checked only, not the ones named instead */
	if (pl->opts.check != NULL && p->port != pl->opts.check->port)
		return false;
	snprintf(key, sizeof(key), "%s %d", p->host ? p->host : p->address,
		 p->port);
	for (i = 0; i < pl->auth_tried.n; i++)
		if (strcmp(pl->auth_tried.v[i], key) == 0)
			return false;
	return strlist_add(&pl->auth_tried, key) == 0;
}

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
		pl->ctx.may_auth = may_auth;
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

/* Whether p and q are the same host (or address) and port: the
 * follow-ups ask once per host and port. */
static bool same_port(const struct probe *p, const struct probe *q)
{
	return q->port == p->port &&
	       (p->host != NULL && q->host != NULL
			? strcmp(q->host, p->host) == 0
			: strcmp(q->address, p->address) == 0);
}

/* TLS enforcement is asked on one address of a host and port, whichever
 * completes its handshake first: every probe of that host and port
 * carries the answer (with the address asked), and a probe with none
 * says why it was not asked. */
static void enforcement_fill(struct job *job)
{
	size_t i, j;

	for (i = 0; i < job->r.nprobes; i++) {
		struct probe *p = job->r.probes[i];
		const struct probe *q = NULL;

		if (p->enforce_code >= 0)
			continue;
		for (j = 0; j < job->r.nprobes && q == NULL; j++)
			if (job->r.probes[j]->enforce_code >= 0 &&
			    same_port(p, job->r.probes[j]))
				q = job->r.probes[j];
		if (q != NULL) {
			free(p->enforce_reply);
			p->enforce_reply = q->enforce_reply
						   ? strdup(q->enforce_reply)
						   : NULL;
			p->enforce_code = q->enforce_code;
			p->enforce_pipelined = q->enforce_pipelined;
			p->enforce_end = q->enforce_end;
			memcpy(p->enforce_address, q->enforce_address,
			       sizeof(p->enforce_address));
			p->enforce_skip = NULL;
		} else if (!job->pl->opts.followups)
			p->enforce_skip = "quick";
		else if (!verdict_submission_role(p))
			p->enforce_skip = "not-submission";
		else if (p->spoke == MODE_TLS)
			p->enforce_skip = "implicit-tls";
		else if (!p->tls.done)
			p->enforce_skip = "no-tls";
		else if (p->enforce_skip == NULL)
			/* the follow-ups ran on another address, which
			 * did not get as far as this one (no STARTTLS) */
			p->enforce_skip = "other-address";
	}
}

/* job_finish - nothing is pending: judge, write and forget the target */
static void job_finish(struct job *job)
{
	struct pipeline *pl = job->pl;
	size_t i, late = 0;

	job->r.duration_ms = (int64_t)(loop_now() - job->t0);
	enforcement_fill(job);
	for (i = 0; i < job->r.nprobes; i++)
		late += job->r.probes[i]->past_not_after;
	for (i = 0; i < job->r.ncontrols; i++)
		late += job->r.controls[i]->past_not_after;
	if (late > 0)
		report_finding(&job->r, "target-deadline", SEV_WARNING,
			       "the target's deadline (%u s: %d times "
			       "--deadline) passed: %zu session(s) were cut "
			       "short or never started",
			       (unsigned)((job->not_after - job->t0) / 1000),
			       TARGET_DEADLINES, late);
	report_record_findings(&job->r);
	report_policies(&job->r);
	report_target_findings(&job->r);
	report_sort(&job->r);
	pl->emit(pl->arg, &job->r);
	report_free(&job->r);
	free(job);
	pl->jobs--;
}

static void job_hold(struct job *job)
{
	job->pending++;
}

static bool start_walks(struct job *job);

/* job_release - one piece of work less; when none is left, the hop walks
 * (once), then the report */
static void job_release(struct job *job)
{
	if (--job->pending > 0)
		return;
	if (!job->walked && job->pl->signal == 0 && start_walks(job))
		return;
	job_finish(job);
}

static void on_walk_done(void *arg, struct hop_walk *w)
{
	(void)w;
	job_release(arg);
}

/* Once every probe has ended: where the SYNs of a filtered port die,
 * compared with a port that works, all walks at once (one timeout).
 * Whether any was started. */
static bool start_walks(struct job *job)
{
	const struct pipeline_opts *o = &job->pl->opts;
	size_t i, max = 2 * (HOPS_MAX_PORTS + 1);

	job->walked = true;
	if (!o->hop_walk)
		return false;
	job->r.walks = calloc(max, sizeof(*job->r.walks));
	if (job->r.walks == NULL)
		return false;
	job->r.nwalks =
		hops_plan(job->r.probes, job->r.nprobes, job->r.controls,
			  job->r.ncontrols, job->r.walks, max);
	for (i = 0; i < job->r.nwalks; i++) {
		job_hold(job);
		if (hops_start(job->pl->loop, &job->r.walks[i], o->timeout_ms,
			       on_walk_done, job) < 0)
			job->pending--; /* not started: nothing to wait for */
	}
	return job->pending > 0;
}

/* Hands p to the scheduler; done runs when it has ended. */
/* A probe this job runs, and what it still waits for: the session and
 * the follow-ups of its port.  In a bulk run, what it found is then
 * shared with the other targets that have the same probe. */
struct run {
	struct job *job;
	struct probe *p;
	int running;
	bool publish; /* claimed for the run's share */
};

/* What a bulk run shares of an ended probe: the probe, and the
 * follow-up sessions of its port (reports/ read them beside it). */
struct shared {
	struct probe p;
	struct probe *followups[3]; /* legacy, injection, enforcement */
	size_t nfollowups;
};

static void free_shared(void *v)
{
	struct shared *sh = v;
	size_t i;

	probe_free(&sh->p);
	for (i = 0; i < sh->nfollowups; i++) {
		probe_free(sh->followups[i]);
		free(sh->followups[i]);
	}
	free(sh);
}

/* A copy of run's probe and of its follow-ups, or NULL. */
static struct shared *share_copy(const struct job *job, const struct probe *p)
{
	struct shared *sh = calloc(1, sizeof(*sh));
	size_t i;

	if (sh == NULL)
		return NULL;
	if (probe_copy(&sh->p, p) < 0) {
		free_shared(sh);
		return NULL;
	}
	for (i = 0; i < job->r.nfollowups; i++) {
		const struct followup *f = job->r.followups[i];
		struct probe *c;

		if (f->parent != p || sh->nfollowups == 3)
			continue;
		c = calloc(1, sizeof(*c));
		if (c == NULL || probe_copy(c, &f->p) < 0) {
			if (c != NULL) {
				probe_free(c);
				free(c);
			}
			free_shared(sh);
			return NULL;
		}
		sh->followups[sh->nfollowups++] = c;
	}
	return sh;
}

/* The probe and its follow-ups have ended: the job's, and in a bulk run
 * every waiting target's. */
static void run_release(struct run *run)
{
	struct job *job = run->job;

	if (--run->running > 0)
		return;
	if (run->publish) {
		char key[PROBE_KEY_MAX];

		probe_key(run->p, key, sizeof(key));
		share_publish(job->pl->share, key, share_copy(job, run->p),
			      free_shared);
	}
	free(run);
	job_release(job);
}

static void on_followup_done(void *arg, struct probe *p)
{
	struct followup *f =
		(struct followup *)((char *)p - offsetof(struct followup, p));

	/* the one answer still read from the main probe (its verdict and
	 * the JSON's "enforcement" take it from there); the others stay
	 * in the report as observations of their own */
	if (p->kind == KIND_ENFORCE) {
		f->parent->enforce_code = p->mail_code;
		f->parent->enforce_reply = p->mail_reply;
		f->parent->enforce_pipelined = p->mail_pipelined;
		f->parent->enforce_end = p->end;
		memcpy(f->parent->enforce_address, p->address,
		       sizeof(p->address));
		p->mail_reply = NULL;
	}
	run_release(arg);
}

/* Starts a follow-up of run's probe; -1 if it could not start. */
static int followup(struct run *run, enum probe_kind kind)
{
	struct report *r = &run->job->r;
	struct probe *parent = run->p;
	struct followup *f, **v;

	v = realloc(r->followups, (r->nfollowups + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	r->followups = v;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	f->parent = parent;
	probe_init(&f->p);
	f->p.addr = parent->addr;
	f->p.addrlen = parent->addrlen;
	memcpy(f->p.address, parent->address, sizeof(f->p.address));
	f->p.port = parent->port;
	f->p.expect = parent->spoke; /* no second guessing the mode */
	f->p.declared = parent->declared;
	f->p.kind = kind;
	f->p.not_after = parent->not_after;
	f->p.host = parent->host ? strdup(parent->host) : NULL;
	r->followups[r->nfollowups++] = f;
	run->running++;
	if (sched_submit(run->job->pl->sched, &f->p, on_followup_done, run) <
	    0) {
		/* never run: not an observation */
		run->running--;
		r->nfollowups--;
		probe_free(&f->p);
		free(f);
		return -1;
	}
	return 0;
}

/* The follow-ups ask about the server software on a port: once per
 * host and port is enough, not once per address (it halves them on a
 * dual-stack host, and politeness limits how many run at once). */
static bool followed_already(const struct job *job, const struct probe *p)
{
	size_t i;

	for (i = 0; i < job->r.nprobes; i++)
		if (job->r.probes[i]->followed &&
		    same_port(p, job->r.probes[i]))
			return true;
	return false;
}

/* TLS worked: does the server also take TLS 1.0/1.1 (RFC 8996), and
 * does it answer commands smuggled before STARTTLS?  Asked the moment the
 * main session's handshake has completed, while it goes on. */
static void on_probe_tls(void *arg, struct probe *p)
{
	struct run *run = arg;

	if (!run->job->pl->opts.followups || followed_already(run->job, p))
		return;
	p->followed = true;
	if (strcmp(p->tls.version, "TLS1.2") == 0 ||
	    strcmp(p->tls.version, "TLS1.3") == 0)
		followup(run, KIND_LEGACY);
	if (p->spoke == MODE_PLAIN)
		followup(run, KIND_INJECT);
	/* does a submission port refuse mail before STARTTLS? (not 25:
	 * opportunistic by design) */
	if (p->spoke == MODE_PLAIN && verdict_submission_role(p) &&
	    followup(run, KIND_ENFORCE) < 0)
		p->enforce_skip = "not-started";
}

static void on_probe_done(void *arg, struct probe *p)
{
	(void)p;
	run_release(arg);
}

/* A target waiting for another's probe of the same address, port and
 * name (bulk). */
struct waiting {
	struct job *job;
	struct probe *p;
};

/* take_shared - another target's run of p, and its follow-ups, into
 * job's report */
static void take_shared(struct job *job, struct probe *p,
			const struct shared *v)
{
	struct report *r = &job->r;
	size_t i;

	if (v == NULL || probe_copy(p, &v->p) < 0) {
		p->end = END_LOCAL; /* it could not run, or no memory */
		p->shared = true;
		return;
	}
	p->shared = true;
	for (i = 0; i < v->nfollowups; i++) {
		struct followup *f, **fv;

		fv = realloc(r->followups, (r->nfollowups + 1) * sizeof(*fv));
		if (fv == NULL)
			return;
		r->followups = fv;
		f = calloc(1, sizeof(*f));
		if (f == NULL)
			return;
		if (probe_copy(&f->p, v->followups[i]) < 0) {
			probe_free(&f->p);
			free(f);
			return;
		}
		f->parent = p;
		r->followups[r->nfollowups++] = f;
	}
}

static void on_shared(void *arg, const void *value)
{
	struct waiting *w = arg;
	struct job *job = w->job;

	take_shared(job, w->p, value);
	free(w);
	job_release(job);
}

/* submit - runs p for job (released when it and its follow-ups have
 * ended) or, in a bulk run, takes another target's run of the same
 * probe. */
static void submit(struct job *job, struct probe *p)
{
	struct pipeline *pl = job->pl;
	struct run *run;
	bool publish = false;
	char key[PROBE_KEY_MAX];

	if (pl->share != NULL) {
		struct waiting *w = calloc(1, sizeof(*w));
		const void *v = NULL;

		if (w == NULL)
			return;
		w->job = job;
		w->p = p;
		probe_key(p, key, sizeof(key));
		switch (share_claim(pl->share, key, on_shared, w, &v)) {
		case SHARE_READY:
			free(w);
			take_shared(job, p, v);
			return;
		case SHARE_WAIT:
			job_hold(job);
			return;
		case SHARE_RUN:
			publish = true;
			break;
		case SHARE_ERROR:
			break;
		}
		free(w);
	}
	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		if (publish)
			share_publish(pl->share, key, NULL, NULL);
		return;
	}
	run->job = job;
	run->p = p;
	run->running = 1;
	run->publish = publish;
	if (!p->connect_only) {
		p->tls_done = on_probe_tls;
		p->tls_arg = run;
	}
	job_hold(job);
	if (sched_submit(pl->sched, p, on_probe_done, run) < 0) {
		if (publish)
			share_publish(pl->share, key, NULL, NULL);
		free(run);
		job_release(job); /* the caller holds the job: not the last */
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
	p->not_after = job->not_after;
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

/* Whether DNS name a is b, ignoring case and a final dot. */
static bool name_is(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a) - (a[0] != '\0' && a[strlen(a) - 1] == '.');
	lb = strlen(b) - (b[0] != '\0' && b[strlen(b) - 1] == '.');
	return la == lb && strncasecmp(a, b, la) == 0;
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
	p->name_typed = a->host == NULL || name_is(a->host, job->r.host);
	p->declared = e->tls ? MODE_TLS : MODE_PLAIN;
	p->expect = first_mode(&job->pl->opts, e->port, p->declared);
	p->not_after = job->not_after;
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
	job->not_after =
		job->t0 + (uint64_t)TARGET_DEADLINES * pl->opts.deadline_ms;
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
