#include "reports/egress.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/verdict.h"

void egress_add(struct egress *e, const struct report *r)
{
	struct egress_host *h;
	size_t i, k;

	if (e->nhosts == EGRESS_MAX_HOSTS)
		return;
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

		verdict_judge(p, &v);
		for (k = 0; k < h->nports; k++) {
			struct egress_port *ep = &h->ports[k];

			if (ep->port != p->port)
				continue;
			/* any TCP connection proves the path is open */
			if (p->connected)
				ep->connected++;
			else if (strcmp(v.reason, "timeout") == 0)
				ep->timeout++;
			else if (strcmp(v.reason, "refused") == 0)
				ep->refused++;
			else
				ep->unreachable++;
		}
	}
	for (i = 0; i < r->ncontrols; i++) {
		h->https_tried++;
		h->https_ok += r->controls[i]->connected;
	}
}

/* The conclusion for one port across every host. */
enum port_verdict { PV_OPEN, PV_FILTERED, PV_NO_NETWORK, PV_UNKNOWN };

static enum port_verdict judge_port(const struct egress *e, size_t k,
				    char *evidence, size_t len)
{
	int connected = 0, timeout = 0, refused = 0, unreachable = 0;
	int https = 0, hosts = 0;
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
		https += h->https_ok > 0;
	}
	snprintf(evidence, len,
		 "%d of %d providers connected; failed connections: %d "
		 "timed out, %d reset, %d ICMP-rejected; HTTPS (443) "
		 "connected to %d of them",
		 connected, hosts, timeout, refused, unreachable, https);
	if (hosts == 0)
		return PV_UNKNOWN;
	if (connected > 0)
		return PV_OPEN;
	return https > 0 ? PV_FILTERED : PV_NO_NETWORK;
}

int egress_status(const struct egress *e)
{
	char ev[256];
	size_t k;

	for (k = 0; k < e->nports; k++)
		if (judge_port(e, k, ev, sizeof(ev)) != PV_OPEN)
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

/* A provider that nothing reaches while the others work. */
static bool provider_down(const struct egress *e, size_t i)
{
	const struct egress_host *h = &e->hosts[i];
	size_t k, j;
	bool others = false;

	for (k = 0; k < h->nports; k++)
		if (h->ports[k].connected)
			return false;
	for (j = 0; j < e->nhosts; j++)
		for (k = 0; j != i && k < e->hosts[j].nports; k++)
			others |= e->hosts[j].ports[k].connected > 0;
	return others;
}

int egress_text(FILE *out, const struct egress *e)
{
	char ev[256];
	size_t i, k;

	fprintf(out, "Outbound mail ports from this host:\n\n%-28s",
		"PROVIDER");
	for (k = 0; k < e->nports; k++)
		fprintf(out, " %-11d", e->ports[k]);
	fprintf(out, " 443 (control)\n");
	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];

		fprintf(out, "%-28s", h->name);
		for (k = 0; k < h->nports; k++)
			fprintf(out, " %-11s",
				h->resolved ? port_cell(&h->ports[k]) : "?");
		fprintf(out, " %s\n",
			!h->resolved	   ? "did not resolve"
			: h->https_ok > 0 ? "open"
					   : "blocked");
	}
	fputc('\n', out);
	for (k = 0; k < e->nports; k++) {
		switch (judge_port(e, k, ev, sizeof(ev))) {
		case PV_OPEN:
			fprintf(out, "Port %d: open from here (%s).\n",
				e->ports[k], ev);
			break;
		case PV_FILTERED:
			fprintf(out,
				"Port %d: outbound %d is filtered between this "
				"host and the internet (%s).\n",
				e->ports[k], e->ports[k], ev);
			break;
		case PV_NO_NETWORK:
			fprintf(out,
				"Port %d: nothing connects, not even HTTPS: "
				"this host has no working outbound network "
				"(%s).\n",
				e->ports[k], ev);
			break;
		default:
			fprintf(out, "Port %d: unknown (no provider "
				     "resolved).\n",
				e->ports[k]);
		}
	}
	for (i = k = 0; i < e->nhosts; i++)
		k += provider_down(e, i);
	if (k == 1) {
		for (i = 0; !provider_down(e, i); i++)
			;
		fprintf(out,
			"Only %s is unreachable on every port while the "
			"others answer: the problem is on its side or on the "
			"way to it, not here.\n",
			e->hosts[i].name);
	} else if (k > 1) {
		fprintf(out, "Unreachable on every port while the others "
			     "answer:");
		for (i = 0; i < e->nhosts; i++)
			if (provider_down(e, i))
				fprintf(out, " %s", e->hosts[i].name);
		fprintf(out, ": the problem is on their side or on the way "
			     "to them, not here.\n");
	}
	return ferror(out) ? -1 : 0;
}

int egress_json(FILE *out, const struct egress *e)
{
	json_object *o = json_object_new_object();
	json_object *ports = json_object_new_array();
	json_object *hosts = json_object_new_array();
	static const char *const names[] = {"open", "filtered", "no-network",
					    "unknown"};
	char ev[256];
	size_t i, k;

	for (k = 0; k < e->nports; k++) {
		json_object *p = json_object_new_object();
		enum port_verdict pv = judge_port(e, k, ev, sizeof(ev));

		json_object_object_add(p, "port", json_object_new_int(e->ports[k]));
		json_object_object_add(p, "verdict",
				       json_object_new_string(names[pv]));
		json_object_object_add(p, "evidence", json_object_new_string(ev));
		json_object_array_add(ports, p);
	}
	for (i = 0; i < e->nhosts; i++) {
		const struct egress_host *h = &e->hosts[i];
		json_object *ho = json_object_new_object();
		json_object *hp = json_object_new_object();

		json_object_object_add(ho, "host", json_object_new_string(h->name));
		json_object_object_add(ho, "resolved",
				       json_object_new_boolean(h->resolved));
		for (k = 0; k < h->nports; k++) {
			char key[8];

			snprintf(key, sizeof(key), "%d", h->ports[k].port);
			json_object_object_add(
				hp, key,
				json_object_new_string(port_cell(&h->ports[k])));
		}
		json_object_object_add(ho, "ports", hp);
		json_object_object_add(ho, "https",
				       json_object_new_boolean(h->https_ok > 0));
		json_object_object_add(ho, "unreachable",
				       json_object_new_boolean(provider_down(e, i)));
		json_object_array_add(hosts, ho);
	}
	json_object_object_add(o, "egress", ports);
	json_object_object_add(o, "providers", hosts);
	return json_write_line(out, o);
}

void egress_free(struct egress *e)
{
	size_t i;

	for (i = 0; i < e->nhosts; i++)
		free(e->hosts[i].name);
	e->nhosts = 0;
}
