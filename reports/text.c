/* The text report: a table a person reads at a glance, then the
 * findings, then what to type into the mail settings.  Every peer string
 * was sanitised when it was read; colour only when asked for. */
#include "reports/report.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/sanitize.h"
#include "core/textout.h"
#include "reports/hops.h"
#include "reports/verdict.h"

#define C_RESET "\033[0m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"

static const char *state_colour(const struct verdict *v)
{
	switch (v->state) {
	case ST_IMPLICIT_TLS:
	case ST_STARTTLS:
		return v->tls_ok && verdict_worst(v) < SEV_ERROR ? C_GREEN
								 : C_YELLOW;
	case ST_PLAINTEXT:
		return C_YELLOW;
	default:
		return C_RED;
	}
}

static void tls_cell(const struct probe *p, const struct verdict *v, char *buf,
		     size_t len)
{
	if (v->state == ST_BLOCKED || v->state == ST_UNUSABLE)
		snprintf(buf, len, "%s", v->reason ? v->reason : "-");
	else if (p->tls.done)
		snprintf(buf, len, "%s", p->tls.version);
	else if (v->state == ST_STARTTLS)
		snprintf(buf, len, "%s", _("failed"));
	else
		snprintf(buf, len, "-");
}

static void cert_cell(const struct probe *p, char *buf, size_t len)
{
	const struct tls_info *t = &p->tls;
	const char *name = t->names.n ? t->names.v[0] : _("no name");

	if (!t->done)
		snprintf(buf, len, "-");
	else if (t->verified)
		snprintf(buf, len, _("ok %s"), name);
	else if (t->expired)
		snprintf(buf, len, _("EXPIRED %s"), name);
	else if (t->not_yet_valid)
		snprintf(buf, len, _("NOT YET VALID %s"), name);
	else if (!t->trusted)
		snprintf(buf, len, _("UNTRUSTED %s"), name);
	else
		snprintf(buf, len, _("NAME MISMATCH %s"), name);
	utf8_trim_tail(buf); /* a long name cut short */
}

/* s, then blanks up to width columns (printf's %-*s counts bytes). */
static void pad(FILE *out, const char *s, int width)
{
	int w = textout_width(s);

	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

/* Blanks, then s, ending at width columns. */
static void lpad(FILE *out, const char *s, int width)
{
	int w = textout_width(s);

	for (; w < width; w++)
		fputc(' ', out);
	fputs(s, out);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* One row per probe; every column as wide as its widest cell, so TIME
 * stays in line whatever a certificate note or a host name holds. */
static void print_rows(FILE *out, const struct report *r, bool colour)
{
	/* TRANSLATORS: the column titles of the text table */
	const char *h_host = _("HOST"), *h_port = _("PORT"),
		   *h_addr = _("ADDRESS"), *h_state = _("STATE"),
		   *h_tls = _("TLS"), *h_cert = _("CERTIFICATE"),
		   *h_time = _("TIME");
	int hw = 0, pw = max_int(5, textout_width(h_port)),
	    aw = textout_width(h_addr),
	    sw = max_int(13, textout_width(h_state)),
	    tw = max_int(12, textout_width(h_tls)),
	    cw = max_int(32, textout_width(h_cert)),
	    mw = max_int(8, textout_width(h_time));
	char tls[32], cert[300], ms[24];
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		report_judge(r, p, &v);
		tls_cell(p, &v, tls, sizeof(tls));
		cert_cell(p, cert, sizeof(cert));
		snprintf(ms, sizeof(ms), _("%lld ms"), (long long)p->total_ms);
		/* several hosts (MX, SRV, guesses): say which row is which */
		if (r->nhosts > 1 && p->host != NULL)
			hw = max_int(hw, max_int(textout_width(p->host),
						 textout_width(h_host)) +
						 1);
		aw = max_int(aw, textout_width(p->address));
		sw = max_int(sw, textout_width(state_name(v.state)));
		tw = max_int(tw, textout_width(tls));
		cw = max_int(cw, textout_width(cert));
		mw = max_int(mw, textout_width(ms));
	}
	fputs(colour ? C_BOLD : "", out);
	pad(out, hw ? h_host : "", hw);
	pad(out, h_port, pw);
	fputc(' ', out);
	pad(out, h_addr, aw);
	fputc(' ', out);
	pad(out, h_state, sw);
	fputc(' ', out);
	pad(out, h_tls, tw);
	fputc(' ', out);
	pad(out, h_cert, cw);
	fputc(' ', out);
	lpad(out, h_time, mw);
	fprintf(out, "%s\n", colour ? C_RESET : "");
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		char port[8];
		struct verdict v;

		report_judge(r, p, &v);
		tls_cell(p, &v, tls, sizeof(tls));
		cert_cell(p, cert, sizeof(cert));
		snprintf(ms, sizeof(ms), _("%lld ms"), (long long)p->total_ms);
		snprintf(port, sizeof(port), "%d", p->port);
		pad(out, hw && p->host ? p->host : "", hw);
		pad(out, port, pw);
		fputc(' ', out);
		pad(out, p->address, aw);
		fputc(' ', out);
		/* the colour codes take no column: outside the padding */
		fputs(colour ? state_colour(&v) : "", out);
		fputs(state_name(v.state), out);
		fputs(colour ? C_RESET : "", out);
		pad(out, "", sw - textout_width(state_name(v.state)));
		fputc(' ', out);
		pad(out, tls, tw);
		fputc(' ', out);
		pad(out, cert, cw);
		fputc(' ', out);
		lpad(out, ms, mw);
		fputc('\n', out);
	}
}

