#include "resolver/dns.h"

#include "core/buf.h"
#include "core/hash.h"
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdbool.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CACHE_BUCKETS 1024
#define CACHE_MAX 50000	    /* entries: bulk runs stay bounded */
#define CACHE_NEGATIVE_S 60 /* NXDOMAIN and no data, RFC 2308-ish */
#define CACHE_MAX_TTL_S 3600

struct waiter {
	dns_addr_cb cb;
	void *arg;
	struct waiter *next;
};

/* One name and family: its answer for its TTL, or the callers waiting
 * for the query in flight.  MX hosts shared by many domains are looked
 * up once per bulk run, not once per domain. */
struct lookup {
	struct dns *dns;
	int family;
	char name[256];
	bool done;
	bool cached;	  /* in dns->cache, else freed once answered */
	uint64_t expires; /* loop_now() ms */
	int status;
	struct dns_addr *addrs;
	size_t n;
	char *cname;
	unsigned tries; /* asked so far */
	struct waiter *waiters;
	struct lookup *next; /* in its bucket */
};

static void lookup_free(struct lookup *lk);

/* A lookup answered from the cache: its callback runs from the loop, as
 * for any other, with a copy of the answer (the entry may expire before
 * the loop comes round). */
struct hit {
	struct dns *dns;
	struct loop_timer timer;
	dns_addr_cb cb;
	void *arg;
	int family, status;
	struct dns_addr *addrs;
	size_t n;
	char *cname;
	struct hit *prev, *next; /* in dns->hits */
};

struct dns {
	struct loop *loop;
	ares_channel channel;
	ares_channel files; /* the hosts file only; made on first use */
	unsigned tries;	    /* rounds of the servers per question */
	bool servers_given; /* --dns-server: every name is asked of them */
	struct loop_timer timer;
	struct lookup *cache[CACHE_BUCKETS];
	size_t ncache;
	struct hit *hits; /* cache hits not yet called back */
};

static void schedule(struct dns *dns);

static void on_timer(void *arg)
{
	struct dns *dns = arg;

	ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	schedule(dns);
}

/* c-ares keeps its own per-query timeouts; we only wake it in time. */
static void schedule(struct dns *dns)
{
	struct timeval tv, *t = ares_timeout(dns->channel, NULL, &tv);

	if (t == NULL) {
		loop_timer_cancel(dns->loop, &dns->timer);
		return;
	}
	loop_timer_arm(dns->loop, &dns->timer,
		       loop_now() + (uint64_t)t->tv_sec * 1000 +
			       (uint64_t)(t->tv_usec + 999) / 1000,
		       on_timer, dns);
}

static void on_io(void *arg, int fd, unsigned events)
{
	struct dns *dns = arg;

	ares_process_fd(dns->channel,
			(events & LOOP_READ) ? fd : ARES_SOCKET_BAD,
			(events & LOOP_WRITE) ? fd : ARES_SOCKET_BAD);
	schedule(dns);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable,
			  int writable)
{
	struct dns *dns = data;

	if (!readable && !writable) {
		loop_unwatch(dns->loop, fd);
		return;
	}
	if (loop_watch(dns->loop, fd,
		       (readable ? LOOP_READ : 0) | (writable ? LOOP_WRITE : 0),
		       on_io, dns) < 0)
		/* c-ares will time the query out; nothing better to do */
		return;
}

