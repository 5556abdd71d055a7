/*
 * stsfetch - the MTA-STS policy fetch (see stsfetch.h).  The policy has
 * its own deadline, twice the timeout; redirects are not followed.
 */
#include "resolver/stsfetch.h"

#include <ares.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/i18n.h"
#include "core/sanitize.h"

#define STS_MAX_ADDRS 8 /* addresses of mta-sts.DOMAIN tried */
#define STS_LOOKUPS 2	/* A and AAAA, whatever -4/-6 say */
#define STS_WHY_MAX 300 /* why the policy is not valid */

struct sts_fetch {
	struct https *https;
	struct dns_info *d;
	unsigned timeout_ms;
	void (*done)(void *);
	void *arg;
	struct dns_addr addrs[STS_MAX_ADDRS];
	size_t n;
	int lookups; /* A and AAAA still to answer */
	char host[DNS_NAME_TEXT_MAX];
};

static void finish(struct sts_fetch *f)
{
	void (*done)(void *) = f->done;
	void *arg = f->arg;

	free(f);
	done(arg);
}

/* The policy's text is only a policy when served as text/plain with a
 * 200 (RFC 8461 3.3); why says what was wrong. */
static void on_policy(void *arg, long status, const char *ctype,
		      const char *body, size_t len, const char *error,
		      time_t not_after)
{
	struct sts_fetch *f = arg;
	struct dns_info *d = f->d;
	char why[STS_WHY_MAX] = "";

	d->sts_status = status;
	d->sts_not_after = not_after;
	d->sts_seen = time(NULL);
	if (error != NULL)
		snprintf(why, sizeof(why), "%s", error);
	else if (status != 200)
		snprintf(why, sizeof(why), _("HTTP status %ld%s"), status,
			 status >= 300 && status < 400
				 ? _(" (redirects are not followed, RFC 8461 "
				     "3.3)")
				 : "");
	else if (ctype == NULL || strncasecmp(ctype, "text/plain", 10) != 0 ||
		 (ctype[10] != '\0' && ctype[10] != ';' && ctype[10] != ' '))
		snprintf(why, sizeof(why),
			 _("the policy is served as %s, not text/plain"),
			 ctype ? ctype : _("no content type"));
	else if (mtasts_parse(body, len, &d->sts, why, sizeof(why)) == 0)
		d->sts_valid = true;
	if (!d->sts_valid)
		d->sts_error = sanitize(why, strlen(why));
	finish(f);
}

static void on_addrs(void *arg, int family, int status,
		     const struct dns_addr *addrs, size_t n, const char *cname)
{
	struct sts_fetch *f = arg;
	size_t i;

	(void)family;
	(void)cname;
	if (dns_status_answered(status))
		f->d->answered++;
	for (i = 0; status == ARES_SUCCESS && i < n && f->n < STS_MAX_ADDRS;
	     i++)
		f->addrs[f->n++] = addrs[i];
	if (--f->lookups > 0)
		return;
	if (f->n > 0 && f->https != NULL) {
		f->d->sts_tried = true;
		if (https_get(f->https, f->host, "/.well-known/mta-sts.txt",
			      f->addrs, f->n, f->timeout_ms * 2,
			      MTASTS_MAX_BYTES, on_policy, f) == 0)
			return;
		f->d->sts_error = strdup("the HTTPS fetch did not start");
	}
	finish(f);
}

int sts_fetch_start(struct dns *dns, struct https *https, const char *domain,
		    unsigned timeout_ms, struct dns_info *d,
		    void (*done)(void *), void *arg)
{
	struct sts_fetch *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->https = https;
	f->d = d;
	f->timeout_ms = timeout_ms;
	f->done = done;
	f->arg = arg;
	f->lookups = STS_LOOKUPS;
	snprintf(f->host, sizeof(f->host), "mta-sts.%s", domain);
	dns_lookup(dns, f->host, AF_INET, on_addrs, f);
	dns_lookup(dns, f->host, AF_INET6, on_addrs, f);
	return 0;
}
