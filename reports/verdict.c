#include "reports/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/sanitize.h"
#include "core/utc.h"
#include "probe/caps.h"

static void suffix(struct finding *f)
{
	size_t room = sizeof(f->message) - f->base;

	f->message[f->base] = '\0';
	if (f->count > 1 && f->similar > 0)
		snprintf(f->message + f->base, room,
			 _(" (%u times, and %u more of this kind)"), f->count,
			 f->similar);
	else if (f->count > 1)
		snprintf(f->message + f->base, room, _(" (%u times)"),
			 f->count);
	else if (f->similar > 0)
		snprintf(f->message + f->base, room,
			 _(" (and %u more of this kind)"), f->similar);
}

void findings_add(struct finding *v, size_t *n, const char *id,
		  enum severity sev, const char *msg)
{
	struct finding *f = NULL;
	size_t i, len = strlen(msg);

	/* the suffix must always fit */
	if (len > sizeof(v->message) - 64)
		len = sizeof(v->message) - 64;
	for (i = 0; i < *n; i++)
		if (strcmp(v[i].id, id) == 0 && v[i].severity == sev &&
		    v[i].base == len && strncmp(v[i].message, msg, len) == 0) {
			v[i].count++;
			suffix(&v[i]);
			return;
		}
	if (*n < VERDICT_MAX_FINDINGS) {
		f = &v[(*n)++];
	} else {
		/* full: the latest finding of the lowest severity below
		 * this one makes room */
		for (i = 0; i < *n; i++)
			if (v[i].severity < sev &&
			    (f == NULL || v[i].severity <= f->severity))
				f = &v[i];
		if (f == NULL) {
			/* none lower: counted on the last of its id, else
			 * on the last of its severity (never an error lost
			 * without a trace) */
			for (i = 0; i < *n; i++)
				if (strcmp(v[i].id, id) == 0 ||
				    (v[i].severity == sev &&
				     (f == NULL || strcmp(f->id, id) != 0)))
					f = &v[i];
			if (f != NULL) {
				f->similar++;
				suffix(f);
			}
			return;
		}
		/* the one making room is counted on another of its id */
		for (i = 0; i < *n; i++)
			if (&v[i] != f && strcmp(v[i].id, f->id) == 0) {
				v[i].similar += f->count + f->similar;
				suffix(&v[i]);
				break;
			}
	}
	f->id = id;
	f->severity = sev;
	f->count = 1;
	f->similar = 0;
	f->base = len;
	memcpy(f->message, msg, len);
	f->message[len] = '\0';
	utf8_trim_tail(f->message); /* a cut may split a character */
	f->base = strlen(f->message);
}

static void add(struct verdict *v, const char *id, enum severity sev,
		const char *fmt, ...)
{
	char msg[sizeof(v->findings[0].message)];
	va_list ap;

	va_start(ap, fmt);
	/* the format is the message id (make pot extracts this argument) */
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	findings_add(v->findings, &v->nfindings, id, sev, msg);
}

/* Missing or broken TLS: a warning on relay port 25, where TLS is
 * opportunistic; an error where users submit mail (RFC 8314). */
static enum severity by_role(const struct probe *p)
{
	return p->port == 25 ? SEV_WARNING : SEV_ERROR;
}

static bool starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What a non-SMTP peer gave itself away as, from its first bytes. */
static const char *other_protocol(const char *s)
{
	if (starts(s, "HTTP/") || starts(s, "<!DOCTYPE") || starts(s, "<html"))
		return "HTTP";
	if (starts(s, "SSH-"))
		return "SSH";
	if (starts(s, "* OK"))
		return "IMAP";
	if (starts(s, "+OK"))
		return "POP3";
	return NULL;
}

static void judge_blocked(const struct probe *p, struct verdict *v)
{
	v->state = ST_BLOCKED;
	switch (p->end) {
	case END_REFUSED:
		v->reason = "refused";
		break;
	case END_TIMEOUT:
	case END_DEADLINE:
		v->reason = "timeout";
		break;
	case END_LOCAL:
		v->state = ST_UNUSABLE;
		v->reason = "local-error";
		break;
	default:
		v->reason = "unreachable";
		break;
	}
}

