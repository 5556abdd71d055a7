#include "reports/egress.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/sanitize.h"
#include "core/utc.h"
#include "reports/report.h"
#include "reports/verdict.h"

void egress_add(struct egress *e, const struct report *r)
{
	struct egress_host *h;
	size_t i, k;

	if (e->nhosts == EGRESS_MAX_HOSTS)
		return;
	if (e->nhosts == 0)
		e->started = r->started;
	h = &e->hosts[e->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = strdup(r->host);
	h->resolved = r->nprobes > 0;
	for (i = 0; i < r->nports && i < TARGET_MAX_PORTS; i++)
		h->ports[h->nports++].port = r->ports[i];
	if (e->nports == 0)
		for (i = 0; i < r->nports && i < TARGET_MAX_PORTS; i++)
			e->ports[e->nports++] = r->ports[i];
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;

		if (e->source[0] == '\0' && p->source[0] != '\0')
			snprintf(e->source, sizeof(e->source), "%s", p->source);
		if (p->source[0] != '\0') {
			char *src = e->sources[p->addr.ss_family == AF_INET6];

			if (src[0] == '\0')
				snprintf(src, sizeof(e->sources[0]), "%s",
					 p->source);
		}
		report_judge(r, p, &v);
		for (k = 0; k < h->nports; k++) {
			struct egress_port *ep = &h->ports[k];

			if (ep->port != p->port)
				continue;
			/* any TCP connection proves the path is open */
			if (p->connected) {
				ep->connected++;
			} else if (strcmp(v.reason, "timeout") == 0) {
				ep->timeout++;
			} else if (strcmp(v.reason, "refused") == 0 &&
				   (p->icmp_from[0] == '\0' ||
				    strcmp(p->icmp_from, p->address) == 0)) {
				/* a reset, or the host's own port-unreachable
				 */
				ep->refused++;
			} else {
				ep->unreachable++;
				ep->icmp_own +=
					strcmp(p->icmp_from, p->address) == 0;
			}
		}
	}
	/* where the SYNs of each filtered port die, per address walked */
	for (i = 0; i < r->nwalks; i++) {
		struct hops_verdict hv;

		if (!hops_judge(r->walks, r->nwalks, i, &hv))
			continue;
		for (k = 0; k < h->nports; k++) {
			struct egress_port *ep = &h->ports[k];
			struct egress_hops *eh;

			if (ep->port != hv.walk->port || ep->nhops == 2)
				continue;
			eh = &ep->hops[ep->nhops++];
			snprintf(eh->address, sizeof(eh->address), "%s",
				 hv.walk->address);
			eh->where = hv.where;
			eh->hop = hv.hop;
			snprintf(eh->words, sizeof(eh->words), "%s", hv.words);
		}
	}
	for (i = 0; i < r->ncontrols; i++) {
		const struct probe *c = r->controls[i];

		h->https_tried++;
		h->https_ok += c->connected;
		h->https_answered +=
			!c->connected &&
			((c->end == END_REFUSED && c->icmp_from[0] == '\0') ||
			 strcmp(c->icmp_from, c->address) == 0);
	}
}

bool egress_reachable(const struct egress *e, size_t i)
{
	const struct egress_host *h = &e->hosts[i];
	size_t k;

	if (!h->resolved)
		return false;
	if (h->https_ok > 0 || h->https_answered > 0)
		return true;
	for (k = 0; k < h->nports; k++)
		if (h->ports[k].connected > 0 || h->ports[k].refused > 0 ||
		    h->ports[k].icmp_own > 0)
			return true;
	return false;
}

bool egress_down(const struct egress *e, size_t i)
{
	size_t j;

	if (!e->hosts[i].resolved || egress_reachable(e, i))
		return false;
	for (j = 0; j < e->nhosts; j++)
		if (j != i && egress_reachable(e, j))
			return true;
	return false;
}

const char *egress_control(const struct egress_host *h)
{
	if (!h->resolved)
		return _("did not resolve");
	if (h->https_ok > 0)
		return "open";
	if (h->https_answered > 0)
		return "answers";
	return "blocked";
}

const char *egress_verdict_name(enum egress_verdict v)
{
	static const char *const names[] = {"open", "filtered", "no-network",
					    "unknown"};

	return names[v];
}

