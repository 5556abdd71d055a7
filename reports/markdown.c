/* The Markdown report: self-contained, to paste into a support ticket.
 * Everything in it is something a probe saw; every peer string was
 * sanitised when read and is escaped here for Markdown. */
#include "reports/report.h"

#include <stdio.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include "reports/verdict.h"

/* The characters that change meaning inside a line of Markdown (GFM),
 * '|' for tables, backslash-escaped; peer text never starts a line, so
 * '#', '-' and the like can stay as they are and the raw text readable. */
void report_md(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|~", *s) != NULL)
			fputc('\\', out);
		fputc(*s, out);
	}
}

static const char *reason_words(const char *reason)
{
	if (reason == NULL)
		return "";
	if (strcmp(reason, "timeout") == 0)
		return "connection attempts time out: packets are silently "
		       "dropped";
	if (strcmp(reason, "refused") == 0)
		return "connection attempts are refused (TCP reset)";
	if (strcmp(reason, "unreachable") == 0)
		return "connection attempts fail with an ICMP "
		       "\"administratively prohibited\" or no-route error";
	return reason;
}

static void ms_cell(FILE *out, int64_t ms)
{
	if (ms >= 0)
		fprintf(out, " %lld |", (long long)ms);
	else
		fputs(" \\- |", out);
}

static void summary(FILE *out, const struct report *r,
		    const struct recommendation *rec)
{
	size_t i, counts[5] = {0};

	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		verdict_judge(r->probes[i], &v);
		counts[v.state]++;
	}
	fprintf(out, "## Summary\n\n");
	fprintf(out, "%zu connection%s probed: %zu blocked, %zu plaintext, "
		     "%zu STARTTLS, %zu implicit TLS, %zu unusable.\n\n",
		r->nprobes, r->nprobes == 1 ? "" : "s", counts[ST_BLOCKED],
		counts[ST_PLAINTEXT], counts[ST_STARTTLS],
		counts[ST_IMPLICIT_TLS], counts[ST_UNUSABLE]);
	fprintf(out, "## Recommendation\n\n");
	if (rec->probe != NULL) {
		fprintf(out, "- Server: **");
		report_md(out, rec->probe->host ? rec->probe->host
					 : rec->probe->address);
		fprintf(out, "**\n- Port: **%d**\n- Encryption: **%s** (%s)\n",
			rec->probe->port, rec->label,
			strcmp(rec->encryption, "starttls") == 0
				? "STARTTLS"
				: "implicit TLS");
		if (rec->alt != NULL) {
			fprintf(out, "- Alternative: ");
			report_md(out, rec->alt->host ? rec->alt->host
					       : rec->alt->address);
			fprintf(out, " port %d, %s\n", rec->alt->port,
				rec->alt_label);
		}
		fputc('\n', out);
		report_md(out, rec->why);
		fprintf(out, "\n\n");
	} else {
		fprintf(out, "No safe way to send mail from here: ");
		report_md(out, rec->why);
		fprintf(out, ".\n\n");
	}
}