/* The session's --deadline ran out while the server was still within
 * --timeout of its last word and sent nothing meanwhile (a tarpit sends
 * something): our limit cut the step, not a failure of the server. */
static bool deadline_cut(const struct probe *p)
{
	return p->end == END_DEADLINE && !p->tarpit;
}

static void deadline_finding(const struct probe *p, struct verdict *v)
{
	int64_t slowest = -1;
	int ph;

	for (ph = 0; ph < PH_COUNT; ph++)
		if (ph != (int)p->end_phase && p->ms[ph] > slowest)
			slowest = p->ms[ph];
	if (slowest >= 0)
		add(v, "deadline-reached", SEV_WARNING,
		    "the session's --deadline ran out after %lld ms, in the "
		    "%s step, before its --timeout had (the server's slowest "
		    "answer before took %lld ms): not judged past that "
		    "step; give a longer --deadline",
		    (long long)p->total_ms, probe_phase_name(p->end_phase),
		    (long long)slowest);
	else
		add(v, "deadline-reached", SEV_WARNING,
		    "the session's --deadline ran out after %lld ms, in the "
		    "%s step, before its --timeout had: not judged past "
		    "that step; give a longer --deadline",
		    (long long)p->total_ms, probe_phase_name(p->end_phase));
}

/* No SMTP verdict is possible past a step the deadline cut. */
static void judge_cut(const struct probe *p, struct verdict *v)
{
	v->state = ST_UNUSABLE;
	v->reason = "deadline";
	deadline_finding(p, v);
}

static void reply_findings(const struct probe *p, struct verdict *v)
{
	switch (p->reply_error) {
	case REPLY_MALFORMED:
	case REPLY_MIXED:
		add(v, "malformed-reply", SEV_ERROR, "%s: %s",
		    reply_error_name(p->reply_error),
		    p->detail ? p->detail : "");
		break;
	case REPLY_OVERLONG:
		add(v, "overlong-line", SEV_ERROR,
		    "a reply line longer than %d bytes", REPLY_MAX_LINE);
		break;
	case REPLY_FLOOD:
		add(v, "reply-flood", SEV_ERROR,
		    "a reply of more than %d lines or %d bytes",
		    REPLY_MAX_LINES, REPLY_MAX_BYTES);
		break;
	case REPLY_OK:
		break;
	}
	if (p->tarpit)
		add(v, "tarpit", SEV_ERROR,
		    "the server sent %llu bytes so slowly that the %s phase "
		    "never ended before the deadline",
		    (unsigned long long)p->bytes_in,
		    probe_phase_name(p->end_phase));
	if (p->bare_lf)
		add(v, "bare-lf", SEV_WARNING,
		    "reply lines end in a bare LF, not CRLF (RFC 5321 2.3.8)");
	if (p->nonprintable)
		add(v, "nonprintable", SEV_WARNING,
		    "the server sent control or non-ASCII bytes; shown "
		    "escaped");
}

/* No SMTP conversation came about: say why, as unusable. */
static void judge_no_smtp(const struct probe *p, struct verdict *v)
{
	const char *other = other_protocol(p->detail ? p->detail : p->sniff);

	v->state = ST_UNUSABLE;
	if (other != NULL) {
		v->reason = "not-smtp";
		add(v, "not-smtp", SEV_ERROR, "the port speaks %s, not SMTP",
		    other);
	} else if (p->end == END_CLOSED && p->greeting_code == 0) {
		v->reason = "early-close";
	} else if ((p->end == END_TIMEOUT || p->end == END_DEADLINE) &&
		   p->greeting_code == 0) {
		v->reason = "no-greeting";
	} else {
		v->reason = "protocol-error";
	}
}

static void tls_findings(const struct probe *p, const struct verdict_ctx *c,
			 struct verdict *v)
{
	const struct tls_info *t = &p->tls;
	enum severity sev = by_role(p);