enum egress_verdict egress_judge(const struct egress *e, size_t k,
				 char *evidence, size_t len)
{
	int connected = 0, timeout = 0, refused = 0, unreachable = 0;
	int hosts = 0, reachable = 0, down = 0;
	size_t i;

	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];

		if (!h->resolved || k >= h->nports)
			continue;
		hosts++;
		connected += h->ports[k].connected > 0;
		timeout += h->ports[k].timeout;
		refused += h->ports[k].refused;
		unreachable += h->ports[k].unreachable;
		reachable += egress_reachable(e, i);
		down += egress_down(e, i);
	}
	snprintf(evidence, len,
		 _("%d of %d providers connected; failed connections: %d "
		   "timed out, %d reset, %d ICMP-rejected; %d of %d answered "
		   "on some port or on the control (a connection, a reset or "
		   "their own ICMP error)%s"),
		 connected, hosts, timeout, refused, unreachable, reachable,
		 hosts,
		 down > 0 ? _("; providers that answer nothing while "
			      "others do are not counted against this "
			      "host")
			  : "");
	utf8_trim_tail(evidence);
	if (hosts == 0)
		return EV_UNKNOWN;
	if (connected > 0)
		return EV_OPEN;
	return reachable > 0 ? EV_FILTERED : EV_NO_NETWORK;
}

int egress_status(const struct egress *e)
{
	char ev[1024];
	size_t k;

	for (k = 0; k < e->nports; k++)
		if (egress_judge(e, k, ev, sizeof(ev)) != EV_OPEN)
			return 1;
	return 0;
}

static const char *port_cell(const struct egress_port *p)
{
	if (p->connected)
		return "open";
	if (p->timeout)
		return "timeout";
	if (p->unreachable)
		return "unreachable";
	if (p->refused)
		return "refused";
	return "-";
}

/* Host i answers, but no mail port connects where another provider's
 * does: it refuses or filters mail on its side. */
static bool refuses_mail(const struct egress *e, size_t i)
{
	const struct egress_host *h = &e->hosts[i];
	size_t j, k;

	if (!egress_reachable(e, i))
		return false;
	for (k = 0; k < h->nports; k++)
		if (h->ports[k].connected)
			return false;
	for (j = 0; j < e->nhosts; j++)
		for (k = 0; j != i && k < e->hosts[j].nports; k++)
			if (e->hosts[j].ports[k].connected)
				return true;
	return false;
}

/* The sentence on port index k, without the evidence. */
static const char *verdict_words(enum egress_verdict v)
{
	switch (v) {
	case EV_OPEN:
		return _("open from here");
	case EV_FILTERED:
		return _("filtered between this host and the internet");
	case EV_NO_NETWORK:
		return _("nothing answers on any port, not even with a reset: "
			 "this host has no working outbound network");
	default:
		return _("unknown (no provider resolved)");
	}
}

static void names_where(FILE *out, const struct egress *e,
			bool (*pred)(const struct egress *, size_t))
{
	size_t i;
	const char *sep = "";

	for (i = 0; i < e->nhosts; i++)
		if (pred(e, i)) {
			fprintf(out, "%s%s", sep, e->hosts[i].name);
			sep = ", ";
		}
}

static size_t count_where(const struct egress *e,
			  bool (*pred)(const struct egress *, size_t))
{
	size_t i, n = 0;

	for (i = 0; i < e->nhosts; i++)
		n += pred(e, i);
	return n;
}

/* Where the SYNs to port index k die, one line per address walked. */
static void hops_lines(FILE *out, const struct egress *e, size_t k)
{
	size_t i, j;

	for (i = 0; i < e->nhosts; i++)
		for (j = 0;
		     k < e->hosts[i].nports && j < e->hosts[i].ports[k].nhops;
		     j++)
			fprintf(out, "  %s: %s.\n",
				e->hosts[i].ports[k].hops[j].address,
				e->hosts[i].ports[k].hops[j].words);
}