/* Each distinct banner once, with where it was seen: a person wants to
 * know what software answers, and a hostile banner shows escaped. */
static void print_banners(FILE *out, const struct report *r)
{
	size_t i, j;
	bool any = false;

	for (i = 0; i < r->nprobes; i++) {
		const char *b = r->probes[i]->banner;
		bool seen = false;

		if (b == NULL)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = r->probes[j]->banner != NULL &&
			       strcmp(r->probes[j]->banner, b) == 0;
		if (seen)
			continue;
		if (!any)
			fprintf(out, "\n%s\n", _("Banners:"));
		any = true;
		fprintf(out, "  %s\n    %s", b, _("on"));
		for (j = i; j < r->nprobes; j++)
			if (r->probes[j]->banner != NULL &&
			    strcmp(r->probes[j]->banner, b) == 0)
				fprintf(out, " %d/%s", r->probes[j]->port,
					r->probes[j]->address);
		fputc('\n', out);
	}
}

static void print_findings(FILE *out, const struct report *r, bool colour)
{
	size_t i, j;
	bool any = false;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		report_judge(r, p, &v);
		for (j = 0; j < v.nfindings; j++) {
			const struct finding *f = &v.findings[j];
			const char *c = f->severity == SEV_ERROR     ? C_RED
					: f->severity == SEV_WARNING ? C_YELLOW
								     : "";

			if (!any)
				fprintf(out, "\n%s\n", _("Findings:"));
			any = true;
			fprintf(out, "  %d %s: %s%s%s %s: %s\n", p->port,
				p->address, colour ? c : "",
				_(severity_name(f->severity)),
				colour ? C_RESET : "", f->id, f->message);
		}
	}
}

static void print_srv(FILE *out, const char *service, const struct srv_rec *v,
		      int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (v[k].target[0] == '\0')
			fprintf(out, _("  SRV %s: . (not offered)\n"), service);
		else
			fprintf(out, "  SRV %s: %s:%d\n", service, v[k].target,
				v[k].port);
}

static void print_plan(FILE *out, const struct report *r)
{
	const struct dns_info *d = &r->dns;
	size_t i, j;
	int k;

	if (d->null_mx)
		fprintf(out, "%s",
			_("  MX: null (the domain accepts no mail)\n"));
	else if (d->nmx > 0) {
		fprintf(out, "  MX:");
		for (k = 0; k < d->nmx; k++)
			fprintf(out, "%s %d %s", k ? "," : "",
				d->mx[k].preference, d->mx[k].host);
		fprintf(out, "%s\n", d->mx_ad ? _(" (DNSSEC-validated)") : "");
	} else if (d->implicit_mx)
		fprintf(out, "%s",
			_("  MX: none (the host itself receives mail)\n"));
	print_srv(out, "submission", d->sub, d->nsub);
	print_srv(out, "submissions", d->subs, d->nsubs);
	/* policies matter for a mail domain, not for a bare host */
	if (d->nmx > 0 || d->null_mx)
		fprintf(out,
			"  MTA-STS: %s\n  TLS-RPT: %s\n  SPF: %s\n  DMARC: "
			"%s\n",
			d->mta_sts ? d->mta_sts : _("none"),
			d->tls_rpt ? d->tls_rpt : _("none"),
			d->spf ? d->spf : _("none"),
			d->dmarc ? d->dmarc : _("none"));
	if (d->sts_valid) {
		fprintf(out, _("  MTA-STS policy: mode %s, max_age %ld, mx"),
			mtasts_mode_name(d->sts.mode), d->sts.max_age);
		for (i = 0; i < d->sts.mx.n; i++)
			fprintf(out, " %s", d->sts.mx.v[i]);
		fputc('\n', out);
	} else if (d->sts_tried) {
		fprintf(out, _("  MTA-STS policy: unusable (%s)\n"),
			d->sts_error ? d->sts_error : "?");
	}
	for (i = 0; i < d->ntlsa; i++)
		fprintf(out,
			ngettext("  TLSA %s: %d record%s\n",
				 "  TLSA %s: %d records%s\n", d->tlsa[i].n),
			d->tlsa[i].name, d->tlsa[i].n,
			d->tlsa[i].ad ? _(" (DNSSEC-validated)")
				      : _(" (not validated)"));
	fprintf(out, "%s", _("  Hosts:\n"));
	for (i = 0; i < r->nhosts; i++) {
		const struct plan_host *h = &r->hosts[i];

		fprintf(out, "    %s [%s]", h->name, h->roles);
		if (h->cname != NULL)
			fprintf(out, " (%s)", h->cname);
		for (j = 0; j < h->addresses.n; j++)
			fprintf(out, " %s", h->addresses.v[j]);
		if (h->addresses.n == 0)
			fprintf(out, " %s",
				h->error ? h->error : _("no address"));
		fputc('\n', out);
	}
}

