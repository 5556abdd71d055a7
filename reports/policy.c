/* Downgrade protection measured, not assumed: the MTA-STS policy checked
 * against what the port-25 probes saw (RFC 8461 4, 5). */
#include "reports/report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/utc.h"
#include "reports/verdict.h"

static bool is_mx(const struct report *r, const char *host)
{
	int k;

	for (k = 0; k < r->dns.nmx; k++)
		if (host != NULL && strcmp(r->dns.mx[k].host, host) == 0)
			return true;
	return false;
}

/* RFC 8461 4.2: a sender refuses an MX that does not match the policy or
 * fails validation and tries the next, so in mode enforce a matching MX
 * with verified STARTTLS is protected whatever the other MX hosts do. */
static void check_policy(struct report *r)
{
	const struct dns_info *d = &r->dns;
	enum severity sev =
		d->sts.mode == MTASTS_ENFORCE ? SEV_ERROR : SEV_WARNING;
	size_t i;
	int k;

	if (d->sts.mode == MTASTS_NONE)
		return;
	for (k = 0; k < d->nmx; k++)
		if (!mtasts_match(&d->sts, d->mx[k].host)) {
			report_finding(
				r, "mta-sts-violation", sev,
				"MX %s is not among the MTA-STS policy's mx "
				"patterns (mode %s): senders %s",
				d->mx[k].host, mtasts_mode_name(d->sts.mode),
				d->sts.mode == MTASTS_ENFORCE
					? _("will not deliver to it")
					: _("report it"));
		}
	for (i = 0; i < r->nconclusions; i++) {
		const struct probe *p = r->conclusions[i].p;
		struct verdict v;

		if (p->port != 25 || !is_mx(r, p->host))
			continue;
		report_judge(r, p, &v);
		if (v.state == ST_STARTTLS && v.tls_ok &&
		    mtasts_match(&d->sts, p->host)) {
			/* a stripped STARTTLS makes compliant senders refuse
			 * this MX, not fall back to cleartext */
			if (d->sts.mode == MTASTS_ENFORCE)
				r->conclusions[i].c.protection =
					"MTA-STS (enforce)";
			continue;
		}
		report_finding(r, "mta-sts-violation", sev,
			       "%s (%s) port 25: the policy (mode %s) requires "
			       "STARTTLS "
			       "with a certificate valid for the MX name; here "
			       "it is %s%s",
			       p->host, p->address,
			       mtasts_mode_name(d->sts.mode),
			       state_name(v.state),
			       p->tls.done && !p->tls.verified
				       ? _(" with a certificate "
					   "that does not verify")
				       : "");
	}
}

/* The policy host's certificate looks ahead like a mail port's: when
 * it expires, senders can no longer fetch the policy (RFC 8461 3.3). */
static void check_policy_cert(struct report *r)
{
	const struct dns_info *d = &r->dns;
	int sev;
	char when[UTC_TEXT_MAX] = "?";

	if (d->sts_not_after <= 0)
		return;
	sev = cert_expiry(d->sts_not_after, report_now(r, d->sts_seen),
			  r->cert_warn_days, r->cert_crit_days);
	if (sev < 0)
		return;
	utc_format(d->sts_not_after, UTC_MINUTE, when, sizeof(when));
	report_finding(
		r, "certificate-expires-soon", (enum severity)sev,
		"the certificate of the MTA-STS policy host mta-sts.%s "
		"expires on %s, in %ld days (--cert-days %d,%d)",
		r->host, when,
		cert_days_left(d->sts_not_after, report_now(r, d->sts_seen)),
		r->cert_warn_days, r->cert_crit_days);
}

/* What MTA-STS says of p, a port-25 probe of a domain's host. */
static const char *sts_words(const struct report *r, const struct probe *p)
{
	const struct dns_info *d = &r->dns;

	if (d->sts_valid && d->mta_sts == NULL)
		return _("an MTA-STS policy is published, but no _mta-sts "
			 "record announces it");
	if (d->sts_valid && d->sts.mode == MTASTS_ENFORCE)
		return !is_mx(r, p->host)
			       ? _("MTA-STS policy in mode enforce, but this "
				   "host is not an MX")
		       : !mtasts_match(&d->sts, p->host)
			       ? _("MTA-STS policy in mode enforce, but this "
				   "MX is not in its mx list")
			       : _("MTA-STS policy in mode enforce, but this "
				   "MX fails it");
	if (d->sts_valid)
		return d->sts.mode == MTASTS_TESTING
			       ? _("MTA-STS policy in mode testing (reports "
				   "only)")
			       : _("MTA-STS policy in mode none");
	if (d->mta_sts != NULL)
		return _("an _mta-sts record, but its policy could not be "
			 "used");
	return _("no MTA-STS policy");
}

