/*
 * resolver - discovery for one target at a time, many at once (see
 * resolver.h).  A domain's MX and both SRV answers decide the plan;
 * the TXT records and the MTA-STS fetch run beside them.  Then every
 * planned host's A and AAAA (and TLSA, for a domain) are asked, and each
 * address is handed on as it arrives.
 *
 * Every query in flight is counted in d->pending (hold/release); the
 * target's discovery ends when it drops to zero.
 */
#include "resolver/resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/addr.h"
#include "core/sanitize.h"
#include "core/share.h"
#include "resolver/addrs.h"
#include "resolver/dns.h"
#include "resolver/https.h"
#include "resolver/plan.h"
#include "resolver/stsfetch.h"

#define ROUTING_QUERIES 3 /* MX, _submission and _submissions SRV */

/* TLSA answers kept for the other targets of a bulk run (a provider's MX
 * hosts are everyone's): at most this many, the oldest forgotten first */
#define TLSA_KEEP 1024

struct resolver {
	struct resolver_opts opts;
	int ports[TARGET_MAX_PORTS];
	int tls_ports[TARGET_MAX_PORTS];
	struct loop *loop;
	struct dns *dns;
	struct https *https;
	struct share *tlsa; /* bulk: a host's TLSA records asked once */
	bool ad_trusted;    /* dns_ad_trusted: the AD bit counts */
};

/* A planned host's address lookups. */
struct host_lookup {
	struct discovery *d;
	size_t idx;  /* in d->plan.hosts and d->res.hosts */
	int lookups; /* A and AAAA still to answer */
	bool tlsa_asked;
	bool hosts_noted; /* hosts-file said for it */
	/* per family (0: A, 1: AAAA): answered (or not asked), addresses
	 * found, and handed on to be probed (ADDRS_MAX in all) */
	bool answered[2];
	size_t found[2], given[2];
	struct dns_addr *rest; /* of family rest_fi, waiting (give_rest) */
	size_t refused;	       /* not public, left out (--public-only) */
	size_t nprivate;       /* not public, refused or not (public_check) */
	size_t nrest;
	int rest_fi;
	bool ad_asked;	/* A and AAAA asked again for their AD bit */
	int ad_lookups; /* ... and not yet answered */
	bool ad_bad;	/* one of them was not validated */
};

/* The discovery of one target. */
struct discovery {
	struct resolver *rs;
	char *name;	/* the target's host name */
	int pending;	/* queries still in flight, plus holds */
	int routing;	/* MX and SRV answers the plan waits for */
	bool mx_failed; /* the MX answer was an error */
	bool nxdomain;	/* the name itself does not exist */
	bool hinted;	/* a named host without address: MX/SRV asked */
	struct plan plan;
	struct host_lookup hosts[PLAN_MAX_HOSTS];
	struct resolution res;
	resolver_addr_cb addr;
	resolver_done_cb done;
	void *arg;
};

/* A TXT query and where its answer goes. */
struct txt_query {
	struct discovery *d;
	char name[DNS_NAME_TEXT_MAX];
	const char *prefix;
	char **out;
	int *count;
};

struct tlsa_query {
	struct discovery *d;
	struct host_lookup *hl; /* the host it is for */
	char *name;
	bool quiet;		   /* for a guessed host */
	struct tlsa_answer *ready; /* bulk: another target's, to read */
	struct loop_timer timer;
};

/* A TLSA answer as it came, for the other targets of a bulk run. */
struct tlsa_answer {
	int status;
	int alen;
	unsigned char abuf[];
};

struct resolver *resolver_new(struct loop *loop,
			      const struct resolver_opts *opts, char *err,
			      size_t errlen)
{
	struct resolver *rs = calloc(1, sizeof(*rs));
	struct dns_opts dopts;

	if (rs == NULL) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	rs->opts = *opts;
	if (opts->nports > TARGET_MAX_PORTS ||
	    opts->ntls_ports > TARGET_MAX_PORTS) {
		snprintf(err, errlen, _("too many ports"));
		free(rs);
		return NULL;
	}
	memcpy(rs->ports, opts->ports, opts->nports * sizeof(int));
	memcpy(rs->tls_ports, opts->tls_ports, opts->ntls_ports * sizeof(int));
	rs->opts.ports = rs->ports;
	rs->opts.tls_ports = rs->tls_ports;
	dopts.servers = opts->dns_servers;
	dopts.timeout_ms = opts->dns_timeout_ms;
	dopts.tries = opts->dns_tries;
	rs->loop = loop;
	rs->dns = dns_new(loop, &dopts, err, errlen);
	if (rs->dns == NULL) {
		free(rs);
		return NULL;
	}
	if (opts->bulk && (rs->tlsa = share_new(TLSA_KEEP)) == NULL) {
		snprintf(err, errlen, _("out of memory"));
		dns_free(rs->dns);
		free(rs);
		return NULL;
	}
	rs->ad_trusted = dns_ad_trusted(rs->dns);
	rs->https = https_new(loop, opts->ca_file);
	return rs;
}