	if (!t->done)
		return;
	if (strcmp(t->version, "TLS1.0") == 0 ||
	    strcmp(t->version, "TLS1.1") == 0 || starts(t->version, "SSL"))
		add(v, "tls-legacy-version", sev,
		    "%s negotiated; TLS 1.0 and 1.1 are deprecated (RFC 8996)",
		    t->version);
	if (c->legacy_accepted == 1)
		add(v, "tls-legacy-version", SEV_WARNING,
		    "%s negotiated, but the server still accepts %s from a "
		    "client that offers nothing newer (RFC 8996 deprecates "
		    "TLS 1.0 and 1.1)",
		    t->version, c->legacy_version);
	if (c->command_injection == 1) {
		add(v, "command-injection", SEV_ERROR,
		    "a NOOP sent in the same packet as STARTTLS was answered "
		    "inside TLS: commands injected before TLS are executed "
		    "as if encrypted (CVE-2011-0411)");
		v->downgrade_risk = true;
	}
	if (c->dane.present && c->dane.usable && c->dane.verified == 0) {
		add(v, "dane-failure", SEV_ERROR,
		    "the certificate does not match the DNSSEC-validated "
		    "TLSA records: %s",
		    c->dane.error);
		v->downgrade_risk = true;
	}
	if (t->expired) {
		char when[UTC_TEXT_MAX] = "?";

		utc_format(t->not_after, UTC_DAY, when, sizeof(when));
		add(v, "certificate-expired", sev,
		    "the certificate expired on %s", when);
	}
	if (!t->expired && t->seen > 0 && t->not_after > 0) {
		time_t now = c->now > 0 ? c->now : t->seen;
		int soon = cert_expiry(t->not_after, now, p->cert_warn_days,
				       p->cert_crit_days);
		char when[UTC_TEXT_MAX] = "?";

		utc_format(t->not_after, UTC_MINUTE, when, sizeof(when));
		if (soon >= 0)
			add(v, "certificate-expires-soon", (enum severity)soon,
			    "the certificate expires on %s, in %ld days "
			    "(--cert-days %d,%d)",
			    when, cert_days_left(t->not_after, now),
			    p->cert_warn_days, p->cert_crit_days);
	}
	if (t->not_yet_valid) {
		char when[UTC_TEXT_MAX] = "?";

		utc_format(t->not_before, UTC_DAY, when, sizeof(when));
		add(v, "certificate-not-yet-valid", sev,
		    "the certificate is not valid before %s (check the "
		    "clocks)",
		    when);
	}
	if (!t->trusted)
		add(v, "certificate-not-trusted", sev,
		    "the certificate does not chain to a trusted authority "
		    "(issuer %s)",
		    t->issuer ? t->issuer : _("unknown"));
	/* RFC 8460's catch-all, each with what is wrong */
	if (t->revoked)
		add(v, "validation-failure", sev,
		    _("the certificate has been revoked by its issuer"));
	if (t->weak)
		add(v, "validation-failure", sev,
		    _("the certificate chain is signed with an insecure "
		      "algorithm (such as SHA-1): clients refuse it"));
	if (t->wrong_purpose)
		add(v, "validation-failure", sev,
		    _("the certificate is not for TLS servers: its extended "
		      "key usage lacks server authentication"));
	if (!t->name_ok && p->host == NULL)
		/* an address was probed: no public certificate names it */
		add(v, "certificate-host-mismatch", SEV_WARNING,
		    "probed by address %s, which the certificate (for %s) "
		    "does not name; probe the host name to check it",
		    p->address, t->names.n ? t->names.v[0] : _("no name"));
	else if (!t->name_ok)
		add(v, "certificate-host-mismatch", sev,
		    "the certificate is for %s%s, not %s",
		    t->names.n ? t->names.v[0] : _("no name"),
		    t->names.n > 1 ? _(" and others") : "", p->host);
}

