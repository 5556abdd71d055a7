/* What each finding means for the person reading the page, in plain
 * words: the message says what was seen, this says why it matters.  The
 * ids are those of DESIGN.md and the manual; an id not here gets none. */
#include "reports/html.h"

#include <string.h>

#include "core/i18n.h"

static const char *const words[][2] = {
	{"auth-failed",
	 N_("the server refused the user name and password given: "
	    "check them with the provider.")},
	{"auth-not-offered",
	 N_("a mail program cannot log in here: the server offers no login "
	    "(AUTH) once the connection is encrypted.")},
	{"bare-lf", N_("the server ends lines in a way the standard forbids; "
		       "strict mail programs may fail on it.")},
	{"certificate-expired", N_("the certificate is out of date: mail "
				   "programs refuse the connection or warn.")},
	{"certificate-expires-soon",
	 N_("the certificate runs out soon: once it has, mail programs refuse "
	    "the connection.")},
	{"certificate-host-mismatch",
	 N_("the certificate is made out for another name: a mail program "
	    "that checks it refuses the connection.")},
	{"certificate-not-trusted",
	 N_("no trusted authority vouches for the certificate: mail programs "
	    "refuse it, and an impostor could present one like it.")},
	{"certificate-not-yet-valid",
	 N_("the certificate is not valid yet: a clock on one of the two "
	    "machines is probably wrong.")},
	{"command-injection",
	 N_("an attacker on the way could slip commands into the encrypted "
	    "session (CVE-2011-0411): the server software needs an update.")},
	{"deadline-reached",
	 N_("the server took longer than the whole session may last: mail "
	    "programs give up on it too.")},
	{"credentials-not-sent",
	 N_("the password was not sent, to keep it safe: the connection was "
	    "not secure enough for it.")},
	{"dane-failure", N_("the certificate does not match what the domain "
			    "publishes in DNS: senders that check DANE refuse "
			    "to deliver.")},
	{"dane-unvalidated",
	 N_("DANE records exist, but this machine's resolver could not "
	    "validate them, so they were not checked.")},
	{"dns-unanswered",
	 N_("no DNS server answered about this target: nothing else could be "
	    "looked up or tested.")},
	{"dmarc-multiple", N_("receivers ignore every DMARC record when there "
			      "is more than one.")},
	{"downgrade-protected", N_("a policy stops an attacker from turning "
				   "the encryption off.")},
	{"downgrade-risk", N_("an attacker on the way can remove the offer of "
			      "encryption, and mail then travels readable.")},
	{"hosts-file",
	 N_("DNS does not know this name; this machine's hosts file does, so "
	    "it was tested where programs here would connect.")},
	{"inconsistent-addresses",
	 N_("the addresses of one server behave differently: some clients "
	    "get encryption and some do not, depending on luck.")},
	{"interception-suspect",
	 N_("something on the way, not the mail server, may be answering: "
	    "a proxy or security product reading the mail.")},
	{"malformed-reply", N_("the server's replies break the mail protocol; "
			       "mail programs may fail in odd ways.")},
	{"mta-sts-record-missing",
	 N_("the domain's MTA-STS policy is never used: the DNS record that "
	    "announces it is missing.")},
	{"mta-sts-violation", N_("senders that honour the domain's MTA-STS "
				 "policy will not deliver to this server.")},
	{"no-mta-sts", N_("nothing stops an attacker from removing the "
			  "encryption between mail servers (unless DANE "
			  "does).")},
	{"no-srv", N_("the domain does not announce its submission servers "
		      "in DNS; the usual names were tried instead.")},
	{"no-tls-rpt", N_("nobody is told when other servers fail to deliver "
			  "mail to this domain securely.")},
	{"nonprintable", N_("the server sent odd characters; they are shown "
			    "escaped.")},
	{"not-smtp", N_("something other than a mail server answers on this "
			"port.")},
	{"null-mx", N_("the domain says it accepts no mail at all.")},
	{"null-mx-mixed", N_("a record saying \"no mail\" stands beside "
			     "real mail servers; it is ignored.")},
	{"overlong-line", N_("the server sent a line far longer than the "
			     "protocol allows.")},
	{"plaintext-auth", N_("the server asks for passwords before "
			      "encryption starts: they can be read on the "
			      "way.")},
	{"private-address",
	 N_("DNS points mail at an address inside this machine or its own "
	    "network: a forged or leaked record, or an internal setup.")},
	{"reply-flood", N_("the server sent far more than any reply needs.")},
	{"response-injection",
	 N_("data arrived where encryption should have started: a sign of an "
	    "attack or a broken middlebox.")},
	{"session-failed-after-tls",
	 N_("encryption worked, but the server failed right after it: no "
	    "mail can be sent there.")},
	{"spf-multiple", N_("with more than one SPF record, receivers treat "
			    "the domain's SPF as broken.")},
	{"srv-outside-domain", N_("the domain sends its users to a server of "
				  "another domain.")},
	{"starttls-handshake-failed",
	 N_("encryption was offered but could not be set up: mail programs "
	    "fail or fall back to no encryption.")},
	{"starttls-not-supported",
	 N_("this port offers no encryption: passwords and mail travel "
	    "readable.")},
	{"starttls-refused", N_("encryption was offered but then refused.")},
	{"starttls-stripped", N_("something on the way removes the offer of "
				 "encryption: a firewall or an attacker.")},
	{"sts-policy-fetch-error",
	 N_("the domain's MTA-STS policy could not be fetched, so it protects "
	    "nothing.")},
	{"sts-webpki-invalid", N_("the web server holding the MTA-STS policy "
				  "has a bad certificate: senders ignore the "
				  "policy.")},
	{"tarpit", N_("the server answers extremely slowly, on purpose or "
		      "overloaded: mail programs time out.")},
	{"target-deadline",
	 N_("testing took longer than allowed for one target: some sessions "
	    "were cut short, so parts of this report are incomplete.")},
	{"tls-legacy-version",
	 N_("outdated TLS versions (1.0, 1.1) are accepted; they are "
	    "deprecated and weaker.")},
	{"tls-not-enforced",
	 N_("the server accepts mail before encryption starts: a mail program "
	    "set to \"auto\" or no encryption sends passwords and mail "
	    "readable.")},
	{"too-many-addresses",
	 N_("the name has more addresses than are tested: a fault on one "
	    "that was left out would not show here.")},
	{"validation-failure", N_("the encrypted connection could not be set "
				  "up on a port that needs it.")},
	{"wrong-port-mode",
	 N_("the port speaks the other kind of encryption than usual: pick "
	    "\"SSL\" or \"TLS\" in the mail program by what this report "
	    "recommends, not by the port number.")},
};

const char *html_finding_words(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i][0], id) == 0)
			return _(words[i][1]);
	return NULL;
}