void resolver_free(struct resolver *rs)
{
	if (rs == NULL)
		return;
	https_free(rs->https);
	dns_free(rs->dns);
	share_free(rs->tlsa);
	free(rs);
}

const char *resolver_library_version(void)
{
	return ares_version(NULL);
}

void resolver_library_cleanup(void)
{
	ares_library_cleanup();
}

void resolution_free(struct resolution *r)
{
	size_t i;

	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i].name);
	free(r->errors);
	for (i = 0; i < r->nhosts; i++) {
		free(r->hosts[i].name);
		free(r->hosts[i].roles);
		free(r->hosts[i].cname);
		strlist_free(&r->hosts[i].addresses);
	}
	free(r->hosts);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].message);
	free(r->notes);
	records_mx_free(r->dns.mx, r->dns.nmx);
	records_srv_free(r->dns.sub, r->dns.nsub);
	records_srv_free(r->dns.subs, r->dns.nsubs);
	for (i = 0; i < r->dns.ntlsa; i++) {
		free(r->dns.tlsa[i].name);
		records_tlsa_free(r->dns.tlsa[i].recs, r->dns.tlsa[i].n);
	}
	free(r->dns.tlsa);
	free(r->dns.mta_sts);
	free(r->dns.tls_rpt);
	free(r->dns.spf);
	free(r->dns.dmarc);
	free(r->dns.sts_error);
	mtasts_free(&r->dns.sts);
	memset(r, 0, sizeof(*r));
}

/* The address families asked for each host: A, AAAA or both. */
static int families(const struct resolver_opts *o)
{
	return (o->v4 ? 1 : 0) + (o->v6 ? 1 : 0);
}

static void hold(struct discovery *d)
{
	d->pending++;
}

/* release - one query (or hold) less; the last one ends the discovery:
 * the plan's notes go with the resolution to the caller. */
static void release(struct discovery *d)
{
	size_t i;

	if (--d->pending > 0)
		return;
	for (i = 0; i < PLAN_MAX_HOSTS; i++)
		free(d->hosts[i].rest); /* none is left: both answered */
	d->res.notes = d->plan.notes;
	d->res.nnotes = d->plan.nnotes;
	d->plan.notes = NULL;
	d->plan.nnotes = 0;
	d->done(d->arg, &d->res);
	plan_free(&d->plan);
	free(d->name);
	free(d);
}

/* heard - one more reply of any kind from the DNS server */
static void heard(struct discovery *d, int status)
{
	if (dns_status_answered(status))
		d->res.dns.answered++;
}

static void add_error(struct discovery *d, const char *name, const char *type,
		      const char *error)
{
	struct dns_error *e =
		realloc(d->res.errors, (d->res.nerrors + 1) * sizeof(*e));

	if (e == NULL)
		return;
	d->res.errors = e;
	e += d->res.nerrors;
	e->name = strdup(name);
	e->type = type;
	e->error = error;
	if (e->name != NULL)
		d->res.nerrors++;
}

/* --- a host given with a port, without address: a mail domain? --- */

/* A host named with a port (or with --check) that has no address may be
 * a mail domain, as in example.test:587: its MX and SRV records name the
 * hosts to probe, and the report points at them.  Asked only then; no
 * host is added to the plan. */
static void on_hint_mx(void *arg, int status, const unsigned char *abuf,
		       int alen)
{
	struct discovery *d = arg;
	int n;

	heard(d, status);
	if (status == ARES_SUCCESS && d->res.dns.mx == NULL) {
		n = records_mx(abuf, alen, &d->res.dns.mx);
		d->res.dns.nmx = n > 0 ? n : 0;
	}
	release(d);
}

static void on_hint_srv(struct discovery *d, int status,
			const unsigned char *abuf, int alen,
			struct srv_rec **out, int *nout)
{
	int n;

