/*
 * addrs - which of a host's addresses are probed.  DNS decides how many
 * addresses a name has, and every one becomes sessions: at most
 * ADDRS_MAX per host are probed, half of them for each family when both
 * have that many, the rest to the family that has more.  Which ones is
 * decided by their value (the lowest first), not by the order a server
 * answered in, so two runs probe the same ones.  And which addresses
 * are not public: where no DNS answer should send a client (the
 * private-address finding, --public-only).  Pure: unit-tested.
 */
#ifndef RESOLVER_ADDRS_H
#define RESOLVER_ADDRS_H

#include <stddef.h>
#include <sys/socket.h>

#include "resolver/dns.h"

#define ADDRS_MAX 16 /* per host, both families together */

/* How many of a family's n addresses are probed when the other family
 * has other of them (other < 0: not answered yet, so only this family's
 * half is sure). */
size_t addrs_take(size_t n, long other);

/* Puts the take addresses of v[0..n) that are probed first (sorted by
 * value when some are left out; v is left as it is otherwise). */
void addrs_pick(struct dns_addr *v, size_t n, size_t take);

/* The range of a non-public address, in words ("loopback", "private
 * (RFC 1918)", ...; mark them for translation with _()), or NULL for any
 * other address.  Loopback, unspecified (0.0.0.0 and :: reach this
 * machine), RFC 1918, shared (RFC 6598, carrier-grade NAT), link-local,
 * unique local (fc00::/7) and site-local (fec0::/10); an IPv4-mapped IPv6
 * address as its IPv4 address.  Not the benchmarking range 198.18.0.0/15
 * (RFC 2544), documentation or multicast: none of them leads into this
 * machine or its network. */
const char *addrs_private_range(const struct sockaddr *sa);

#endif
