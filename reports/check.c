#include "reports/check.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/utc.h"
#include "probe/caps.h"
#include "reports/report.h"
#include "reports/verdict.h"

int encryption_parse(const char *s, enum encryption *enc)
{
	/* the words settings screens use, and the protocol's own */
	if (strcmp(s, "none") == 0)
		*enc = ENC_NONE;
	else if (strcmp(s, "tls") == 0 || strcmp(s, "starttls") == 0)
		*enc = ENC_STARTTLS;
	else if (strcmp(s, "ssl") == 0 || strcmp(s, "implicit") == 0)
		*enc = ENC_IMPLICIT;
	else
		return -1;
	return 0;
}

const char *encryption_label(enum encryption enc)
{
	switch (enc) {
	case ENC_NONE:
		return _("no encryption");
	case ENC_STARTTLS:
		return _("TLS (STARTTLS)");
	default:
		return _("SSL (implicit TLS)");
	}
}

const char *encryption_token(enum encryption enc)
{
	return enc == ENC_NONE	     ? "none"
	       : enc == ENC_STARTTLS ? "starttls"
				     : "implicit-tls";
}

static void blocked_words(const struct probe *p, const char *reason,
			  struct check_result *res)
{
	const char *what =
		strcmp(reason, "timeout") == 0
			? _("the connection attempt times out: something "
			    "between here and the server silently drops the "
			    "port (typical of a hosting provider's outbound "
			    "filter); clients report \"Connection timed out\"")
		: strcmp(reason, "refused") == 0
			? _("the connection is refused: nothing listens on "
			    "that port there, or a firewall rejects it; "
			    "clients report \"Connection refused\"")
			: _("the connection fails with \"No route to host\" or "
			    "\"administratively prohibited\": a firewall "
			    "rejects it");

	snprintf(res->why, sizeof(res->why),
		 _("Port %d of %s is blocked from "
		   "here: %s."),
		 p->port, p->address, what);
}

static void cert_words(const struct probe *p, const char *typed,
		       struct check_result *res)
{
	const struct tls_info *t = &p->tls;
	const char *name = t->names.n ? t->names.v[0] : _("no name");
	char when[UTC_TEXT_MAX] = "?";

	if (t->expired) {
		utc_format(t->not_after, UTC_DAY, when, sizeof(when));
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate expired on %s: clients "
			   "refuse it (\"certificate has expired\")."),
			 when);
	} else if (t->revoked) {
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate has been revoked by its "
			   "issuer: clients refuse it."));
	} else if (t->weak) {
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate chain is signed with an "
			   "insecure algorithm (such as SHA-1): current "
			   "clients refuse it."));
	} else if (t->wrong_purpose) {
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate is not for TLS servers "
			   "(its extended key usage lacks server "
			   "authentication): clients refuse it."));
	} else if (t->not_yet_valid) {
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate is not valid yet: check "
			   "the clock of this machine and the server."));
	} else if (!t->trusted) {
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate is not signed by a "
			   "trusted authority (issuer %s): clients refuse it "
			   "(\"self-signed certificate\" / \"unable to get "
			   "local issuer certificate\"); do not turn "
			   "verification off."),
			 t->issuer ? t->issuer : "unknown");
	} else if (!t->name_ok) {
		/* the name came from the server: under interception it is
		 * the interceptor's, so it is never advice to type it */
		snprintf(res->why, sizeof(res->why),
			 _("The server's certificate is for %s, not %s that "
			   "you typed: clients report a certificate name "
			   "mismatch. Ask your provider which server name to "
			   "use; do not take it from the certificate, which "
			   "anyone between you and the server could have "
			   "presented."),
			 name, typed);
	} else {
		snprintf(res->why, sizeof(res->why),
			 _("The server only negotiates %s: current clients "
			   "refuse TLS older than 1.2."),
			 t->version);
	}
}

/* --user: what became of the credentials on the port (tried on one of
 * its addresses, the others say so). */
