/*
 * addrs - the addresses of a host that are probed (see addrs.h).
 */
#include "resolver/addrs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

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

static const char *v4_range(uint32_t a)
{
	if ((a >> 24) == 0)
		return N_("unspecified (0.0.0.0/8)");
	if ((a >> 24) == 127)
		return N_("loopback");
	if ((a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) ||
	    (a >> 16) == (192u << 8 | 168))
		return N_("private (RFC 1918)");
	if ((a >> 22) == (100u << 2 | 1)) /* 100.64.0.0/10 */
		return N_("shared (RFC 6598, carrier-grade NAT)");
	if ((a >> 16) == (169u << 8 | 254))
		return N_("link-local");
	return NULL;
}

const char *addrs_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_range(ntohl(
			((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;
		const uint8_t *b = a->s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			return v4_range((uint32_t)b[12] << 24 |
					(uint32_t)b[13] << 16 |
					(uint32_t)b[14] << 8 | b[15]);
		if (IN6_IS_ADDR_UNSPECIFIED(a))
			return N_("unspecified (::)");
		if (IN6_IS_ADDR_LOOPBACK(a))
			return N_("loopback");
		if (IN6_IS_ADDR_LINKLOCAL(a))
			return N_("link-local");
		if (IN6_IS_ADDR_SITELOCAL(a))
			return N_("site-local (deprecated)");
		if ((b[0] & 0xfe) == 0xfc)
			return N_("unique local (RFC 4193)");
	}
	return NULL;
}
