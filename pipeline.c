#include "pipeline.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <ares.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/loop.h"
#include "core/sanitize.h"
#include "probe/hops.h"
#include "probe/probe.h"
#include "probe/sched.h"
#include "probe/share.h"
#include "resolver/dns.h"
#include "resolver/https.h"

#define MAX_HOSTS   32 /* per target: MX, SRV targets and guesses together */
#define MAX_ENTRIES 8
#define SHARE_KEEP  1024 /* ended probes kept for other targets (bulk) */

struct pipeline {
	struct pipeline_opts opts;
	struct loop *loop;
	struct dns *dns;
	struct https *https;
	struct probe_ctx ctx;
	struct sched *sched;
	struct share *share; /* bulk: one probe per address, port and name */
	gnutls_certificate_credentials_t creds;
	pipeline_emit emit;
	void *arg;
	size_t jobs; /* targets not yet reported */
	int sigfd;
	int signal; /* SIGINT or SIGTERM received, else 0 */
	bool input_ready; /* the bulk input may have a line for us */
	struct loop_timer tick;
	unsigned tick_ms;
	void (*tick_cb)(void *);
	void *tick_arg;
	bool gave_up;
	struct loop_timer give_up;
	struct strlist auth_tried; /* "host port": credentials tried there */
};

/* A port to probe on a host, and why. */
struct entry {
	int port;
	const char *role;
	enum probe_mode mode;
};

struct host {
	struct job *job;
	size_t idx; /* its struct plan_host in job->r.hosts */
	char *name;
	struct entry e[MAX_ENTRIES];
	size_t ne;
	int lookups; /* A and AAAA still to answer */
	bool quiet;  /* a guess: a failed lookup is no error */
};

struct job {
	struct pipeline *pl;
	struct report r;
	size_t cap;
	int pending;   /* queries and probes still running */
	int discovery; /* MX and SRV answers the plan waits for */
	bool mx_failed;
	bool nxdomain; /* the name itself does not exist */
	bool hinted;   /* a named host without address: MX/SRV asked */
	int port;      /* from host:port, else 0 */
	uint64_t t0;
	bool walked; /* the hop walks were planned */
	struct host *hosts[MAX_HOSTS];
	size_t nhosts;
};

/* A TXT query and where its answer goes. */
struct txt_query {
	struct job *job;
	char name[300];
	const char *prefix;
	char **out;
	int *count;
};

struct tlsa_query {
	struct job *job;
	char *name;
	bool quiet; /* for a guessed host */
};

/* Credentials are tried once per host and port, on the first address
 * whose session gets that far, and with --check on the port checked
 * only: a wrong password repeated on every address and port is how
 * accounts get locked (fail2ban and kin). */
static bool may_auth(void *arg, const struct probe *p)
{
	struct pipeline *pl = arg;
	char key[320];
	size_t i;

	/* --check: the port checked only, not the ones named instead */
	if (pl->opts.check != NULL && p->port != pl->opts.check->port)
		return false;
	snprintf(key, sizeof(key), "%s %d", p->host ? p->host : p->address,
		 p->port);
	for (i = 0; i < pl->auth_tried.n; i++)
		if (strcmp(pl->auth_tried.v[i], key) == 0)
			return false;
	return strlist_add(&pl->auth_tried, key) == 0;
}

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
	pl->sigfd = -1;
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
	pl->https = https_new(pl->loop, opts->ca_file);
	pl->ctx.loop = pl->loop;
	pl->ctx.creds = pl->creds;
	pl->ctx.timeout_ms = opts->timeout_ms;
	pl->ctx.deadline_ms = opts->deadline_ms;
	pl->ctx.ehlo_name = opts->ehlo_name;
	if (opts->credentials != NULL) {
		if (auth_global_init(err, errlen) < 0) {
			pipeline_free(pl);
			return NULL;
		}
		pl->ctx.credentials = opts->credentials;
		pl->ctx.may_auth = may_auth;
		pl->ctx.auth_arg = pl;
	}
	/* a dropped SYN frees its address slot after a quarter of the
	 * timeout (at most 1 s): politeness must not cost timeouts */
	pl->sched = sched_new(&pl->ctx, opts->concurrency, opts->per_address,
			      opts->timeout_ms / 4 < 1000 ? opts->timeout_ms / 4
							  : 1000);
	if (opts->bulk)
		pl->share = share_new(SHARE_KEEP);
	if (pl->sched == NULL || (opts->bulk && pl->share == NULL)) {
		snprintf(err, errlen, "out of memory");
		pipeline_free(pl);
		return NULL;
	}
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	if (pl->sigfd >= 0) {
		loop_unwatch(pl->loop, pl->sigfd);
		close(pl->sigfd);
	}
	sched_free(pl->sched);
	share_free(pl->share);
	strlist_free(&pl->auth_tried);
	if (pl->opts.credentials != NULL)
		auth_global_done();
	https_free(pl->https);
	dns_free(pl->dns);
	gnutls_certificate_free_credentials(pl->creds);
	loop_free(pl->loop);
	free(pl);
}

/* Any reply, good or bad, counts: the DNS server answers.  A timeout or
 * a refused port is no reply (reports/ tell a dead server from them). */
static void dns_heard(struct job *job, int status)
{
	if (status != ARES_ETIMEOUT && status != ARES_ECONNREFUSED &&
	    status != ARES_ENOMEM && status != ARES_EDESTRUCTION &&
	    status != ARES_ECANCELLED)
		job->r.dns.answered++;
}