static void login_words(const struct probe *p, const char *user,
			struct check_result *res)
{
	switch (p->auth) {
	case AUTH_ACCEPTED:
		res->works = res->safe = true;
		snprintf(res->why, sizeof(res->why),
			 _("These settings work from here, logged in as %s: "
			   "%s negotiated, the certificate verified, and AUTH "
			   "%s was accepted (%s)."),
			 user, p->tls.version, p->auth_mech,
			 p->auth_reply ? p->auth_reply : "235");
		break;
	case AUTH_REJECTED:
		snprintf(
			res->why, sizeof(res->why),
			_("The connection and TLS work, but the server refused "
			  "the user name or password of %s (%s): check them, "
			  "or whether the account may send by SMTP."),
			user, p->auth_reply ? p->auth_reply : _("no reply"));
		break;
	case AUTH_BROKEN:
		snprintf(res->why, sizeof(res->why),
			 _("The connection and TLS work, but the login "
			   "exchange (AUTH %s) broke off%s%s."),
			 p->auth_mech, p->auth_reply ? ": " : "",
			 p->auth_reply ? p->auth_reply : "");
		break;
	case AUTH_NOT_SENT:
		snprintf(res->why, sizeof(res->why),
			 _("Your credentials were not sent: %s."),
			 auth_skip_words(p->auth_skip));
		break;
	case AUTH_NO_MECHANISM:
		snprintf(res->why, sizeof(res->why),
			 _("Your credentials were not sent: the server offers "
			   "no login mechanism smtpprobe uses (SCRAM-SHA-256, "
			   "SCRAM-SHA-1, PLAIN, LOGIN)."));
		break;
	default:
		snprintf(res->why, sizeof(res->why),
			 _("The login could not be tried: the session ended "
			   "before it."));
		break;
	}
}

/* A port other than the one checked where a mail client can log in
 * (usable end to end, AUTH inside TLS; with ssl, implicit TLS), for the
 * advice: it names only what was seen to work.  0 when there is none. */
static int login_port_besides(const struct report *r, int port, bool ssl)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *q = r->probes[i];
		struct verdict v;

		if (q->port == port)
			continue;
		report_judge(r, q, &v);
		if (v.usable && v.auth_tls &&
		    (ssl ? v.state == ST_IMPLICIT_TLS : v.submission))
			return q->port;
	}
	return 0;
}

static void judge_one(const struct probe *p, const struct check_request *req,
		      const struct report *r, const struct probe *login,
		      struct check_result *res)
{
	const char *typed = r->host, *user = r->user;
	struct verdict v;
	bool tls_first = p->spoke == MODE_TLS;

