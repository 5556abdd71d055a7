/*
 * dns - a c-ares channel driven by the event loop.  c-ares 1.18 has no
 * event thread: it tells us which sockets it wants watched through
 * ARES_OPT_SOCK_STATE_CB, and when to wake it through ares_timeout().
 */
#ifndef RESOLVER_DNS_H
#define RESOLVER_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/loop.h"

struct dns;

struct dns_opts {
	const char *servers; /* c-ares CSV "a:p,[v6]:p"; NULL: the system's */
	unsigned timeout_ms; /* per try */
	unsigned tries;
};

struct dns_addr {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* status is an ARES_ status; addrs holds n addresses on success; cname
 * is the CNAME chain "alias -> ... -> canonical" when the name asked was
 * an alias, else NULL. */
typedef void (*dns_addr_cb)(void *arg, int family, int status,
			    const struct dns_addr *addrs, size_t n,
			    const char *cname);

struct dns *dns_new(struct loop *loop, const struct dns_opts *opts, char *err,
		    size_t errlen);
void dns_free(struct dns *dns);

/* A (AF_INET) or AAAA (AF_INET6) of name; cb runs from the loop. */
void dns_lookup(struct dns *dns, const char *name, int family, dns_addr_cb cb,
		void *arg);

/* A or AAAA of name from the system's hosts file alone, never from DNS
 * (for a name DNS says does not exist: localhost, an internal network's
 * hosts); cb runs from the loop, with ARES_ENOTFOUND when the file does
 * not have it. */
void dns_hosts_file(struct dns *dns, const char *name, int family,
		    dns_addr_cb cb, void *arg);

/* status is ARES_SUCCESS with the raw answer (which has records),
 * ARES_ENODATA with the raw answer when there was one (no records: its AD
 * bit says whether the denial was validated), or ARES_ENOTFOUND
 * (NXDOMAIN), ARES_ESERVFAIL, ... without. */
typedef void (*dns_raw_cb)(void *arg, int status, const unsigned char *abuf,
			   int alen);

/* Any record type (ns_t_mx, ...) of name, asked with the AD bit set so a
 * validating resolver says whether it validated (RFC 6840 5.7).  No search
 * domains: these names are absolute. */
void dns_query(struct dns *dns, const char *name, int type, dns_raw_cb cb,
	       void *arg);

/* Whether the AD bit of this channel's answers means anything: only
 * from a resolver the user trusts to validate and to reach without an
 * attacker on the way, that is when every server is on loopback (a local
 * validating resolver) or was named with --dns-server.  A remote resolver
 * from resolv.conf, over plain UDP, proves nothing by AD (RFC 6698 4.1,
 * RFC 4035 4.9.3). */
bool dns_ad_trusted(struct dns *dns);

/* Whether status means the server replied, good or bad: a timeout or a
 * refused port is no reply (reports/ tell a dead server from them). */
bool dns_status_answered(int status);

/* Sockets c-ares may hold for nservers servers (a UDP and a TCP one
 * each): part of the descriptor budget.  nservers 0: the system's (at
 * most 3 in resolv.conf). */
#define DNS_MAX_SOCKETS(nservers) (2 * ((nservers) ? (nservers) : 3))

/* "NXDOMAIN", "SERVFAIL", "timeout", ... for an ARES_ status. */
const char *dns_status_name(int status);

#endif