	heard(d, status);
	if (status == ARES_SUCCESS && *out == NULL) {
		n = records_srv(abuf, alen, out);
		*nout = n > 0 ? n : 0;
	}
	release(d);
}

static void on_hint_sub(void *arg, int status, const unsigned char *abuf,
			int alen)
{
	struct discovery *d = arg;

	on_hint_srv(d, status, abuf, alen, &d->res.dns.sub, &d->res.dns.nsub);
}

static void on_hint_subs(void *arg, int status, const unsigned char *abuf,
			 int alen)
{
	struct discovery *d = arg;

	on_hint_srv(d, status, abuf, alen, &d->res.dns.subs, &d->res.dns.nsubs);
}

static void ask_hint(struct discovery *d)
{
	struct dns *dns = d->rs->dns;
	char name[DNS_NAME_TEXT_MAX];

	d->hinted = true;
	d->pending += ROUTING_QUERIES;
	dns_query(dns, d->name, ns_t_mx, on_hint_mx, d);
	snprintf(name, sizeof(name), "_submission._tcp.%s", d->name);
	dns_query(dns, name, ns_t_srv, on_hint_sub, d);
	snprintf(name, sizeof(name), "_submissions._tcp.%s", d->name);
	dns_query(dns, name, ns_t_srv, on_hint_subs, d);
}

/* --- the planned hosts: addresses and TLSA --- */

static void query_tlsa(struct host_lookup *hl, int port);

/* DANE's TLSA records of every port planned on a host, once (a domain
 * only). */
static void ask_tlsa(struct host_lookup *hl)
{
	struct discovery *d = hl->d;
	const struct plan_entry *h = d->plan.hosts[hl->idx];
	size_t k;

	/* not for a name of the hosts file: DNS does not know it */
	if (hl->tlsa_asked || !d->res.dns.domain || h->hosts_file)
		return;
	hl->tlsa_asked = true;
	for (k = 0; k < h->nports; k++)
		query_tlsa(hl, h->ports[k].port);
}

/* An address of the plan, to be probed: listed, and handed on. */
static void hand_on(struct host_lookup *hl, const struct dns_addr *addr)
{
	struct discovery *d = hl->d;
	const struct plan_entry *pe = d->plan.hosts[hl->idx];
	const struct sockaddr *sa = (const struct sockaddr *)&addr->sa;
	char a[ADDR_TEXT_MAX] = "";
	struct resolved_addr ra;

	addr_text(sa, a, sizeof(a));
	strlist_add(&d->res.hosts[hl->idx].addresses, a);
	ask_tlsa(hl); /* a guessed host exists after all */
	ra = (struct resolved_addr){
		.host = pe->name,
		.sa = sa,
		.len = addr->len,
		.text = a,
		.ports = pe->ports,
		.nports = pe->nports,
	};
	d->addr(d->arg, &ra);
}

/* A family's addresses beyond its half of ADDRS_MAX wait for the other
 * family's answer: as many as it leaves room for are probed then. */
static void give_rest(struct host_lookup *hl)
{
	int fi = hl->rest_fi;
	size_t take, i;

	if (hl->rest == NULL || !hl->answered[!fi])
		return;
	take = addrs_take(hl->found[fi], (long)hl->found[!fi]);
	for (i = 0; hl->given[fi] < take && i < hl->nrest; i++) {
		hand_on(hl, &hl->rest[i]);
		hl->given[fi]++;
	}
	free(hl->rest);
	hl->rest = NULL;
	hl->nrest = 0;
}

/* Whether the host's name came from an MX or SRV answer, not from the
 * user or a guess. */
static bool from_answer(const struct discovery *d, const char *name)
{
	const struct dns_info *di = &d->res.dns;
	int k;

	for (k = 0; k < di->nmx; k++)
		if (strcasecmp(di->mx[k].host, name) == 0)
			return true;
	for (k = 0; k < di->nsub; k++)
		if (strcasecmp(di->sub[k].target, name) == 0)
			return true;
	for (k = 0; k < di->nsubs; k++)
		if (strcasecmp(di->subs[k].target, name) == 0)
			return true;
	return false;
}

/* Non-public addresses of one host said one by one; more are counted in
 * one finding at the end (a DNS answer may hold hundreds). */
#define PRIVATE_SAID 4