struct dns *dns_new(struct loop *loop, const struct dns_opts *opts, char *err,
		    size_t errlen)
{
	struct ares_options o;
	struct dns *dns;
	int mask, rc;
	static int initialised;

	if (!initialised) {
		rc = ares_library_init(ARES_LIB_INIT_ALL);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
			return NULL;
		}
		initialised = 1;
	}
	dns = calloc(1, sizeof(*dns));
	if (dns == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dns->loop = loop;
	dns->tries = opts->tries > 0 ? opts->tries : 1;
	dns->servers_given = opts->servers != NULL;
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = dns;
	/* c-ares doubles the wait on each try (2 s, then 4 s, ...); one try
	 * per round here, the rounds counted by us, keeps every try at
	 * timeout_ms: 2 tries of 2 s cost 4 s, as the manual says */
	o.timeout = (int)opts->timeout_ms;
	o.tries = 1;
	/* REFUSED and SERVFAIL come back as answers, so they are reported
	 * as what they are, not as "connection refused" */
	o.flags = ARES_FLAG_NOCHECKRESP;
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	       ARES_OPT_FLAGS;
	if (opts->servers != NULL) {
		/* a server named on the command line is asked for real: no
		 * hosts file, no search domains */
		o.lookups = (char *)"b";
		o.domains = NULL;
		o.ndomains = 0;
		mask |= ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS;
	}
	rc = ares_init_options(&dns->channel, &o, mask);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(dns);
		return NULL;
	}
	if (opts->servers != NULL) {
		rc = ares_set_servers_ports_csv(dns->channel, opts->servers);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "--dns-server: %s",
				 ares_strerror(rc));
			ares_destroy(dns->channel);
			free(dns);
			return NULL;
		}
	}
	return dns;
}

void dns_free(struct dns *dns)
{
	size_t i;

	if (dns == NULL)
		return;
	/* answered entries go now; the ones in flight are freed by their
	 * ARES_EDESTRUCTION callback, so unlink them first */
	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct lookup *lk = dns->cache[i], *next;

		for (; lk != NULL; lk = next) {
			next = lk->next;
			lk->cached = false;
			if (lk->done)
				lookup_free(lk);
		}
		dns->cache[i] = NULL;
	}
	dns->ncache = 0;
	/* like the queries in flight, the hits not yet answered are
	 * dropped without a callback */
	while (dns->hits != NULL) {
		struct hit *h = dns->hits;

		dns->hits = h->next;
		loop_timer_cancel(dns->loop, &h->timer);
		free(h->addrs);
		free(h->cname);
		free(h);
	}
	ares_destroy(dns->channel);
	if (dns->files != NULL)
		ares_destroy(dns->files);
	loop_timer_cancel(dns->loop, &dns->timer);
	free(dns);
}

/* "alias -> next -> canonical" from c-ares's CNAME list, which holds the
 * links in answer order; NULL when the name was not an alias. */