static void starttls_findings(const struct probe *p,
			      const struct verdict_ctx *c, struct verdict *v)
{
	enum severity sev = by_role(p);

	if (deadline_cut(p) && (p->starttls_code == 0 ||
				(p->starttls_code == 220 && !p->tls.done &&
				 p->end_phase == PH_HANDSHAKE)))
		return; /* the deadline cut it: deadline-reached says so */
	if (p->starttls_code == 0) {
		add(v, "starttls-refused", sev,
		    "STARTTLS was advertised but not answered");
		v->downgrade_risk = true;
	} else if (p->starttls_code != 220) {
		add(v, "starttls-refused", sev,
		    "STARTTLS was advertised, then refused: %s",
		    p->starttls_reply ? p->starttls_reply : "");
		v->downgrade_risk = true;
	} else if (p->end == END_INJECTION) {
		add(v, "response-injection", SEV_ERROR,
		    "%zu byte(s) arrived after the 220 to STARTTLS, before "
		    "TLS: discarded and the session aborted",
		    p->injected);
		v->downgrade_risk = true;
	} else if (!p->tls.done) {
		add(v, "starttls-handshake-failed", sev,
		    "the TLS handshake after STARTTLS failed: %s",
		    p->tls.error ? p->tls.error : _("no answer"));
		v->downgrade_risk = true;
	} else if (p->port == 25 && c->protection != NULL) {
		add(v, "downgrade-protected", SEV_INFO,
		    "STARTTLS on port 25 is protected against stripping by %s",
		    c->protection);
	} else if (p->port == 25 && c->protection_note[0] != '\0') {
		add(v, "downgrade-risk", SEV_WARNING,
		    "STARTTLS on port 25 can be stripped on the path: nothing "
		    "protects it here (%s)",
		    c->protection_note);
		v->downgrade_risk = true;
	} else if (p->port == 25) {
		add(v, "downgrade-risk", SEV_WARNING,
		    "STARTTLS on port 25 can be stripped on the path unless "
		    "MTA-STS (enforce) or DANE protects it; neither was "
		    "checked");
		v->downgrade_risk = true;
	}
}

/* The port spoke the other mode than it was probed for.  What it was
 * expected to speak came from the port's custom (465 TLS, the others
 * plaintext), from an SRV record, or from the user (--tls-ports,
 * --encryption): the message names which, so it never calls the user's
 * choice "the usual". */
static void port_mode_finding(const struct probe *p, struct verdict *v)
{
	enum probe_mode want = verdict_standard_mode(p);
	const char *spoke =
		p->spoke == MODE_TLS ? _("implicit TLS") : _("plaintext SMTP");
	const char *wanted =
		want == MODE_TLS ? _("implicit TLS") : _("plaintext SMTP");
	bool known = p->port == 25 || p->port == 587 || p->port == 465 ||
		     p->port == 2525;

	/* against the port's standard: the encryption a user tried
	 * (--check) is the check's business, never a fault of the server */
	if (p->spoke == want)
		return;
	if (!known && p->role != NULL &&
	    (strcmp(p->role, "submission") == 0 ||
	     strcmp(p->role, "submissions") == 0))
		add(v, "wrong-port-mode", SEV_WARNING,
		    "port %d speaks %s, not the %s its SRV record "
		    "(_%s._tcp) announces",
		    p->port, spoke, wanted, p->role);
	else if (known)
		add(v, "wrong-port-mode", SEV_WARNING,
		    "port %d speaks %s, not the usual %s", p->port, spoke,
		    wanted);
	else
		add(v, "wrong-port-mode", SEV_WARNING,
		    "port %d speaks %s, not the %s it was probed for (%s)",
		    p->port, spoke, wanted,
		    want == MODE_TLS ? _("--tls-ports lists it")
				     : _("list it in --tls-ports if it is "
					 "meant for TLS"));
}

/* "XXXXXXXA" and kin: what SMTP-inspecting firewalls (Cisco's "fixup
 * smtp") and stripping attackers leave of STARTTLS, same length, X'd. */
static const char *stripped_keyword(const struct strlist *ehlo)
{
	size_t i, j;

	for (i = 0; i < ehlo->n; i++) {
		const char *k = ehlo->v[i];

		if (strlen(k) != 8 || (k[0] != 'X' && k[0] != 'x'))
			continue;
		for (j = 1; j < 8; j++)
			if (k[j] != 'X' && k[j] != 'x' && j < 7)
				break;
		if (j == 8)
			return k;
	}
	return NULL;
}

