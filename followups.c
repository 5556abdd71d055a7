/*
 * followups - the follow-up sessions of a port that spoke TLS, asked the
 * moment the main session's handshake has completed, while it goes on:
 * does the server also take TLS 1.0/1.1 (RFC 8996), does it answer
 * commands smuggled before STARTTLS (CVE-2011-0411), does a submission
 * port refuse mail before STARTTLS (RFC 3207 4)?  Each stays in the
 * report as an observation of its own (struct followup) beside its main
 * probe; reports/ concludes from them (reports/conclusion.c).  The TLS
 * enforcement answer alone is also carried by every probe of its host
 * and port (followups_fill), where the verdict and the JSON read it.
 */
#include "job.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "probe/sched.h"

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
	run_hold(run);
	if (sched_submit(run->job->pl->sched, &f->p, on_followup_done, run) <
	    0) {
		/* never run: not an observation */
		r->nfollowups--;
		probe_free(&f->p);
		free(f);
		run_release(run); /* the main session holds it: not the last */
		return -1;
	}
	return 0;
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

void followups_start(void *arg, struct probe *p)
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

void followups_fill(struct job *job)
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
