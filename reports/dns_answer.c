/* A DNS server that answers nothing: one sentence for the whole target,
 * not a "timeout" line per question. */
#include "reports/report.h"

#include <string.h>

#include "core/i18n.h"

bool report_dns_unanswered(const struct report *r)
{
	size_t i;

	if (r->nerrors == 0 || r->dns.answered > 0)
		return false;
	for (i = 0; i < r->nerrors; i++)
		if (strcmp(r->errors[i].error, "timeout") != 0 &&
		    strcmp(r->errors[i].error, "connection refused") != 0)
			return false;
	return true;
}

void report_dns_findings(struct report *r)
{
	bool refused = false;
	size_t i;

	if (!report_dns_unanswered(r))
		return;
	for (i = 0; i < r->nerrors; i++)
		refused |=
			strcmp(r->errors[i].error, "connection refused") == 0;
	report_finding(r, "dns-unanswered", SEV_ERROR,
		       "the DNS server does not answer: none of the %zu "
		       "question%s about %s got a reply (%s); check "
		       "--dns-server, or the servers in /etc/resolv.conf",
		       r->nerrors, r->nerrors == 1 ? "" : "s", r->host,
		       refused ? _("its DNS port is closed")
			       : _("every try timed out"));
}