/* A non-public address: said when an MX or SRV answer leads there (a
 * forged answer aiming at this machine or its network, or a zone that
 * leaks internal names), and refused with --public-only whatever led
 * there.  *seen counts the host's non-public addresses (NULL: a literal).
 * Whether it may be probed. */
static bool public_check(struct discovery *d, const char *name,
			 const struct sockaddr *sa, size_t *seen)
{
	const char *range = addrs_private_range(sa);
	bool refuse = d->rs->opts.public_only;
	char a[ADDR_TEXT_MAX] = "";

	if (range == NULL)
		return true;
	if (seen != NULL && ++*seen > PRIVATE_SAID)
		return !refuse;
	addr_text(sa, a, sizeof(a));
	if (name != NULL && from_answer(d, name))
		plan_note(&d->plan, "private-address", false,
			  refuse ? _("%s, named by an MX or SRV answer, has "
				     "the %s address %s: not probed "
				     "(--public-only)")
				 : _("%s, named by an MX or SRV answer, has "
				     "the %s address %s: a client here "
				     "connects inside this machine or its "
				     "network"),
			  name, _(range), a);
	else if (refuse)
		plan_note(&d->plan, "private-address", false,
			  _("%s has the %s address %s: not probed "
			    "(--public-only)"),
			  name != NULL ? name : a, _(range), a);
	return !refuse;
}

/* The host's non-public addresses past PRIVATE_SAID, in one finding. */
static void private_rest(struct host_lookup *hl)
{
	struct discovery *d = hl->d;
	const char *name = d->plan.hosts[hl->idx]->name;
	bool refuse = d->rs->opts.public_only;

	if (hl->nprivate <= PRIVATE_SAID || (!refuse && !from_answer(d, name)))
		return;
	plan_note(&d->plan, "private-address", false,
		  refuse ? _("%s has %zu more addresses that are not public: "
			     "not probed (--public-only)")
			 : _("%s has %zu more addresses that are not public"),
		  name, hl->nprivate - PRIVATE_SAID);
}

/* A family's answer: the addresses to probe now, and the ones that wait
 * for the other family (addrs.h).  Those refused (--public-only) count
 * for neither. */
static void take_addrs(struct host_lookup *hl, int fi,
		       const struct dns_addr *addrs, size_t n)
{
	struct discovery *d = hl->d;
	const char *name = d->plan.hosts[hl->idx]->name;
	struct dns_addr *v = n > 0 ? malloc(n * sizeof(*v)) : NULL;
	size_t take, i, nv = 0;

	if (v == NULL) {
		/* no memory to sort: the first ones, in answer order */
		hl->found[fi] = n;
		take = addrs_take(n, hl->answered[!fi] ? (long)hl->found[!fi]
						       : -1);
		for (i = 0; i < take; i++)
			if (public_check(d, name,
					 (const struct sockaddr *)&addrs[i].sa,
					 &hl->nprivate)) {
				hand_on(hl, &addrs[i]);
				hl->given[fi]++;
			} else {
				hl->refused++;
			}
		return;
	}
	for (i = 0; i < n; i++)
		if (public_check(d, name, (const struct sockaddr *)&addrs[i].sa,
				 &hl->nprivate))
			v[nv++] = addrs[i];
	hl->refused += n - nv;
	n = nv;
	hl->found[fi] = n;
	take = addrs_take(n, hl->answered[!fi] ? (long)hl->found[!fi] : -1);
	addrs_pick(v, n, take);
	for (i = 0; i < take; i++)
		hand_on(hl, &v[i]);
	hl->given[fi] = take;
	if (take < n && !hl->answered[!fi]) {
		memmove(v, v + take, (n - take) * sizeof(*v));
		hl->rest = v;
		hl->nrest = n - take;
		hl->rest_fi = fi;
		return;
	}
	free(v);
}

