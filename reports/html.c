/* The HTML page around the targets' sections: the head with its
 * Content-Security-Policy and style, the summary of a bulk run, and the
 * escaping every writer part uses. */
#include "reports/html.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "reports/verdict.h"

/* The whole style sheet.  Its SHA-256 is the only style the page's CSP
 * allows, so markup smuggled into the page could not style it either. */
static const char css[] =
	"\n:root{color-scheme:light}\n"
	"body{font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"DejaVu Sans\",sans-serif;color:#1a1a1a;background:#fff;"
	"max-width:74rem;margin:0 auto;padding:1rem 1.25rem}\n"
	"h1{font-size:1.6rem;margin:.3rem 0 1rem}\n"
	"h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;"
	"border-bottom:1px solid #bbb}\n"
	"h3{font-size:1.12rem;margin:1.5rem 0 .5rem}\n"
	"h4{font-size:1rem;margin:1.2rem 0 .4rem}\n"
	"section.target{margin-top:2.5rem}\n"
	".answer{border:3px solid #555;border-radius:6px;padding:.6rem 1rem;"
	"margin:1rem 0}\n"
	".answer.good{border-color:#1b7f3b;background:#e8f5ec}\n"
	".answer.bad{border-color:#b3261e;background:#fbe9e8}\n"
	".answer .verdict{font-size:1.2rem;font-weight:700;margin:.2rem 0}\n"
	".answer p{margin:.4rem 0}\n"
	"dl.pairs{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.15rem 1rem;margin:.5rem 0}\n"
	"dl.pairs dt{font-weight:700}\n"
	"dl.pairs dd{margin:0;overflow-wrap:anywhere}\n"
	".scroll{overflow-x:auto;max-width:100%}\n"
	"table{border-collapse:collapse;margin:.4rem 0 .8rem}\n"
	"caption{text-align:left;font-weight:700;padding:.2rem 0}\n"
	"th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;"
	"vertical-align:top}\n"
	"thead th{background:#eee}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.good{background:#dcf1e2}\n"
	"td.warn{background:#fff1c2}\n"
	"td.bad{background:#f9d6d4}\n"
	"td.none{background:#f4f4f4;color:#555}\n"
	".mark{font-weight:700;text-transform:uppercase;font-size:.8em;"
	"letter-spacing:.03em}\n"
	".state{font-weight:700}\n"
	".small{font-size:.9em}\n"
	"code,.raw{font-family:\"DejaVu Sans Mono\",ui-monospace,monospace;"
	"font-size:.88em;overflow-wrap:anywhere}\n"
	"ul.findings{list-style:none;padding:0}\n"
	"ul.findings li{border-left:6px solid #999;padding:.3rem .7rem;"
	"margin:.5rem 0;background:#f7f7f7}\n"
	"ul.findings li.error{border-color:#b3261e}\n"
	"ul.findings li.warning{border-color:#b58100}\n"
	"ul.findings li.info{border-color:#3465a4}\n"
	"ul.findings p{margin:.2rem 0}\n"
	".sev{font-weight:700}\n"
	"blockquote{border-left:4px solid #777;background:#f4f4f4;"
	"margin:.6rem 0;padding:.4rem 1rem}\n"
	"ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
	"gap:.3rem 1rem}\n"
	".key{display:inline-block;width:.9em;height:.9em;"
	"border:1px solid #333;vertical-align:-.1em;margin-right:.3em}\n"
	".ph0{fill:#56b4e9;background:#56b4e9}\n"
	".ph1{fill:#0072b2;background:#0072b2}\n"
	".ph2{fill:#e69f00;background:#e69f00}\n"
	".ph3{fill:#009e73;background:#009e73}\n"
	".ph4{fill:#f0e442;background:#f0e442}\n"
	".ph5{fill:#cc79a7;background:#cc79a7}\n"
	".ph6{fill:#999;background:#999}\n"
	".ph7{fill:#d55e00;background:#d55e00}\n"
	"svg.waterfall{display:block;min-width:40rem;max-width:100%;"
	"height:auto}\n"
	"svg.waterfall text{font-family:\"DejaVu Sans\",sans-serif;"
	"font-size:12px;fill:#1a1a1a}\n"
	"svg.waterfall line{stroke:#bbb;stroke-width:1}\n"
	"footer{margin-top:2.5rem;border-top:1px solid #bbb;"
	"padding-top:.5rem;color:#444;font-size:.9em}\n"
	"a{color:#0b57a4}\n"
	/* a phone: the port grid becomes one card per address */
	"@media (max-width:40rem){body{padding:.6rem;font-size:15px}"
	"h1{font-size:1.35rem}.answer .verdict{font-size:1.05rem}"
	"dl.pairs{grid-template-columns:1fr}"
	"dl.pairs dd{margin-bottom:.3rem}th,td{padding:.25rem .35rem}"
	"table.grid,table.grid caption,table.grid tbody,table.grid tr,"
	"table.grid td{display:block}"
	"table.grid thead{position:absolute;width:1px;height:1px;"
	"overflow:hidden;clip-path:inset(50%)}"
	"table.grid tr{border:1px solid #999;margin:0 0 .7rem}"
	"table.grid th{display:inline-block;border:0}"
	"table.grid td{border:0;border-top:1px solid #ccc}"
	"table.grid td::before{content:attr(data-port) \": \";"
	"font-weight:700}}\n"
	"@media print{body{max-width:none;padding:0;font-size:10.5pt}"
	".scroll{overflow:visible}svg.waterfall{min-width:0}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"a{color:inherit;text-decoration:none}"
	"h2,h3,h4{break-after:avoid}tr,li,blockquote,svg{break-inside:avoid}"
	"}\n";