static void add_error(struct job *job, const char *name, const char *type,
                      const char *error)
{
	struct dns_error *e =
	    realloc(job->r.errors, (job->r.nerrors + 1) * sizeof(*e));

	if (e == NULL)
		return;
	job->r.errors = e;
	e += job->r.nerrors;
	e->name = strdup(name);
	e->type = type;
	e->error = error;
	if (e->name != NULL)
		job->r.nerrors++;
}

static void job_check(struct job *job);

static void on_walk_done(void *arg, struct hop_walk *w)
{
	struct job *job = arg;

	(void)w;
	job->pending--;
	job_check(job);
}

/* Once every probe has ended: where the SYNs of a filtered port die,
 * compared with a port that works, all walks at once (one timeout).
 * Whether any was started. */
static bool start_walks(struct job *job)
{
	const struct pipeline_opts *o = &job->pl->opts;
	size_t i, max = 2 * (HOPS_MAX_PORTS + 1);

	job->walked = true;
	if (!o->hop_walk)
		return false;
	job->r.walks = calloc(max, sizeof(*job->r.walks));
	if (job->r.walks == NULL)
		return false;
	job->r.nwalks = hops_plan(job->r.probes, job->r.nprobes,
				  job->r.controls, job->r.ncontrols,
				  job->r.walks, max);
	for (i = 0; i < job->r.nwalks; i++) {
		job->pending++;
		if (hops_start(job->pl->loop, &job->r.walks[i], o->timeout_ms,
			       on_walk_done, job) < 0)
			job->pending--;
	}
	return job->pending > 0;
}

static void job_check(struct job *job)
{
	struct pipeline *pl = job->pl;
	size_t i;

	if (job->pending > 0)
		return;
	if (!job->walked && pl->signal == 0 && start_walks(job))
		return;
	if (job->r.dns.nspf > 1)
		report_finding(&job->r, "spf-multiple", SEV_WARNING,
		               "%d SPF records: receivers treat that as a "
		               "permanent error (RFC 7208 4.5)",
		               job->r.dns.nspf);
	if (job->r.dns.ndmarc > 1)
		report_finding(&job->r, "dmarc-multiple", SEV_WARNING,
		               "%d DMARC records: receivers ignore them all "
		               "(RFC 7489 6.6.3)",
		               job->r.dns.ndmarc);
	job->r.duration_ms = (int64_t)(loop_now() - job->t0);
	report_policies(&job->r);
	report_target_findings(&job->r);
	report_sort(&job->r);
	pl->emit(pl->arg, &job->r);
	report_free(&job->r);
	for (i = 0; i < job->nhosts; i++) {
		free(job->hosts[i]->name);
		free(job->hosts[i]);
	}
	free(job);
	pl->jobs--;
}

/* A probe this job runs, and what it still waits for: the session and
 * the follow-ups of its port.  In a bulk run, what it found is then
 * shared with the other targets that have the same probe. */
struct run {
	struct job *job;
	struct probe *p;
	int running;
	bool publish; /* claimed for the run's share */
};

/* A follow-up session and the main probe it reports to. */
struct followup {
	struct run *run;
	struct probe *parent;
	struct probe p;
};

static void free_shared(void *v)
{
	probe_free(v);
	free(v);
}

/* The probe and its follow-ups have ended: the job's, and in a bulk run
 * every waiting target's. */
static void run_release(struct run *run)
{
	struct job *job = run->job;

	if (--run->running > 0)
		return;
	if (run->publish) {
		struct probe *v = calloc(1, sizeof(*v));

		if (v != NULL && probe_copy(v, run->p) < 0) {
			free_shared(v);
			v = NULL;
		}
		share_publish(job->pl->share, run->p, v, free_shared);
	}
	free(run);
	job->pending--;
	job_check(job);
}

static void on_followup_done(void *arg, struct probe *p)
{
	struct followup *f = arg;
	struct run *run = f->run;

	if (p->kind == KIND_ENFORCE) {
		f->parent->enforce_code = p->mail_code;
		f->parent->enforce_reply = p->mail_reply;
		f->parent->enforce_pipelined = p->mail_pipelined;
		p->mail_reply = NULL;
	} else if (p->kind == KIND_LEGACY) {
		f->parent->legacy_accepted = p->tls.done;
		memcpy(f->parent->legacy_version, p->tls.version,
		       sizeof(p->tls.version));
	} else if (p->tls.done) {
		/* only a completed handshake can answer the question */
		f->parent->command_injection = p->injected_code != 0;
	}
	probe_free(p);
	free(f);
	run_release(run);
}

static void followup(struct run *run, enum probe_kind kind)
{
	struct followup *f = calloc(1, sizeof(*f));
	struct probe *parent = run->p;

	if (f == NULL)
		return;
	f->run = run;
	f->parent = parent;
	probe_init(&f->p);
	f->p.addr = parent->addr;
	f->p.addrlen = parent->addrlen;
	memcpy(f->p.address, parent->address, sizeof(f->p.address));
	f->p.port = parent->port;
	f->p.expect = parent->spoke; /* no second guessing the mode */
	f->p.declared = parent->declared;
	f->p.kind = kind;
	f->p.host = parent->host ? strdup(parent->host) : NULL;
	run->running++;
	if (sched_submit(run->job->pl->sched, &f->p, on_followup_done, f) < 0) {
		run->running--;
		free(f->p.host);
		free(f);
	}
}