static void on_addrs(void *arg, int family, int status,
		     const struct dns_addr *addrs, size_t n, const char *cname)
{
	struct host_lookup *hl = arg;
	struct discovery *d = hl->d;
	const struct plan_entry *pe = d->plan.hosts[hl->idx];
	struct plan_host *ph = &d->res.hosts[hl->idx];
	const char *type = family == AF_INET6 ? "AAAA" : "A";
	int fi = family == AF_INET6;

	heard(d, status);
	hl->lookups--;
	if (pe->hosts_file && status == ARES_ENOTFOUND)
		status = ARES_ENODATA; /* one family missing, as from DNS */
	if (status == ARES_ENODATA) {
		/* normal for one family; an error only if both lack */
		if (hl->lookups == 0 && ph->addresses.n == 0 &&
		    hl->rest == NULL && hl->refused == 0 && ph->error == NULL) {
			/* in neither DNS nor the hosts file */
			ph->error = pe->hosts_file ? "NXDOMAIN" : "no address";
			if (!pe->quiet)
				add_error(d, pe->name, "A/AAAA", ph->error);
			if (!d->res.dns.domain && !d->hinted &&
			    strcmp(pe->name, d->name) == 0)
				ask_hint(d);
		}
	} else if (status != ARES_SUCCESS) {
		ph->error = dns_status_name(status);
		if (!pe->quiet)
			add_error(d, pe->name, type, ph->error);
	} else {
		if (cname != NULL && ph->cname == NULL)
			ph->cname = sanitize(cname, strlen(cname));
		if (pe->hosts_file && n > 0 && !hl->hosts_noted) {
			hl->hosts_noted = true;
			plan_note(
				&d->plan, "hosts-file", false,
				_("%s is not in DNS (NXDOMAIN): probed at the "
				  "addresses the system's hosts file gives"),
				pe->name);
		}
		take_addrs(hl, fi, addrs, n);
	}
	hl->answered[fi] = true;
	give_rest(hl);
	if (hl->lookups == 0 && ph->addresses.n == 0 && hl->refused > 0 &&
	    ph->error == NULL)
		ph->error = PLAN_ERR_NOT_PUBLIC;
	if (hl->lookups == 0)
		private_rest(hl);
	if (hl->lookups == 0 &&
	    hl->found[0] + hl->found[1] > hl->given[0] + hl->given[1])
		plan_note(&d->plan, "too-many-addresses", true,
			  _("%s has %zu addresses: %zu are probed (the lowest "
			    "of each family, at most %d in all), %zu are "
			    "left out"),
			  pe->name, hl->found[0] + hl->found[1],
			  hl->given[0] + hl->given[1], ADDRS_MAX,
			  hl->found[0] + hl->found[1] - hl->given[0] -
				  hl->given[1]);
	release(d);
}

/* A or AAAA of a host asked once more, raw, for the AD bit alone (the
 * address lookups do not show it): DANE needs the address answers
 * validated too (RFC 7672 2.2). */
static void on_addr_ad(void *arg, int status, const unsigned char *abuf,
		       int alen)
{
	struct host_lookup *hl = arg;
	struct discovery *d = hl->d;

	heard(d, status);
	if ((status != ARES_SUCCESS && status != ARES_ENODATA) ||
	    !records_ad(abuf, alen) || !d->res.dns.ad_trusted)
		hl->ad_bad = true;
	if (--hl->ad_lookups == 0)
		d->res.hosts[hl->idx].addr_ad = !hl->ad_bad;
	release(d);
}

/* Only for a host with validated TLSA records: elsewhere DANE cannot
 * apply, and the extra queries would cost for nothing. */
static void ask_addr_ad(struct host_lookup *hl)
{
	const struct resolver_opts *o = &hl->d->rs->opts;
	struct discovery *d = hl->d;
	const char *name = d->plan.hosts[hl->idx]->name;

	if (hl->ad_asked)
		return;
	hl->ad_asked = true;
	hl->ad_lookups = families(o);
	d->pending += hl->ad_lookups;
	if (o->v4)
		dns_query(d->rs->dns, name, ns_t_a, on_addr_ad, hl);
	if (o->v6)
		dns_query(d->rs->dns, name, ns_t_aaaa, on_addr_ad, hl);
}

static void on_tlsa(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct tlsa_query *q = arg;
	struct discovery *d = q->d;
	struct dns_info *di = &d->res.dns;
	struct tlsa_rec *recs = NULL;
	struct tlsa_set *v;
	int n = 0;

	heard(d, status);
	if (status == ARES_SUCCESS) {
		n = records_tlsa(abuf, alen, &recs);
		if (n < 0 && !q->quiet)
			add_error(d, q->name, "TLSA", "malformed answer");
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND &&
		   !q->quiet) {
		add_error(d, q->name, "TLSA", dns_status_name(status));
	}
	if (n > 0 &&
	    (v = realloc(di->tlsa, (di->ntlsa + 1) * sizeof(*v))) != NULL) {
		di->tlsa = v;
		v += di->ntlsa++;
		v->name = q->name;
		v->ad = records_ad(abuf, alen) && di->ad_trusted;
		if (v->ad)
			ask_addr_ad(q->hl);
		v->recs = recs;
		v->n = n;
		q->name = NULL;
		recs = NULL;
	}
	records_tlsa_free(recs, n > 0 ? n : 0);
	free(q->name);
	free(q);
	release(d);
}

