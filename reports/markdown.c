/* The Markdown report: self-contained, to paste into a support ticket.
 * Everything in it is something a probe saw; every peer string was
 * sanitised when read and is escaped here for Markdown. */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/i18n.h"
#include "core/utc.h"
#include "reports/verdict.h"

/* The characters that change meaning inside a line of Markdown (GFM),
 * '|' for tables, backslash-escaped; peer text never starts a line, so
 * '#', '-' and the like can stay as they are and the raw text readable. */
/* Server text is inert: no markup, and none of GFM's autolinks either
 * ("https://", "www.", "a@b.c" become links by themselves): "\:" before
 * "//", "\." after "www", and "@" in a code span of its own (escaping
 * does not stop the e-mail autolink). */
void report_md(FILE *out, const char *s)
{
	const char *start = s;

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '@') {
			fputs("`@`", out);
			continue;
		}
		if (strchr("\\`*_[]<>|~", *s) != NULL ||
		    (*s == ':' && s[1] == '/' && s[2] == '/') ||
		    (*s == '.' && s - start >= 3 &&
		     strncasecmp(s - 3, "www", 3) == 0))
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void ms_cell(FILE *out, int64_t ms)
{
	if (ms >= 0)
		fprintf(out, _(" %lld |"), (long long)ms);
	else
		fputs(" \\- |", out);
}

static void summary(FILE *out, const struct report *r,
		    const struct recommendation *rec)
{
	size_t i, counts[5] = {0};

	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		report_judge(r, r->probes[i], &v);
		counts[v.state]++;
	}
	fprintf(out, _("## Summary\n\n"));
	fprintf(out,
		_("%zu connection%s probed: %zu blocked, %zu plaintext, "
		  "%zu STARTTLS, %zu implicit TLS, %zu unusable.\n\n"),
		r->nprobes, r->nprobes == 1 ? "" : "s", counts[ST_BLOCKED],
		counts[ST_PLAINTEXT], counts[ST_STARTTLS],
		counts[ST_IMPLICIT_TLS], counts[ST_UNUSABLE]);
	fprintf(out, _("## Recommendation\n\n"));
	if (rec->probe != NULL) {
		fprintf(out, _("- Server: **"));
		report_md(out, rec->probe->host ? rec->probe->host
						: rec->probe->address);
		fprintf(out,
			_("**\n- Port: **%d**\n- Encryption: **%s** (%s)\n"),
			rec->probe->port, rec->label,
			strcmp(rec->encryption, "starttls") == 0
				? "STARTTLS"
				: _("implicit TLS"));
		if (rec->alt != NULL) {
			fprintf(out, _("- Alternative: "));
			report_md(out, rec->alt->host ? rec->alt->host
						      : rec->alt->address);
			fprintf(out, _(" port %d, %s\n"), rec->alt->port,
				rec->alt_label);
			if (rec->alt_why[0] != '\0') {
				fputs("  ", out); /* within the list item */
				report_md(out, rec->alt_why);
				fputc('\n', out);
			}
		}
		fputc('\n', out);
		report_md(out, rec->why);
		fprintf(out, "\n\n");
	} else {
		fprintf(out, _("No safe way to send mail from here: "));
		report_md(out, rec->why);
		/* TRANSLATORS: the full stop of the sentence above */
		fputs(_(".\n\n"), out);
	}
}

static void table(FILE *out, const struct report *r)
{
	size_t i;

	fprintf(out, _("## Ports\n\n"));
	fprintf(out, _("| Host | Port | Address | State | TLS | Certificate |\n"
		       "|---|---|---|---|---|---|\n"));
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		report_judge(r, p, &v);
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
				p->tls.verified ? _("verified")
						: _("NOT verified"));
		else
			fprintf(out, " | ");
		if (p->tls.done && p->tls.names.n > 0) {
			fprintf(out, _(" for "));
			report_md(out, p->tls.names.v[0]);
		}
		fprintf(out, " |\n");
	}
	fprintf(out, _("\n## Timings (milliseconds)\n\n"));
	fprintf(out,
		_("| Port | Address | connect | greeting | EHLO | STARTTLS "
		  "| TLS handshake | total |\n"
		  "|---|---|---|---|---|---|---|---|\n"));
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

		report_judge(r, r->probes[i], &v);
		any = v.nfindings > 0;
	}
	if (!any)
		return;
	fprintf(out, _("## Findings\n\n"));
	for (i = 0; i < r->nfindings; i++) {
		fprintf(out, "- **%s** `%s`: ",
			_(severity_name(r->findings[i].severity)),
			r->findings[i].id);
		report_md(out, r->findings[i].message);
		fputc('\n', out);
	}
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		report_judge(r, p, &v);
		for (j = 0; j < v.nfindings; j++) {
			fprintf(out, _("- **%s** `%s` on port %d, "),
				_(severity_name(v.findings[j].severity)),
				v.findings[j].id, p->port);
			report_md(out, p->address);
			fprintf(out, ": ");
			report_md(out, v.findings[j].message);
			fputc('\n', out);
		}
	}
	fputc('\n', out);
}

/* For each host, port and way of being blocked, the paragraph the user
 * can paste into a ticket (reports/ticket.c). */
static void ticket(FILE *out, const struct report *r)
{
	size_t i;
	bool any = false;

	for (i = 0; i < r->nprobes; i++) {
		char *text = report_ticket(r, i);

		if (text == NULL)
			continue;
		if (!any)
			fprintf(out, _("## For your hosting provider\n\n"));
		any = true;
		fprintf(out, "> ");
		report_md(out, text);
		fprintf(out, "\n\n");
		free(text);
	}
}

int report_markdown(FILE *out, const struct report *r)
{
	struct recommendation rec;
	char when[40], sources[700];

	snprintf(when, sizeof(when), "%s", _("unknown time"));
	utc_format(r->started, UTC_SECOND, when, sizeof(when));
	report_recommend(r, &rec);
	fprintf(out, _("# SMTP report for "));
	report_md(out, r->target);
	fprintf(out, _("\n\nTested %s"), when);
	if (report_source_words(r, sources, sizeof(sources))) {
		/* TRANSLATORS: "Tested DATE from source address X" */
		fprintf(out, _(" from "));
		report_md(out, sources);
	}
	fprintf(out, _(" with smtpprobe; the test took %lld ms.\n\n"),
		(long long)r->duration_ms);
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		fprintf(out, _("## Your settings\n\nServer "));
		report_md(out, r->host);
		fprintf(out, _(", port %d, %s: **%s**\n\n"), r->check->port,
			encryption_label(r->check->enc),
			c.works && c.safe ? _("they work")
			: c.works	  ? _("they work, but not safely")
					  : _("they do not work from here"));
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
