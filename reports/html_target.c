/* One target's section of the HTML page, in the order a reader needs
 * it: the answer, the port grid, the findings, the DNS and policy
 * records, where the time went, what the servers said, the paragraphs
 * for the hosting provider and when and from where it ran.  Every peer string
 * goes through html_esc; the verdicts are the ones the other writers show. */
#include "reports/html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/i18n.h"
#include "core/utc.h"
#include "reports/hops.h"
#include "reports/verdict.h"

#define H1 "h\1"
#define H2 "h\2"

static const char *name_of(const struct probe *p)
{
	return p->host ? p->host : p->address;
}

static const char *mode_words(const char *encryption)
{
	return strcmp(encryption, "starttls") == 0 ? "STARTTLS"
						   : _("implicit TLS");
}

static void when(const struct report *r, char *buf, size_t len)
{
	snprintf(buf, len, _("unknown time"));
	if (r->started > 0)
		utc_format(r->started, UTC_SECOND, buf, len);
}

/* ---- the answer ---- */

static void answer(FILE *out, const struct report *r, const char *id)
{
	struct recommendation rec;
	struct check_result c;
	bool good, blocked = false;
	size_t i;

	report_recommend(r, &rec);
	if (r->check != NULL)
		check_judge(r, r->check, &c);
	good = r->check != NULL ? c.works && c.safe : rec.probe != NULL;
	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		report_judge(r, r->probes[i], &v);
		blocked |= v.state == ST_BLOCKED;
	}
	fprintf(out,
		"<section class=\"answer %s\" aria-labelledby=\"%s-answer\">\n"
		"<" H1 " id=\"%s-answer\">%s</" H1 ">\n",
		good ? "good" : "bad", id, id, _("The answer"));
	if (r->check != NULL) {
		fputs(_("<p class=\"verdict\">Your settings: server "), out);
		html_esc(out, r->host);
		fprintf(out, _(", port %d, %s: %s</p>\n<p>"), r->check->port,
			encryption_label(r->check->enc),
			c.works && c.safe ? _("they work.")
			: c.works	  ? _("they work, but not safely.")
					  : _("they do not work from here."));
		html_esc(out, c.why);
		fputs("</p>\n", out);
	}
	if (rec.probe != NULL) {
		fprintf(out, "<p class=\"verdict\">%s</p>\n",
			r->check != NULL ? _("Settings that work from here:")
					 : _("Use these settings in your mail "
					     "program:"));
		fputs(_("<dl class=\"pairs\">\n<dt>Server</dt><dd>"), out);
		html_esc(out, name_of(rec.probe));
		fprintf(out,
			_("</dd>\n<dt>Port</dt><dd>%d</dd>\n"
			  "<dt>Encryption</dt><dd>%s (%s)</dd>\n"),
			rec.probe->port, rec.label, mode_words(rec.encryption));
		if (rec.alt != NULL) {
			fputs(_("<dt>Alternative</dt><dd>"), out);
			html_esc(out, name_of(rec.alt));
			fprintf(out, _(", port %d, %s (%s)</dd>\n"),
				rec.alt->port, rec.alt_label,
				mode_words(rec.alt_encryption));
			if (rec.alt_why[0] != '\0') {
				fputs("<dd>", out);
				html_esc(out, rec.alt_why);
				fputs("</dd>\n", out);
			}
		}
		fputs(_("</dl>\n<p>Why: "), out);
		html_esc(out, rec.why);
		fputs("</p>\n", out);
	} else {
		fputs(_("<p class=\"verdict\">Nothing works from here: there "
			"is no safe way to send mail to this target from this "
			"machine.</p>\n<p>Why, and what to do: "),
		      out);
		html_esc(out, rec.why);
		/* TRANSLATORS: the full stop of the sentence above */
		fputs(_(".</p>\n"), out);
	}
	if (blocked)
		fprintf(out,
			_("<p>Some ports are blocked: <a href=\"#%s-ticket\">"
			  "the paragraphs for your hosting provider</a> below "
			  "say so in words they can act on.</p>\n"),
			id);
	fputs("</section>\n", out);
}