static struct tlsa_answer *tlsa_answer_new(int status,
					   const unsigned char *abuf, int alen)
{
	struct tlsa_answer *v;

	if (abuf == NULL || alen < 0)
		alen = 0;
	v = malloc(sizeof(*v) + (size_t)alen);
	if (v == NULL)
		return NULL;
	v->status = status;
	v->alen = alen;
	if (alen > 0)
		memcpy(v->abuf, abuf, (size_t)alen);
	return v;
}

/* The first target to ask, in a bulk run: the others get this answer.
 * Only an answer is shared; after a failure (a timeout, SERVFAIL) each
 * asks again. */
static void on_tlsa_first(void *arg, int status, const unsigned char *abuf,
			  int alen)
{
	struct tlsa_query *q = arg;
	struct tlsa_answer *v = NULL;

	if (status == ARES_SUCCESS || status == ARES_ENODATA ||
	    status == ARES_ENOTFOUND)
		v = tlsa_answer_new(status, abuf, alen);
	share_publish(q->d->rs->tlsa, q->name, v, free);
	on_tlsa(q, status, abuf, alen);
}

static void on_tlsa_ready(void *arg)
{
	struct tlsa_query *q = arg;
	struct tlsa_answer *v = q->ready;

	on_tlsa(q, v->status, v->abuf, v->alen);
	free(v);
}

static void on_tlsa_shared(void *arg, const void *value)
{
	struct tlsa_query *q = arg;
	const struct tlsa_answer *v = value;

	if (v == NULL)
		dns_query(q->d->rs->dns, q->name, T_TLSA, on_tlsa, q);
	else
		on_tlsa(q, v->status, v->abuf, v->alen);
}

static void query_tlsa(struct host_lookup *hl, int port)
{
	struct tlsa_query *q = calloc(1, sizeof(*q));
	struct discovery *d = hl->d;
	const struct plan_entry *h = d->plan.hosts[hl->idx];
	struct resolver *rs = d->rs;
	const struct tlsa_answer *ready;
	const void *v = NULL;

	if (q == NULL || asprintf(&q->name, "_%d._tcp.%s", port, h->name) < 0) {
		free(q);
		return;
	}
	q->d = d;
	q->hl = hl;
	q->quiet = h->quiet;
	hold(d);
	switch (rs->tlsa != NULL
			? share_claim(rs->tlsa, q->name, on_tlsa_shared, q, &v)
			: SHARE_ERROR) {
	case SHARE_RUN:
		dns_query(rs->dns, q->name, T_TLSA, on_tlsa_first, q);
		return;
	case SHARE_WAIT:
		return;
	case SHARE_READY:
		/* from the loop, as an answer would come: the caller may be
		 * the last holder of the discovery */
		ready = v;
		if (ready != NULL)
			q->ready = tlsa_answer_new(ready->status, ready->abuf,
						   ready->alen);
		if (q->ready != NULL) {
			loop_timer_arm(rs->loop, &q->timer, 0, on_tlsa_ready,
				       q);
			return;
		}
		break;
	case SHARE_ERROR:
		break;
	}
	dns_query(rs->dns, q->name, T_TLSA, on_tlsa, q);
}