void html_esc(FILE *out, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (u != NULL && *u != '\0') {
		unsigned char c = *u;
		size_t n = 0, k;
		unsigned cp;

		if (c < 0x80) {
			if (c == '&')
				fputs("&amp;", out);
			else if (c == '<')
				fputs("&lt;", out);
			else if (c == '>')
				fputs("&gt;", out);
			else if (c == '"')
				fputs("&quot;", out);
			else if (c == '\'')
				fputs("&#39;", out);
			else if (c == '\t' || c == '\n' || c == '\r')
				fputc(' ', out);
			else if (c < 0x20 || c == 0x7f)
				fputs("&#xFFFD;", out);
			else
				fputc(c, out);
			u++;
			continue;
		}
		/* well-formed UTF-8 (the IDN as typed) passes; anything
		 * else, and C1 controls, become U+FFFD */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			cp = 0;
		for (k = 1; k <= n; k++) {
			if ((u[k] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (u[k] & 0x3f);
		}
		if (n == 0 || k <= n || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			fputs("&#xFFFD;", out);
			u++;
			continue;
		}
		if (cp < 0xa0) { /* a C1 control, well-formed */
			fputs("&#xFFFD;", out);
			u += n + 1;
			continue;
		}
		fwrite(u, 1, n + 1, out);
		u += n + 1;
	}
}

struct html_entry {
	char *id;      /* the section's anchor */
	char *target;  /* for the order */
	int rank;      /* 0 nothing works, 1 errors, 2 warnings, 3 fine */
	char *row;     /* the summary row */
	char *section; /* the target's section */
	time_t started;
};

struct html_page {
	char *version;
	struct html_entry *v;
	size_t n, cap;
};

struct html_page *html_page_new(const char *version)
{
	struct html_page *pg = calloc(1, sizeof(*pg));

	if (pg == NULL)
		return NULL;
	pg->version = strdup(version != NULL ? version : "?");
	if (pg->version == NULL) {
		free(pg);
		return NULL;
	}
	return pg;
}

void html_page_free(struct html_page *pg)
{
	size_t i;

	if (pg == NULL)
		return;
	for (i = 0; i < pg->n; i++) {
		free(pg->v[i].id);
		free(pg->v[i].target);
		free(pg->v[i].row);
		free(pg->v[i].section);
	}
	free(pg->v);
	free(pg->version);
	free(pg);
}

/* An anchor from the target: letters, digits, '.' and '-' kept, the rest
 * '_'; a target seen before gets its count after it. */
static char *make_id(const struct html_page *pg, const char *target)
{
	char base[120], *id;
	size_t i, k = 0, same = 0;

	for (i = 0; target[i] != '\0' && k < sizeof(base) - 1; i++) {
		char c = target[i];

		base[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					    (c >= '0' && c <= '9') ||
					    c == '.' || c == '-'
				    ? c
				    : '_';
	}
	base[k] = '\0';
	for (i = 0; i < pg->n; i++)
		if (strcmp(pg->v[i].target, target) == 0)
			same++;
	if (same == 0 ? asprintf(&id, "t-%s", base) < 0
		      : asprintf(&id, "t-%s-%zu", base, same + 1) < 0)
		return NULL;
	return id;
}

/* How bad a target is, for the order of the summary: what the other
 * writers and the exit status already say, not a new judgement. */
static int rank_of(const struct report *r, size_t *nerr, size_t *nwarn)
{
	struct recommendation rec;
	size_t i, j;
	bool works;

	*nerr = *nwarn = 0;
	for (i = 0; i < r->nfindings; i++) {
		*nerr += r->findings[i].severity == SEV_ERROR;
		*nwarn += r->findings[i].severity == SEV_WARNING;
	}
	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		report_judge(r, r->probes[i], &v);
		for (j = 0; j < v.nfindings; j++) {
			*nerr += v.findings[j].severity == SEV_ERROR;
			*nwarn += v.findings[j].severity == SEV_WARNING;
		}
	}
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		works = c.works && c.safe;
	} else {
		report_recommend(r, &rec);
		works = rec.probe != NULL;
	}
	if (!works)
		return 0;
	return *nerr > 0 ? 1 : *nwarn > 0 ? 2 : 3;
}

static const char *const rank_words[] = {
	N_("Nothing works from here"), N_("Works, with errors"),
	N_("Works, with warnings"), N_("Works")};
static const char *const rank_class[] = {"bad", "bad", "warn", "good"};

static void summary_row(FILE *f, const struct report *r, const char *id,
			int rank, size_t nerr, size_t nwarn)
{
	struct recommendation rec;

	report_recommend(r, &rec);
	fprintf(f, "<tr><th scope=\"row\"><a href=\"#%s\">", id);
	html_esc(f, r->target);
	fprintf(f,
		"</a></th><td class=\"%s\"><span class=\"mark\">%s</span>"
		"</td><td>",
		rank_class[rank], _(rank_words[rank]));
	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		fprintf(f, _("Your settings (port %d, %s): %s"), r->check->port,
			encryption_label(r->check->enc),
			c.works && c.safe ? _("they work")
			: c.works	  ? _("they work, but not safely")
					  : _("they do not work from here"));
	} else if (rec.probe != NULL) {
		html_esc(f, rec.probe->host ? rec.probe->host
					    : rec.probe->address);
		fprintf(f, _(", port %d, %s"), rec.probe->port, rec.label);
	} else {
		fputs(_("none"), f);
	}
	fprintf(f,
		"</td><td class=\"num\">%zu</td><td class=\"num\">%zu"
		"</td></tr>\n",
		nerr, nwarn);
}

