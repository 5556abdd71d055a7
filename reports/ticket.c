/* The paragraphs a user sends their hosting provider: one per host, port
 * and way of being blocked, naming exactly the addresses of the report's
 * rows it speaks of, in plain words.  The writers escape the text for
 * their format. */
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/i18n.h"
#include "reports/hops.h"
#include "reports/verdict.h"

static const char *reason_words(const char *reason)
{
	if (reason == NULL)
		return "";
	if (strcmp(reason, "timeout") == 0)
		return _("connection attempts time out: packets are silently "
			 "dropped");
	if (strcmp(reason, "refused") == 0)
		return _("connection attempts are refused (TCP reset)");
	if (strcmp(reason, "unreachable") == 0)
		return _("connection attempts fail with an ICMP "
			 "\"administratively prohibited\" or no-route error");
	return reason;
}

/* The name a probe's row shows in the Host column. */
static const char *host_of(const struct probe *p)
{
	return p->host ? p->host : p->address;
}

/* The state alone: no conclusion of reports/ changes it. */
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
	if (src[0] != NULL && src[1] != NULL)
		fprintf(out, _("source addresses %s (IPv4) and %s (IPv6)"),
			src[0], src[1]);
	else
		fprintf(out, _("source address %s"),
			src[0]	 ? src[0]
			: src[1] ? src[1]
				 : "unknown");
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

	fprintf(out, "%s (", host_of(q));
	for (k = j; k < r->nprobes; k++) {
		const struct probe *w = r->probes[k];

		if (w->port != q->port || blocked_as(w, NULL) ||
		    strcmp(host_of(w), host_of(q)) != 0)
			continue;
		fprintf(out, "%s%s", comma ? ", " : "", w->address);
		comma = true;
	}
	fprintf(out, ")");
}

/* Where the SYNs of the group of p died, for each address walked. */
static void hop_evidence(FILE *out, const struct report *r,
			 const struct probe *p, const char *reason)
{
	size_t i, j;

	for (i = 0; i < r->nwalks; i++) {
		struct hops_verdict hv;
		bool mine = false;

		if (!hops_judge(r->walks, r->nwalks, i, &hv) ||
		    hv.walk->port != p->port)
			continue;
		for (j = 0; j < r->nprobes && !mine; j++)
			mine = same_group(p, reason, r->probes[j]) &&
			       strcmp(r->probes[j]->address,
				      hv.walk->address) == 0;
		if (mine)
			fprintf(out, " %s.", hv.words);
	}
}

/* Only a port blocked to every address probed on it is called closed:
 * when it connects to some other address, the paragraph says so and
 * asks about those addresses, not the port. */
static void paragraph(FILE *out, const struct report *r, size_t i,
		      const char *reason)
{
	const struct probe *p = r->probes[i];
	bool open_elsewhere = false, comma = false;
	size_t j;

	for (j = 0; j < r->nprobes; j++)
		if (r->probes[j]->port == p->port &&
		    !blocked_as(r->probes[j], NULL))
			open_elsewhere = true;
	fprintf(out, _("From this server ("));
	sources(out, r, i, reason);
	fprintf(out, _("), outbound TCP connections to port %d of %s ("),
		p->port, host_of(p));
	for (j = i; j < r->nprobes; j++)
		if (same_group(p, reason, r->probes[j])) {
			fprintf(out, "%s%s", comma ? ", " : "",
				r->probes[j]->address);
			comma = true;
		}
	fprintf(out, _(") fail: %s."), reason_words(reason));
	hop_evidence(out, r, p, reason);
	if (!open_elsewhere) {
		fprintf(out,
			_(" Please open outbound TCP port %d for this "
			  "server, or tell us which port we may use for "
			  "mail submission."),
			p->port);
		return;
	}
	/* the port is open from here: name where it works */
	fprintf(out,
		_(" Outbound port %d itself is open: connections to port "
		  "%d of "),
		p->port, p->port);
	comma = false;
	for (j = 0; j < r->nprobes; j++)
		if (works_first(r, j, p->port)) {
			if (comma)
				fprintf(out, ", ");
			comma = true;
			working_host(out, r, j);
		}
	fprintf(out,
		_(" get through from here. Please check whether anything "
		  "between this server and %s filters these addresses."),
		host_of(p));
}

char *report_ticket(const struct report *r, size_t i)
{
	const struct probe *p = r->probes[i];
	struct verdict v;
	char *text = NULL;
	size_t len = 0, j;
	FILE *f;

	report_judge(r, p, &v);
	if (v.state != ST_BLOCKED)
		return NULL;
	for (j = 0; j < i; j++)
		if (same_group(p, v.reason, r->probes[j]))
			return NULL; /* an earlier probe says it */
	f = open_memstream(&text, &len);
	if (f == NULL)
		return NULL;
	paragraph(f, r, i, v.reason);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
