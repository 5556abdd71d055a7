/*
 * walks - once every probe of a target has ended: where the SYNs of a
 * filtered port die, compared with a port that works (probe/hops.h
 * plans and walks them; reports/hops.c compares), all walks at once so
 * they cost one timeout.
 */
#include "job.h"

#include <stdlib.h>

#include "probe/hops.h"

static void on_walk_done(void *arg, struct hop_walk *w)
{
	(void)w;
	job_release(arg);
}

void walks_start(struct job *job)
{
	const struct pipeline_opts *o = &job->pl->opts;
	size_t i, max = 2 * (HOPS_MAX_PORTS + 1);

	if (!o->hop_walk)
		return;
	job->r.walks = calloc(max, sizeof(*job->r.walks));
	if (job->r.walks == NULL)
		return;
	job->r.nwalks =
		hops_plan(job->r.probes, job->r.nprobes, job->r.controls,
			  job->r.ncontrols, job->r.walks, max);
	for (i = 0; i < job->r.nwalks; i++) {
		job_hold(job);
		if (hops_start(job->pl->loop, &job->r.walks[i], o->timeout_ms,
			       on_walk_done, job) < 0)
			job_release(job); /* not started: the caller holds */
	}
}
