/* The OpenMetrics text format (openmetrics.io, 1.0): per family its
 * # TYPE, # UNIT and # HELP lines, then its samples; label values in
 * double quotes with \\, \" and \n escaped; no timestamps (the textfile
 * collector refuses them); # EOF last.  Everything is a gauge: each run
 * measures afresh, nothing counts up across runs. */
#include "reports/openmetrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "reports/report.h"
#include "reports/verdict.h"

enum family {
	F_OK,
	F_DURATION,
	F_STATE,
	F_DOWNGRADE,
	F_PHASE,
	F_CERT,
	F_STS_CERT,
	F_FINDINGS,
	F_COUNT
};

static const struct {
	const char *name, *unit, *help;
} families[F_COUNT] = {
	[F_OK] = {"smtpprobe_target_ok", NULL,
		  "1 when a safe way to send mail was found and no finding "
		  "is an error (exit status 0), else 0"},
	[F_DURATION] = {"smtpprobe_target_duration_seconds", "seconds",
			"Time the whole target took"},
	[F_STATE] = {"smtpprobe_probe_state", NULL,
		     "The state of a session (address and port): 1 for the "
		     "current state, 0 for the others"},
	[F_DOWNGRADE] = {"smtpprobe_probe_downgrade_risk", NULL,
			 "1 when an attacker on the path can make a client "
			 "go on without TLS or with unverified TLS"},
	[F_PHASE] = {"smtpprobe_probe_phase_duration_seconds", "seconds",
		     "Time each phase of a session took, and the whole "
		     "session (phase total)"},
	[F_CERT] = {"smtpprobe_probe_certificate_expiry_timestamp_seconds",
		    "seconds",
		    "When the server certificate expires, as a Unix time"},
	[F_STS_CERT] =
		{"smtpprobe_mta_sts_certificate_expiry_timestamp_seconds",
		 "seconds",
		 "When the certificate of the MTA-STS policy host "
		 "expires, as a Unix time"},
	[F_FINDINGS] = {"smtpprobe_findings", NULL,
			"Findings of the target and its sessions, by id and "
			"severity"},
};

/* A set of the targets added, so no series is written twice. */
struct seen {
	char **v;
	size_t n, cap; /* cap: a power of two, or 0 */
};

struct openmetrics {
	FILE *f[F_COUNT]; /* the samples of each family so far */
	char *text[F_COUNT];
	size_t len[F_COUNT];
	struct seen seen;
};

static uint64_t hash(const char *s)
{
	return fnv64(s);
}

/* 1 when s was already in the set, 0 when added now, -1 out of memory. */
static int seen_add(struct seen *set, const char *s)
{
	size_t i;

	if (set->n * 2 >= set->cap) {
		struct seen big = {.cap = set->cap ? set->cap * 2 : 64};

		big.v = calloc(big.cap, sizeof(*big.v));
		if (big.v == NULL)
			return -1;
		for (i = 0; i < set->cap; i++) {
			size_t j;

			if (set->v[i] == NULL)
				continue;
			j = hash(set->v[i]) & (big.cap - 1);
			while (big.v[j] != NULL)
				j = (j + 1) & (big.cap - 1);
			big.v[j] = set->v[i];
		}
		big.n = set->n;
		free(set->v);
		*set = big;
	}
	for (i = hash(s) & (set->cap - 1); set->v[i] != NULL;
	     i = (i + 1) & (set->cap - 1))
		if (strcmp(set->v[i], s) == 0)
			return 1;
	set->v[i] = strdup(s);
	if (set->v[i] == NULL)
		return -1;
	set->n++;
	return 0;
}

void openmetrics_escape(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	if (len == 0)
		return;
	for (; *s != '\0'; s++) {
		const char *e = *s == '\\'   ? "\\\\"
				: *s == '"'  ? "\\\""
				: *s == '\n' ? "\\n"
					     : NULL;
		size_t k = e ? 2 : 1;

		if (n + k >= len)
			break;
		if (e != NULL)
			memcpy(buf + n, e, 2);
		else
			buf[n] = *s;
		n += k;
	}
	buf[n] = '\0';
}

struct openmetrics *openmetrics_new(void)
{
	struct openmetrics *om = calloc(1, sizeof(*om));
	int i;

	if (om == NULL)
		return NULL;
	for (i = 0; i < F_COUNT; i++) {
		om->f[i] = open_memstream(&om->text[i], &om->len[i]);
		if (om->f[i] == NULL) {
			openmetrics_free(om);
			return NULL;
		}
	}
	return om;
}

void openmetrics_free(struct openmetrics *om)
{
	size_t i;

	if (om == NULL)
		return;
	for (i = 0; i < F_COUNT; i++) {
		if (om->f[i] != NULL)
			fclose(om->f[i]);
		free(om->text[i]);
	}
	for (i = 0; i < om->seen.cap; i++)
		free(om->seen.v[i]);
	free(om->seen.v);
	free(om);
}

/* The labels that name a session: target, host, address, port. */
static void probe_labels(char *buf, size_t len, const char *target,
			 const struct probe *p)
{
	char host[600];

	openmetrics_escape(host, sizeof(host), p->host ? p->host : "");
	snprintf(buf, len,
		 "target=\"%s\",host=\"%s\",address=\"%s\",port=\"%d\"", target,
		 host, p->address, p->port);
}

/* The same host, address and port twice in one target would repeat a
 * series: only the first is written. */