static void table(FILE *out, const struct report *r)
{
	size_t i;

	fprintf(out, "## Ports\n\n");
	fprintf(out, "| Host | Port | Address | State | TLS | Certificate |\n"
		     "|---|---|---|---|---|---|\n");
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		verdict_judge(p, &v);
		fprintf(out, "| ");
		report_md(out, p->host ? p->host : p->address);
		fprintf(out, " | %d | ", p->port);
		report_md(out, p->address);
		fprintf(out, " | %s", state_name(v.state));
		if (v.reason != NULL) {
			fprintf(out, " (");
			report_md(out, v.reason);
			fputc(')', out);
		}
		fprintf(out, " | ");
		report_md(out, p->tls.done ? p->tls.version : "");
		if (p->tls.done)
			fprintf(out, " | %s",
				p->tls.verified ? "verified" : "NOT verified");
		else
			fprintf(out, " | ");
		if (p->tls.done && p->tls.names.n > 0) {
			fprintf(out, " for ");
			report_md(out, p->tls.names.v[0]);
		}
		fprintf(out, " |\n");
	}
	fprintf(out, "\n## Timings (milliseconds)\n\n");
	fprintf(out, "| Port | Address | connect | greeting | EHLO | STARTTLS "
		     "| TLS handshake | total |\n"
		     "|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		int64_t hs = p->ms[PH_HANDSHAKE] >= 0
				     ? p->ms[PH_HANDSHAKE]
				     : p->ms[PH_HANDSHAKE_IMPLICIT];

		fprintf(out, "| %d | ", p->port);
		report_md(out, p->address);
		fprintf(out, " |");
		ms_cell(out, p->ms[PH_CONNECT]);
		ms_cell(out, p->ms[PH_GREETING]);
		ms_cell(out, p->ms[PH_EHLO]);
		ms_cell(out, p->ms[PH_STARTTLS]);
		ms_cell(out, hs);
		ms_cell(out, p->total_ms);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void findings(FILE *out, const struct report *r)
{
	size_t i, j;
	bool any = r->nfindings > 0;

	for (i = 0; i < r->nprobes && !any; i++) {
		struct verdict v;

		verdict_judge(r->probes[i], &v);
		any = v.nfindings > 0;
	}
	if (!any)
		return;
	fprintf(out, "## Findings\n\n");
	for (i = 0; i < r->nfindings; i++) {
		fprintf(out, "- **%s** `%s`: ",
			severity_name(r->findings[i].severity),
			r->findings[i].id);
		report_md(out, r->findings[i].message);
		fputc('\n', out);
	}
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		verdict_judge(p, &v);
		for (j = 0; j < v.nfindings; j++) {
			fprintf(out, "- **%s** `%s` on port %d, ",
				severity_name(v.findings[j].severity),
				v.findings[j].id, p->port);
			report_md(out, p->address);
			fprintf(out, ": ");
			report_md(out, v.findings[j].message);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

/* The name a probe's row shows in the Host column. */
static const char *host_of(const struct probe *p)
{
	return p->host ? p->host : p->address;
}

static bool blocked_as(const struct probe *p, const char *reason)
{
	struct verdict v;

	verdict_judge(p, &v);
	return v.state == ST_BLOCKED &&
	       (reason == NULL || strcmp(v.reason, reason) == 0);
}

/* Whether q belongs to the paragraph of p: same host, port and reason,
 * so the addresses a paragraph names are that host's, as in the table. */
static bool same_group(const struct probe *p, const char *reason,
		       const struct probe *q)
{
	return q->port == p->port && strcmp(host_of(q), host_of(p)) == 0 &&
	       blocked_as(q, reason);
}

/* Our source address for each family the group's addresses are of: an
 * IPv6 connection never went out from an IPv4 address. */
static void sources(FILE *out, const struct report *r, size_t first,
		    const char *reason)
{
	const struct probe *p = r->probes[first];
	const char *src[2] = {NULL, NULL}; /* IPv4, IPv6 */
	size_t j;

	for (j = first; j < r->nprobes; j++) {
		const struct probe *q = r->probes[j];
		int f = q->addr.ss_family == AF_INET6;

		if (same_group(p, reason, q) && q->source[0] != '\0' &&
		    src[f] == NULL)
			src[f] = q->source;
	}
	if (src[0] != NULL && src[1] != NULL) {
		fprintf(out, "source addresses ");
		report_md(out, src[0]);
		fprintf(out, " (IPv4) and ");
		report_md(out, src[1]);
		fprintf(out, " (IPv6)");
	} else {
		fprintf(out, "source address ");
		report_md(out, src[0] ? src[0] : src[1] ? src[1] : "unknown");
	}
}

/* Whether probe j is the first on port that connected to its host. */
static bool works_first(const struct report *r, size_t j, int port)
{
	const struct probe *q = r->probes[j];
	size_t k;

	if (q->port != port || blocked_as(q, NULL))
		return false;
	for (k = 0; k < j; k++)
		if (r->probes[k]->port == port &&
		    !blocked_as(r->probes[k], NULL) &&
		    strcmp(host_of(r->probes[k]), host_of(q)) == 0)
			return false;
	return true;
}

/* "HOST (A, B)": the addresses of probe j's host that connected on its
 * port. */
static void working_host(FILE *out, const struct report *r, size_t j)
{
	const struct probe *q = r->probes[j];
	bool comma = false;
	size_t k;

	report_md(out, host_of(q));
	fprintf(out, " (");
	for (k = j; k < r->nprobes; k++) {
		const struct probe *w = r->probes[k];

		if (w->port != q->port || blocked_as(w, NULL) ||
		    strcmp(host_of(w), host_of(q)) != 0)
			continue;
		if (comma)
			fprintf(out, ", ");
		comma = true;
		report_md(out, w->address);
	}
	fprintf(out, ")");
}

/* For each host, port and way of being blocked, a paragraph the user can
 * paste into a ticket, naming exactly the addresses of the table's rows
 * it speaks of.  Only a port blocked to every address probed on it is
 * called closed: when it connects to some other address, the paragraph
 * says so and asks about those addresses, not the port. */
static void ticket(FILE *out, const struct report *r)
{
	size_t i, j;
	bool any = false;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;
		bool first = true, open_elsewhere = false, comma = false;

		verdict_judge(p, &v);
		if (v.state != ST_BLOCKED)
			continue;
		for (j = 0; j < i && first; j++)
			first = !same_group(p, v.reason, r->probes[j]);
		if (!first)
			continue;
		for (j = 0; j < r->nprobes; j++)
			if (r->probes[j]->port == p->port &&
			    !blocked_as(r->probes[j], NULL))
				open_elsewhere = true;
		if (!any)
			fprintf(out, "## For your hosting provider\n\n");
		any = true;
		fprintf(out, "> From this server (");
		sources(out, r, i, v.reason);
		fprintf(out, "), outbound TCP connections to port %d of ",
			p->port);
		report_md(out, host_of(p));
		fprintf(out, " (");
		for (j = i; j < r->nprobes; j++)
			if (same_group(p, v.reason, r->probes[j])) {
				if (comma)
					fprintf(out, ", ");
				comma = true;
				report_md(out, r->probes[j]->address);
			}
		fprintf(out, ") fail: %s.", reason_words(v.reason));
		if (!open_elsewhere) {
			fprintf(out, " Please open outbound TCP port %d for "
				     "this server, or tell us which port we "
				     "may use for mail submission.\n\n",
				p->port);
			continue;
		}
		/* the port is open from here: name where it works */
		fprintf(out, " Outbound port %d itself is open: connections "
			     "to port %d of ",
			p->port, p->port);
		comma = false;
		for (j = 0; j < r->nprobes; j++)
			if (works_first(r, j, p->port)) {
				if (comma)
					fprintf(out, ", ");
				comma = true;
				working_host(out, r, j);
			}
		fprintf(out, " get through from here. Please check whether "
			     "anything between this server and ");
		report_md(out, host_of(p));
		fprintf(out, " filters these addresses.\n\n");
	}
}

int report_markdown(FILE *out, const struct report *r)
{
	struct recommendation rec;
	char when[40] = "unknown time";
	struct tm tm;
	const char *source = NULL;
	size_t i;

	for (i = 0; i < r->nprobes && source == NULL; i++)
		if (r->probes[i]->source[0] != '\0')
			source = r->probes[i]->source;
	if (gmtime_r(&r->started, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	report_recommend(r, &rec);
	fprintf(out, "# SMTP report for ");
	report_md(out, r->target);
	fprintf(out, "\n\nTested %s", when);
	if (source != NULL) {
		fprintf(out, " from source address ");
		report_md(out, source);
	}
	fprintf(out, " with smtpprobe; the test took %lld ms.\n\n",
		(long long)r->duration_ms);
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		fprintf(out, "## Your settings\n\nServer ");
		report_md(out, r->host);
		fprintf(out, ", port %d, %s: **%s**\n\n", r->check->port,
			encryption_label(r->check->enc),
			c.works && c.safe ? "they work"
			: c.works	  ? "they work, but not safely"
					  : "they do not work from here");
		report_md(out, c.why);
		fprintf(out, "\n\n");
	}
	summary(out, r, &rec);
	if (r->nprobes > 0)
		table(out, r);
	findings(out, r);
	ticket(out, r);
	return ferror(out) ? -1 : 0;
}
