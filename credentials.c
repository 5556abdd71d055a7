/*
 * credentials - where --user's password may be tried: once per host and
 * port, on the first address whose session gets that far, and with
 * --check on the port checked only.  The session asks (probe_ctx
 * may_auth) when it is about to authenticate.
 */
#include "job.h"

#include <stdio.h>
#include <string.h>

/* A wrong password repeated on every address and port is how
 * accounts get locked (fail2ban and kin). */
bool credentials_may_try(void *arg, const struct probe *p)
{
	struct pipeline *pl = arg;
	char key[320];
	size_t i;

	/* --check: the port checked only, not the ones named instead */
	if (pl->opts.check != NULL && p->port != pl->opts.check->port)
		return false;
	snprintf(key, sizeof(key), "%s %d", p->host ? p->host : p->address,
		 p->port);
	for (i = 0; i < pl->auth_tried.n; i++)
		if (strcmp(pl->auth_tried.v[i], key) == 0)
			return false;
	return strlist_add(&pl->auth_tried, key) == 0;
}
