/*
 * addrs - the addresses of a host that are probed (see addrs.h).
 */
#include "resolver/addrs.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

size_t addrs_take(size_t n, long other)
{
	size_t half = ADDRS_MAX / 2, room;

	if (other < 0)
		room = half;
	else /* what the other family leaves of its half is this one's */
		room = ADDRS_MAX -
		       ((size_t)other < half ? (size_t)other : half);
	return n < room ? n : room;
}

/* By family, then by the address's bytes in network order. */
static int by_value(const void *a, const void *b)
{
	const struct sockaddr_storage *x = &((const struct dns_addr *)a)->sa;
	const struct sockaddr_storage *y = &((const struct dns_addr *)b)->sa;

	if (x->ss_family != y->ss_family)
		return x->ss_family < y->ss_family ? -1 : 1;
	if (x->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)x)->sin6_addr,
			      &((const struct sockaddr_in6 *)y)->sin6_addr,
			      sizeof(struct in6_addr));
	return memcmp(&((const struct sockaddr_in *)x)->sin_addr,
		      &((const struct sockaddr_in *)y)->sin_addr,
		      sizeof(struct in_addr));
}

void addrs_pick(struct dns_addr *v, size_t n, size_t take)
{
	if (take < n)
		qsort(v, n, sizeof(*v), by_value);
}
