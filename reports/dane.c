/* DANE for SMTP (RFC 7672): the server's chain against its TLSA records,
 * with GnuTLS's DANE library, only when every DNS answer that led to the
 * server was validated (RFC 7672 2.2: the MX or SRV answer, the address
 * answers and the TLSA answer) by a resolver the user trusts (the AD bit,
 * from loopback or from --dns-server); otherwise "DANE not assessed".
 * DANE-EE(3) ignores names and dates; DANE-TA(2) anchors the chain;
 * PKIX-TA/EE(0, 1) are not for SMTP (RFC 7672 3.1.3). */
#include "reports/report.h"

#include <gnutls/dane.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"

static const struct tlsa_set *tlsa_for(const struct report *r,
				       const struct probe *p)
{
	char name[DNS_NAME_TEXT_MAX];
	size_t i;

	if (p->host == NULL)
		return NULL;
	snprintf(name, sizeof(name), "_%d._tcp.%s", p->port, p->host);
	for (i = 0; i < r->dns.ntlsa; i++)
		if (strcasecmp(r->dns.tlsa[i].name, name) == 0)
			return &r->dns.tlsa[i];
	return NULL;
}

/* Checks the chain against the records of one usage (2 or 3): 1 a match,
 * 0 none (err says why), -1 no record of that usage. */
static int verify_usage(const struct tlsa_set *t, const struct tls_info *tls,
			unsigned usage, char *err, size_t errlen)
{
	char *data[RECORDS_MAX + 1];
	int lens[RECORDS_MAX + 1], i, n = 0, ret;
	dane_state_t st;
	dane_query_t q;
	unsigned status = 0;

	for (i = 0; i < t->n && n < RECORDS_MAX; i++) {
		const struct tlsa_rec *rec = &t->recs[i];

		if (rec->usage != usage)
			continue;
		data[n] = malloc(rec->len + 3);
		if (data[n] == NULL)
			break;
		data[n][0] = (char)rec->usage;
		data[n][1] = (char)rec->selector;
		data[n][2] = (char)rec->mtype;
		memcpy(data[n] + 3, rec->data, rec->len);
		lens[n] = (int)rec->len + 3;
		n++;
	}
	data[n] = NULL;
	lens[n] = 0;
	if (n == 0)
		return -1;
	ret = dane_state_init(&st, DANE_F_IGNORE_DNSSEC);
	if (ret >= 0) {
		ret = dane_raw_tlsa(st, &q, data, lens, 1, 0);
		if (ret >= 0) {
			ret = dane_verify_crt_raw(st, tls->chain, tls->nchain,
						  GNUTLS_CRT_X509, q, 0, 0,
						  &status);
			dane_query_deinit(q);
		}
		dane_state_deinit(st);
	}
	for (i = 0; i < n; i++)
		free(data[i]);
	if (ret < 0) {
		snprintf(err, errlen, "%s%s", dane_strerror(ret),
			 usage == 2
				 ? _(" (a DANE-TA server must send the trust "
				     "anchor in its chain, RFC 7671 5.2.2)")
				 : "");
		return 0;
	}
	if (status != 0) {
		gnutls_datum_t out = {NULL, 0};

		if (dane_verification_status_print(status, &out, 0) == 0) {
			snprintf(err, errlen, "%s", (const char *)out.data);
			gnutls_free(out.data);
		} else {
			snprintf(err, errlen, _("verification status %u"),
				 status);
		}
		return 0;
	}
	return 1;
}

/* 1 verified, 0 failed (err says why), -1 nothing usable to check.
 * DANE-EE(3) first: the key is the identity, names and dates do not
 * matter.  DANE-TA(2) anchors a chain whose certificate must still name
 * the MX host (RFC 7672 3.2.2); GnuTLS's DANE check does not look at
 * names, so that part is ours. */
