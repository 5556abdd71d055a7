/* The waterfall: every session of a target as a bar on one time axis,
 * split into the phases the probe timed (connect, greeting, EHLO,
 * STARTTLS, handshake, EHLO in TLS).  A slow greeting or a port that
 * hangs stands out at once.  Inline SVG, styled by the page's sheet. */
#include "reports/html.h"

#include <stdbool.h>
#include <string.h>

#include "core/i18n.h"

#define W 820.0	      /* viewBox width */
#define LABEL_W 290.0 /* the labels' column */
#define BAR_END 750.0 /* room after it for the total */
#define TOP 24.0      /* the axis */
#define ROW 22.0
#define BAR 14.0

/* The phases in the order a session goes through them, with the class
 * that colours them (.ph0 .. .ph7 in the style sheet). */
static const struct {
	enum probe_phase ph;
	int cls;
	const char *name;
} phases[] = {
	{PH_CONNECT, 0, N_("connect")},
	{PH_HANDSHAKE_IMPLICIT, 1, N_("TLS handshake")},
	{PH_GREETING, 2, N_("greeting")},
	{PH_EHLO, 3, N_("EHLO")},
	{PH_HELO, 3, N_("HELO")},
	{PH_STARTTLS, 4, N_("STARTTLS")},
	{PH_HANDSHAKE, 1, N_("TLS handshake")},
	{PH_EHLO_TLS, 5, N_("EHLO in TLS")},
	{PH_QUIT, 6, N_("QUIT")},
};

static const char *const legend[] = {
	N_("connect"),		N_("TLS handshake"),
	N_("greeting"),		N_("EHLO"),
	N_("STARTTLS"),		N_("EHLO in TLS"),
	N_("QUIT and closing"), N_("unfinished: no answer or cut off")};

static const char *end_words(enum probe_end e)
{
	switch (e) {
	case END_TIMEOUT:
		return _("no answer before the timeout");
	case END_DEADLINE:
		return _("cut off by the session deadline");
	case END_REFUSED:
		return _("refused");
	case END_UNREACHABLE:
		return _("unreachable");
	case END_CLOSED:
		return _("closed by the server");
	case END_TLS_FAILED:
		return _("TLS failed");
	case END_PROTOCOL:
		return _("a broken reply");
	case END_INJECTION:
		return _("injected data");
	default:
		return _("ended");
	}
}

static const char *phase_words(enum probe_phase ph)
{
	size_t k;

	for (k = 0; k < sizeof(phases) / sizeof(phases[0]); k++)
		if (phases[k].ph == ph)
			return _(phases[k].name);
	return "?";
}

/* A step of 1, 2 or 5 times a power of ten giving at most 6 ticks. */
static int64_t tick_step(int64_t max)
{
	int64_t step = 1;

	for (;;) {
		if (max / step <= 5)
			return step;
		if (max / (step * 2) <= 5)
			return step * 2;
		if (max / (step * 5) <= 5)
			return step * 5;
		step *= 10;
	}
}

static void segment(FILE *out, double x, double w, double y, int cls,
		    const char *what, const char *how, int64_t ms)
{
	fprintf(out,
		"<rect class=\"ph%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.0f\"><title>%s%s%s: %lld ms</title></rect>\n",
		cls, x, y, w < 0.8 ? 0.8 : w, BAR, what, how ? ", " : "",
		how ? how : "", (long long)ms);
}

void html_waterfall(FILE *out, const struct report *r, const char *id)
{
	int64_t max = 1, step, t;
	double scale, height = TOP + ROW * (double)r->nprobes + 8;
	size_t i, k, nhosts = 0;
	const char *host = NULL;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];

		if (p->total_ms > max)
			max = p->total_ms;
		if (p->host != NULL && (host == NULL || strcmp(host, p->host)))
			nhosts++, host = p->host;
	}
	scale = (BAR_END - LABEL_W) / (double)max;
	step = tick_step(max);
	fputs("<ul class=\"legend\" aria-hidden=\"true\">", out);
	for (k = 0; k < sizeof(legend) / sizeof(legend[0]); k++)
		fprintf(out,
			"<li><span class=\"key ph%zu\">&nbsp;</span>%s</li>", k,
			_(legend[k]));
	fprintf(out,
		"</ul>\n<div class=\"scroll\">\n"
		"<svg id=\"%s-waterfall\" class=\"waterfall\" "
		"xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		"role=\"img\" aria-label=\"",
		id, W, height, W, height);
	fprintf(out,
		_("Each connection's phases on one time axis, 0 to %lld ms; "
		  "the table below has the same numbers"),
		(long long)max);
	fputs("\">\n", out);
	for (t = 0; t <= max; t += step) {
		double x = LABEL_W + (double)t * scale;

		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" "
			"y2=\"%.0f\"/><text x=\"%.1f\" y=\"14\" "
			"text-anchor=\"middle\">%lld ms</text>\n",
			x, TOP - 4, x, height - 4, x, (long long)t);
	}
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		double y = TOP + ROW * (double)i + (ROW - BAR) / 2;
		double x = LABEL_W;
		int64_t sum = 0, rest;

		fprintf(out, "<text x=\"4\" y=\"%.1f\">%d ", y + BAR - 3,
			p->port);
		html_esc(out, p->address);
		if (nhosts > 1 && p->host != NULL) {
			/* sanitised ASCII: cutting it is safe */
			fputc(' ', out);
			if (strlen(p->host) > 22) {
				char cut[23];

				memcpy(cut, p->host, 22);
				cut[22] = '\0';
				html_esc(out, cut);
				fputs("&#8230;", out);
			} else {
				html_esc(out, p->host);
			}
		}
		fputs("</text>\n", out);
		for (k = 0; k < sizeof(phases) / sizeof(phases[0]); k++) {
			int64_t ms = p->ms[phases[k].ph];

			if (ms < 0)
				continue;
			segment(out, x, (double)ms * scale, y, phases[k].cls,
				_(phases[k].name), NULL, ms);
			x += (double)ms * scale;
			sum += ms;
		}
		/* what no finished phase accounts for: the phase the
		 * session ended in (drawn even when short: it says how the
		 * session ended), or closing after a finished one */
		rest = p->total_ms > sum ? p->total_ms - sum : 0;
		if (p->end != END_DONE) {
			segment(out, x, (double)rest * scale, y, 7,
				phase_words(p->end_phase), end_words(p->end),
				rest);
			x += (double)rest * scale;
		} else if (rest > 0) {
			segment(out, x, (double)rest * scale, y, 6,
				_("closing"), NULL, rest);
			x += (double)rest * scale;
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%lld ms</text>\n",
			x + 4, y + BAR - 3, (long long)p->total_ms);
	}
	fputs("</svg>\n</div>\n", out);
}
