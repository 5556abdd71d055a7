#include "core/dnsname.h"

#include <string.h>
#include <strings.h>

/* the length without a final dot */
static size_t bare_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

bool dnsname_eq(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = bare_len(a);
	lb = bare_len(b);
	return la == lb && strncasecmp(a, b, la) == 0;
}

bool dnsname_under(const char *host, const char *domain)
{
	size_t hl = bare_len(host), dl = bare_len(domain);

	if (dl == 0 || hl < dl)
		return false;
	if (hl > dl && host[hl - dl - 1] != '.')
		return false;
	return strncasecmp(host + hl - dl, domain, dl) == 0;
}