static char *cname_chain(const struct ares_addrinfo *res, const char *asked)
{
	const struct ares_addrinfo_cname *c;
	struct buf b = {.limit = 2048};
	const char *at = asked;
	int hops = 0;

	if (res->cnames == NULL)
		return NULL;
	buf_append(&b, asked, strlen(asked));
	/* follow the links from the name asked; bounded against loops */
	while (hops++ < 16) {
		for (c = res->cnames; c != NULL; c = c->next)
			if (c->alias && c->name &&
			    strcasecmp(c->alias, at) == 0)
				break;
		if (c == NULL)
			break;
		buf_append(&b, " -> ", 4);
		buf_append(&b, c->name, strlen(c->name));
		at = c->name;
	}
	if (at == asked) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static unsigned cache_hash(const char *name, int family)
{
	uint32_t h = FNV32_BASIS ^ (uint32_t)family;

	/* names are case-insensitive: fold ASCII letters */
	for (; *name != '\0'; name++)
		h = fnv32_byte(h, (unsigned char)(*name | 0x20));
	return h % CACHE_BUCKETS;
}

static void lookup_free(struct lookup *lk)
{
	struct waiter *w, *next;

	for (w = lk->waiters; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	free(lk->addrs);
	free(lk->cname);
	free(lk);
}

static void cache_remove(struct dns *dns, struct lookup *lk)
{
	struct lookup **pp = &dns->cache[cache_hash(lk->name, lk->family)];

	while (*pp != NULL && *pp != lk)
		pp = &(*pp)->next;
	if (*pp == lk) {
		*pp = lk->next;
		dns->ncache--;
	}
	lk->cached = false;
}

static void ask_addrinfo(struct lookup *lk);
static void lookup_done(struct lookup *lk, int status, int ttl);

/* RFC 6761 names, which c-ares answers itself and never sends. */
static bool is_localhost(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	return (n == 9 && strncasecmp(name, "localhost", 9) == 0) ||
	       (n > 10 && strncasecmp(name + n - 10, ".localhost", 10) == 0);
}

/* An A or AAAA answer asked with ares_query, as dns_addrs. */
static void on_local_answer(void *arg, int status, int timeouts,
			    unsigned char *abuf, int alen)
{
	struct lookup *lk = arg;
	struct ares_addrttl a4[16];
	struct ares_addr6ttl a6[16];
	int i, n = 16, ttl = CACHE_MAX_TTL_S;

	(void)timeouts;
	if (status == ARES_ETIMEOUT && lk->tries < lk->dns->tries) {
		ask_addrinfo(lk); /* another round, as long as the first */
		return;
	}
	if (status == ARES_SUCCESS)
		status = lk->family == AF_INET
				 ? ares_parse_a_reply(abuf, alen, NULL, a4, &n)
				 : ares_parse_aaaa_reply(abuf, alen, NULL, a6,
							 &n);
	if (status == ARES_SUCCESS && n > 0) {
		lk->addrs = calloc((size_t)n, sizeof(*lk->addrs));
		for (i = 0; lk->addrs != NULL && i < n; i++) {
			struct dns_addr *d = &lk->addrs[i];

			if (lk->family == AF_INET) {
				struct sockaddr_in *s = (void *)&d->sa;

				s->sin_family = AF_INET;
				s->sin_addr = a4[i].ipaddr;
				d->len = sizeof(*s);
				if (a4[i].ttl < ttl)
					ttl = a4[i].ttl < 0 ? 0 : a4[i].ttl;
			} else {
				struct sockaddr_in6 *s = (void *)&d->sa;

				s->sin6_family = AF_INET6;
				memcpy(&s->sin6_addr, &a6[i].ip6addr,
				       sizeof(s->sin6_addr));
				d->len = sizeof(*s);
				if (a6[i].ttl < ttl)
					ttl = a6[i].ttl < 0 ? 0 : a6[i].ttl;
			}
			lk->n++;
		}
	}
	if (status == ARES_SUCCESS && lk->n == 0)
		status = ARES_ENODATA;
	lookup_done(lk, status, ttl);
}

/* c-ares's answer into lk (addresses of lk's family, the CNAME chain);
 * the status, and the shortest TTL in *ttl. */
static int take_addrinfo(struct lookup *lk, int status,
			 const struct ares_addrinfo *res, int *ttl)
{
	struct ares_addrinfo_node *node;
	size_t cap = 0;

	if (status != ARES_SUCCESS || res == NULL)
		return status;
	for (node = res->nodes; node != NULL; node = node->ai_next) {
		if (node->ai_family != lk->family ||
		    node->ai_addrlen > sizeof(lk->addrs->sa))
			continue;
		if (lk->n == cap) {
			size_t c = cap ? cap * 2 : 4;
			struct dns_addr *a = realloc(lk->addrs, c * sizeof(*a));

			if (a == NULL)
				break;
			lk->addrs = a;
			cap = c;
		}
		memset(&lk->addrs[lk->n], 0, sizeof(lk->addrs[0]));
		memcpy(&lk->addrs[lk->n].sa, node->ai_addr, node->ai_addrlen);
		lk->addrs[lk->n].len = node->ai_addrlen;
		lk->n++;
		if (node->ai_ttl < *ttl)
			*ttl = node->ai_ttl < 0 ? 0 : node->ai_ttl;
	}
	lk->cname = cname_chain(res, lk->name);
	return lk->n == 0 ? ARES_ENODATA : status;
}

static void on_addrinfo(void *arg, int status, int timeouts,
			struct ares_addrinfo *res)
{
	struct lookup *lk = arg;
	int ttl = CACHE_MAX_TTL_S;

	(void)timeouts;
	if (status == ARES_ETIMEOUT && lk->tries < lk->dns->tries) {
		if (res != NULL)
			ares_freeaddrinfo(res);
		ask_addrinfo(lk); /* another round, as long as the first */
		return;
	}
	status = take_addrinfo(lk, status, res, &ttl);
	if (res != NULL)
		ares_freeaddrinfo(res);
	lookup_done(lk, status, ttl);
}

/* The answer of a lookup, to every caller waiting for it. */
static void lookup_done(struct lookup *lk, int status, int ttl)
{
	struct waiter *w, *waiters;

	if (status == ARES_EDESTRUCTION) {
		lookup_free(lk); /* dns_free took it out of the cache */
		return;
	}
	/* keep answers for their TTL, "no such name" for a minute, and
	 * failures (timeouts, SERVFAIL) not at all */
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA)
		ttl = CACHE_NEGATIVE_S;
	else if (status != ARES_SUCCESS)
		ttl = 0;
	lk->done = true;
	lk->status = status;
	lk->expires = loop_now() + (uint64_t)ttl * 1000;
	waiters = lk->waiters;
	lk->waiters = NULL;
	if (ttl == 0)
		cache_remove(lk->dns, lk);
	for (w = waiters; w != NULL; w = w->next)
		w->cb(w->arg, lk->family, lk->status, lk->addrs, lk->n,
		      lk->cname);
	while (waiters != NULL) {
		w = waiters->next;
		free(waiters);
		waiters = w;
	}
	if (!lk->cached)
		lookup_free(lk);
}

static void on_hit(void *arg)
{
	struct hit *h = arg;

	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		h->dns->hits = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	h->cb(h->arg, h->family, h->status, h->addrs, h->n, h->cname);
	free(h->addrs);
	free(h->cname);
	free(h);
}

/* answer_later - lk's answer to cb, from the loop; at once only when
 * there is no memory to keep a copy */
static void answer_later(struct dns *dns, const struct lookup *lk,
			 dns_addr_cb cb, void *arg)
{
	struct hit *h = calloc(1, sizeof(*h));

	if (h != NULL && lk->n > 0 &&
	    (h->addrs = malloc(lk->n * sizeof(*h->addrs))) == NULL) {
		free(h);
		h = NULL;
	}
	if (h != NULL && lk->cname != NULL &&
	    (h->cname = strdup(lk->cname)) == NULL) {
		free(h->addrs);
		free(h);
		h = NULL;
	}
	if (h == NULL) {
		cb(arg, lk->family, lk->status, lk->addrs, lk->n, lk->cname);
		return;
	}
	if (lk->n > 0)
		memcpy(h->addrs, lk->addrs, lk->n * sizeof(*h->addrs));
	h->n = lk->n;
	h->dns = dns;
	h->cb = cb;
	h->arg = arg;
	h->family = lk->family;
	h->status = lk->status;
	h->next = dns->hits;
	if (h->next != NULL)
		h->next->prev = h;
	dns->hits = h;
	loop_timer_arm(dns->loop, &h->timer, 0, on_hit, h);
}

void dns_lookup(struct dns *dns, const char *name, int family, dns_addr_cb cb,
		void *arg)
{
	unsigned b = cache_hash(name, family);
	struct lookup *lk;
	struct waiter *w;

	for (lk = dns->cache[b]; lk != NULL; lk = lk->next)
		if (lk->family == family && strcasecmp(lk->name, name) == 0)
			break;
	if (lk != NULL && lk->done && lk->expires <= loop_now()) {
		cache_remove(dns, lk);
		lookup_free(lk);
		lk = NULL;
	}
	if (lk != NULL && lk->done) {
		answer_later(dns, lk, cb, arg);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		cb(arg, family, ARES_ENOMEM, NULL, 0, NULL);
		return;
	}
	w->cb = cb;
	w->arg = arg;
	if (lk != NULL) {
		/* the same question is on its way: wait for its answer */
		w->next = lk->waiters;
		lk->waiters = w;
		return;
	}
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL) {
		free(w);
		cb(arg, family, ARES_ENOMEM, NULL, 0, NULL);
		return;
	}
	lk->dns = dns;
	lk->family = family;
	lk->waiters = w;
	snprintf(lk->name, sizeof(lk->name), "%s", name);
	if (dns->ncache < CACHE_MAX) {
		lk->next = dns->cache[b];
		dns->cache[b] = lk;
		dns->ncache++;
		lk->cached = true;
	}
	ask_addrinfo(lk);
}