static void judge_state(const struct probe *p, const struct verdict_ctx *c,
			struct verdict *v)
{
	bool tls_first = p->spoke == MODE_TLS;
	bool hello_ok;

	memset(v, 0, sizeof(*v));
	if (!p->connected) {
		judge_blocked(p, v);
		return;
	}
	reply_findings(p, v);
	if (tls_first && !p->tls.done && deadline_cut(p)) {
		judge_cut(p, v);
		return;
	}
	if (tls_first && !p->tls.done) {
		judge_no_smtp(p, v);
		/* a handshake that failed, not one that met silence */
		if (p->tls.error != NULL && strcmp(v->reason, "not-smtp") != 0)
			add(v, "validation-failure", by_role(p),
			    "the TLS handshake failed: %s", p->tls.error);
		return;
	}
	port_mode_finding(p, v);
	if (p->greeting_code == 0 && deadline_cut(p)) {
		judge_cut(p, v);
		return;
	}
	if (p->greeting_code == 0) {
		judge_no_smtp(p, v);
		return;
	}
	if (p->greeting_code != 220) {
		v->state = ST_UNUSABLE;
		v->reason = p->greeting_code == 421   ? "rate-limited"
			    : p->greeting_code == 554 ? "rejecting"
						      : "protocol-error";
		return;
	}
	hello_ok = (tls_first ? p->ehlo_tls_code : p->ehlo_code) == 250 ||
		   (p->helo_used && p->helo_code == 250);
	if (!hello_ok) {
		int code = tls_first ? p->ehlo_tls_code : p->ehlo_code;

		if (code == 0 && deadline_cut(p)) {
			judge_cut(p, v);
			return;
		}

		/* a 421 or 554 to EHLO means what it means in a greeting */
		v->state = ST_UNUSABLE;
		v->reason = code == 421		   ? "rate-limited"
			    : code == 554	   ? "rejecting"
			    : p->end == END_CLOSED ? "early-close"
						   : "protocol-error";
		return;
	}
	if (tls_first)
		v->state = ST_IMPLICIT_TLS;
	else if (caps_has(&p->ehlo, "STARTTLS"))
		v->state = ST_STARTTLS;
	else
		v->state = ST_PLAINTEXT;

	if (v->state == ST_STARTTLS)
		starttls_findings(p, c, v);
	if (v->state == ST_PLAINTEXT && stripped_keyword(&p->ehlo)) {
		add(v, "starttls-stripped", SEV_ERROR,
		    "the EHLO reply has %s where STARTTLS belongs: a firewall "
		    "or attacker on the path removes STARTTLS",
		    stripped_keyword(&p->ehlo));
		v->downgrade_risk = true;
	} else if (v->state == ST_PLAINTEXT)
		add(v, "starttls-not-supported", by_role(p),
		    "%s: mail to and from this port travels in cleartext",
		    p->helo_used
			    ? _("EHLO was refused and HELO has no STARTTLS")
			    : _("no STARTTLS offered"));
	if (!tls_first && caps_has(&p->ehlo, "AUTH")) {
		add(v, "plaintext-auth", by_role(p),
		    "AUTH is offered before TLS: passwords can be sent in "
		    "cleartext");
		v->downgrade_risk = true;
	}
	tls_findings(p, c, v);
	if (deadline_cut(p))
		deadline_finding(p, v);
}

enum probe_mode verdict_standard_mode(const struct probe *p)
{
	switch (p->port) {
	case 465:
		return MODE_TLS;
	case 25:
	case 587:
	case 2525:
		return MODE_PLAIN;
	default:
		return p->declared;
	}
}

bool verdict_submission_role(const struct probe *p)
{
	return p->port != 25 && (p->role == NULL || strcmp(p->role, "mx") != 0);
}

/* The first step on a mail client's way that failed, or NULL: TCP,
 * greeting, EHLO, STARTTLS, handshake, certificate (verified for the
 * name, TLS 1.2 or newer), EHLO inside TLS. */
