/*
 * plan - the hosts and ports of a target, from its records (see plan.h).
 */
#include "resolver/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dnsname.h"

bool plan_port_wanted(const struct resolver_opts *o, int port)
{
	size_t i;

	for (i = 0; i < o->nports; i++)
		if (o->ports[i] == port)
			return true;
	return false;
}

bool plan_port_tls(const struct resolver_opts *o, int port)
{
	size_t i;

	for (i = 0; i < o->ntls_ports; i++)
		if (o->tls_ports[i] == port)
			return true;
	return false;
}

void plan_note(struct plan *p, const char *id, bool warning, const char *fmt,
	       ...)
{
	struct plan_note *v =
		realloc(p->notes, (p->nnotes + 1) * sizeof(*p->notes));
	va_list ap;
	int n;

	if (v == NULL)
		return;
	p->notes = v;
	v += p->nnotes;
	v->id = id;
	v->warning = warning;
	va_start(ap, fmt);
	n = vasprintf(&v->message, fmt, ap);
	va_end(ap);
	if (n >= 0)
		p->nnotes++;
}

void plan_add(struct plan *p, const char *name, int port, const char *role,
	      bool tls, bool quiet)
{
	struct plan_entry *h = NULL;
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if (strcasecmp(p->hosts[i]->name, name) == 0)
			h = p->hosts[i];
	if (h == NULL) {
		if (p->nhosts == PLAN_MAX_HOSTS)
			return;
		h = calloc(1, sizeof(*h));
		if (h == NULL || (h->name = strdup(name)) == NULL) {
			free(h);
			return;
		}
		h->quiet = quiet;
		p->hosts[p->nhosts++] = h;
	}
	h->quiet &= quiet;
	for (i = 0; i < h->nports; i++)
		if (h->ports[i].port == port)
			return;
	if (h->nports < PLAN_MAX_PORTS)
		h->ports[h->nports++] = (struct plan_port){port, role, tls};
}

void plan_given(struct plan *p, const struct resolver_opts *o, const char *name,
		int port)
{
	size_t i;

	if (port != 0) {
		plan_add(p, name, port, "given", plan_port_tls(o, port), false);
		return;
	}
	for (i = 0; i < o->nports; i++)
		plan_add(p, name, o->ports[i], "given",
			 plan_port_tls(o, o->ports[i]), false);
}

static void plan_srv(struct plan *p, const struct resolver_opts *o,
		     const char *domain, const struct srv_rec *v, int n,
		     const char *role, bool tls, bool ad)
{
	int i;

	for (i = 0; i < n; i++) {
		if (v[i].target[0] == '\0')
			continue; /* "." : not offered */
		if (o->ports_given && !plan_port_wanted(o, v[i].port))
			continue;
		if (!dnsname_under(v[i].target, domain))
			plan_note(p, "srv-outside-domain", false,
				  "the SRV records point outside the domain, "
				  "to %s (%s)",
				  v[i].target,
				  ad ? "a DNSSEC-validated answer"
				     : "not DNSSEC-validated: confirm this "
				       "host with the provider");
		plan_add(p, v[i].target, v[i].port, role, tls, false);
	}
}

/* The names users try when a domain publishes no SRV: smtp., mail. and
 * the MX hosts, on every port asked but 25. */
static void plan_guesses(struct plan *p, const struct resolver_opts *o,
			 const char *domain, const struct dns_info *d)
{
	char guess[DNS_NAME_TEXT_MAX];
	size_t i;
	int k;

	for (i = 0; i < o->nports; i++) {
		int port = o->ports[i];
		bool tls = plan_port_tls(o, port);

		if (port == 25)
			continue;
		snprintf(guess, sizeof(guess), "smtp.%s", domain);
		plan_add(p, guess, port, "guess", tls, true);
		snprintf(guess, sizeof(guess), "mail.%s", domain);
		plan_add(p, guess, port, "guess", tls, true);
		for (k = 0; k < d->nmx; k++)
			if (d->mx[k].host[0] != '\0')
				plan_add(p, d->mx[k].host, port, "guess", tls,
					 true);
	}
}

void plan_domain(struct plan *p, const struct resolver_opts *o,
		 const char *domain, struct dns_info *d, bool nxdomain,
		 bool mx_failed)
{
	size_t i;
	int k;

	if (d->null_mx) {
		plan_note(
			p, "null-mx", false,
			"%s publishes a null MX (RFC 7505): it accepts no mail",
			domain);
	} else if (d->nmx > 0) {
		for (k = 0; k < d->nmx; k++) {
			if (d->mx[k].host[0] == '\0') {
				plan_note(p, "null-mx-mixed", true,
					  "a null MX (RFC 7505) among other MX "
					  "records: ignored");
				continue;
			}
			if (plan_port_wanted(o, 25))
				plan_add(p, d->mx[k].host, 25, "mx",
					 plan_port_tls(o, 25), false);
		}
	} else if (nxdomain && o->dns_servers == NULL) {
		/* DNS says the name does not exist, but the system's hosts
		 * file may know it (localhost, an internal network's hosts),
		 * as it does for every other client here; never with
		 * --dns-server (DNS only).  Not found there either, it is no
		 * second error: dns.errors already says NXDOMAIN. */
		for (i = 0; i < o->nports; i++)
			plan_add(p, domain, o->ports[i], "given",
				 plan_port_tls(o, o->ports[i]), true);
		for (i = 0; i < p->nhosts; i++)
			if (strcasecmp(p->hosts[i]->name, domain) == 0)
				p->hosts[i]->hosts_file = true;
	} else if (nxdomain) {
		/* NXDOMAIN: nothing to probe; dns.errors says so */
	} else {
		/* no MX: the name is a host; port 25 on it is its implicit
		 * MX, the other ports are what the user asked about */
		d->implicit_mx = !mx_failed;
		for (i = 0; i < o->nports; i++)
			plan_add(p, domain, o->ports[i],
				 o->ports[i] == 25 ? "mx" : "given",
				 plan_port_tls(o, o->ports[i]), false);
	}
	/* an SRV record, even one saying "not offered", ends the guessing */
	plan_srv(p, o, domain, d->sub, d->nsub, "submission", false, d->sub_ad);
	plan_srv(p, o, domain, d->subs, d->nsubs, "submissions", true,
		 d->subs_ad);
	if (d->nsub == 0 && d->nsubs == 0 && d->nmx > 0 && !d->null_mx) {
		plan_note(p, "no-srv", false,
			  "no RFC 6186 SRV records for %s: probing the names "
			  "users "
			  "try (smtp., mail., the MX hosts)",
			  domain);
		plan_guesses(p, o, domain, d);
	}
}

void plan_roles_text(const struct plan_entry *h, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < h->nports && used < len; i++) {
		bool same = i > 0 &&
			    strcmp(h->ports[i - 1].role, h->ports[i].role) == 0;

		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%d",
					 i == 0 ? ""
					 : same ? ","
						: " ",
					 same ? "" : h->ports[i].role,
					 same ? "" : ":", h->ports[i].port);
	}
}

void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nhosts; i++) {
		free(p->hosts[i]->name);
		free(p->hosts[i]);
	}
	for (i = 0; i < p->nnotes; i++)
		free(p->notes[i].message);
	free(p->notes);
	memset(p, 0, sizeof(*p));
}
