/*
 * stsfetch - the MTA-STS policy of a domain (RFC 8461 3.3): resolve
 * mta-sts.DOMAIN, then one HTTPS GET of /.well-known/mta-sts.txt from
 * those addresses; the result goes into the domain's dns_info.
 */
#ifndef RESOLVER_STSFETCH_H
#define RESOLVER_STSFETCH_H

#include "resolver/dns.h"
#include "resolver/https.h"
#include "resolver/resolver.h"

/* Starts the fetch; done(arg) runs once, from the loop, when d holds
 * the outcome.  -1 if nothing started (done is then not called). */
int sts_fetch_start(struct dns *dns, struct https *https, const char *domain,
		    unsigned timeout_ms, struct dns_info *d,
		    void (*done)(void *), void *arg);

#endif
