#include "resolver/dns.h"

#include "core/buf.h"
#include <ares.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dns {
	struct loop *loop;
	ares_channel channel;
	struct loop_timer timer;
};

struct lookup {
	struct dns *dns;
	dns_addr_cb cb;
	void *arg;
	int family;
	char name[256];
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
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = dns;
	o.timeout = (int)opts->timeout_ms;
	o.tries = (int)opts->tries;
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
	if (dns == NULL)
		return;
	/* pending callbacks run with ARES_EDESTRUCTION */
	ares_destroy(dns->channel);
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
			if (c->alias && c->name && strcasecmp(c->alias, at) == 0)
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

static void on_addrinfo(void *arg, int status, int timeouts,
			struct ares_addrinfo *res)
{
	struct lookup *lk = arg;
	struct dns_addr *addrs = NULL;
	const char *cname = NULL;
	char *chain = NULL;
	size_t n = 0, cap = 0;
	struct ares_addrinfo_node *node;

	(void)timeouts;
	if (status == ARES_SUCCESS && res != NULL) {
		for (node = res->nodes; node != NULL; node = node->ai_next) {
			if (node->ai_family != lk->family ||
			    node->ai_addrlen > sizeof(addrs->sa))
				continue;
			if (n == cap) {
				size_t c = cap ? cap * 2 : 4;
				struct dns_addr *a =
					realloc(addrs, c * sizeof(*a));

				if (a == NULL)
					break;
				addrs = a;
				cap = c;
			}
			memset(&addrs[n], 0, sizeof(addrs[n]));
			memcpy(&addrs[n].sa, node->ai_addr, node->ai_addrlen);
			addrs[n].len = node->ai_addrlen;
			n++;
		}
		cname = chain = cname_chain(res, lk->name);
		if (n == 0)
			status = ARES_ENODATA;
	}
	if (status != ARES_EDESTRUCTION)
		lk->cb(lk->arg, lk->family, status, addrs, n, cname);
	free(addrs);
	free(chain);
	if (res != NULL)
		ares_freeaddrinfo(res);
	free(lk);
}

void dns_lookup(struct dns *dns, const char *name, int family, dns_addr_cb cb,
		void *arg)
{
	struct ares_addrinfo_hints hints;
	struct lookup *lk = calloc(1, sizeof(*lk));

	if (lk == NULL) {
		cb(arg, family, ARES_ENOMEM, NULL, 0, NULL);
		return;
	}
	lk->dns = dns;
	lk->cb = cb;
	lk->arg = arg;
	lk->family = family;
	snprintf(lk->name, sizeof(lk->name), "%s", name);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(dns->channel, name, NULL, &hints, on_addrinfo, lk);
	schedule(dns);
}

struct raw {
	dns_raw_cb cb;
	void *arg;
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
	if (status == ARES_SUCCESS)
		status = answer_status(abuf, alen);
	if (status != ARES_EDESTRUCTION)
		q->cb(q->arg, status, status == ARES_SUCCESS ? abuf : NULL,
		      status == ARES_SUCCESS ? alen : 0);
	free(q);
}

void dns_query(struct dns *dns, const char *name, int type, dns_raw_cb cb,
	       void *arg)
{
	unsigned char *qbuf = NULL;
	struct raw *q = malloc(sizeof(*q));
	int qlen = 0, rc;

	if (q == NULL) {
		cb(arg, ARES_ENOMEM, NULL, 0);
		return;
	}
	q->cb = cb;
	q->arg = arg;
	/* EDNS with 1232 bytes (the DNS flag day size) for long TXT/TLSA */
	rc = ares_create_query(name, ns_c_in, type, 0, 1, &qbuf, &qlen, 1232);
	if (rc != ARES_SUCCESS) {
		free(q);
		cb(arg, rc, NULL, 0);
		return;
	}
	qbuf[3] |= 0x20; /* AD */
	ares_send(dns->channel, qbuf, qlen, on_raw, q);
	ares_free_string(qbuf);
	schedule(dns);
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
