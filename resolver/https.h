/*
 * https - HTTPS GETs on the event loop, through libcurl's multi-socket
 * interface (libcurl does HTTP and certificate checks well; we only
 * drive its sockets and timers).  For the MTA-STS policy fetch
 * (RFC 8461 3.3): no redirects, no proxies, https only, a size limit, a
 * timeout, and the addresses we resolved ourselves, so no other resolver
 * is ever asked.
 */
#ifndef RESOLVER_HTTPS_H
#define RESOLVER_HTTPS_H

#include <stddef.h>
#include <time.h>

#include "core/loop.h"
#include "resolver/dns.h"

struct https;

/* status: the HTTP status (0 when there was none); error: NULL, or why
 * the request failed (curl's words, a limit, ...); the body is bounded
 * by max_bytes and NUL-terminated; not_after: when the server's
 * certificate expires, 0 when no response came over a verified TLS. */
typedef void (*https_cb)(void *arg, long status, const char *content_type,
			 const char *body, size_t len, const char *error,
			 time_t not_after);

/* Connections open at once, the idle ones it keeps included: part of the
 * descriptor budget (fd_budget). */
#define HTTPS_MAX_CONNS 8

struct https *https_new(struct loop *loop, const char *ca_file);
void https_free(struct https *h);

/* GET https://host/path from the given addresses (port 443).  -1 if it
 * could not start (cb is then not called). */
int https_get(struct https *h, const char *host, const char *path,
	      const struct dns_addr *addrs, size_t naddrs, unsigned timeout_ms,
	      size_t max_bytes, https_cb cb, void *arg);

#endif