static bool seen_before(const struct report *r, size_t i)
{
	const struct probe *p = r->probes[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct probe *q = r->probes[j];

		if (q->port == p->port && strcmp(q->address, p->address) == 0 &&
		    strcmp(q->host ? q->host : "", p->host ? p->host : "") == 0)
			return true;
	}
	return false;
}

static void probe_samples(struct openmetrics *om, const char *target,
			  const struct probe *p, const struct verdict *v)
{
	static const enum state states[] = {ST_BLOCKED, ST_PLAINTEXT,
					    ST_STARTTLS, ST_IMPLICIT_TLS,
					    ST_UNUSABLE};
	char l[1400];
	int ph;
	size_t i;

	probe_labels(l, sizeof(l), target, p);
	for (i = 0; i < 5; i++)
		fprintf(om->f[F_STATE], "%s{%s,state=\"%s\"} %d\n",
			families[F_STATE].name, l, state_name(states[i]),
			v->state == states[i]);
	fprintf(om->f[F_DOWNGRADE], "%s{%s} %d\n", families[F_DOWNGRADE].name,
		l, v->downgrade_risk);
	for (ph = 0; ph < PH_COUNT; ph++)
		/* both handshakes are "handshake": never two such series */
		if (p->ms[ph] >= 0 &&
		    !(ph == PH_HANDSHAKE_IMPLICIT && p->ms[PH_HANDSHAKE] >= 0))
			fprintf(om->f[F_PHASE], "%s{%s,phase=\"%s\"} %.3f\n",
				families[F_PHASE].name, l,
				probe_phase_name((enum probe_phase)ph),
				(double)p->ms[ph] / 1000);
	if (p->total_ms >= 0)
		fprintf(om->f[F_PHASE], "%s{%s,phase=\"total\"} %.3f\n",
			families[F_PHASE].name, l, (double)p->total_ms / 1000);
	if (p->tls.done && p->tls.not_after > 0)
		fprintf(om->f[F_CERT], "%s{%s} %lld\n", families[F_CERT].name,
			l, (long long)p->tls.not_after);
}

/* Findings counted per id and severity, about the target and all its
 * sessions together. */
struct count {
	const char *id;
	enum severity sev;
	unsigned n;
};

static void tally(struct count *c, size_t *nc, size_t max,
		  const struct finding *f)
{
	size_t i;

	for (i = 0; i < *nc; i++)
		if (c[i].sev == f->severity && strcmp(c[i].id, f->id) == 0) {
			c[i].n++;
			return;
		}
	if (*nc < max)
		c[(*nc)++] = (struct count){f->id, f->severity, 1};
}

int openmetrics_add(struct openmetrics *om, const struct report *r)
{
	char target[600];
	struct verdict v;
	struct count *c;
	size_t i, k, nc = 0, max;
	int dup = seen_add(&om->seen, r->target);

	if (dup != 0)
		return dup < 0 ? -1 : 0;
	max = r->nfindings + r->nprobes * VERDICT_MAX_FINDINGS + 1;
	c = calloc(max, sizeof(*c));
	if (c == NULL)
		return -1;
	openmetrics_escape(target, sizeof(target), r->target);
	fprintf(om->f[F_OK], "%s{target=\"%s\"} %d\n", families[F_OK].name,
		target, report_status(r) == 0);
	fprintf(om->f[F_DURATION], "%s{target=\"%s\"} %.3f\n",
		families[F_DURATION].name, target,
		(double)r->duration_ms / 1000);
	for (i = 0; i < r->nfindings; i++)
		tally(c, &nc, max, &r->findings[i]);
	for (i = 0; i < r->nprobes; i++) {
		report_judge(r, r->probes[i], &v);
		for (k = 0; k < v.nfindings; k++)
			tally(c, &nc, max, &v.findings[k]);
		if (!seen_before(r, i))
			probe_samples(om, target, r->probes[i], &v);
	}
	if (r->dns.sts_not_after > 0) {
		char host[600];
		char name[320];

		snprintf(name, sizeof(name), "mta-sts.%s", r->host);
		openmetrics_escape(host, sizeof(host), name);
		fprintf(om->f[F_STS_CERT],
			"%s{target=\"%s\",host=\"%s\"} %lld\n",
			families[F_STS_CERT].name, target, host,
			(long long)r->dns.sts_not_after);
	}
	for (i = 0; i < nc; i++)
		fprintf(om->f[F_FINDINGS],
			"%s{target=\"%s\",id=\"%s\",severity=\"%s\"} %u\n",
			families[F_FINDINGS].name, target, c[i].id,
			severity_name(c[i].sev), c[i].n);
	free(c);
	return 0;
}

int openmetrics_write(FILE *out, const struct openmetrics *om)
{
	int i;

	for (i = 0; i < F_COUNT; i++) {
		if (fflush(om->f[i]) != 0)
			return -1;
		fprintf(out, "# TYPE %s gauge\n", families[i].name);
		if (families[i].unit != NULL)
			fprintf(out, "# UNIT %s %s\n", families[i].name,
				families[i].unit);
		fprintf(out, "# HELP %s %s.\n", families[i].name,
			families[i].help);
		if (om->len[i] > 0)
			fwrite(om->text[i], 1, om->len[i], out);
	}
	fputs("# EOF\n", out);
	return ferror(out) ? -1 : 0;
}