/* The follow-ups ask about the server software on a port: once per
 * host and port is enough, not once per address (it halves them on a
 * dual-stack host, and politeness limits how many run at once). */
static bool followed_already(const struct job *job, const struct probe *p)
{
	size_t i;

	for (i = 0; i < job->r.nprobes; i++) {
		const struct probe *q = job->r.probes[i];

		if (q->followed && q->port == p->port &&
		    (p->host != NULL && q->host != NULL
			     ? strcmp(q->host, p->host) == 0
			     : strcmp(q->address, p->address) == 0))
			return true;
	}
	return false;
}

/* TLS worked: does the server also take TLS 1.0/1.1 (RFC 8996), and
 * does it answer commands smuggled before STARTTLS?  Asked the moment the
 * main session's handshake has completed, while it goes on. */
static void on_probe_tls(void *arg, struct probe *p)
{
	struct run *run = arg;

	if (!run->job->pl->opts.followups || followed_already(run->job, p))
		return;
	p->followed = true;
	if (strcmp(p->tls.version, "TLS1.2") == 0 ||
	    strcmp(p->tls.version, "TLS1.3") == 0)
		followup(run, KIND_LEGACY);
	if (p->spoke == MODE_PLAIN)
		followup(run, KIND_INJECT);
	/* does a submission port refuse mail before STARTTLS? (not 25:
	 * opportunistic by design) */
	if (p->spoke == MODE_PLAIN && verdict_submission_role(p))
		followup(run, KIND_ENFORCE);
}

static void on_probe_done(void *arg, struct probe *p)
{
	(void)p;
	run_release(arg);
}

/* A target waiting for another's probe of the same address, port and
 * name (bulk). */
struct waiting {
	struct job *job;
	struct probe *p;
};

static void take_shared(struct probe *p, const struct probe *v)
{
	if (v == NULL || probe_copy(p, v) < 0)
		p->end = END_LOCAL; /* it could not run, or no memory */
	p->shared = true;
}

static void on_shared(void *arg, const void *value)
{
	struct waiting *w = arg;
	struct job *job = w->job;

	take_shared(w->p, value);
	free(w);
	job->pending--;
	job_check(job);
}

/* Runs p for job (done when it and its follow-ups have ended) or, in a
 * bulk run, takes another target's run of the same probe. */
static void submit(struct job *job, struct probe *p)
{
	struct pipeline *pl = job->pl;
	struct run *run;
	bool publish = false;

	if (pl->share != NULL) {
		struct waiting *w = calloc(1, sizeof(*w));
		const void *v = NULL;

		if (w == NULL)
			return;
		w->job = job;
		w->p = p;
		switch (share_claim(pl->share, p, on_shared, w, &v)) {
		case SHARE_READY:
			free(w);
			take_shared(p, v);
			return;
		case SHARE_WAIT:
			job->pending++;
			return;
		case SHARE_RUN:
			publish = true;
			break;
		case SHARE_ERROR:
			break;
		}
		free(w);
	}
	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		if (publish)
			share_publish(pl->share, p, NULL, NULL);
		return;
	}
	run->job = job;
	run->p = p;
	run->running = 1;
	run->publish = publish;
	if (!p->connect_only) {
		p->tls_done = on_probe_tls;
		p->tls_arg = run;
	}
	job->pending++;
	if (sched_submit(pl->sched, p, on_probe_done, run) < 0) {
		if (publish)
			share_publish(pl->share, p, NULL, NULL);
		free(run);
		job->pending--;
	}
}

