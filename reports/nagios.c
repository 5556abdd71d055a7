/* The monitoring-plugin output: one status line a pager can carry, the
 * findings and sessions as long output, and perfdata a grapher keeps.
 * Every peer string was sanitised when read; here '|' is kept out of the
 * text, since it starts the perfdata. */
#include "reports/nagios.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/verdict.h"

const char *nagios_state_name(enum nagios_state s)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL",
					    "UNKNOWN"};

	return (size_t)s < 4 ? names[s] : "UNKNOWN";
}

static enum nagios_state by_severity(int sev)
{
	return sev == SEV_ERROR	    ? NAGIOS_CRITICAL
	       : sev == SEV_WARNING ? NAGIOS_WARNING
				    : NAGIOS_OK;
}

static enum nagios_state worse(enum nagios_state a, enum nagios_state b)
{
	return a > b ? a : b;
}

enum nagios_state nagios_state(const struct report *r)
{
	enum nagios_state st = NAGIOS_OK;
	struct recommendation rec;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		st = worse(st, by_severity((int)r->findings[i].severity));
	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		/* --check: the other ports only name alternatives */
		if (r->check != NULL && r->probes[i]->port != r->check->port)
			continue;
		report_judge(r, r->probes[i], &v);
		st = worse(st, by_severity(verdict_worst(&v)));
	}
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		return c.works && c.safe ? st : NAGIOS_CRITICAL;
	}
	report_recommend(r, &rec);
	return rec.probe == NULL ? NAGIOS_CRITICAL : st;
}

/* Text for the output: no '|' (it starts the perfdata), no line breaks. */
static void put_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '|'			 ? '/'
		      : *s == '\n' || *s == '\r' ? ' '
						 : *s,
		      out);
}

__attribute__((format(printf, 2, 3))) static void put_fmt(FILE *out,
							  const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_text(out, buf);
}

void nagios_label(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	if (len < 3)
		return;
	buf[n++] = '\'';
	for (; *s != '\0' && n + 2 < len; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr(".:[]_-/ ", c);

		buf[n++] = ok ? c : '_';
	}
	buf[n++] = '\'';
	buf[n] = '\0';
}