/* plan_start - every host is known: record the plan, then resolve. */
static void plan_start(struct discovery *d)
{
	const struct resolver_opts *o = &d->rs->opts;
	struct plan *p = &d->plan;
	size_t i;

	d->res.hosts = calloc(p->nhosts ? p->nhosts : 1, sizeof(*d->res.hosts));
	if (d->res.hosts == NULL)
		return;
	for (i = 0; i < p->nhosts; i++) {
		char roles[256];

		plan_roles_text(p->hosts[i], roles, sizeof(roles));
		d->hosts[i].d = d;
		d->hosts[i].idx = i;
		d->res.hosts[i].name = strdup(p->hosts[i]->name);
		d->res.hosts[i].roles = strdup(roles);
	}
	d->res.nhosts = p->nhosts;
	/* counted before any lookup starts: one may answer at once */
	for (i = 0; i < p->nhosts; i++) {
		d->hosts[i].lookups = families(o);
		d->hosts[i].answered[0] = !o->v4; /* not asked: none */
		d->hosts[i].answered[1] = !o->v6;
		d->pending += d->hosts[i].lookups;
	}
	for (i = 0; i < p->nhosts; i++) {
		const struct plan_entry *h = p->hosts[i];

		/* a guessed name (smtp., mail.) mostly does not exist: its
		 * TLSA records wait until it has an address */
		if (!h->quiet)
			ask_tlsa(&d->hosts[i]);
		if (h->hosts_file) {
			if (o->v4)
				dns_hosts_file(d->rs->dns, h->name, AF_INET,
					       on_addrs, &d->hosts[i]);
			if (o->v6)
				dns_hosts_file(d->rs->dns, h->name, AF_INET6,
					       on_addrs, &d->hosts[i]);
			continue;
		}
		if (o->v4)
			dns_lookup(d->rs->dns, h->name, AF_INET, on_addrs,
				   &d->hosts[i]);
		if (o->v6)
			dns_lookup(d->rs->dns, h->name, AF_INET6, on_addrs,
				   &d->hosts[i]);
	}
}

/* --- a domain: routing and policy records --- */

/* The addresses of a host the plan will most likely name, asked now so
 * that they overlap the MX and SRV queries: the plan's own lookups then
 * join them on the way or find them cached (dns.c). */
static void on_prefetched(void *arg, int family, int status,
			  const struct dns_addr *addrs, size_t n,
			  const char *cname)
{
	(void)arg, (void)family, (void)status, (void)addrs, (void)n,
		(void)cname;
}

static void prefetch(struct discovery *d, const char *name)
{
	const struct resolver_opts *o = &d->rs->opts;

	if (o->v4)
		dns_lookup(d->rs->dns, name, AF_INET, on_prefetched, NULL);
	if (o->v6)
		dns_lookup(d->rs->dns, name, AF_INET6, on_prefetched, NULL);
}

/* The plan waits for MX and both SRV answers. */
static void routing_answered(struct discovery *d)
{
	if (--d->routing > 0)
		return;
	plan_domain(&d->plan, &d->rs->opts, d->name, &d->res.dns, d->nxdomain,
		    d->mx_failed);
	plan_start(d);
}

static void on_mx(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct discovery *d = arg;
	struct dns_info *di = &d->res.dns;

	heard(d, status);
	if (status == ARES_SUCCESS) {
		di->nmx = records_mx(abuf, alen, &di->mx);
		di->mx_ad = records_ad(abuf, alen) && di->ad_trusted;
		if (di->nmx < 0) {
			di->nmx = 0;
			d->mx_failed = true;
			add_error(d, d->name, "MX", "malformed answer");
		} else if (di->nmx == 1 && di->mx[0].host[0] == '\0') {
			di->null_mx = true;
		} else {
			int k;

			/* the MX hosts are planned whatever the SRV say */
			for (k = 0; k < di->nmx; k++)
				if (di->mx[k].host[0] != '\0')
					prefetch(d, di->mx[k].host);
		}
	} else if (status == ARES_ENOTFOUND) {
		d->nxdomain = true;
		add_error(d, d->name, "MX", dns_status_name(status));
	} else if (status != ARES_ENODATA) {
		d->mx_failed = true;
		add_error(d, d->name, "MX", dns_status_name(status));
	}
	routing_answered(d);
	release(d);
}

static void on_srv(struct discovery *d, int status, const unsigned char *abuf,
		   int alen, struct srv_rec **out, int *n, const char *label,
		   bool *ad)
{
	char name[DNS_NAME_TEXT_MAX];

	heard(d, status);
	snprintf(name, sizeof(name), "%s.%s", label, d->name);
	if (status == ARES_SUCCESS) {
		*ad = records_ad(abuf, alen) && d->res.dns.ad_trusted;
		*n = records_srv(abuf, alen, out);
		if (*n < 0) {
			*n = 0;
			add_error(d, name, "SRV", "malformed answer");
		}
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND) {
		add_error(d, name, "SRV", dns_status_name(status));
	}
	routing_answered(d);
	release(d);
}

static void on_sub(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct discovery *d = arg;

	on_srv(d, status, abuf, alen, &d->res.dns.sub, &d->res.dns.nsub,
	       "_submission._tcp", &d->res.dns.sub_ad);
}