/* ---- the grid: hosts x addresses down, ports across ---- */

struct row {
	const char *host; /* NULL: an address literal */
	const char *address;
	int family;
	size_t order; /* first seen */
};

static bool same_host(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	return strcmp(x->address, y->address);
}

static const char *reason_words(const char *reason)
{
	static const char *const w[][2] = {
		{"timeout", N_("no answer: packets are dropped")},
		{"refused", N_("actively rejected with a TCP reset")},
		{"unreachable", N_("rejected: unreachable or prohibited")},
		{"no-greeting", N_("the server stayed silent")},
		{"early-close", N_("the server closed the connection early")},
		{"rate-limited", N_("busy or limiting (421): try later")},
		{"rejecting", N_("the server refuses this client (554)")},
		{"not-smtp", N_("another protocol answers")},
		{"protocol-error", N_("the server broke the protocol")},
		{"local-error", N_("this machine failed")},
	};
	size_t i;

	for (i = 0; reason != NULL && i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(reason, w[i][0]) == 0)
			return _(w[i][1]);
	return reason ? reason : "";
}

static const char *cert_words(const struct tls_info *t)
{
	if (t->verified)
		return _("certificate verified");
	if (t->expired)
		return _("certificate EXPIRED");
	if (t->not_yet_valid)
		return _("certificate NOT YET VALID");
	if (!t->trusted)
		return _("certificate NOT trusted");
	return _("certificate does NOT name this host");
}

static void cell(FILE *out, const struct report *r, const struct probe *p,
		 int port)
{
	struct verdict v;
	const char *cls, *mark;

	if (p == NULL) {
		fprintf(out,
			_("<td class=\"none\" data-port=\"Port %d\">not "
			  "probed</td>"),
			port);
		return;
	}
	report_judge(r, p, &v);
	/* the colours of the text report, said in words as well */
	switch (v.state) {
	case ST_STARTTLS:
	case ST_IMPLICIT_TLS:
		if (v.tls_ok && verdict_worst(&v) < SEV_ERROR)
			cls = "good", mark = _("secure");
		else
			cls = "warn", mark = _("at risk");
		break;
	case ST_PLAINTEXT:
		cls = "warn", mark = _("unencrypted");
		break;
	default:
		cls = "bad", mark = _("fails");
	}
	fprintf(out,
		_("<td class=\"%s\" data-port=\"Port %d\"><span "
		  "class=\"mark\">%s</span> <span class=\"state\">%s</span>"),
		cls, p->port, mark,
		v.state == ST_BLOCKED	     ? _("blocked")
		: v.state == ST_PLAINTEXT    ? _("plaintext")
		: v.state == ST_STARTTLS     ? "STARTTLS"
		: v.state == ST_IMPLICIT_TLS ? _("implicit TLS")
					     : _("unusable"));
	fputs("<br><span class=\"small\">", out);
	if (v.reason != NULL) {
		html_esc(out, reason_words(v.reason));
		fputs(" (", out);
		html_esc(out, v.reason);
		fputc(')', out);
	} else if (p->tls.done) {
		html_esc(out, p->tls.version);
		fprintf(out, ", %s", cert_words(&p->tls));
	} else if (v.state == ST_STARTTLS) {
		fputs(_("TLS handshake failed"), out);
	} else if (v.state == ST_PLAINTEXT) {
		fputs(_("no STARTTLS"), out);
	}
	if (report_ctx(r, p)->protection != NULL) {
		fputs(_("; protected by "), out);
		html_esc(out, report_ctx(r, p)->protection);
	}
	fputs("</span></td>", out);
}