/* "mail.example.test:25 (198.18.1.2)", or the address alone. */
static void where(char *buf, size_t len, const struct probe *p)
{
	if (p->host != NULL)
		snprintf(buf, len, "%s:%d (%s)", p->host, p->port, p->address);
	else if (strchr(p->address, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", p->address, p->port);
	else
		snprintf(buf, len, "%s:%d", p->address, p->port);
}

struct tally {
	size_t errors, warnings;
	size_t states[5];
	const struct finding *first; /* the first of the worst */
	const struct probe *first_on;
	long soonest; /* days left of the certificate that expires first */
	bool any_cert;
};

static void count(struct tally *t, const struct finding *f,
		  const struct probe *on)
{
	t->errors += f->severity == SEV_ERROR;
	t->warnings += f->severity == SEV_WARNING;
	if (f->severity != SEV_INFO &&
	    (t->first == NULL || f->severity > t->first->severity)) {
		t->first = f;
		t->first_on = on;
	}
}

static void note_cert(struct tally *t, const struct report *r, time_t not_after,
		      time_t seen)
{
	long d = cert_days_left(not_after, report_now(r, seen));

	if (!t->any_cert || d < t->soonest)
		t->soonest = d;
	t->any_cert = true;
}

static void status_line(FILE *out, const struct report *r, enum nagios_state st,
			const struct tally *t)
{
	static const enum state order[] = {ST_STARTTLS, ST_IMPLICIT_TLS,
					   ST_PLAINTEXT, ST_UNUSABLE,
					   ST_BLOCKED};
	struct recommendation rec;
	const char *sep = ": ";
	char at[400];
	size_t i;

	fprintf(out, "SMTPPROBE %s - ", nagios_state_name(st));
	put_text(out, r->target);
	if (t->errors + t->warnings > 0) {
		put_fmt(out, ": %zu error%s, %zu warning%s, first %s",
			t->errors, t->errors == 1 ? "" : "s", t->warnings,
			t->warnings == 1 ? "" : "s", t->first->id);
		if (t->first_on != NULL) {
			where(at, sizeof(at), t->first_on);
			put_fmt(out, " on %s", at);
		}
		sep = "; ";
	}
	put_fmt(out, "%s%zu connection%s", sep, r->nprobes,
		r->nprobes == 1 ? "" : "s");
	sep = ": ";
	for (i = 0; i < 5; i++)
		if (t->states[order[i]] > 0) {
			put_fmt(out, "%s%zu %s", sep, t->states[order[i]],
				state_name(order[i]));
			sep = ", ";
		}
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		put_fmt(out, "; settings port %d %s %s", r->check->port,
			encryption_label(r->check->enc),
			!c.works  ? "do not work"
			: !c.safe ? "work but are not safe"
				  : "work");
	} else {
		report_recommend(r, &rec);
		if (rec.probe == NULL)
			put_fmt(out, "; no safe way to send mail");
		else
			put_fmt(out, "; use %s:%d %s",
				rec.probe->host ? rec.probe->host
						: rec.probe->address,
				rec.probe->port, rec.label);
		/* a name DNS handed out, not proven the user's (RFC 6186 6,
		 * RFC 7817 4): the line says so, as the recommendation does */
		if (rec.probe != NULL && rec.id.established_by == NULL)
			put_fmt(out,
				" (the name came from the %s of %s, not "
				"DNSSEC-validated: confirm it with the "
				"provider)",
				rec.id.source, r->host);
	}
	if (t->any_cert)
		put_fmt(out, "; certificates: %ld days left at the soonest",
			t->soonest);
	fprintf(out, " | 'time'=%.3fs;;;0\n", (double)r->duration_ms / 1000);
}

static void finding_line(FILE *out, const struct finding *f,
			 const struct probe *on)
{
	char at[400];

	fprintf(out, "[%s] %s ", severity_name(f->severity), f->id);
	if (on != NULL) {
		where(at, sizeof(at), on);
		put_text(out, at);
		fputs(": ", out);
	}
	put_text(out, f->message);
	fputc('\n', out);
}

static void probe_line(FILE *out, const struct report *r, const struct probe *p,
		       const struct verdict *v)
{
	char at[400];

	where(at, sizeof(at), p);
	put_fmt(out, "%s: %s", at, state_name(v->state));
	if (v->reason != NULL)
		put_fmt(out, " (%s)", v->reason);
	if (p->tls.done) {
		put_fmt(out, ", %s, certificate %s", p->tls.version,
			p->tls.verified ? "verified" : "NOT verified");
		if (p->tls.not_after > 0 && p->tls.seen > 0)
			put_fmt(out, ", %ld days left",
				cert_days_left(p->tls.not_after,
					       report_now(r, p->tls.seen)));
	}
	fputc('\n', out);
}

static double secs(int64_t ms)
{
	return (double)ms / 1000;
}

/* 'label'=value[UOM];warn;crit;min;max; U when not measured. */
static void perf_time(FILE *out, const char *base, const char *what, int64_t ms)
{
	char name[300], label[320];

	snprintf(name, sizeof(name), "%s %s", base, what);
	nagios_label(label, sizeof(label), name);
	if (ms >= 0)
		fprintf(out, "%s=%.3fs;;;0\n", label, secs(ms));
	else
		fprintf(out, "%s=U\n", label);
}

/* Days left, with the --cert-days thresholds as "alert below" ranges. */
static void perf_days(FILE *out, const struct report *r, const char *base,
		      long days)
{
	char name[300], label[320];

	snprintf(name, sizeof(name), "%s cert_days", base);
	nagios_label(label, sizeof(label), name);
	if (r->cert_warn_days > 0 && r->cert_crit_days > 0)
		fprintf(out, "%s=%ld;%d:;%d:\n", label, days, r->cert_warn_days,
			r->cert_crit_days);
	else if (r->cert_warn_days > 0)
		fprintf(out, "%s=%ld;%d:\n", label, days, r->cert_warn_days);
	else
		fprintf(out, "%s=%ld\n", label, days);
}

/* A probe already written under the same host, address and port would
 * give the same labels twice. */
static bool seen_before(const struct report *r, size_t i)
{
	const struct probe *p = r->probes[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct probe *q = r->probes[j];

		if (q->port == p->port && strcmp(q->address, p->address) == 0 &&
		    (q->host == NULL) == (p->host == NULL) &&
		    (q->host == NULL || strcmp(q->host, p->host) == 0))
			return true;
	}
	return false;
}

static void perfdata(FILE *out, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		char base[300];
		int64_t hs = p->ms[PH_HANDSHAKE] >= 0
				     ? p->ms[PH_HANDSHAKE]
				     : p->ms[PH_HANDSHAKE_IMPLICIT];

		if (seen_before(r, i))
			continue;
		if (strchr(p->address, ':') != NULL)
			snprintf(base, sizeof(base), "%s%s[%s]:%d",
				 p->host ? p->host : "", p->host ? " " : "",
				 p->address, p->port);
		else
			snprintf(base, sizeof(base), "%s%s%s:%d",
				 p->host ? p->host : "", p->host ? " " : "",
				 p->address, p->port);
		perf_time(out, base, "connect", p->ms[PH_CONNECT]);
		perf_time(out, base, "handshake", hs);
		perf_time(out, base, "total", p->total_ms);
		if (p->tls.done && p->tls.not_after > 0 && p->tls.seen > 0)
			perf_days(out, r, base,
				  cert_days_left(p->tls.not_after,
						 report_now(r, p->tls.seen)));
	}
	if (r->dns.sts_not_after > 0) {
		char base[300];

		snprintf(base, sizeof(base), "mta-sts.%s:443", r->host);
		perf_days(out, r, base,
			  cert_days_left(r->dns.sts_not_after,
					 report_now(r, r->dns.sts_seen)));
	}
}