static const char *failed_step(const struct probe *p, const struct verdict *v)
{
	if (!p->connected)
		return "connect";
	if (p->spoke == MODE_PLAIN) {
		if (p->greeting_code != 220)
			return "greeting";
		if (p->ehlo_code != 250)
			return "ehlo";
		if (!caps_has(&p->ehlo, "STARTTLS") ||
		    p->starttls_code != 220 || p->end == END_INJECTION)
			return "starttls";
	}
	if (!p->tls.done)
		return "handshake";
	if (!v->tls_ok)
		return "certificate";
	if (p->spoke == MODE_TLS && p->greeting_code != 220)
		return "greeting";
	if (p->ehlo_tls_code != 250)
		return "ehlo_tls";
	return NULL;
}

/* What ended the session after the handshake, in words. */
static void after_tls_words(const struct probe *p, char *buf, size_t len)
{
	bool greeting = p->spoke == MODE_TLS && p->greeting_code != 220;
	int code = greeting ? p->greeting_code : p->ehlo_tls_code;
	const char *what = greeting ? _("the greeting inside TLS")
				    : _("the EHLO sent inside TLS");

	if (code != 0)
		snprintf(buf, len, _("%s was answered %d%s%s"), what, code,
			 p->detail ? ": " : "", p->detail ? p->detail : "");
	else if (p->end == END_CLOSED)
		snprintf(buf, len,
			 _("the server closed the connection instead "
			   "of answering %s"),
			 what);
	else if (p->end == END_TIMEOUT || p->end == END_DEADLINE)
		snprintf(buf, len, _("no answer to %s"), what);
	else
		snprintf(buf, len, _("%s got no valid reply (%s%s%s)"), what,
			 probe_end_name(p->end), p->detail ? ": " : "",
			 p->detail ? p->detail : "");
}

/* The mail client's view: usable end to end, and AUTH to log in with. */
static void judge_client(const struct probe *p, struct verdict *v)
{
	struct caps c;

	v->submission = verdict_submission_role(p);
	v->tls_ok = p->tls.done && p->tls.verified &&
		    (strcmp(p->tls.version, "TLS1.2") == 0 ||
		     strcmp(p->tls.version, "TLS1.3") == 0);
	if (p->connect_only)
		return;
	v->failed_step = failed_step(p, v);
	v->usable = v->failed_step == NULL;
	caps_from_lines(&p->ehlo_tls, &c);
	v->auth_tls = p->ehlo_tls_code == 250 && c.auth;
	caps_free(&c);
	/* whatever the certificate: the server itself broke the session
	 * (a 421 or 554 greeting on implicit TLS is a refusal the state
	 * already names: rate-limited, rejecting) */
	if (p->tls.done && p->kind == KIND_MAIN &&
	    ((p->spoke == MODE_TLS && p->greeting_code == 0) ||
	     (p->greeting_code == 220 && p->ehlo_tls_code != 250))) {
		char words[600];

		after_tls_words(p, words, sizeof(words));
		add(v, "session-failed-after-tls", SEV_ERROR,
		    "the TLS handshake completed, then the session failed: "
		    "%s; a mail client cannot send here",
		    words);
	}
	if (v->submission && p->ehlo_tls_code == 250 && !v->auth_tls)
		add(v, "auth-not-offered", SEV_WARNING,
		    "no AUTH inside TLS%s: a mail client cannot log in on "
		    "this port",
		    caps_has(&p->ehlo, "AUTH")
			    ? _(" (offered only before TLS, where a password "
				"would travel in cleartext)")
			    : "");
}

/* RFC 3207 4: a server that requires TLS answers 530 to MAIL before
 * STARTTLS.  Asked on submission STARTTLS ports only (not 25). */
static void judge_enforcement(const struct probe *p, struct verdict *v)
{
	/* once per host and port: on the address it was asked on */
	if (strcmp(p->enforce_address, p->address) != 0)
		return;
	if (p->enforce_code >= 200 && p->enforce_code < 300)
		add(v, "tls-not-enforced", SEV_WARNING,
		    "MAIL FROM:<> before STARTTLS was accepted (%s): a "
		    "client set to no encryption or \"auto\" can be "
		    "stripped to cleartext; the server should answer 530",
		    p->enforce_reply ? p->enforce_reply : "2xx");
}