/* The hosts file's answer: to the caller from the loop, never cached
 * (the file is read each time, as by getaddrinfo). */
static void on_files(void *arg, int status, int timeouts,
		     struct ares_addrinfo *res)
{
	struct lookup *lk = arg;
	int ttl = 0;

	(void)timeouts;
	lk->status = take_addrinfo(lk, status, res, &ttl);
	/* c-ares 1.18 says "connection refused" when no lookup is left:
	 * here that only means the file does not have the name */
	if (lk->status != ARES_SUCCESS && lk->status != ARES_ENOMEM)
		lk->status = ARES_ENOTFOUND;
	lk->done = true;
	if (res != NULL)
		ares_freeaddrinfo(res);
	answer_later(lk->dns, lk, lk->waiters->cb, lk->waiters->arg);
	lookup_free(lk);
}

void dns_hosts_file(struct dns *dns, const char *name, int family,
		    dns_addr_cb cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct lookup *lk;

	if (dns->files == NULL) {
		struct ares_options o;

		/* a channel that only reads the file: it sends nothing */
		memset(&o, 0, sizeof(o));
		o.lookups = (char *)"f";
		if (ares_init_options(&dns->files, &o, ARES_OPT_LOOKUPS) !=
		    ARES_SUCCESS)
			dns->files = NULL;
	}
	lk = calloc(1, sizeof(*lk));
	if (lk != NULL &&
	    (lk->waiters = calloc(1, sizeof(*lk->waiters))) == NULL) {
		free(lk);
		lk = NULL;
	}
	if (dns->files == NULL || lk == NULL) {
		if (lk != NULL)
			lookup_free(lk); /* and its waiter */
		cb(arg, family, ARES_ENOMEM, NULL, 0, NULL);
		return;
	}
	lk->dns = dns;
	lk->family = family;
	lk->waiters->cb = cb;
	lk->waiters->arg = arg;
	snprintf(lk->name, sizeof(lk->name), "%s", name);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(dns->files, name, NULL, &hints, on_files, lk);
}

