/*
 * dnsname - comparing DNS names as DNS does: letters in any case, and a
 * final dot or none.  Once here, for the planner, the pipeline and the
 * reports alike.
 */
#ifndef CORE_DNSNAME_H
#define CORE_DNSNAME_H

#include <stdbool.h>

/* a is b (false when either is NULL). */
bool dnsname_eq(const char *a, const char *b);
/* host is domain or a name under it, on a label boundary. */
bool dnsname_under(const char *host, const char *domain);

#endif