static const char *mode_words(const char *encryption)
{
	return strcmp(encryption, "starttls") == 0 ? "STARTTLS"
						   : _("implicit TLS");
}

static void print_controls(FILE *out, const struct report *r)
{
	size_t i;

	/* only worth a reader's time when no mail port connected */
	for (i = 0; i < r->nprobes; i++)
		if (r->probes[i]->connected)
			return;
	if (r->ncontrols > 0)
		fprintf(out, _("\nControl (TCP %d, no mail):\n"),
			r->controls[0]->port);
	for (i = 0; i < r->ncontrols; i++) {
		const struct probe *p = r->controls[i];
		struct verdict v;

		report_judge(r, p, &v);
		/* a reset or the host's own ICMP error: it is reachable */
		fprintf(out, "  %s: %s%s%s (%lld ms)\n", p->address,
			p->connected ? _("connects") : v.reason,
			!p->connected && ((p->end == END_REFUSED &&
					   p->icmp_from[0] == '\0') ||
					  strcmp(p->icmp_from, p->address) == 0)
				? _(", answers: the host is reachable")
				: "",
			!p->connected && p->icmp_from[0] != '\0' &&
					strcmp(p->icmp_from, p->address) != 0
				? _(", ICMP error from a router on the way")
				: "",
			(long long)p->total_ms);
	}
}

/* Where the SYNs of a filtered port die, compared with a working port. */
static void print_hops(FILE *out, const struct report *r)
{
	size_t i;
	bool any = false;

	for (i = 0; i < r->nwalks; i++) {
		struct hops_verdict v;

		if (!hops_judge(r->walks, r->nwalks, i, &v))
			continue;
		if (!any)
			fprintf(out, "%s",
				_("\nWhere the SYNs stop (a walk with "
				  "growing TTL):\n"));
		any = true;
		fprintf(out, "  %s: %s.\n", v.walk->address, v.words);
	}
}

int report_text(FILE *out, const struct report *r, bool colour)
{
	struct recommendation rec;
	size_t i;

	fprintf(out, "%s%s%s", colour ? C_BOLD : "", r->target,
		colour ? C_RESET : "");
	if (r->unicode != NULL)
		fprintf(out, " (%s)", r->host);
	fprintf(out,
		ngettext(": %zu probe in %.2f s\n", ": %zu probes in %.2f s\n",
			 r->nprobes),
		r->nprobes, (double)r->duration_ms / 1000.0);
	if (r->dns.domain)
		print_plan(out, r);
	/* a server that answers nothing: its finding is the one line */
	for (i = 0; i < r->nerrors && !report_dns_unanswered(r); i++)
		fprintf(out, "  DNS %s %s: %s\n", r->errors[i].type,
			r->errors[i].name, r->errors[i].error);
	for (i = 0; i < r->nfindings; i++)
		fprintf(out, "  %s %s: %s\n",
			_(severity_name(r->findings[i].severity)),
			r->findings[i].id, r->findings[i].message);
	if (r->nprobes > 0) {
		fputc('\n', out);
		print_rows(out, r, colour);
	}
	print_banners(out, r);
	print_findings(out, r, colour);
	report_recommend(r, &rec);
	print_controls(out, r);
	print_hops(out, r);
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		fprintf(out, _("\nYour settings: server %s, port %d, %s.\n"),
			r->host, r->check->port,
			encryption_label(r->check->enc));
		fprintf(out, "%s%s%s\n  %s\n",
			colour ? (c.works && c.safe ? C_GREEN : C_RED) : "",
			c.works && c.safe ? _("They work.")
			: c.works	  ? _("They work, but not safely.")
					  : _("They do NOT work from here."),
			colour ? C_RESET : "", c.why);
	}
	if (rec.probe != NULL) {
		fprintf(out,
			_("\n%s: server %s, port %d, encryption "
			  "%s (%s).\n  %s\n"),
			r->check ? _("Settings that work")
				 : _("Recommendation"),
			rec.probe->host ? rec.probe->host : rec.probe->address,
			rec.probe->port, rec.label, mode_words(rec.encryption),
			rec.why);
		if (rec.alt != NULL)
			fprintf(out,
				_("Alternative: server %s, port %d, encryption "
				  "%s (%s).\n"),
				rec.alt->host ? rec.alt->host
					      : rec.alt->address,
				rec.alt->port, rec.alt_label,
				mode_words(rec.alt_encryption));
		if (rec.alt != NULL && rec.alt_why[0] != '\0')
			fprintf(out, "  %s\n", rec.alt_why);
	} else {
		fprintf(out, _("\nNo safe way to send mail from here: %s.\n"),
			rec.why);
	}
	return ferror(out) ? -1 : 0;
}