static void ask_addrinfo(struct lookup *lk)
{
	struct dns *dns = lk->dns; /* lk may be gone when c-ares returns */
	struct ares_addrinfo_hints hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = lk->family;
	hints.ai_flags = ARES_AI_NOSORT;
	lk->tries++;
	if (dns->servers_given && is_localhost(lk->name)) {
		/* c-ares keeps localhost from any server (RFC 6761); the
		 * user named a server and asks it */
		ares_query(dns->channel, lk->name, ns_c_in,
			   lk->family == AF_INET ? ns_t_a : ns_t_aaaa,
			   on_local_answer, lk);
		schedule(dns);
		return;
	}
	ares_getaddrinfo(dns->channel, lk->name, NULL, &hints, on_addrinfo, lk);
	schedule(dns);
}

struct raw {
	struct dns *dns;
	dns_raw_cb cb;
	void *arg;
	unsigned tries; /* asked so far */
	int qlen;
	unsigned char qbuf[]; /* the question, to ask again */
};

/* ares_send reports any answer as success; sort them like ares_query. */
static int answer_status(const unsigned char *abuf, int alen)
{
	if (alen < HFIXEDSZ)
		return ARES_EBADRESP;
	switch (abuf[3] & 0x0f) {
	case 0:
		return (abuf[6] | abuf[7]) ? ARES_SUCCESS : ARES_ENODATA;
	case 2:
		return ARES_ESERVFAIL;
	case 3:
		return ARES_ENOTFOUND;
	case 5:
		return ARES_EREFUSED;
	default:
		return ARES_EBADRESP;
	}
}