int html_page_add(struct html_page *pg, const struct report *r)
{
	struct html_entry e = {0};
	size_t len, nerr, nwarn;
	FILE *f;

	if (pg->n == pg->cap) {
		size_t cap = pg->cap ? pg->cap * 2 : 16;
		struct html_entry *v = realloc(pg->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		pg->v = v;
		pg->cap = cap;
	}
	e.started = r->started;
	e.target = strdup(r->target ? r->target : "");
	if (e.target == NULL || (e.id = make_id(pg, e.target)) == NULL)
		goto fail;
	e.rank = rank_of(r, &nerr, &nwarn);
	if ((f = open_memstream(&e.row, &len)) == NULL)
		goto fail;
	summary_row(f, r, e.id, e.rank, nerr, nwarn);
	if (fclose(f) != 0)
		goto fail;
	if ((f = open_memstream(&e.section, &len)) == NULL)
		goto fail;
	html_target(f, r, e.id, pg->version);
	if (fclose(f) != 0)
		goto fail;
	pg->v[pg->n++] = e;
	return 0;
fail:
	free(e.id);
	free(e.target);
	free(e.row);
	free(e.section);
	return -1;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct html_entry *x = *(struct html_entry *const *)a;
	const struct html_entry *y = *(struct html_entry *const *)b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	c = strcmp(x->target, y->target);
	return c != 0 ? c : strcmp(x->id, y->id);
}

/* 'sha256-...' of the style sheet, for the CSP. */
static void style_hash(char *buf, size_t len)
{
	unsigned char digest[32];
	gnutls_datum_t in = {digest, sizeof(digest)}, b64 = {NULL, 0};

	buf[0] = '\0';
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, css, strlen(css), digest) < 0 ||
	    gnutls_base64_encode2(&in, &b64) < 0)
		return;
	snprintf(buf, len, "'sha256-%.*s'", (int)b64.size,
		 (const char *)b64.data);
	gnutls_free(b64.data);
}