int egress_text(FILE *out, const struct egress *e)
{
	char ev[1024];
	size_t i, k, n;

	fprintf(out, _("Outbound mail ports from this host:\n\n%-28s"),
		"PROVIDER");
	for (k = 0; k < e->nports; k++)
		fprintf(out, " %-11d", e->ports[k]);
	fprintf(out, _(" 443 (control)\n"));
	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];

		fprintf(out, "%-28s", h->name);
		for (k = 0; k < h->nports; k++)
			fprintf(out, " %-11s",
				h->resolved ? port_cell(&h->ports[k]) : "?");
		fprintf(out, " %s\n", egress_control(h));
	}
	fputc('\n', out);
	for (k = 0; k < e->nports; k++) {
		enum egress_verdict v = egress_judge(e, k, ev, sizeof(ev));

		if (v == EV_FILTERED)
			fprintf(out, _("Port %d: outbound %d is %s (%s).\n"),
				e->ports[k], e->ports[k], verdict_words(v), ev);
		else if (v == EV_UNKNOWN)
			fprintf(out, _("Port %d: %s.\n"), e->ports[k],
				verdict_words(v));
		else
			fprintf(out, _("Port %d: %s (%s).\n"), e->ports[k],
				verdict_words(v), ev);
		hops_lines(out, e, k);
	}
	n = count_where(e, egress_down);
	if (n == 1) {
		fprintf(out, _("Only "));
		names_where(out, e, egress_down);
		fprintf(out, _(" is unreachable on every port while the "
			       "others answer: the problem is on its side or "
			       "on the way to it, not here.\n"));
	} else if (n > 1) {
		fprintf(out, _("Unreachable on every port while the others "
			       "answer: "));
		names_where(out, e, egress_down);
		fprintf(out, _(": the problem is on their side or on the way "
			       "to them, not here.\n"));
	}
	if (count_where(e, refuses_mail) > 0) {
		names_where(out, e, refuses_mail);
		fprintf(out, _(": answers (a reset or its own ICMP error) but "
			       "no mail port connects while other providers' "
			       "do: refused or filtered on its side, not "
			       "here.\n"));
	}
	return ferror(out) ? -1 : 0;
}

int egress_json(FILE *out, const struct egress *e)
{
	json_object *o = json_object_new_object();
	json_object *ports = json_object_new_array();
	json_object *hosts = json_object_new_array();
	char ev[1024];
	size_t i, k;

	for (k = 0; k < e->nports; k++) {
		json_object *p = json_object_new_object();
		enum egress_verdict v = egress_judge(e, k, ev, sizeof(ev));
		json_object *hops = json_object_new_array();
		int n = 0, c = 0, a = 0;
		size_t j;

		for (i = 0; i < e->nhosts; i++) {
			const struct egress_port *ep = &e->hosts[i].ports[k];

			if (!e->hosts[i].resolved || k >= e->hosts[i].nports)
				continue;
			n++;
			c += ep->connected > 0;
			a += egress_reachable(e, i);
			for (j = 0; j < ep->nhops; j++) {
				json_object *ho = json_object_new_object();

				json_object_object_add(
					ho, "host",
					json_object_new_string(
						e->hosts[i].name));
				json_object_object_add(
					ho, "address",
					json_object_new_string(
						ep->hops[j].address));
				json_object_object_add(
					ho, "where",
					json_object_new_string(hops_where_name(
						ep->hops[j].where)));
				json_object_object_add(
					ho, "hop",
					ep->hops[j].hop > 0
						? json_object_new_int(
							  ep->hops[j].hop)
						: NULL);
				json_object_object_add(
					ho, "summary",
					json_object_new_string(
						ep->hops[j].words));
				json_object_array_add(hops, ho);
			}
		}
		json_object_object_add(p, "port",
				       json_object_new_int(e->ports[k]));
		json_object_object_add(
			p, "verdict",
			json_object_new_string(egress_verdict_name(v)));
		json_object_object_add(p, "evidence",
				       json_object_new_string(ev));
		json_object_object_add(p, "providers", json_object_new_int(n));
		json_object_object_add(p, "connected", json_object_new_int(c));
		json_object_object_add(p, "reachable", json_object_new_int(a));
		json_object_object_add(p, "hops", hops);
		json_object_array_add(ports, p);
	}
	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];
		json_object *ho = json_object_new_object();
		json_object *hp = json_object_new_object();

		json_object_object_add(ho, "host",
				       json_object_new_string(h->name));
		json_object_object_add(ho, "resolved",
				       json_object_new_boolean(h->resolved));
		for (k = 0; k < h->nports; k++) {
			char key[8];

			snprintf(key, sizeof(key), "%d", h->ports[k].port);
			json_object_object_add(hp, key,
					       json_object_new_string(port_cell(
						       &h->ports[k])));
		}
		json_object_object_add(ho, "ports", hp);
		json_object_object_add(
			ho, "https", json_object_new_boolean(h->https_ok > 0));
		json_object_object_add(
			ho, "control",
			json_object_new_string(egress_control(h)));
		json_object_object_add(
			ho, "reachable",
			json_object_new_boolean(egress_reachable(e, i)));
		json_object_object_add(
			ho, "unreachable",
			json_object_new_boolean(egress_down(e, i)));
		json_object_array_add(hosts, ho);
	}
	json_object_object_add(o, "egress", ports);
	json_object_object_add(o, "providers", hosts);
	return json_write_line(out, o);
}