static void on_raw(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct raw *q = arg;

	(void)timeouts;
	if (status == ARES_ETIMEOUT && q->tries < q->dns->tries) {
		struct dns *dns =
			q->dns; /* q may be gone when c-ares returns */

		q->tries++; /* another round, as long as the first */
		ares_send(dns->channel, q->qbuf, q->qlen, on_raw, q);
		schedule(dns);
		return;
	}
	if (status == ARES_SUCCESS)
		status = answer_status(abuf, alen);
	if (status != ARES_EDESTRUCTION) {
		/* no data comes with its answer: its AD bit says whether
		 * the denial was validated */
		bool answer = status == ARES_SUCCESS || status == ARES_ENODATA;

		q->cb(q->arg, status, answer ? abuf : NULL, answer ? alen : 0);
	}
	free(q);
}

void dns_query(struct dns *dns, const char *name, int type, dns_raw_cb cb,
	       void *arg)
{
	unsigned char *qbuf = NULL;
	struct raw *q;
	int qlen = 0, rc;

	/* EDNS with 1232 bytes (the DNS flag day size) for long TXT/TLSA */
	rc = ares_create_query(name, ns_c_in, type, 0, 1, &qbuf, &qlen, 1232);
	if (rc != ARES_SUCCESS) {
		cb(arg, rc, NULL, 0);
		return;
	}
	q = malloc(sizeof(*q) + (size_t)qlen);
	if (q == NULL) {
		ares_free_string(qbuf);
		cb(arg, ARES_ENOMEM, NULL, 0);
		return;
	}
	q->dns = dns;
	q->cb = cb;
	q->arg = arg;
	q->tries = 1;
	q->qlen = qlen;
	memcpy(q->qbuf, qbuf, (size_t)qlen);
	ares_free_string(qbuf);
	q->qbuf[3] |= 0x20; /* AD */
	ares_send(dns->channel, q->qbuf, q->qlen, on_raw, q);
	schedule(dns);
}

bool dns_ad_trusted(struct dns *dns)
{
	static const unsigned char loop6[16] = {[15] = 1};
	struct ares_addr_port_node *servers = NULL, *s;
	bool local = true;

	if (dns->servers_given)
		return true;
	if (ares_get_servers_ports(dns->channel, &servers) != ARES_SUCCESS)
		return false;
	for (s = servers; s != NULL; s = s->next)
		local &= s->family == AF_INET
				 ? (ntohl(s->addr.addr4.s_addr) >> 24) == 127
				 : memcmp(&s->addr.addr6, loop6,
					  sizeof(loop6)) == 0;
	local &= servers != NULL;
	ares_free_data(servers);
	return local;
}

bool dns_status_answered(int status)
{
	return status != ARES_ETIMEOUT && status != ARES_ECONNREFUSED &&
	       status != ARES_ENOMEM && status != ARES_EDESTRUCTION &&
	       status != ARES_ECANCELLED;
}

const char *dns_status_name(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return "ok";
	case ARES_ENOTFOUND:
		return "NXDOMAIN";
	case ARES_ENODATA:
		return "no data";
	case ARES_ESERVFAIL:
		return "SERVFAIL";
	case ARES_EREFUSED:
		return "REFUSED";
	case ARES_ETIMEOUT:
		return "timeout";
	case ARES_ECONNREFUSED:
		return "connection refused";
	default:
		return ares_strerror(status);
	}
}