/* Sets the port of p's address, and the printable address. */
static void set_port(struct probe *p, int port)
{
	if (p->addr.ss_family == AF_INET6) {
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
}

/* A probe of sa on port, for host (NULL: an address was given). */
static struct probe *new_probe(const struct sockaddr *sa, socklen_t len,
			       int port, const char *host, const char *role)
{
	struct probe *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	probe_init(p);
	memcpy(&p->addr, sa, len);
	p->addrlen = len;
	set_port(p, port);
	p->host = host ? strdup(host) : NULL;
	p->role = strdup(role);
	return p;
}

/* A TCP connect to 443 on each address, at the same time as the mail
 * ports so it costs no extra timeout: when no mail port connects, it
 * tells "mail ports filtered here" from "server unreachable". */
static void add_control(struct job *job, const struct sockaddr *sa,
			socklen_t len, const char *host)
{
	const struct pipeline_opts *o = &job->pl->opts;
	struct probe *p, **v;

	if (o->control_port == 0)
		return;
	v = realloc(job->r.controls,
		    (job->r.ncontrols + 1) * sizeof(*job->r.controls));
	if (v == NULL)
		return;
	job->r.controls = v;
	p = new_probe(sa, len, o->control_port, host, "control");
	if (p == NULL)
		return;
	p->connect_only = true;
	job->r.controls[job->r.ncontrols++] = p;
	submit(job, p);
}

/* --check: the user's port starts the way their client starts; the
 * verdict still judges the port by what it is meant to speak. */
static enum probe_mode first_mode(const struct pipeline_opts *o, int port,
				  enum probe_mode declared)
{
	if (o->check != NULL && port == o->check->port)
		return o->check->enc == ENC_IMPLICIT ? MODE_TLS : MODE_PLAIN;
	return declared;
}

static void add_probe(struct host *h, const struct sockaddr *sa, socklen_t len,
                      const struct entry *e)
{
	struct job *job = h->job;
	struct probe *p;

	if (job->r.nprobes == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 8;
		struct probe **v = realloc(job->r.probes, cap * sizeof(*v));

		if (v == NULL)
			return;
		job->r.probes = v;
		job->cap = cap;
	}
	p = new_probe(sa, len, e->port, job->r.is_address ? NULL : h->name,
		      e->role);
	if (p == NULL)
		return;
	p->declared = e->mode;
	p->expect = first_mode(&job->pl->opts, e->port, e->mode);
	p->cert_warn_days = job->pl->opts.cert_warn_days;
	p->cert_crit_days = job->pl->opts.cert_crit_days;
	job->r.probes[job->r.nprobes++] = p;
	submit(job, p);
}

/* Whether a control already goes to address a (MX and SRV hosts can
 * share addresses). */
static bool address_known(const struct job *job, const char *a)
{
	size_t i;

	for (i = 0; i < job->r.ncontrols; i++)
		if (strcmp(job->r.controls[i]->address, a) == 0)
			return true;
	return false;
}

/* A host named with a port (or with --check) that has no address may be
 * a mail domain, as in example.test:587: its MX and SRV records name the
 * hosts to probe, and the report points at them.  Asked only then; no
 * host is added to the plan. */
static void on_hint_mx(void *arg, int status, const unsigned char *abuf,
		       int alen)
{
	struct job *job = arg;
	int n;

	dns_heard(job, status);
	if (status == ARES_SUCCESS && job->r.dns.mx == NULL) {
		n = records_mx(abuf, alen, &job->r.dns.mx);
		job->r.dns.nmx = n > 0 ? n : 0;
	}
	job->pending--;
	job_check(job);
}

static void on_hint_srv(struct job *job, int status, const unsigned char *abuf,
			int alen, struct srv_rec **out, int *nout)
{
	int n;

	dns_heard(job, status);
	if (status == ARES_SUCCESS && *out == NULL) {
		n = records_srv(abuf, alen, out);
		*nout = n > 0 ? n : 0;
	}
	job->pending--;
	job_check(job);
}

static void on_hint_sub(void *arg, int status, const unsigned char *abuf,
			int alen)
{
	struct job *job = arg;

	on_hint_srv(job, status, abuf, alen, &job->r.dns.sub, &job->r.dns.nsub);
}

static void on_hint_subs(void *arg, int status, const unsigned char *abuf,
			 int alen)
{
	struct job *job = arg;

	on_hint_srv(job, status, abuf, alen, &job->r.dns.subs,
		    &job->r.dns.nsubs);
}

static void ask_hint(struct job *job)
{
	struct dns *dns = job->pl->dns;
	char name[300];

	job->hinted = true;
	job->pending += 3;
	dns_query(dns, job->r.host, ns_t_mx, on_hint_mx, job);
	snprintf(name, sizeof(name), "_submission._tcp.%s", job->r.host);
	dns_query(dns, name, ns_t_srv, on_hint_sub, job);
	snprintf(name, sizeof(name), "_submissions._tcp.%s", job->r.host);
	dns_query(dns, name, ns_t_srv, on_hint_subs, job);
}

static void on_addrs(void *arg, int family, int status,
                     const struct dns_addr *addrs, size_t n, const char *cname)
{
	struct host *h = arg;
	struct job *job = h->job;
	struct plan_host *ph = &job->r.hosts[h->idx];
	const char *type = family == AF_INET6 ? "AAAA" : "A";
	size_t i, k;

	dns_heard(job, status);
	h->lookups--;
	if (status == ARES_ENODATA) {
		/* normal for one family; an error only if both lack */
		if (h->lookups == 0 && ph->addresses.n == 0 &&
		    ph->error == NULL) {
			ph->error = "no address";
			if (!h->quiet)
				add_error(job, h->name, "A/AAAA", ph->error);
			if (!job->r.dns.domain && !job->hinted &&
			    strcmp(h->name, job->r.host) == 0)
				ask_hint(job);
		}
	} else if (status != ARES_SUCCESS) {
		ph->error = dns_status_name(status);
		if (!h->quiet)
			add_error(job, h->name, type, ph->error);
	} else {
		if (cname != NULL && ph->cname == NULL)
			ph->cname = sanitize(cname, strlen(cname));
		for (i = 0; i < n; i++) {
			const struct sockaddr *sa =
			    (const struct sockaddr *)&addrs[i].sa;
			char a[INET6_ADDRSTRLEN] = "";

			inet_ntop(sa->sa_family,
			          sa->sa_family == AF_INET6
			              ? (const void *)&(
			                    (const struct sockaddr_in6 *)sa)
			                    ->sin6_addr
			              : (const void *)&(
			                    (const struct sockaddr_in *)sa)
			                    ->sin_addr,
			          a, sizeof(a));
			strlist_add(&ph->addresses, a);
			for (k = 0; k < h->ne; k++)
				add_probe(h, sa, addrs[i].len, &h->e[k]);
			if (!address_known(job, a))
				add_control(job, sa, addrs[i].len, h->name);
		}
	}
	job->pending--;
	job_check(job);
}

static bool port_wanted(const struct pipeline_opts *o, int port)
{
	size_t i;

	for (i = 0; i < o->nports; i++)
		if (o->ports[i] == port)
			return true;
	return false;
}

static enum probe_mode port_mode(const struct pipeline_opts *o, int port)
{
	size_t i;

	for (i = 0; i < o->ntls_ports; i++)
		if (o->tls_ports[i] == port)
			return MODE_TLS;
	return MODE_PLAIN;
}

/* Adds (name, port) to the plan once; the first role given wins. */
static void plan_add(struct job *job, const char *name, int port,
                     const char *role, enum probe_mode mode, bool quiet)
{
	struct host *h = NULL;
	size_t i;

	for (i = 0; i < job->nhosts; i++)
		if (strcasecmp(job->hosts[i]->name, name) == 0)
			h = job->hosts[i];
	if (h == NULL) {
		if (job->nhosts == MAX_HOSTS)
			return;
		h = calloc(1, sizeof(*h));
		if (h == NULL || (h->name = strdup(name)) == NULL) {
			free(h);
			return;
		}
		h->job = job;
		h->quiet = quiet;
		job->hosts[job->nhosts++] = h;
	}
	h->quiet &= quiet;
	for (i = 0; i < h->ne; i++)
		if (h->e[i].port == port)
			return;
	if (h->ne < MAX_ENTRIES)
		h->e[h->ne++] = (struct entry){port, role, mode};
}

static void on_tlsa(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct tlsa_query *q = arg;
	struct job *job = q->job;
	struct tlsa_rec *recs = NULL;
	struct tlsa_set *v;
	int n = 0;

	dns_heard(job, status);
	if (status == ARES_SUCCESS) {
		n = records_tlsa(abuf, alen, &recs);
		if (n < 0 && !q->quiet)
			add_error(job, q->name, "TLSA", "malformed answer");
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND &&
	           !q->quiet) {
		add_error(job, q->name, "TLSA", dns_status_name(status));
	}
	if (n > 0 && (v = realloc(job->r.dns.tlsa, (job->r.dns.ntlsa + 1) *
	                                               sizeof(*v))) != NULL) {
		job->r.dns.tlsa = v;
		v += job->r.dns.ntlsa++;
		v->name = q->name;
		v->ad = records_ad(abuf, alen);
		v->recs = recs;
		v->n = n;
		q->name = NULL;
		recs = NULL;
	}
	records_tlsa_free(recs, n > 0 ? n : 0);
	free(q->name);
	free(q);
	job->pending--;
	job_check(job);
}

static void query_tlsa(struct job *job, const char *host, int port, bool quiet)
{
	struct tlsa_query *q = calloc(1, sizeof(*q));

	if (q == NULL || asprintf(&q->name, "_%d._tcp.%s", port, host) < 0) {
		free(q);
		return;
	}
	q->job = job;
	q->quiet = quiet;
	job->pending++;
	dns_query(job->pl->dns, q->name, T_TLSA, on_tlsa, q);
}

static void roles_text(const struct host *h, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < h->ne && used < len; i++) {
		bool same =
		    i > 0 && strcmp(h->e[i - 1].role, h->e[i].role) == 0;

		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%d",
		                         i == 0 ? ""
		                         : same ? ","
		                                : " ",
		                         same ? "" : h->e[i].role,
		                         same ? "" : ":", h->e[i].port);
	}
}