/* The failures on port index k in a few words, for the ticket. */
static const char *failure_words(const struct egress *e, size_t k)
{
	int timeout = 0, refused = 0, unreachable = 0;
	size_t i;

	/* a provider that is down is not what the ticket is about */
	for (i = 0; i < e->nhosts; i++)
		if (e->hosts[i].resolved && k < e->hosts[i].nports &&
		    !egress_down(e, i)) {
			timeout += e->hosts[i].ports[k].timeout;
			refused += e->hosts[i].ports[k].refused;
			unreachable += e->hosts[i].ports[k].unreachable;
		}
	if (timeout > 0 && refused + unreachable == 0)
		return _("the connection attempts time out (the packets are "
			 "silently dropped)");
	if (refused > 0 && timeout + unreachable == 0)
		return _("the connection attempts are reset");
	if (unreachable > 0 && timeout + refused == 0)
		return _("the connection attempts are rejected with an ICMP "
			 "error");
	return _("the connection attempts time out, are reset or are "
		 "rejected");
}

/* Our source address, one per family that went out: an IPv6 connection
 * never left from the IPv4 address a paragraph would otherwise name. */
static void source_words(FILE *out, const struct egress *e)
{
	char b[200];

	if (e->sources[0][0] != '\0' && e->sources[1][0] != '\0')
		snprintf(b, sizeof(b),
			 _("source addresses %s (IPv4) and %s (IPv6)"),
			 e->sources[0], e->sources[1]);
	else
		snprintf(b, sizeof(b), _("source address %s"),
			 e->source[0] ? e->source : "unknown");
	report_md(out, b);
}

/* Whether provider i is one a ticket names: it resolved and is not
 * down (a provider down is not what the ticket is about). */
static bool named(const struct egress *e, size_t i)
{
	return e->hosts[i].resolved && !egress_down(e, i);
}

/* The named providers a TCP connection completed to on column c: port
 * index c, or the 443 control when c is nports; as bits. */
static unsigned connected_on(const struct egress *e, size_t c)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];

		if (named(e, i) &&
		    (c == e->nports ? h->https_ok > 0
				    : c < h->nports && h->ports[c].connected))
			m |= 1u << i;
	}
	return m;
}

/* Where the ticket's providers connect from here, in what was seen: a
 * provider counts for a port only when a TCP connection to that very
 * port completed (a reset, its own ICMP error or the 443 control are
 * not a connection to a mail port).  Ports with the same providers go
 * in one sentence. */
static void connected_words(FILE *out, const struct egress *e, size_t k)
{
	unsigned mask[TARGET_MAX_PORTS + 1], all = 0;
	bool done[TARGET_MAX_PORTS + 1] = {false};
	size_t c, d, i, n = 0, ncols = e->nports + 1;

	for (i = 0; i < e->nhosts; i++)
		if (named(e, i)) {
			all |= 1u << i;
			n++;
		}
	for (c = 0; c < ncols; c++)
		mask[c] = c == k ? 0 : connected_on(e, c);
	/* the ports every one of them connects on first */
	for (d = 0; d < 2; d++)
		for (c = 0; c < ncols; c++) {
			const char *sep = "";

			if (done[c] || mask[c] == 0 ||
			    (d == 0) != (mask[c] == all))
				continue;
			if (mask[c] == all && n > 1) {
				fprintf(out, _(" Connections from here to all "
					       "of them complete on port "));
			} else {
				fprintf(out, _(" Connections from here to "));
				for (i = 0; i < e->nhosts; i++)
					if (mask[c] & (1u << i)) {
						fputs(sep, out);
						report_md(out,
							  e->hosts[i].name);
						sep = ", ";
					}
				fprintf(out, _(" complete on port "));
			}
			sep = "";
			for (i = c; i < ncols; i++) {
				if (done[i] || mask[i] != mask[c])
					continue;
				done[i] = true;
				if (i == e->nports)
					fprintf(out, _("%s443 (HTTPS)"), sep);
				else
					fprintf(out, "%s%d", sep, e->ports[i]);
				sep = ", ";
			}
			fputc('.', out);
		}
}