	report_judge(r, p, &v);
	res->works = res->safe = false;
	if (v.state == ST_BLOCKED) {
		blocked_words(p, v.reason, res);
		return;
	}
	if (verdict_has(&v, "deadline-reached")) {
		snprintf(res->why, sizeof(res->why),
			 _("The session's --deadline ran out after %lld ms, in "
			   "the %s step, before the server's answer was due: "
			   "nothing is known past it. Run again with a longer "
			   "--deadline."),
			 (long long)p->total_ms,
			 probe_phase_name(p->end_phase));
		return;
	}
	if (req->enc == ENC_IMPLICIT && !tls_first && p->greeting_code) {
		int ssl = login_port_besides(r, p->port, true);
		char or_ssl[80] = "";

		if (ssl != 0)
			snprintf(or_ssl, sizeof(or_ssl),
				 _(", or SSL on port %d"), ssl);
		snprintf(
			res->why, sizeof(res->why),
			_("Port %d speaks plain SMTP%s, not SSL: your client's "
			  "TLS hello meets a plaintext \"220\" greeting, which "
			  "clients report as \"wrong version number\" or "
			  "\"unexpected message\". Choose %s on port %d%s."),
			p->port,
			v.state == ST_STARTTLS ? _(" with STARTTLS") : "",
			v.state == ST_STARTTLS ? "TLS" : _("no encryption"),
			p->port, or_ssl);
		return;
	}
	if (req->enc != ENC_IMPLICIT && tls_first && p->tls.done) {
		snprintf(res->why, sizeof(res->why),
			 _("Port %d expects SSL (TLS from the first byte): a "
			   "client set to %s waits for a \"220\" greeting that "
			   "never comes and times out. Choose SSL on port %d."),
			 p->port, encryption_label(req->enc), p->port);
		return;
	}
	if (v.state == ST_UNUSABLE) {
		snprintf(res->why, sizeof(res->why),
			 _("Port %d connects but does not work as a mail "
			   "server (%s)%s%s."),
			 p->port, v.reason, p->banner ? ": " : "",
			 p->banner ? p->banner : "");
		return;
	}
	if (req->enc == ENC_NONE && user != NULL) {
		/* the client would log in in cleartext: never tried */
		snprintf(
			res->why, sizeof(res->why),
			_("With no encryption your client would send the "
			  "password of %s in cleartext: smtpprobe does not, so "
			  "the login was not tried that way.%s"),
			user,
			v.state == ST_STARTTLS
				? _(" The server offers STARTTLS: "
				    "choose TLS and check again.")
				: "");
		return;
	}
	if (req->enc == ENC_NONE) {
		res->works = true;
		snprintf(res->why, sizeof(res->why),
			 _("It works, but without encryption: your password "
			   "and mail travel in cleartext.%s"),
			 v.state == ST_STARTTLS
				 ? _(" The server offers STARTTLS: "
				     "choose TLS instead.")
				 : "");
		return;
	}
	if (req->enc == ENC_STARTTLS && v.state == ST_PLAINTEXT) {
		snprintf(res->why, sizeof(res->why),
			 _("%s: clients fail with \"server does not support "
			   "STARTTLS\", or worse, send in cleartext."),
			 verdict_has(&v, "starttls-stripped")
				 ? _("Something on the path removes STARTTLS "
				     "from the server's EHLO reply")
				 : _("The server does not offer STARTTLS on "
				     "this "
				     "port"));
		return;
	}
	if (req->enc == ENC_STARTTLS && !p->tls.done) {
		snprintf(res->why, sizeof(res->why),
			 _("The server offers STARTTLS but the TLS start fails "
			   "(%s): clients report a handshake error."),
			 p->starttls_reply ? p->starttls_reply
			 : p->tls.error	   ? p->tls.error
					   : _("no answer"));
		return;
	}
	if (!v.tls_ok) {
		cert_words(p, typed, res);
		return;
	}
	if (!v.usable) {
		snprintf(res->why, sizeof(res->why),
			 _("TLS works on port %d, then the server refuses the "
			   "session inside it (%s): clients fail right after "
			   "connecting."),
			 p->port,
			 p->ehlo_tls_code ? _("EHLO answered with an error")
			 : p->spoke == MODE_TLS && p->greeting_code != 220
				 ? _("no usable greeting")
				 : _("the connection closed or broke"));
		return;
	}
	if (!v.auth_tls) {
		int sub = p->port == 25 ? login_port_besides(r, 25, false) : 0;
		char port25[200] = "";

		if (p->port == 25 && sub != 0)
			snprintf(port25, sizeof(port25),
				 _(" Port 25 is for server-to-server delivery; "
				   "port %d works from here (see below)."),
				 sub);
		else if (p->port == 25)
			snprintf(port25, sizeof(port25), "%s",
				 _(" Port 25 is for server-to-server delivery; "
				   "no submission port works from here (see "
				   "below)."));
		snprintf(res->why, sizeof(res->why),
			 _("TLS works on port %d, but the server offers no "
			   "login (AUTH) there%s: a mail client set to log in "
			   "fails with \"authentication not supported\".%s"),
			 p->port,
			 caps_has(&p->ehlo, "AUTH") ? _(" inside TLS (only "
							"before it)")
						    : "",
			 port25);
		return;
	}
	if (user != NULL) {
		login_words(login ? login : p, user, res);
		return;
	}
	res->works = res->safe = true;
	snprintf(res->why, sizeof(res->why),
		 _("These settings work from here: %s negotiated and the "
		   "certificate verified for %s."),
		 p->tls.version, typed);
}

void check_judge(const struct report *r, const struct check_request *req,
		 struct check_result *res)
{
	const struct probe *login = NULL;
	size_t i;
	bool seen = false;

	memset(res, 0, sizeof(*res));
	/* the address the credentials were tried on speaks for the port */
	for (i = 0; i < r->nprobes && r->user != NULL; i++)
		if (r->probes[i]->port == req->port &&
		    r->probes[i]->auth != AUTH_NOT_TRIED &&
		    r->probes[i]->auth != AUTH_NOT_REACHED &&
		    (login == NULL || login->auth != AUTH_ACCEPTED))
			login = r->probes[i];
	snprintf(res->why, sizeof(res->why),
		 _("Nothing could be probed: %s did not resolve."), r->host);
	if (r->nprobes == 0 &&
	    report_domain_hint(r, req->port, res->why, sizeof(res->why) - 1))
		strcat(res->why, ".");
	/* every address must work: a client may pick any of them */
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct check_result one;

		if (p->port != req->port)
			continue;
		judge_one(p, req, r, login, &one);
		if (!seen || (res->works && !one.works) ||
		    (res->safe && !one.safe))
			*res = one;
		seen = true;
	}
}