/* For the downgrade-risk message of an unprotected port 25: every part
 * of MTA-STS and DANE that was looked at, and what it found. */
static void note_protection(const struct report *r, const struct probe *p,
			    struct verdict_ctx *c)
{
	const struct dane_result *dn = &c->dane;
	char dane[sizeof(dn->error) + 64];

	if (!dn->present)
		snprintf(dane, sizeof(dane), _("no TLSA records for DANE"));
	else if (!dn->usable)
		snprintf(dane, sizeof(dane), "%s",
			 dn->error[0] ? dn->error : _("DANE not assessed"));
	else
		snprintf(dane, sizeof(dane), _("DANE failed: %s"), dn->error);
	/* TRANSLATORS: what MTA-STS found; what DANE found */
	snprintf(c->protection_note, sizeof(c->protection_note), _("%s; %s"),
		 sts_words(r, p), dane);
}

static void domain_policies(struct report *r)
{
	const struct dns_info *d = &r->dns;

	if (!d->domain || d->nmx == 0 || d->null_mx)
		return;
	if (d->tls_rpt == NULL)
		report_finding(
			r, "no-tls-rpt", SEV_INFO,
			"no TLS-RPT record (_smtp._tls): nobody hears about "
			"failed TLS deliveries to this domain (RFC 8460)");
	if (d->mta_sts == NULL && !d->sts_valid) {
		report_finding(r, "no-mta-sts", SEV_INFO,
			       "no MTA-STS: STARTTLS on port 25 can be "
			       "stripped unless "
			       "DANE protects it (RFC 8461)");
		return;
	}
	if (d->mta_sts != NULL && !d->sts_valid) {
		/* RFC 8460 result types for the two ways this fails */
		bool pki = d->sts_error != NULL &&
			   (strstr(d->sts_error, "certificate") != NULL ||
			    strstr(d->sts_error, "SSL") != NULL);

		report_finding(
			r,
			pki ? "sts-webpki-invalid" : "sts-policy-fetch-error",
			SEV_WARNING,
			"the _mta-sts record exists but the policy at "
			"https://mta-sts.%s/.well-known/mta-sts.txt %s: %s",
			r->host,
			d->sts_tried ? _("cannot be used") : _("has no host"),
			d->sts_error ? d->sts_error
				     : _("mta-sts host not found"));
		return;
	}
	if (d->mta_sts == NULL) {
		report_finding(r, "mta-sts-record-missing", SEV_WARNING,
			       "a policy is published at mta-sts.%s but no "
			       "_mta-sts TXT "
			       "record announces it: senders never fetch it",
			       r->host);
		return;
	}
	check_policy(r);
}

void report_policies(struct report *r)
{
	size_t i;

	report_conclusions(r);
	report_dane(r);
	check_policy_cert(r);
	domain_policies(r);
	/* a host or an address given: nothing was looked up to note */
	for (i = 0; r->dns.domain && i < r->nconclusions; i++)
		if (r->conclusions[i].p->port == 25 &&
		    r->conclusions[i].c.protection == NULL)
			note_protection(r, r->conclusions[i].p,
					&r->conclusions[i].c);
}

void report_record_findings(struct report *r)
{
	if (r->dns.nspf > 1)
		report_finding(r, "spf-multiple", SEV_WARNING,
			       "%d SPF records: receivers treat that as a "
			       "permanent error (RFC 7208 4.5)",
			       r->dns.nspf);
	if (r->dns.ndmarc > 1)
		report_finding(r, "dmarc-multiple", SEV_WARNING,
			       "%d DMARC records: receivers ignore them all "
			       "(RFC 7489 6.6.3)",
			       r->dns.ndmarc);
}