int report_nagios(FILE *out, const struct report *r)
{
	enum nagios_state st = nagios_state(r);
	struct verdict *v = calloc(r->nprobes ? r->nprobes : 1, sizeof(*v));
	struct tally t = {0};
	size_t i, k;
	int sev;

	if (v == NULL)
		return -1;
	for (i = 0; i < r->nfindings; i++)
		count(&t, &r->findings[i], NULL);
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];

		report_judge(r, p, &v[i]);
		t.states[v[i].state]++;
		/* --check: the counts agree with the state, the user's port */
		for (k = 0; k < v[i].nfindings &&
			    (r->check == NULL || p->port == r->check->port);
		     k++)
			count(&t, &v[i].findings[k], p);
		if (p->tls.done && p->tls.not_after > 0 && p->tls.seen > 0)
			note_cert(&t, r, p->tls.not_after, p->tls.seen);
	}
	if (r->dns.sts_not_after > 0)
		note_cert(&t, r, r->dns.sts_not_after, r->dns.sts_seen);
	status_line(out, r, st, &t);
	/* long output: the findings, worst first, then every session */
	for (sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
		for (i = 0; i < r->nfindings; i++)
			if ((int)r->findings[i].severity == sev)
				finding_line(out, &r->findings[i], NULL);
		for (i = 0; i < r->nprobes; i++)
			for (k = 0; k < v[i].nfindings; k++)
				if ((int)v[i].findings[k].severity == sev)
					finding_line(out, &v[i].findings[k],
						     r->probes[i]);
	}
	for (i = 0; i < r->nprobes; i++)
		probe_line(out, r, r->probes[i], &v[i]);
	if (r->nprobes == 0) {
		struct recommendation rec;

		report_recommend(r, &rec);
		put_text(out, rec.why);
		fputc('\n', out);
	}
	/* the rest of the perfdata: after a '|' that opens its own line */
	if (r->nprobes > 0 || r->dns.sts_not_after > 0) {
		fputs("| ", out);
		perfdata(out, r);
	}
	free(v);
	return ferror(out) ? -1 : 0;
}
