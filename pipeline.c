#include "pipeline.h"

#include <arpa/inet.h>
#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "probe/probe.h"
#include "resolver/dns.h"

struct pipeline {
	struct pipeline_opts opts;
	struct loop *loop;
	struct dns *dns;
	struct probe_ctx ctx;
	gnutls_certificate_credentials_t creds;
	pipeline_emit emit;
	void *arg;
	size_t jobs; /* targets not yet reported */
};

struct job {
	struct pipeline *pl;
	struct report r;
	size_t cap;
	int pending; /* lookups and probes still running */
	int port;    /* from host:port, else 0 */
	uint64_t t0;
};

struct pipeline *pipeline_new(const struct pipeline_opts *opts,
			      pipeline_emit emit, void *arg, char *err,
			      size_t errlen)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));
	struct dns_opts dopts;

	if (pl == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pl->opts = *opts;
	pl->emit = emit;
	pl->arg = arg;
	pl->loop = loop_new();
	if (pl->loop == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		free(pl);
		return NULL;
	}
	if (tls_creds_new(&pl->creds, opts->ca_file, err, errlen) < 0) {
		loop_free(pl->loop);
		free(pl);
		return NULL;
	}
	dopts.servers = opts->dns_servers;
	dopts.timeout_ms = opts->dns_timeout_ms;
	dopts.tries = opts->dns_tries;
	pl->dns = dns_new(pl->loop, &dopts, err, errlen);
	if (pl->dns == NULL) {
		gnutls_certificate_free_credentials(pl->creds);
		loop_free(pl->loop);
		free(pl);
		return NULL;
	}
	pl->ctx.loop = pl->loop;
	pl->ctx.creds = pl->creds;
	pl->ctx.timeout_ms = opts->timeout_ms;
	pl->ctx.deadline_ms = opts->deadline_ms;
	pl->ctx.ehlo_name = opts->ehlo_name;
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	dns_free(pl->dns);
	gnutls_certificate_free_credentials(pl->creds);
	loop_free(pl->loop);
	free(pl);
}

static void add_error(struct job *job, const char *type, const char *error);

static void job_check(struct job *job)
{
	struct pipeline *pl = job->pl;
	const struct pipeline_opts *o = &pl->opts;

	if (job->pending > 0)
		return;
	if (!job->r.is_address && job->r.nprobes == 0 && job->r.nerrors == 0)
		add_error(job, o->v4 && o->v6 ? "A/AAAA" : o->v4 ? "A" : "AAAA",
			  "no address");
	job->r.duration_ms = (int64_t)(loop_now() - job->t0);
	report_sort(&job->r);
	pl->emit(pl->arg, &job->r);
	report_free(&job->r);
	free(job);
	pl->jobs--;
}

static void add_error(struct job *job, const char *type, const char *error)
{
	struct dns_error *e = realloc(job->r.errors, (job->r.nerrors + 1) *
							     sizeof(*e));

	if (e == NULL)
		return;
	job->r.errors = e;
	e += job->r.nerrors;
	e->name = strdup(job->r.host);
	e->type = type;
	e->error = error;
	if (e->name != NULL)
		job->r.nerrors++;
}

static void on_probe_done(void *arg, struct probe *p)
{
	struct job *job = arg;

	(void)p;
	job->pending--;
	job_check(job);
}

static bool implicit_tls_port(const struct pipeline_opts *o, int port)
{
	size_t i;

	for (i = 0; i < o->ntls_ports; i++)
		if (o->tls_ports[i] == port)
			return true;
	return false;
}