/* Every host is known: record the plan, then resolve and probe. */
static void plan_start(struct job *job)
{
	const struct pipeline_opts *o = &job->pl->opts;
	size_t i, k;

	job->r.hosts =
	    calloc(job->nhosts ? job->nhosts : 1, sizeof(*job->r.hosts));
	if (job->r.hosts == NULL)
		return;
	for (i = 0; i < job->nhosts; i++) {
		char roles[256];

		roles_text(job->hosts[i], roles, sizeof(roles));
		job->hosts[i]->idx = i;
		job->r.hosts[i].name = strdup(job->hosts[i]->name);
		job->r.hosts[i].roles = strdup(roles);
	}
	job->r.nhosts = job->nhosts;
	/* counted before any lookup starts: one may answer at once */
	for (i = 0; i < job->nhosts; i++) {
		job->hosts[i]->lookups = (o->v4 ? 1 : 0) + (o->v6 ? 1 : 0);
		job->pending += job->hosts[i]->lookups;
	}
	for (i = 0; i < job->nhosts; i++) {
		struct host *h = job->hosts[i];

		if (job->r.dns.domain)
			for (k = 0; k < h->ne; k++)
				query_tlsa(job, h->name, h->e[k].port,
				           h->quiet);
		if (o->v4)
			dns_lookup(job->pl->dns, h->name, AF_INET, on_addrs, h);
		if (o->v6)
			dns_lookup(job->pl->dns, h->name, AF_INET6, on_addrs,
			           h);
	}
}

static bool in_domain(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	return hl == dl ? strcasecmp(host, domain) == 0
	                : hl > dl && host[hl - dl - 1] == '.' &&
	                      strcasecmp(host + hl - dl, domain) == 0;
}

static void plan_srv(struct job *job, const struct srv_rec *v, int n,
                     const char *role, enum probe_mode mode)
{
	const struct pipeline_opts *o = &job->pl->opts;
	int i;

	for (i = 0; i < n; i++) {
		if (v[i].target[0] == '\0')
			continue; /* "." : not offered */
		if (o->ports_given && !port_wanted(o, v[i].port))
			continue;
		if (!in_domain(v[i].target, job->r.host))
			report_finding(&job->r, "srv-outside-domain", SEV_INFO,
			               "the SRV records point outside the "
			               "domain, to %s",
			               v[i].target);
		plan_add(job, v[i].target, v[i].port, role, mode, false);
	}
}