static int verify(const struct tlsa_set *t, const struct tls_info *tls,
		  const char *host, char *err, size_t errlen)
{
	char ta_err[200] = "";
	int ee, ta;

	ee = verify_usage(t, tls, 3, err, errlen);
	if (ee == 1)
		return 1;
	ta = verify_usage(t, tls, 2, ta_err, sizeof(ta_err));
	if (ta == 1 && !tls->name_ok) {
		snprintf(err, errlen,
			 _("the chain matches the DANE-TA record, but the "
			   "certificate does not name %s (RFC 7672 3.2.2)"),
			 host);
		return 0;
	}
	if (ta == 1)
		return 1;
	if (ee == -1 && ta == -1) {
		snprintf(err, errlen, _("no DANE-TA(2) or DANE-EE(3) record"));
		return -1;
	}
	if (ee == -1)
		snprintf(err, errlen, "%s", ta_err);
	return 0;
}

static bool in_mx(const struct dns_info *d, const char *host)
{
	int k;

	for (k = 0; k < d->nmx; k++)
		if (strcasecmp(d->mx[k].host, host) == 0)
			return true;
	return false;
}

static bool in_srv(const struct srv_rec *v, int n, const char *host)
{
	int k;

	for (k = 0; k < n; k++)
		if (strcasecmp(v[k].target, host) == 0)
			return true;
	return false;
}

/* NULL when every answer on the way to p's server was validated by a
 * trusted resolver, else which one was not. */
static const char *unvalidated_step(const struct report *r,
				    const struct probe *p,
				    const struct tlsa_set *t)
{
	const struct dns_info *d = &r->dns;
	const char *role = p->role ? p->role : "";
	size_t i;

	if (!d->ad_trusted)
		return _("the resolver is neither on this machine nor named "
			 "with --dns-server, so its AD bit proves nothing");
	if (!t->ad)
		return _("the TLSA answer is not DNSSEC-validated");
	if (in_mx(d, p->host) && !d->mx_ad)
		return _("the MX answer is not DNSSEC-validated");
	if ((strcmp(role, "submission") == 0 &&
	     in_srv(d->sub, d->nsub, p->host) && !d->sub_ad) ||
	    (strcmp(role, "submissions") == 0 &&
	     in_srv(d->subs, d->nsubs, p->host) && !d->subs_ad))
		return _("the SRV answer is not DNSSEC-validated");
	for (i = 0; i < r->nhosts; i++)
		if (strcasecmp(r->hosts[i].name, p->host) == 0 &&
		    !r->hosts[i].addr_ad)
			return _("the address answers are not "
				 "DNSSEC-validated");
	return NULL;
}

void report_dane(struct report *r)
{
	const char *why_not = NULL;
	size_t i;

	for (i = 0; i < r->nconclusions; i++) {
		const struct probe *p = r->conclusions[i].p;
		struct verdict_ctx *c = &r->conclusions[i].c;
		struct dane_result *d = &c->dane;
		const struct tlsa_set *t = tlsa_for(r, p);
		const char *step;

		if (t == NULL)
			continue;
		d->present = true;
		d->verified = -1;
		step = unvalidated_step(r, p, t);
		d->usable = step == NULL;
		if (step != NULL) {
			snprintf(d->error, sizeof(d->error),
				 _("DANE not assessed: %s"), step);
			if (why_not == NULL)
				why_not = step;
			continue;
		}
		if (!p->tls.done) {
			snprintf(d->error, sizeof(d->error),
				 _("no TLS session to check"));
			d->verified = 0;
			continue;
		}
		d->verified =
			verify(t, &p->tls, p->host, d->error, sizeof(d->error));
		if (d->verified == -1)
			d->usable = false;
		else if (d->verified == 1 && p->port == 25)
			c->protection = "DANE";
	}
	if (why_not != NULL)
		report_finding(r, "dane-unvalidated", SEV_INFO,
			       "DANE not assessed: TLSA records exist, but %s "
			       "(the resolver does not validate or is not "
			       "trusted, or a zone is not signed): DANE "
			       "cannot be evaluated from here",
			       why_not);
}
