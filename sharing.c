/*
 * sharing - a bulk run probes an address, port and name once and reports
 * it for every target that has it (core/share.h keyed by probe_key): the
 * first target to claim a probe runs it and publishes a copy of it with
 * the follow-up sessions of its port; the others wait for that, or take
 * it at once when it has ended, into their own report.
 */
#include "job.h"

#include <stdlib.h>

#include "core/share.h"

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

/* A copy of job's probe p and of its follow-ups, or NULL. */
static struct shared *shared_copy(const struct job *job, const struct probe *p)
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

void sharing_publish(struct job *job, const struct probe *p, bool ran)
{
	char key[PROBE_KEY_MAX];

	probe_key(p, key, sizeof(key));
	share_publish(job->pl->share, key, ran ? shared_copy(job, p) : NULL,
		      free_shared);
}

/* A target waiting for another's probe of the same address, port and
 * name. */
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

bool sharing_claim(struct job *job, struct probe *p, bool *publish)
{
	struct waiting *w;
	const void *v = NULL;
	char key[PROBE_KEY_MAX];

	*publish = false;
	if (job->pl->share == NULL)
		return false;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return true; /* no memory: the probe stays unrun */
	w->job = job;
	w->p = p;
	probe_key(p, key, sizeof(key));
	switch (share_claim(job->pl->share, key, on_shared, w, &v)) {
	case SHARE_READY:
		free(w);
		take_shared(job, p, v);
		return true;
	case SHARE_WAIT:
		job_hold(job);
		return true;
	case SHARE_RUN:
		*publish = true;
		break;
	case SHARE_ERROR:
		break;
	}
	free(w);
	return false;
}