/* RFC 5321 5.1 and RFC 6186: who receives mail, who takes submissions. */
static void plan_build(struct job *job)
{
	const struct pipeline_opts *o = &job->pl->opts;
	const struct dns_info *d = &job->r.dns;
	const char *name = job->r.host;
	bool srv = false;
	size_t i;
	int k;

	if (d->null_mx) {
		report_finding(&job->r, "null-mx", SEV_INFO,
		               "%s publishes a null MX (RFC 7505): it accepts "
		               "no mail",
		               name);
	} else if (d->nmx > 0) {
		for (k = 0; k < d->nmx; k++) {
			if (d->mx[k].host[0] == '\0') {
				report_finding(&job->r, "null-mx-mixed",
				               SEV_WARNING,
				               "a null MX (RFC 7505) among "
				               "other MX records: ignored");
				continue;
			}
			if (port_wanted(o, 25))
				plan_add(job, d->mx[k].host, 25, "mx",
				         port_mode(o, 25), false);
		}
	} else if (job->nxdomain) {
		/* NXDOMAIN: nothing to probe; dns.errors says so */
	} else {
		/* no MX: the name is a host; port 25 on it is its implicit
		 * MX, the other ports are what the user asked about */
		job->r.dns.implicit_mx = !job->mx_failed;
		for (i = 0; i < o->nports; i++)
			plan_add(job, name, o->ports[i],
			         o->ports[i] == 25 ? "mx" : "given",
			         port_mode(o, o->ports[i]), false);
	}
	/* an SRV record, even one saying "not offered", ends the guessing */
	srv = d->nsub > 0 || d->nsubs > 0;
	plan_srv(job, d->sub, d->nsub, "submission", MODE_PLAIN);
	plan_srv(job, d->subs, d->nsubs, "submissions", MODE_TLS);
	if (!srv && d->nmx > 0 && !d->null_mx) {
		char guess[300];

		report_finding(&job->r, "no-srv", SEV_INFO,
		               "no RFC 6186 SRV records for %s: probing the "
		               "names users try (smtp., mail., the MX hosts)",
		               name);
		for (i = 0; i < o->nports; i++) {
			int port = o->ports[i];

			if (port == 25)
				continue;
			snprintf(guess, sizeof(guess), "smtp.%s", name);
			plan_add(job, guess, port, "guess", port_mode(o, port),
			         true);
			snprintf(guess, sizeof(guess), "mail.%s", name);
			plan_add(job, guess, port, "guess", port_mode(o, port),
			         true);
			for (k = 0; k < d->nmx; k++)
				if (d->mx[k].host[0] != '\0')
					plan_add(job, d->mx[k].host, port,
					         "guess", port_mode(o, port),
					         true);
		}
	}
	plan_start(job);
}

/* The addresses of a host the plan will most likely name, asked now so
 * that they overlap the MX and SRV queries: the plan's own lookups then
 * join them on the way or find them cached (resolver/dns.c). */
static void on_prefetched(void *arg, int family, int status,
			  const struct dns_addr *addrs, size_t n,
			  const char *cname)
{
	(void)arg, (void)family, (void)status, (void)addrs, (void)n,
		(void)cname;
}

static void prefetch(struct job *job, const char *name)
{
	const struct pipeline_opts *o = &job->pl->opts;

	if (o->v4)
		dns_lookup(job->pl->dns, name, AF_INET, on_prefetched, NULL);
	if (o->v6)
		dns_lookup(job->pl->dns, name, AF_INET6, on_prefetched, NULL);
}

static void discovery_done(struct job *job)
{
	if (--job->discovery == 0)
		plan_build(job);
}

static void on_mx(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct job *job = arg;
	struct dns_info *d = &job->r.dns;

	dns_heard(job, status);
	if (status == ARES_SUCCESS) {
		d->nmx = records_mx(abuf, alen, &d->mx);
		d->mx_ad = records_ad(abuf, alen);
		if (d->nmx < 0) {
			d->nmx = 0;
			job->mx_failed = true;
			add_error(job, job->r.host, "MX", "malformed answer");
		} else if (d->nmx == 1 && d->mx[0].host[0] == '\0') {
			d->null_mx = true;
		} else {
			int k;

			/* the MX hosts are planned whatever the SRV say */
			for (k = 0; k < d->nmx; k++)
				if (d->mx[k].host[0] != '\0')
					prefetch(job, d->mx[k].host);
		}
	} else if (status == ARES_ENOTFOUND) {
		job->nxdomain = true;
		add_error(job, job->r.host, "MX", dns_status_name(status));
	} else if (status != ARES_ENODATA) {
		job->mx_failed = true;
		add_error(job, job->r.host, "MX", dns_status_name(status));
	}
	job->pending--;
	discovery_done(job);
	job_check(job);
}

static void on_srv(struct job *job, int status, const unsigned char *abuf,
                   int alen, struct srv_rec **out, int *n, const char *label)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.%s", label, job->r.host);
	dns_heard(job, status);
	if (status == ARES_SUCCESS) {
		*n = records_srv(abuf, alen, out);
		if (*n < 0) {
			*n = 0;
			add_error(job, name, "SRV", "malformed answer");
		}
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND) {
		add_error(job, name, "SRV", dns_status_name(status));
	}
	job->pending--;
	discovery_done(job);
	job_check(job);
}

static void on_sub(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct job *job = arg;

	on_srv(job, status, abuf, alen, &job->r.dns.sub, &job->r.dns.nsub,
	       "_submission._tcp");
}