static void head(FILE *out, const struct html_page *pg, const char *title)
{
	/* TRANSLATORS: the language of the translation, as a BCP 47 tag
	 * (the HTML page's lang attribute) */
	const char *lang = _("en");
	char hash[80];

	style_hash(hash, sizeof(hash));
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" "
		"content=\"default-src 'none'; style-src %s; "
		"base-uri 'none'; form-action 'none'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"smtpprobe ",
		strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
			     "XYZ-") == strlen(lang)
			? lang
			: "en",
		hash[0] ? hash : "'none'");
	html_esc(out, pg->version);
	fputs("\">\n<title>", out);
	html_esc(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

static void foot(FILE *out, const struct html_page *pg)
{
	fputs(_("<footer>\n<p>Written by smtpprobe "), out);
	html_esc(out, pg->version);
	fputs(_(". This page runs no script and loads nothing from the "
		"network: it can be saved, printed or attached to a ticket "
		"as it is.</p>\n"),
	      out);
	fputs("</footer>\n</body>\n</html>\n", out);
}

/* A section with its headings' levels filled in: h for its own, h + 1
 * below them (escaped text never holds the bytes 1 and 2). */
static void put_section(FILE *out, const char *s, int h)
{
	for (; *s != '\0'; s++)
		if (*s == HTML_H1 || *s == HTML_H2)
			fputc('0' + h + (*s == HTML_H2), out);
		else
			fputc(*s, out);
}

int html_page_write(FILE *out, const struct html_page *pg)
{
	const struct html_entry **order;
	char title[300];
	size_t i;

	if (pg->n == 1) {
		snprintf(title, sizeof(title), _("SMTP report for %s"),
			 pg->v[0].target);
		head(out, pg, title);
		fputs("<main>\n<h1>", out);
		html_esc(out, title);
		fputs("</h1>\n", out);
		put_section(out, pg->v[0].section, 2);
		fputs("</main>\n", out);
		foot(out, pg);
		return ferror(out) ? -1 : 0;
	}
	order = calloc(pg->n ? pg->n : 1, sizeof(*order));
	if (order == NULL)
		return -1;
	for (i = 0; i < pg->n; i++)
		order[i] = &pg->v[i];
	qsort(order, pg->n, sizeof(*order), cmp_entry);
	snprintf(title, sizeof(title), _("SMTP report for %zu target%s"), pg->n,
		 pg->n == 1 ? "" : "s");
	head(out, pg, title);
	fputs("<main>\n<h1>", out);
	html_esc(out, title);
	fputs("</h1>\n", out);
	if (pg->n > 0) {
		fputs(_("<h2 id=\"summary\">Summary</h2>\n"
			"<p>The targets that need attention first; each name "
			"leads to its section below.</p>\n"
			"<div class=\"scroll\"><table>\n"
			"<caption>Every target, the worst first</caption>\n"
			"<thead><tr><th scope=\"col\">Target</th>"
			"<th scope=\"col\">Result</th>"
			"<th scope=\"col\">Use</th>"
			"<th scope=\"col\">Errors</th>"
			"<th scope=\"col\">Warnings</th></tr></thead>\n"
			"<tbody>\n"),
		      out);
		for (i = 0; i < pg->n; i++)
			fputs(order[i]->row, out);
		fputs("</tbody>\n</table></div>\n", out);
	} else {
		fputs(_("<p>No target was reported.</p>\n"), out);
	}
	for (i = 0; i < pg->n; i++) {
		fprintf(out,
			"<section class=\"target\" aria-labelledby=\"%s\">\n"
			"<h2 id=\"%s\">",
			order[i]->id, order[i]->id);
		html_esc(out, order[i]->target);
		fputs("</h2>\n", out);
		put_section(out, order[i]->section, 3);
		fputs("</section>\n", out);
	}
	fputs("</main>\n", out);
	foot(out, pg);
	free(order);
	return ferror(out) ? -1 : 0;
}
