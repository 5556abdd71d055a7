/* Where the name of a probed host came from, and whether the user can take
 * it as the server they meant.  A host name handed out by DNS is not an
 * identity the user chose (RFC 6186 6, RFC 7817 4): without DNSSEC a
 * forged MX or SRV answer can point at an attacker's host whose own
 * certificate verifies.  Hosted mail makes names outside the user's
 * domain normal, so such a name is not failed, only not taken as
 * established unless something proves it. */
#include "reports/report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/dnsname.h"
#include "core/i18n.h"

static bool is_mx_host(const struct dns_info *d, const char *host)
{
	int k;

	for (k = 0; k < d->nmx; k++)
		if (strcasecmp(d->mx[k].host, host) == 0)
			return true;
	return false;
}

/* The verified certificate also names the user's domain (or a name in
 * it, "*.domain" included): the domain's owner vouched for the host. */
static bool cert_names_domain(const struct probe *p, const char *domain)
{
	size_t i;

	if (!p->tls.done || !p->tls.verified)
		return false;
	for (i = 0; i < p->tls.names.n; i++) {
		const char *n = p->tls.names.v[i];

		if (strncmp(n, "*.", 2) == 0)
			n += 2;
		if (dnsname_under(n, domain))
			return true;
	}
	return false;
}

void report_identity(const struct report *r, const struct probe *p,
		     struct host_identity *id)
{
	const struct dns_info *d = &r->dns;
	const char *role = p->role ? p->role : "";
	bool ad = false;

	id->source = "typed";
	id->established_by = "typed";
	/* the name itself (as typed, or its implicit MX) */
	if (p->host == NULL || r->is_address || !d->domain ||
	    dnsname_eq(p->host, r->host))
		return;
	if (strcmp(role, "submission") == 0) {
		id->source = "SRV record _submission._tcp";
		ad = d->sub_ad;
	} else if (strcmp(role, "submissions") == 0) {
		id->source = "SRV record _submissions._tcp";
		ad = d->subs_ad;
	} else if (is_mx_host(d, p->host)) {
		id->source = "MX record";
		ad = d->mx_ad;
	} else {
		id->source = "guess"; /* smtp.DOMAIN, mail.DOMAIN */
	}
	if (dnsname_under(p->host, r->host))
		id->established_by = "in the domain";
	else if (ad)
		id->established_by = "DNSSEC";
	else if (cert_names_domain(p, r->host))
		id->established_by = "certificate";
	else
		id->established_by = NULL;
}

/* Where the name came from, in words: "the MX record of example.test". */
static void source_words(const struct report *r, const char *source, char *buf,
			 size_t len)
{
	if (strcmp(source, "MX record") == 0)
		snprintf(buf, len, _("the MX record of %s"), r->host);
	else if (strcmp(source, "SRV record _submission._tcp") == 0)
		snprintf(buf, len, _("the _submission._tcp SRV record of %s"),
			 r->host);
	else if (strcmp(source, "SRV record _submissions._tcp") == 0)
		snprintf(buf, len, _("the _submissions._tcp SRV record of %s"),
			 r->host);
	else
		snprintf(buf, len, _("the names users try for %s (a guess)"),
			 r->host);
}

void report_identity_words(const struct report *r, const struct probe *p,
			   const struct host_identity *id, char *buf,
			   size_t len)
{
	const char *by = id->established_by;
	char from[DNS_NAME_TEXT_MAX + 64];

	buf[0] = '\0';
	if (strcmp(id->source, "typed") == 0)
		return; /* the user's own name: nothing to prove */
	source_words(r, id->source, from, sizeof(from));
	if (by != NULL && strcmp(by, "in the domain") == 0)
		snprintf(buf, len,
			 _(" The name %s came from %s and lies inside that "
			   "domain."),
			 p->host, from);
	else if (by != NULL && strcmp(by, "DNSSEC") == 0)
		snprintf(buf, len,
			 _(" The name %s came from %s and lies outside that "
			   "domain, in an answer DNSSEC-validated by a "
			   "resolver on this machine or named with "
			   "--dns-server."),
			 p->host, from);
	else if (by != NULL)
		snprintf(buf, len,
			 _(" The name %s came from %s and lies outside that "
			   "domain; its verified certificate also names %s."),
			 p->host, from, r->host);
	else
		snprintf(buf, len,
			 _(" Warning: the name %s came from %s and lies "
			   "outside that domain, in an answer that was not "
			   "DNSSEC-validated: a forged answer could point "
			   "here. Confirm this host with your provider before "
			   "typing it."),
			 p->host, from);
}