static void on_subs(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct job *job = arg;

	on_srv(job, status, abuf, alen, &job->r.dns.subs, &job->r.dns.nsubs,
	       "_submissions._tcp");
}

static void on_txt(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct txt_query *q = arg;
	struct job *job = q->job;

	dns_heard(job, status);
	if (status == ARES_SUCCESS) {
		if (records_txt(abuf, alen, q->prefix, q->out, q->count) < 0)
			add_error(job, q->name, "TXT", "malformed answer");
	} else if (status != ARES_ENODATA && status != ARES_ENOTFOUND) {
		add_error(job, q->name, "TXT", dns_status_name(status));
	}
	free(q);
	job->pending--;
	job_check(job);
}

static void query_txt(struct job *job, const char *label, const char *prefix,
                      char **out, int *count)
{
	struct txt_query *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return;
	q->job = job;
	q->prefix = prefix;
	q->out = out;
	q->count = count;
	snprintf(q->name, sizeof(q->name), "%s%s", label, job->r.host);
	job->pending++;
	dns_query(job->pl->dns, q->name, ns_t_txt, on_txt, q);
}

/* The MTA-STS policy: mta-sts.DOMAIN's addresses, then one HTTPS GET. */
struct sts_fetch {
	struct job *job;
	struct dns_addr addrs[8];
	size_t n;
	int lookups;
	char host[300];
};

static void on_policy(void *arg, long status, const char *ctype,
		      const char *body, size_t len, const char *error,
		      time_t not_after)
{
	struct sts_fetch *f = arg;
	struct job *job = f->job;
	struct dns_info *d = &job->r.dns;
	char why[300] = "";

	d->sts_status = status;
	d->sts_not_after = not_after;
	d->sts_seen = time(NULL);
	if (error != NULL)
		snprintf(why, sizeof(why), "%s", error);
	else if (status != 200)
		snprintf(why, sizeof(why), "HTTP status %ld%s", status,
			 status >= 300 && status < 400
				 ? " (redirects are not followed, RFC 8461 "
				   "3.3)"
				 : "");
	else if (ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0 ||
		 (ctype[10] != '\0' && ctype[10] != ';' && ctype[10] != ' '))
		snprintf(why, sizeof(why),
			 "the policy is served as %s, not text/plain",
			 ctype ? ctype : "no content type");
	else if (mtasts_parse(body, len, &d->sts, why, sizeof(why)) == 0)
		d->sts_valid = true;
	if (!d->sts_valid)
		d->sts_error = sanitize(why, strlen(why));
	free(f);
	job->pending--;
	job_check(job);
}

static void on_sts_addrs(void *arg, int family, int status,
			 const struct dns_addr *addrs, size_t n,
			 const char *cname)
{
	struct sts_fetch *f = arg;
	struct job *job = f->job;
	size_t i;

	dns_heard(job, status);
	(void)family;
	(void)cname;
	for (i = 0; status == ARES_SUCCESS && i < n && f->n < 8; i++)
		f->addrs[f->n++] = addrs[i];
	if (--f->lookups > 0) {
		job->pending--;
		return;
	}
	if (f->n > 0 && job->pl->https != NULL) {
		job->r.dns.sts_tried = true;
		/* the policy has its own deadline: twice the timeout */
		if (https_get(job->pl->https, f->host,
			      "/.well-known/mta-sts.txt", f->addrs, f->n,
			      job->pl->opts.timeout_ms * 2, MTASTS_MAX_BYTES,
			      on_policy, f) == 0)
			return; /* this lookup's pending count goes on */
		job->r.dns.sts_error = strdup("the HTTPS fetch did not start");
	}
	free(f);
	job->pending--;
	job_check(job);
}

static void fetch_policy(struct job *job)
{
	struct sts_fetch *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return;
	f->job = job;
	f->lookups = 2;
	snprintf(f->host, sizeof(f->host), "mta-sts.%s", job->r.host);
	job->pending += 2;
	dns_lookup(job->pl->dns, f->host, AF_INET, on_sts_addrs, f);
	dns_lookup(job->pl->dns, f->host, AF_INET6, on_sts_addrs, f);
}

/* A name with no port: ask for its mail routing and policies; the plan
 * is built when MX and both SRV answers are in. */
static void discover(struct job *job)
{
	struct dns_info *d = &job->r.dns;
	struct dns *dns = job->pl->dns;
	char name[300];

	d->domain = true;
	job->discovery = 3;
	job->pending += 3;
	dns_query(dns, job->r.host, ns_t_mx, on_mx, job);
	/* without an MX the name is its own mail host (RFC 5321 5.1); a
	 * bulk run, where most names have an MX, does not ask in advance */
	if (!job->pl->opts.bulk)
		prefetch(job, job->r.host);
	snprintf(name, sizeof(name), "_submission._tcp.%s", job->r.host);
	dns_query(dns, name, ns_t_srv, on_sub, job);
	snprintf(name, sizeof(name), "_submissions._tcp.%s", job->r.host);
	dns_query(dns, name, ns_t_srv, on_subs, job);
	query_txt(job, "_mta-sts.", "v=STSv1", &d->mta_sts, &d->nmta_sts);
	query_txt(job, "_smtp._tls.", "v=TLSRPTv1", &d->tls_rpt, &d->ntls_rpt);
	query_txt(job, "", "v=spf1", &d->spf, &d->nspf);
	query_txt(job, "_dmarc.", "v=DMARC1", &d->dmarc, &d->ndmarc);
	fetch_policy(job);
}

