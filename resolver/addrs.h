/*
 * addrs - which of a host's addresses are probed.  DNS decides how many
 * addresses a name has, and every one becomes sessions: at most
 * ADDRS_MAX per host are probed, half of them for each family when both
 * have that many, the rest to the family that has more.  Which ones is
 * decided by their value (the lowest first), not by the order a server
 * answered in, so two runs probe the same ones.  Pure: unit-tested.
 */
#ifndef RESOLVER_ADDRS_H
#define RESOLVER_ADDRS_H

#include <stddef.h>

#include "resolver/dns.h"

#define ADDRS_MAX 16 /* per host, both families together */

/* How many of a family's n addresses are probed when the other family
 * has other of them (other < 0: not answered yet, so only this family's
 * half is sure). */
size_t addrs_take(size_t n, long other);

/* Puts the take addresses of v[0..n) that are probed first (sorted by
 * value when some are left out; v is left as it is otherwise). */
void addrs_pick(struct dns_addr *v, size_t n, size_t take);

#endif