static void add_probe(struct job *job, const struct sockaddr *sa,
		      socklen_t len, int port)
{
	struct pipeline *pl = job->pl;
	struct probe *p;

	if (job->r.nprobes == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 8;
		struct probe **v =
			realloc(job->r.probes, cap * sizeof(*v));

		if (v == NULL)
			return;
		job->r.probes = v;
		job->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return;
	probe_init(p);
	memcpy(&p->addr, sa, len);
	p->addrlen = len;
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&p->addr;

		s6->sin6_port = htons((uint16_t)port);
		inet_ntop(AF_INET6, &s6->sin6_addr, p->address,
			  sizeof(p->address));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&p->addr;

		s4->sin_port = htons((uint16_t)port);
		inet_ntop(AF_INET, &s4->sin_addr, p->address,
			  sizeof(p->address));
	}
	p->port = port;
	p->expect = implicit_tls_port(&pl->opts, port) ? MODE_TLS : MODE_PLAIN;
	p->host = job->r.is_address ? NULL : strdup(job->r.host);
	p->role = strdup("given");
	job->r.probes[job->r.nprobes++] = p;
	job->pending++;
	if (probe_start(&pl->ctx, p, on_probe_done, job) < 0)
		job->pending--;
}

static void add_probes(struct job *job, const struct sockaddr *sa,
		       socklen_t len)
{
	const struct pipeline_opts *o = &job->pl->opts;
	size_t i;

	if (job->port != 0) {
		add_probe(job, sa, len, job->port);
		return;
	}
	for (i = 0; i < o->nports; i++)
		add_probe(job, sa, len, o->ports[i]);
}

static void on_addrs(void *arg, int family, int status,
		     const struct dns_addr *addrs, size_t n, const char *cname)
{
	struct job *job = arg;
	const char *type = family == AF_INET6 ? "AAAA" : "A";
	size_t i;

	if (status == ARES_ENODATA) {
		/* normal for one family; job_check speaks if both lack */
	} else if (status != ARES_SUCCESS) {
		add_error(job, type, dns_status_name(status));
	} else {
		if (cname != NULL && job->r.cname == NULL)
			job->r.cname = strdup(cname);
		for (i = 0; i < n; i++)
			add_probes(job, (const struct sockaddr *)&addrs[i].sa,
				   addrs[i].len);
	}
	job->pending--;
	job_check(job);
}

int pipeline_add(struct pipeline *pl, const struct target *t)
{
	struct job *job = calloc(1, sizeof(*job));
	int nports = t->port ? 1 : (int)pl->opts.nports;

	if (job == NULL)
		return -1;
	job->pl = pl;
	job->t0 = loop_now();
	job->port = t->port;
	job->r.target = strdup(t->input);
	job->r.host = strdup(t->host);
	job->r.unicode = t->unicode ? strdup(t->unicode) : NULL;
	job->r.is_address = t->family != 0;
	job->r.ports = calloc((size_t)nports, sizeof(int));
	if (job->r.target == NULL || job->r.host == NULL ||
	    job->r.ports == NULL) {
		report_free(&job->r);
		free(job);
		return -1;
	}
	if (t->port) {
		job->r.ports[0] = t->port;
		job->r.nports = 1;
	} else {
		memcpy(job->r.ports, pl->opts.ports,
		       pl->opts.nports * sizeof(int));
		job->r.nports = pl->opts.nports;
	}
	pl->jobs++;
	/* held while starting, so a lookup that answers at once cannot
	 * finish the job under our feet */
	job->pending = 1;
	if (job->r.is_address) {
		struct sockaddr_storage ss;
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
		add_probes(job, (struct sockaddr *)&ss, len);
	} else {
		if (pl->opts.v4) {
			job->pending++;
			dns_lookup(pl->dns, t->host, AF_INET, on_addrs, job);
		}
		if (pl->opts.v6) {
			job->pending++;
			dns_lookup(pl->dns, t->host, AF_INET6, on_addrs, job);
		}
	}
	job->pending--;
	job_check(job);
	return 0;
}

int pipeline_run(struct pipeline *pl)
{
	while (pl->jobs > 0)
		if (loop_run_once(pl->loop, -1) < 0)
			return -1;
	return 0;
}