static void ticket(FILE *out, const struct egress *e, size_t k)
{
	size_t i, j;
	const char *sep = "";

	/* TRANSLATORS: followed by "source address X" */
	fprintf(out, _("> From this server ("));
	source_words(out, e);
	fprintf(out,
		_("), outbound TCP connections to port %d of independent "
		  "mail providers ("),
		e->ports[k]);
	for (i = 0; i < e->nhosts; i++)
		if (named(e, i)) {
			fputs(sep, out);
			report_md(out, e->hosts[i].name);
			sep = ", ";
		}
	fprintf(out, _(") fail: %s."), failure_words(e, k));
	connected_words(out, e, k);
	for (i = 0; i < e->nhosts; i++)
		for (j = 0;
		     k < e->hosts[i].nports && j < e->hosts[i].ports[k].nhops;
		     j++) {
			fputc(' ', out);
			report_md(out, e->hosts[i].ports[k].hops[j].words);
			fputc('.', out);
		}
	fprintf(out,
		_(" Please open outbound TCP port %d for this server, or "
		  "tell us which port we may use for mail.\n\n"),
		e->ports[k]);
}

int egress_markdown(FILE *out, const struct egress *e)
{
	char ev[1024], when[40];
	size_t i, k;
	bool any = false;

	snprintf(when, sizeof(when), "%s", _("unknown time"));
	if (e->started != 0)
		utc_format(e->started, UTC_SECOND, when, sizeof(when));
	fprintf(out, _("# Outbound mail ports from this host\n\nTested %s"),
		when);
	if (e->source[0] != '\0') {
		/* TRANSLATORS: "Tested DATE from source address X" */
		fprintf(out, _(" from "));
		source_words(out, e);
	}
	fprintf(out,
		_(" with smtpprobe, against %zu independent mail "
		  "providers, with TCP 443 on the same hosts as a "
		  "control.\n\n| Provider |"),
		e->nhosts);
	for (k = 0; k < e->nports; k++)
		fprintf(out, " %d |", e->ports[k]);
	fprintf(out, _(" 443 (control) |\n|---|"));
	for (k = 0; k < e->nports; k++)
		fprintf(out, "---|");
	fprintf(out, "---|\n");
	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];

		fputs("| ", out);
		report_md(out, h->name);
		fputs(" |", out);
		for (k = 0; k < h->nports; k++)
			fprintf(out, " %s |",
				h->resolved ? port_cell(&h->ports[k]) : "?");
		fprintf(out, " %s |\n", egress_control(h));
	}
	fprintf(out, _("\n## Verdicts\n\n"));
	for (k = 0; k < e->nports; k++) {
		enum egress_verdict v = egress_judge(e, k, ev, sizeof(ev));

		fprintf(out, _("- Port %d: **%s**"), e->ports[k],
			verdict_words(v));
		if (v != EV_UNKNOWN)
			fprintf(out, " (%s)", ev);
		/* TRANSLATORS: the full stop of a verdict line */
		fputs(_(".\n"), out);
	}
	for (i = 0; i < e->nhosts; i++)
		if (egress_down(e, i)) {
			fputs("- ", out);
			report_md(out, e->hosts[i].name);
			fprintf(out,
				_(" answers nothing while the others "
				  "answer: its problem, not this host's.\n"));
		}
	fputc('\n', out);
	for (k = 0; k < e->nports; k++) {
		if (egress_judge(e, k, ev, sizeof(ev)) != EV_FILTERED)
			continue;
		if (!any)
			fprintf(out, _("## For your hosting provider\n\n"));
		any = true;
		ticket(out, e, k);
	}
	return ferror(out) ? -1 : 0;
}

void egress_free(struct egress *e)
{
	size_t i;

	for (i = 0; i < e->nhosts; i++)
		free(e->hosts[i].name);
	e->nhosts = 0;
}