const char *auth_skip_words(enum auth_skip k)
{
	switch (k) {
	case SKIP_NO_TLS:
		return _("no TLS on this port, and credentials never travel "
			 "in cleartext");
	case SKIP_UNVERIFIED:
		return _("the certificate did not verify for the name typed, "
			 "and credentials go only to a server proven to be it");
	case SKIP_OLD_TLS:
		return _("TLS older than 1.2 was negotiated");
	case SKIP_BEFORE_TLS:
		return _("AUTH was offered only before TLS, never inside it");
	case SKIP_NAME_NOT_TYPED:
		return _("this host name came from DNS or a guess, not from "
			 "you: confirm it with your provider, then check it "
			 "by name with --check HOST:PORT --user");
	default:
		return "";
	}
}

static void judge_credentials(const struct probe *p, struct verdict *v)
{
	switch (p->auth) {
	case AUTH_NOT_SENT:
		add(v, "credentials-not-sent", SEV_ERROR,
		    "the credentials were not sent: %s",
		    auth_skip_words(p->auth_skip));
		break;
	case AUTH_NO_MECHANISM:
		add(v, "credentials-not-sent", SEV_ERROR,
		    "the credentials were not sent: none of the AUTH "
		    "mechanisms offered inside TLS is one smtpprobe uses "
		    "(SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN)");
		break;
	case AUTH_REJECTED:
		add(v, "auth-failed", SEV_ERROR,
		    "the server refused the credentials (%s): %s", p->auth_mech,
		    p->auth_reply ? p->auth_reply : "");
		break;
	case AUTH_BROKEN:
		add(v, "auth-failed", SEV_ERROR,
		    "the AUTH %s exchange broke off%s%s", p->auth_mech,
		    p->auth_reply ? ": " : "",
		    p->auth_reply ? p->auth_reply : "");
		break;
	default:
		break;
	}
}

const struct verdict_ctx verdict_ctx_none = {
	.legacy_accepted = -1,
	.command_injection = -1,
	.dane = {.verified = -1},
};

void verdict_judge(const struct probe *p, struct verdict *v)
{
	verdict_judge_ctx(p, &verdict_ctx_none, v);
}

void verdict_judge_ctx(const struct probe *p, const struct verdict_ctx *c,
		       struct verdict *v)
{
	judge_state(p, c, v);
	judge_client(p, v);
	judge_enforcement(p, v);
	judge_credentials(p, v);
}

int verdict_worst(const struct verdict *v)
{
	int worst = -1;
	size_t i;

	for (i = 0; i < v->nfindings; i++)
		if ((int)v->findings[i].severity > worst)
			worst = (int)v->findings[i].severity;
	return worst;
}

bool verdict_has(const struct verdict *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, id) == 0)
			return true;
	return false;
}

long cert_days_left(time_t not_after, time_t seen)
{
	long long d = (long long)not_after - (long long)seen;

	/* floor, not truncation: 1 s past expiry is day -1, not day 0 */
	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

int cert_expiry(time_t not_after, time_t seen, int warn, int crit)
{
	long long left = (long long)not_after - (long long)seen;

	if (warn <= 0)
		return -1;
	if (crit > 0 && left < (long long)crit * 86400)
		return SEV_ERROR;
	if (left < (long long)warn * 86400)
		return SEV_WARNING;
	return -1;
}

const char *state_name(enum state s)
{
	static const char *const names[] = {"blocked", "plaintext", "starttls",
					    "implicit-tls", "unusable"};

	return (size_t)s < 5 ? names[s] : "?";
}

const char *severity_name(enum severity s)
{
	/* N_: the JSON value; text and Markdown translate it where they print
	 */
	return s == SEV_ERROR	  ? N_("error")
	       : s == SEV_WARNING ? N_("warning")
				  : N_("info");
}
