/* Findings about a target as a whole, from all its probes together:
 * what no single session can tell. */
#include "reports/report.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "core/sanitize.h"
#include "reports/verdict.h"

void report_finding(struct report *r, const char *id, enum severity sev,
		    const char *fmt, ...)
{
	char msg[sizeof(r->findings[0].message)];
	va_list ap;

	va_start(ap, fmt);
	/* the format is the message id (make pot extracts this argument) */
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	findings_add(r->findings, &r->nfindings, id, sev, msg);
}

/* One address of a host offers STARTTLS on a port and another does not:
 * a client that lands on the other one is downgraded, round-robin. */
static void inconsistent(struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		report_judge(r, p, &v);
		if (v.state != ST_STARTTLS && v.state != ST_IMPLICIT_TLS)
			continue;
		for (j = 0; j < r->nprobes; j++) {
			const struct probe *q = r->probes[j];
			struct verdict w;

			if (q->port != p->port || q->host == NULL ||
			    p->host == NULL || strcmp(q->host, p->host) != 0)
				continue;
			report_judge(r, q, &w);
			if (w.state != ST_PLAINTEXT)
				continue;
			report_finding(
				r, "inconsistent-addresses", SEV_ERROR,
				"%s port %d: %s offers %s but %s does not: "
				"clients that reach %s send in cleartext",
				p->host, p->port, p->address,
				v.state == ST_STARTTLS ? "STARTTLS" : "TLS",
				q->address, q->address);
			return;
		}
	}
}

/* "220 mx.provider.example ESMTP" or "220 [192.0.2.1]": the greeting's
 * first word looks like a domain or an address literal. */
static bool banner_names_server(const char *banner)
{
	const char *w = strchr(banner, ' ');
	size_t n;

	if (w == NULL)
		return false;
	w++;
	n = strcspn(w, " ");
	return (n > 2 && w[0] == '[' && w[n - 1] == ']') ||
	       memchr(w, '.', n) != NULL;
}

/* The same banner on every address and port, naming none of the hosts:
 * something between us and the servers answers for them (an antivirus
 * or a firewall's SMTP proxy), and what we see is that, not the server. */
static void interception(struct report *r)
{
	const char *banner = NULL;
	size_t i, greeted = 0, ports = 0;
	int first_port = 0;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];

		if (p->banner == NULL)
			continue;
		if (banner == NULL) {
			banner = p->banner;
			first_port = p->port;
		} else if (strcmp(banner, p->banner) != 0) {
			return;
		}
		if (p->port != first_port)
			ports++;
		if (p->host != NULL && strcasestr(p->banner, p->host) != NULL)
			return;
		greeted++;
	}
	if (greeted < 2 || ports == 0)
		return;
	for (i = 0; i < r->nhosts; i++)
		if (strcasestr(banner, r->hosts[i].name) != NULL)
			return;
	if (strcasestr(banner, r->host) != NULL)
		return;
	/* RFC 5321 4.3.1: a greeting starts with the server's domain or
	 * address literal; hosted mail names its provider, which is fine.
	 * A first word that is neither is a product talking, not a server */
	if (banner_names_server(banner))
		return;
	report_finding(
		r, "interception-suspect", SEV_WARNING,
		"every address and port answers with the same banner, naming "
		"none of the hosts (\"%s\"): a proxy or security product on "
		"the path may be answering for the server",
		banner);
}

void report_deadline_findings(struct report *r, unsigned seconds, int times)
{
	size_t i, late = 0;

	for (i = 0; i < r->nprobes; i++)
		late += r->probes[i]->past_not_after;
	for (i = 0; i < r->ncontrols; i++)
		late += r->controls[i]->past_not_after;
	if (late > 0)
		report_finding(r, "target-deadline", SEV_WARNING,
			       "the target's deadline (%u s: %d times "
			       "--deadline) passed: %zu session(s) were cut "
			       "short or never started",
			       seconds, times, late);
}

void report_target_findings(struct report *r)
{
	inconsistent(r);
	interception(r);
	report_dns_findings(r);
}