static void grid(FILE *out, const struct report *r, const char *id)
{
	struct row *rows = calloc(r->nprobes + 1, sizeof(*rows));
	int *ports = calloc(r->nprobes + r->nports + 1, sizeof(*ports));
	size_t nrows = 0, nports = 0, nhosts = 0, i, j, k;

	if (rows == NULL || ports == NULL)
		goto done;
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];

		for (j = 0; j < nrows; j++)
			if (same_host(rows[j].host, p->host) &&
			    strcmp(rows[j].address, p->address) == 0)
				break;
		if (j < nrows)
			continue;
		rows[nrows].host = p->host;
		rows[nrows].address = p->address;
		rows[nrows].family = p->addr.ss_family;
		rows[nrows].order = nrows;
		/* the same host: the order of its first row */
		for (k = 0; k < nrows; k++)
			if (same_host(rows[k].host, p->host)) {
				rows[nrows].order = rows[k].order;
				break;
			}
		nhosts += k == nrows;
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);
	/* the ports asked for, in their order, then any other probed */
	for (k = 0; k <= r->nports; k++)
		for (i = 0; i < r->nprobes; i++) {
			int port = r->probes[i]->port;
			bool asked = false;

			for (j = 0; j < r->nports && !asked; j++)
				asked = r->ports[j] == port;
			if ((k < r->nports ? port != r->ports[k] : asked))
				continue;
			for (j = 0; j < nports && ports[j] != port; j++)
				;
			if (j == nports)
				ports[nports++] = port;
		}
	fprintf(out,
		"<" H1 " id=\"%s-ports\">%s</" H1 ">\n%s"
		"<div class=\"scroll\"><table class=\"grid\">\n<caption>",
		id, _("Ports from here"),
		_("<p>Each cell is one connection: the port across, the "
		  "server's address down.  <span class=\"mark\">secure</span> "
		  "(green) is encrypted with a verified certificate; "
		  "<span class=\"mark\">at risk</span> and "
		  "<span class=\"mark\">unencrypted</span> (yellow) work, "
		  "but not safely; <span class=\"mark\">fails</span> (red) "
		  "does not work.</p>\n"));
	fprintf(out, _("%zu connection%s to %zu address%s of %zu host%s"),
		r->nprobes, r->nprobes == 1 ? "" : "s", nrows,
		nrows == 1 ? "" : "es", nhosts, nhosts == 1 ? "" : "s");
	fputs(_("</caption>\n<thead><tr><th scope=\"col\">Host</th>"
		"<th scope=\"col\">Address</th>"),
	      out);
	for (j = 0; j < nports; j++)
		fprintf(out, _("<th scope=\"col\">Port %d</th>"), ports[j]);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (i = 0; i < nrows; i++) {
		fputs("<tr><th scope=\"row\">", out);
		html_esc(out, rows[i].host ? rows[i].host : _("(address)"));
		fputs("</th><th scope=\"row\">", out);
		html_esc(out, rows[i].address);
		fputs("</th>", out);
		for (j = 0; j < nports; j++) {
			const struct probe *p = NULL;

			for (k = 0; k < r->nprobes && p == NULL; k++)
				if (r->probes[k]->port == ports[j] &&
				    same_host(r->probes[k]->host,
					      rows[i].host) &&
				    strcmp(r->probes[k]->address,
					   rows[i].address) == 0)
					p = r->probes[k];
			cell(out, r, p, ports[j]);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
done:
	free(rows);
	free(ports);
}

/* TCP 443 to the same addresses, worth reading only when no mail port
 * connected at all. */
static void controls(FILE *out, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++)
		if (r->probes[i]->connected)
			return;
	if (r->ncontrols == 0)
		return;
	fprintf(out,
		_("<p>For comparison, plain TCP connections to port %d "
		  "(HTTPS, no mail) of the same server:</p>\n<ul>\n"),
		r->controls[0]->port);
	for (i = 0; i < r->ncontrols; i++) {
		const struct probe *p = r->controls[i];
		struct verdict v;

		report_judge(r, p, &v);
		fputs("<li>", out);
		html_esc(out, p->address);
		fputs(": ", out);
		html_esc(out,
			 p->connected ? "connects" : reason_words(v.reason));
		fprintf(out, _(" (%lld ms)</li>\n"), (long long)p->total_ms);
	}
	fputs("</ul>\n", out);
}

