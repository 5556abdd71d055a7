/*
 * conclusion - what reports/ concludes about each probe beyond its own
 * session: the follow-up sessions' answers (RFC 8996 legacy TLS,
 * CVE-2011-0411 command injection) and, filled in by dane.c and
 * policy.c, DANE and the downgrade protection.  Kept in the report, so
 * the observations stay as the sessions left them.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

const struct verdict_ctx *report_ctx(const struct report *r,
				     const struct probe *p)
{
	size_t i;

	for (i = 0; i < r->nconclusions; i++)
		if (r->conclusions[i].p == p)
			return &r->conclusions[i].c;
	return &verdict_ctx_none;
}

time_t report_now(const struct report *r, time_t seen)
{
	return r->started > 0 ? r->started : seen;
}

void report_judge(const struct report *r, const struct probe *p,
		  struct verdict *v)
{
	struct verdict_ctx c = *report_ctx(r, p);

	c.now = report_now(r, 0);
	verdict_judge_ctx(p, &c, v);
}

/* followup_answers - a follow-up's answer, into its main probe's
 * conclusion */
static void followup_answers(struct verdict_ctx *c, const struct probe *f)
{
	if (f->kind == KIND_LEGACY) {
		/* only what was negotiated counts: TLS 1.0 or 1.1 */
		c->legacy_accepted =
			f->tls.done && (strcmp(f->tls.version, "TLS1.0") == 0 ||
					strcmp(f->tls.version, "TLS1.1") == 0);
		if (c->legacy_accepted)
			memcpy(c->legacy_version, f->tls.version,
			       sizeof(c->legacy_version));
	} else if (f->kind == KIND_INJECT && f->tls.done) {
		/* only a completed handshake can answer the question */
		c->command_injection = f->injected_code != 0;
	}
}

/* A conclusion for every probe, with the follow-ups' answers in. */
int report_conclusions(struct report *r)
{
	size_t i, k;

	free(r->conclusions);
	r->nconclusions = 0;
	r->conclusions =
		calloc(r->nprobes ? r->nprobes : 1, sizeof(*r->conclusions));
	if (r->conclusions == NULL)
		return -1;
	for (i = 0; i < r->nprobes; i++) {
		struct conclusion *c = &r->conclusions[i];

		c->p = r->probes[i];
		c->c = verdict_ctx_none;
		for (k = 0; k < r->nfollowups; k++)
			if (r->followups[k]->parent == c->p)
				followup_answers(&c->c, &r->followups[k]->p);
	}
	r->nconclusions = r->nprobes;
	return 0;
}