static void probe_address(struct job *job, const struct target *t)
{
	const struct pipeline_opts *o = &job->pl->opts;
	struct sockaddr_storage ss;
	struct host h = {.job = job, .name = t->host};
	socklen_t len;
	size_t i;

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
	if (t->port)
		h.e[h.ne++] =
		    (struct entry){t->port, "given", port_mode(o, t->port)};
	else
		for (i = 0; i < o->nports; i++)
			h.e[h.ne++] = (struct entry){o->ports[i], "given",
			                             port_mode(o, o->ports[i])};
	for (i = 0; i < h.ne; i++)
		add_probe(&h, (struct sockaddr *)&ss, len, &h.e[i]);
	add_control(job, (struct sockaddr *)&ss, len, NULL);
}

int pipeline_add(struct pipeline *pl, const struct target *t)
{
	struct job *job = calloc(1, sizeof(*job));
	size_t i;

	if (job == NULL)
		return -1;
	job->pl = pl;
	job->t0 = loop_now();
	job->r.started = time(NULL);
	job->r.check = pl->opts.check;
	job->r.cert_warn_days = pl->opts.cert_warn_days;
	job->r.cert_crit_days = pl->opts.cert_crit_days;
	job->r.user = pl->opts.credentials ? pl->opts.credentials->user : NULL;
	job->port = t->port;
	job->r.target = strdup(t->input);
	job->r.host = strdup(t->host);
	job->r.unicode = t->unicode ? strdup(t->unicode) : NULL;
	job->r.is_address = t->family != 0;
	job->r.nports = t->port ? 1 : pl->opts.nports;
	job->r.ports = calloc(job->r.nports, sizeof(int));
	if (job->r.target == NULL || job->r.host == NULL ||
	    job->r.ports == NULL) {
		report_free(&job->r);
		free(job);
		return -1;
	}
	if (t->port)
		job->r.ports[0] = t->port;
	else
		memcpy(job->r.ports, pl->opts.ports,
		       pl->opts.nports * sizeof(int));
	pl->jobs++;
	/* held while starting, so a query that answers at once cannot
	 * finish the job under our feet */
	job->pending = 1;
	if (job->r.is_address) {
		probe_address(job, t);
	} else if (t->port) {
		/* host:port asks about that one service, nothing else */
		plan_add(job, t->host, t->port, "given",
		         port_mode(&pl->opts, t->port), false);
		plan_start(job);
	} else if (pl->opts.hosts_only) {
		for (i = 0; i < pl->opts.nports; i++)
			plan_add(job, t->host, pl->opts.ports[i], "given",
				 port_mode(&pl->opts, pl->opts.ports[i]),
				 false);
		plan_start(job);
	} else {
		discover(job);
	}
	job->pending--;
	job_check(job);
	return 0;
}

static void on_tick(void *arg)
{
	struct pipeline *pl = arg;

	pl->tick_cb(pl->tick_arg);
	loop_timer_arm(pl->loop, &pl->tick, loop_now() + pl->tick_ms, on_tick,
		       pl);
}

void pipeline_every(struct pipeline *pl, unsigned ms, void (*cb)(void *),
		    void *arg)
{
	pl->tick_ms = ms;
	pl->tick_cb = cb;
	pl->tick_arg = arg;
	loop_timer_arm(pl->loop, &pl->tick, loop_now() + ms, on_tick, pl);
}

/* SIGINT or SIGTERM: stop taking targets, give the sessions in flight a
 * second, then give up on them; every line already written stays whole. */
static void on_give_up(void *arg)
{
	struct pipeline *pl = arg;

	pl->gave_up = true;
}

static void on_signal(void *arg, int fd, unsigned events)
{
	struct pipeline *pl = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (pl->signal == 0)
		loop_timer_arm(pl->loop, &pl->give_up, loop_now() + 1000,
			       on_give_up, pl);
	pl->signal = (int)si.ssi_signo;
}

static void watch_signals(struct pipeline *pl)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return;
	pl->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (pl->sigfd >= 0 &&
	    loop_watch(pl->loop, pl->sigfd, LOOP_READ, on_signal, pl) < 0) {
		close(pl->sigfd);
		pl->sigfd = -1;
	}
}

static void on_input(void *arg, int fd, unsigned events)
{
	struct pipeline *pl = arg;

	(void)events;
	loop_unwatch(pl->loop, fd);
	pl->input_ready = true;
}

int pipeline_run(struct pipeline *pl, pipeline_feed feed, void *arg,
		 int input_fd, size_t max_jobs)
{
	bool more = feed != NULL;

	if (pl->sigfd < 0)
		watch_signals(pl);
	pl->input_ready = true;
	for (;;) {
		/* bulk input: keep a bounded set of targets in flight */
		while (more && pl->input_ready && pl->signal == 0 &&
		       pl->jobs < max_jobs) {
			int r = feed(arg, pl);

			more = r != 0;
			if (r < 0) {
				/* nothing to read now: wait on the loop */
				pl->input_ready = false;
				if (loop_watch(pl->loop, input_fd, LOOP_READ,
					       on_input, pl) < 0)
					pl->input_ready = true;
			}
		}
		if (pl->jobs == 0 && (!more || pl->signal != 0))
			break;
		if (pl->gave_up)
			break;
		if (loop_run_once(pl->loop, -1) < 0)
			return -1;
	}
	if (!pl->input_ready)
		loop_unwatch(pl->loop, input_fd);
	return pl->signal;
}