/* Where the SYNs of a filtered port stop, from the hop walks. */
static void walks(FILE *out, const struct report *r)
{
	size_t i;
	bool any = false;

	for (i = 0; i < r->nwalks; i++) {
		struct hops_verdict v;

		if (!hops_judge(r->walks, r->nwalks, i, &v))
			continue;
		if (!any)
			fputs(_("<p>Where the connection attempts stop, from a "
				"walk with a growing TTL (as traceroute "
				"does):</p>\n<ul>\n"),
			      out);
		any = true;
		fputs("<li>", out);
		html_esc(out, v.walk->address);
		fputs(": ", out);
		html_esc(out, v.words);
		fputs(".</li>\n", out);
	}
	if (any)
		fputs("</ul>\n", out);
}

static void join(FILE *out, const struct strlist *l, const char *sep)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			fputs(sep, out);
		html_esc(out, l->v[i]);
	}
}

static void date_of(FILE *out, time_t t)
{
	char buf[UTC_TEXT_MAX] = "";

	if (t != (time_t)-1 && t != 0)
		utc_format(t, UTC_DAY, buf, sizeof(buf));
	fputs(buf[0] != '\0' ? buf : "unknown", out);
}

/* What each server said: greeting, capabilities, TLS, certificate. */
static void replies(FILE *out, const struct report *r, const char *id)
{
	size_t i;
	bool any = false;

	for (i = 0; i < r->nprobes && !any; i++)
		any = r->probes[i]->connected;
	if (!any)
		return;
	fprintf(out, "<" H1 " id=\"%s-replies\">%s</" H1 ">\n%s", id,
		_("What the servers said"),
		_("<div class=\"scroll\"><table>\n<caption>The connections "
		  "that were answered</caption>\n"
		  "<thead><tr><th scope=\"col\">Port</th>"
		  "<th scope=\"col\">Address</th><th scope=\"col\">Greeting"
		  "</th><th scope=\"col\">Extensions (EHLO)</th>"
		  "<th scope=\"col\">TLS</th><th scope=\"col\">Certificate"
		  "</th></tr></thead>\n<tbody>\n"));
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		const struct tls_info *t = &p->tls;

		if (!p->connected)
			continue;
		fprintf(out, "<tr><th scope=\"row\">%d</th><td>", p->port);
		html_esc(out, p->address);
		fputs("</td><td class=\"raw\">", out);
		html_esc(out, p->banner	  ? p->banner
			      : p->detail ? p->detail
					  : "");
		fputs("</td><td class=\"raw\">", out);
		if (p->ehlo.n > 0) {
			join(out, &p->ehlo, ", ");
			if (p->ehlo_tls.n > 0)
				fputs("<br>", out);
		}
		if (p->ehlo_tls.n > 0) {
			fputs(_("in TLS: "), out);
			join(out, &p->ehlo_tls, ", ");
		}
		fputs("</td><td>", out);
		if (t->done) {
			html_esc(out, t->version);
			fputs("<br><span class=\"raw\">", out);
			html_esc(out, t->cipher);
			fputs("</span>", out);
		} else if (t->error != NULL) {
			fputs(_("handshake failed: "), out);
			html_esc(out, t->error);
		}
		fputs("</td><td>", out);
		if (t->done) {
			fputs(cert_words(t), out);
			if (t->names.n > 0) {
				fputs(_("<br>for <span class=\"raw\">"), out);
				join(out, &t->names, ", ");
				fputs("</span>", out);
			}
			if (t->issuer != NULL) {
				fputs(_("<br>issued by <span class=\"raw\">"),
				      out);
				html_esc(out, t->issuer);
				fputs("</span>", out);
			}
			fputs(_("<br>valid until "), out);
			date_of(out, t->not_after);
			if (t->verify_error != NULL) {
				fputs("<br>", out);
				html_esc(out, t->verify_error);
			}
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
}

/* ---- findings, the same ones on several addresses said once ---- */

struct item {
	const struct finding *f;
	size_t first; /* index into where */
	size_t n;
};

static void findings(FILE *out, const struct report *r, const char *id)
{
	struct verdict *v = calloc(r->nprobes + 1, sizeof(*v));
	size_t total = r->nfindings, i, j, k, nitems = 0;
	struct item *items = NULL;
	const struct probe **where = NULL; /* per item's slot; NULL: target */
	size_t *next = NULL;		   /* chain of slots per item */
	static const enum severity order[] = {SEV_ERROR, SEV_WARNING, SEV_INFO};
	static const char *const titles[] = {N_("Errors"), N_("Warnings"),
					     N_("Notes")};
	int s;

	if (v == NULL)
		return;
	for (i = 0; i < r->nprobes; i++) {
		report_judge(r, r->probes[i], &v[i]);
		total += v[i].nfindings;
	}
	fprintf(out, "<" H1 " id=\"%s-findings\">%s</" H1 ">\n", id,
		_("Findings"));
	if (total == 0) {
		fputs(_("<p>Nothing to report: no errors, no warnings.</p>\n"),
		      out);
		free(v);
		return;
	}
	items = calloc(total, sizeof(*items));
	where = calloc(total, sizeof(*where));
	next = calloc(total, sizeof(*next));
	if (items == NULL || where == NULL || next == NULL)
		goto done;
	/* slot k: target findings first, then each probe's in order */
	for (k = 0, i = 0; i <= r->nprobes; i++) {
		const struct finding *f =
			i == 0 ? r->findings : v[i - 1].findings;
		size_t n = i == 0 ? r->nfindings : v[i - 1].nfindings;

		for (j = 0; j < n; j++, k++) {
			size_t m, last;

			where[k] = i == 0 ? NULL : r->probes[i - 1];
			next[k] = (size_t)-1;
			for (m = 0; m < nitems; m++)
				if (items[m].f->severity == f[j].severity &&
				    strcmp(items[m].f->id, f[j].id) == 0 &&
				    strcmp(items[m].f->message, f[j].message) ==
					    0)
					break;
			if (m == nitems) {
				items[nitems].f = &f[j];
				items[nitems].first = k;
				items[nitems++].n = 1;
				continue;
			}
			for (last = items[m].first; next[last] != (size_t)-1;
			     last = next[last])
				;
			next[last] = k;
			items[m].n++;
		}
	}
	for (s = 0; s < 3; s++) {
		size_t n = 0;

		for (i = 0; i < nitems; i++)
			n += items[i].f->severity == order[s];
		if (n == 0)
			continue;
		fprintf(out,
			"<" H2 ">%s (%zu)</" H2 ">\n<ul class=\"findings\">\n",
			_(titles[s]), n);
		for (i = 0; i < nitems; i++) {
			const struct finding *f = items[i].f;
			const char *words = html_finding_words(f->id);
			int port = -1;

			if (f->severity != order[s])
				continue;
			fprintf(out,
				"<li class=\"%s\"><p><span class=\"sev\">%s"
				"</span> <code>",
				severity_name(f->severity),
				f->severity == SEV_ERROR     ? _("Error")
				: f->severity == SEV_WARNING ? _("Warning")
							     : _("Note"));
			html_esc(out, f->id);
			fputs("</code>: ", out);
			html_esc(out, f->message);
			fputs("</p>\n<p class=\"small\">", out);
			if (where[items[i].first] == NULL) {
				fputs(_("About the target as a whole."), out);
			} else {
				fputs(_("Seen on"), out);
				for (k = items[i].first; k != (size_t)-1;
				     k = next[k]) {
					const struct probe *p = where[k];

					if (p == NULL)
						continue;
					if (p->port != port)
						fprintf(out, _("%s port %d:"),
							port < 0 ? "" : ";",
							p->port);
					else
						fputc(',', out);
					fputc(' ', out);
					html_esc(out, p->address);
					port = p->port;
				}
				fputc('.', out);
			}
			fputs("</p>\n", out);
			if (words != NULL) {
				fputs(_("<p class=\"small\">What it means: "),
				      out);
				html_esc(out, words);
				fputs("</p>\n", out);
			}
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
done:
	free(items);
	free(where);
	free(next);
	free(v);
}

/* ---- DNS and policy records ---- */

static void record(FILE *out, const char *what, const char *value, int count)
{
	fputs("<tr><th scope=\"row\">", out);
	html_esc(out, what);
	fputs("</th><td class=\"raw\">", out);
	html_esc(out, value ? value : "none");
	if (count > 1)
		fprintf(out, _(" (and %d more: only one is allowed)"),
			count - 1);
	fputs("</td></tr>\n", out);
}

static void srv_row(FILE *out, const char *what, const struct srv_rec *v, int n)
{
	int k;

	fputs("<tr><th scope=\"row\">", out);
	html_esc(out, what);
	fputs("</th><td class=\"raw\">", out);
	if (n == 0)
		fputs("none", out);
	for (k = 0; k < n; k++) {
		if (k > 0)
			fputs("<br>", out);
		if (v[k].target[0] == '\0') {
			fputs(_(". (not offered)"), out);
			continue;
		}
		html_esc(out, v[k].target);
		fprintf(out, _(":%d (priority %d, weight %d)"), v[k].port,
			v[k].priority, v[k].weight);
	}
	fputs("</td></tr>\n", out);
}

static void dns(FILE *out, const struct report *r, const char *id)
{
	const struct dns_info *d = &r->dns;
	size_t i, j;
	int k;

	fprintf(out, "<" H1 " id=\"%s-dns\">%s</" H1 ">\n", id,
		_("DNS and policy records"));
	if (d->domain) {
		fputs(_("<div class=\"scroll\"><table>\n<caption>What the "
			"domain publishes</caption>\n<thead><tr>"
			"<th scope=\"col\">Record</th><th scope=\"col\">"
			"Value</th></tr></thead>\n<tbody>\n<tr><th "
			"scope=\"row\">MX</th><td class=\"raw\">"),
		      out);
		if (d->null_mx)
			fputs(_("null MX: the domain accepts no mail"), out);
		else if (d->nmx == 0)
			fputs(d->implicit_mx ? _("none: the domain's own name "
						 "receives mail")
					     : "none",
			      out);
		for (k = 0; !d->null_mx && k < d->nmx; k++) {
			if (k > 0)
				fputs("<br>", out);
			fprintf(out, "%d ", d->mx[k].preference);
			html_esc(out, d->mx[k].host);
		}
		if (d->mx_ad)
			fputs(_(" (DNSSEC-validated)"), out);
		fputs("</td></tr>\n", out);
		srv_row(out, _("Submission (SRV _submission._tcp)"), d->sub,
			d->nsub);
		srv_row(out, _("Submission over TLS (SRV _submissions._tcp)"),
			d->subs, d->nsubs);
		record(out, "MTA-STS (TXT _mta-sts)", d->mta_sts, d->nmta_sts);
		fputs(_("<tr><th scope=\"row\">MTA-STS policy</th><td>"), out);
		if (d->sts_valid) {
			fprintf(out,
				_("mode %s, max_age %ld s, mx: <span "
				  "class=\"raw\">"),
				mtasts_mode_name(d->sts.mode), d->sts.max_age);
			join(out, &d->sts.mx, ", ");
			fputs("</span>", out);
		} else if (d->sts_tried) {
			fputs(_("unusable: "), out);
			html_esc(out,
				 d->sts_error ? d->sts_error : _("unknown"));
		} else {
			fputs(_("none fetched"), out);
		}
		fputs("</td></tr>\n", out);
		record(out, "TLS-RPT (TXT _smtp._tls)", d->tls_rpt,
		       d->ntls_rpt);
		record(out, "SPF (TXT)", d->spf, d->nspf);
		record(out, "DMARC (TXT _dmarc)", d->dmarc, d->ndmarc);
		for (i = 0; i < d->ntlsa; i++) {
			fputs("<tr><th scope=\"row\">DANE (TLSA ", out);
			html_esc(out, d->tlsa[i].name);
			fprintf(out, _(")</th><td>%d record%s, %s</td></tr>\n"),
				d->tlsa[i].n, d->tlsa[i].n == 1 ? "" : "s",
				d->tlsa[i].ad ? _("DNSSEC-validated")
					      : _("not validated"));
		}
		if (d->ntlsa == 0)
			fputs(_("<tr><th scope=\"row\">DANE (TLSA)</th><td>"
				"none</td></tr>\n"),
			      out);
		fputs("</tbody>\n</table></div>\n", out);
	} else {
		fputs(_("<p>The target is a host name or an address: MX, SRV "
			"and policy records do not apply to it.</p>\n"),
		      out);
	}
	if (r->nhosts > 0) {
		fputs(_("<div class=\"scroll\"><table>\n<caption>The hosts "
			"probed</caption>\n<thead><tr><th scope=\"col\">Host"
			"</th><th scope=\"col\">Why</th><th scope=\"col\">"
			"Addresses</th></tr></thead>\n<tbody>\n"),
		      out);
		for (i = 0; i < r->nhosts; i++) {
			const struct plan_host *h = &r->hosts[i];

			fputs("<tr><th scope=\"row\">", out);
			html_esc(out, h->name);
			if (h->cname != NULL) {
				fputs(_("<br><span class=\"small\">alias: "),
				      out);
				html_esc(out, h->cname);
				fputs("</span>", out);
			}
			fputs("</th><td class=\"raw\">", out);
			html_esc(out, h->roles);
			fputs("</td><td class=\"raw\">", out);
			for (j = 0; j < h->addresses.n; j++) {
				if (j > 0)
					fputs("<br>", out);
				html_esc(out, h->addresses.v[j]);
			}
			if (h->addresses.n == 0)
				html_esc(out,
					 h->error ? h->error : _("no address"));
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody>\n</table></div>\n", out);
	}
	if (r->nerrors > 0) {
		fputs(_("<p>DNS lookups that failed:</p>\n<ul>\n"), out);
		for (i = 0; i < r->nerrors; i++) {
			fputs("<li>", out);
			html_esc(out, r->errors[i].type);
			fputc(' ', out);
			html_esc(out, r->errors[i].name);
			fputs(": ", out);
			html_esc(out, r->errors[i].error);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
}

/* ---- timings: the waterfall, and the same numbers as a table ---- */

static void ms_cell(FILE *out, int64_t ms)
{
	if (ms >= 0)
		fprintf(out, "<td class=\"num\">%lld</td>", (long long)ms);
	else
		fputs("<td class=\"num\">&#8211;</td>", out);
}

static void timings(FILE *out, const struct report *r, const char *id)
{
	size_t i;

	fprintf(out, "<" H1 " id=\"%s-time\">%s</" H1 ">\n", id,
		_("Where the time went"));
	if (r->nprobes == 0) {
		fputs(_("<p>No connection was made.</p>\n"), out);
		return;
	}
	html_waterfall(out, r, id);
	fputs(_("<div class=\"scroll\"><table>\n<caption>The same in "
		"milliseconds (&#8211;: the phase did not happen)</caption>\n"
		"<thead><tr><th scope=\"col\">Port</th><th scope=\"col\">"
		"Address</th><th scope=\"col\">Connect</th>"
		"<th scope=\"col\">TLS handshake (implicit)</th>"
		"<th scope=\"col\">Greeting</th><th scope=\"col\">EHLO</th>"
		"<th scope=\"col\">STARTTLS</th><th scope=\"col\">TLS "
		"handshake</th><th scope=\"col\">EHLO in TLS</th>"
		"<th scope=\"col\">Total</th></tr></thead>\n<tbody>\n"),
	      out);
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];

		fprintf(out, "<tr><th scope=\"row\">%d</th><td>", p->port);
		html_esc(out, p->address);
		fputs("</td>", out);
		ms_cell(out, p->ms[PH_CONNECT]);
		ms_cell(out, p->ms[PH_HANDSHAKE_IMPLICIT]);
		ms_cell(out, p->ms[PH_GREETING]);
		ms_cell(out,
			p->ms[PH_EHLO] >= 0 ? p->ms[PH_EHLO] : p->ms[PH_HELO]);
		ms_cell(out, p->ms[PH_STARTTLS]);
		ms_cell(out, p->ms[PH_HANDSHAKE]);
		ms_cell(out, p->ms[PH_EHLO_TLS]);
		ms_cell(out, p->total_ms);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
}

/* ---- the hosting provider, and the run itself ---- */

static void tickets(FILE *out, const struct report *r, const char *id)
{
	size_t i;
	bool any = false;

	for (i = 0; i < r->nprobes; i++) {
		char *text = report_ticket(r, i);

		if (text == NULL)
			continue;
		if (!any)
			fprintf(out, "<" H1 " id=\"%s-ticket\">%s</" H1 ">\n%s",
				id, _("For your hosting provider"),
				_("<p>Ports are blocked on the way out of this "
				  "machine.  Send your hosting provider these "
				  "paragraphs as they are:</p>\n"));
		any = true;
		fputs("<blockquote><p>", out);
		html_esc(out, text);
		fputs("</p></blockquote>\n", out);
		free(text);
	}
}

static void about(FILE *out, const struct report *r, const char *id,
		  const char *version)
{
	char at[40], sources[700];

	when(r, at, sizeof(at));
	fprintf(out, "<" H1 " id=\"%s-about\">%s</" H1 ">\n%s", id,
		_("About this test"),
		_("<dl class=\"pairs\">\n<dt>Target</dt><dd>"));
	html_esc(out, r->target);
	if (r->unicode != NULL) {
		fputs(" (", out);
		html_esc(out, r->host);
		fputc(')', out);
	}
	fprintf(out,
		_("</dd>\n<dt>Tested</dt><dd>%s</dd>\n"
		  "<dt>From</dt><dd>"),
		at);
	/* each address the kernel picked, once, per family */
	if (report_source_words(r, sources, sizeof(sources)))
		html_esc(out, sources);
	else
		fputs(_("unknown (no connection got that far)"), out);
	fprintf(out,
		_("</dd>\n<dt>Duration</dt><dd>%lld ms</dd>\n"
		  "<dt>Tool</dt><dd>smtpprobe "),
		(long long)r->duration_ms);
	html_esc(out, version);
	fputs("</dd>\n</dl>\n", out);
}

int html_target(FILE *out, const struct report *r, const char *id,
		const char *version)
{
	answer(out, r, id);
	if (r->nprobes > 0)
		grid(out, r, id);
	controls(out, r);
	walks(out, r);
	findings(out, r, id);
	dns(out, r, id);
	timings(out, r, id);
	replies(out, r, id); /* the details, for the technical reader */
	tickets(out, r, id);
	about(out, r, id, version);
	return ferror(out) ? -1 : 0;
}
