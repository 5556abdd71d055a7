/*
 * target - what the user typed: a host name, an IPv4 or IPv6 address,
 * host:port or [v6]:port.  Parsing is strict and every refusal says which
 * part is wrong, for the exit-2 message.
 */
#ifndef RESOLVER_TARGET_H
#define RESOLVER_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#define TARGET_MAX_PORTS 16

struct target {
	char *input;   /* as typed, sanitised */
	char *host;    /* A-label host name, or the address text */
	char *unicode; /* the name as typed when it was an IDN, else NULL */
	int family;    /* AF_INET / AF_INET6 for an address, else 0 */
	int port;      /* from host:port, else 0 */
};

/* 0, or -1 with a message in err. */
int target_parse(const char *s, struct target *t, char *err, size_t errlen);
void target_free(struct target *t);

/* "25,587,465" -> ports; 0, or -1 with a message. */
int ports_parse(const char *s, int *ports, size_t *n, char *err, size_t errlen);

/* "ADDR" or "ADDR:PORT" or "[V6]:PORT" -> c-ares CSV form appended to
 * csv ("a:p,[v6]:p"); 0, or -1 with a message. */
int dns_server_parse(const char *s, char *csv, size_t csvlen, char *err,
		     size_t errlen);

#endif