static void on_subs(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct discovery *d = arg;

	on_srv(d, status, abuf, alen, &d->res.dns.subs, &d->res.dns.nsubs,
	       "_submissions._tcp", &d->res.dns.subs_ad);
}

static void on_txt(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct txt_query *q = arg;
	struct discovery *d = q->d;

	heard(d, status);
	if (status == ARES_SUCCESS) {
		if (records_txt(abuf, alen, q->prefix, q->out, q->count) < 0)
			add_error(d, q->name, "TXT", "malformed answer");
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND) {
		add_error(d, q->name, "TXT", dns_status_name(status));
	}
	free(q);
	release(d);
}

static void query_txt(struct discovery *d, const char *label,
		      const char *prefix, char **out, int *count)
{
	struct txt_query *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return;
	q->d = d;
	q->prefix = prefix;
	q->out = out;
	q->count = count;
	snprintf(q->name, sizeof(q->name), "%s%s", label, d->name);
	hold(d);
	dns_query(d->rs->dns, q->name, ns_t_txt, on_txt, q);
}

static void on_policy_fetched(void *arg)
{
	release(arg);
}

/* A name with no port: ask for its mail routing and policies; the plan
 * is built when MX and both SRV answers are in. */
static void discover(struct discovery *d)
{
	struct dns_info *di = &d->res.dns;
	struct dns *dns = d->rs->dns;
	char name[DNS_NAME_TEXT_MAX];

	di->domain = true;
	d->routing = ROUTING_QUERIES;
	d->pending += ROUTING_QUERIES;
	dns_query(dns, d->name, ns_t_mx, on_mx, d);
	/* without an MX the name is its own mail host (RFC 5321 5.1); a
	 * bulk run, where most names have an MX, does not ask in advance */
	if (!d->rs->opts.bulk)
		prefetch(d, d->name);
	snprintf(name, sizeof(name), "_submission._tcp.%s", d->name);
	dns_query(dns, name, ns_t_srv, on_sub, d);
	snprintf(name, sizeof(name), "_submissions._tcp.%s", d->name);
	dns_query(dns, name, ns_t_srv, on_subs, d);
	query_txt(d, "_mta-sts.", "v=STSv1", &di->mta_sts, &di->nmta_sts);
	query_txt(d, "_smtp._tls.", "v=TLSRPTv1", &di->tls_rpt, &di->ntls_rpt);
	query_txt(d, "", "v=spf1", &di->spf, &di->nspf);
	query_txt(d, "_dmarc.", "v=DMARC1", &di->dmarc, &di->ndmarc);
	hold(d);
	if (sts_fetch_start(dns, d->rs->https, d->name, d->rs->opts.timeout_ms,
			    di, on_policy_fetched, d) < 0)
		release(d);
}

/* A literal address: its one "host" is the address itself. */
static void literal(struct discovery *d, const struct target *t)
{
	const struct plan_entry *pe;
	struct sockaddr_storage ss;
	struct resolved_addr ra;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (t->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, t->host, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, t->host, &s4->sin_addr);
		len = sizeof(*s4);
	}
	plan_given(&d->plan, &d->rs->opts, t->host, t->port);
	if (d->plan.nhosts == 0 ||
	    !public_check(d, NULL, (const struct sockaddr *)&ss, NULL))
		return;
	pe = d->plan.hosts[0];
	ra = (struct resolved_addr){
		.host = NULL,
		.sa = (const struct sockaddr *)&ss,
		.len = len,
		.text = t->host,
		.ports = pe->ports,
		.nports = pe->nports,
	};
	d->addr(d->arg, &ra);
}

int resolver_start(struct resolver *rs, const struct target *t,
		   resolver_addr_cb addr, resolver_done_cb done, void *arg)
{
	struct discovery *d = calloc(1, sizeof(*d));

	if (d == NULL || (d->name = strdup(t->host)) == NULL) {
		free(d);
		return -1;
	}
	d->rs = rs;
	d->res.dns.ad_trusted = rs->ad_trusted;
	d->addr = addr;
	d->done = done;
	d->arg = arg;
	/* held while starting, so a query that answers at once cannot
	 * end the discovery under our feet */
	hold(d);
	if (t->family != 0) {
		literal(d, t);
	} else if (t->port || rs->opts.hosts_only) {
		/* host:port asks about that one service, nothing else */
		plan_given(&d->plan, &rs->opts, t->host, t->port);
		plan_start(d);
	} else {
		discover(d);
	}
	release(d);
	return 0;
}
