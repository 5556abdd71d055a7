#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/i18n.h"
#include "reports/verdict.h"

static size_t port_rank(const struct report *r, int port)
{
	size_t i;

	for (i = 0; i < r->nports; i++)
		if (r->ports[i] == port)
			return i;
	return r->nports;
}

static int cmp_probe(const void *a, const void *b, void *arg)
{
	const struct probe *p = *(struct probe *const *)a;
	const struct probe *q = *(struct probe *const *)b;
	const struct report *r = arg;
	size_t rp = port_rank(r, p->port), rq = port_rank(r, q->port);

	if (rp != rq)
		return rp < rq ? -1 : 1;
	if (p->port != q->port)
		return p->port < q->port ? -1 : 1;
	if (p->addr.ss_family != q->addr.ss_family)
		return p->addr.ss_family == AF_INET ? -1 : 1;
	return strcmp(p->address, q->address);
}

void report_sort(struct report *r)
{
	if (r->nprobes > 1)
		qsort_r(r->probes, r->nprobes, sizeof(*r->probes), cmp_probe,
			r);
}

/* A port is recommendable to a mail client only when it works end to
 * end (verdict.usable) and offers AUTH inside TLS: a port 25 without
 * AUTH is server-to-server delivery, never a client's setting.
 * RFC 8314 3.3: implicit TLS first (nothing to strip), then STARTTLS on
 * the submission port, then the alternative ports; 25 is for relaying
 * between servers and comes last. */
bool report_logged_in(const struct report *r, const struct probe *p)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *q = r->probes[i];

		if (q->port == p->port && q->auth == AUTH_ACCEPTED &&
		    (p->host != NULL && q->host != NULL
			     ? strcmp(p->host, q->host) == 0
			     : strcmp(p->address, q->address) == 0))
			return true;
	}
	return false;
}

/* The credentials went to p's host and port on some address: a login
 * was attempted there, whatever became of it. */
static bool login_tried(const struct report *r, const struct probe *p)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		const struct probe *q = r->probes[i];

		if (q->port == p->port &&
		    (q->auth == AUTH_ACCEPTED || q->auth == AUTH_REJECTED ||
		     q->auth == AUTH_BROKEN) &&
		    (p->host != NULL && q->host != NULL
			     ? strcmp(p->host, q->host) == 0
			     : strcmp(p->address, q->address) == 0))
			return true;
	}
	return false;
}

static int preference(const struct report *r, const struct probe *p,
		      const struct verdict *v)
{
	/* only where a mail client really gets through and can log in */
	if (!v->usable || !v->auth_tls)
		return -1;
	/* with credentials given, "works" means they were accepted */
	if (r != NULL && r->user != NULL && report_logged_in(r, p))
		return 100 + preference(NULL, p, v);
	if (v->state == ST_IMPLICIT_TLS)
		return p->port == 465 ? 50 : 40;
	if (v->state != ST_STARTTLS)
		return -1;
	if (p->port == 587)
		return 30;
	return p->port == 25 ? 10 : 20;
}

static const char *label_of(const struct probe *p)
{
	return p->spoke == MODE_TLS ? "SSL" : "TLS";
}

static const char *encryption_of(const struct probe *p)
{
	return p->spoke == MODE_TLS ? "implicit-tls" : "starttls";
}

static const char *name_of(const struct probe *p)
{
	return p->host ? p->host : p->address;
}

/* Hosts that resolved, but only to addresses --public-only refused. */
static size_t hosts_not_public(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nhosts; i++)
		n += r->hosts[i].error != NULL &&
		     strcmp(r->hosts[i].error, PLAN_ERR_NOT_PUBLIC) == 0;
	return n;
}

/* A literal address target --public-only refused: the resolver said
 * so in a private-address finding (there is no host to carry it). */
static bool address_not_public(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, "private-address") == 0)
			return true;
	return false;
}

/* The domain resolved to mail hosts, but none on the ports asked for:
 * the MX records name hosts for 25, the SRV records their own ports. */
static bool explain_unplanned(const struct report *r,
			      struct recommendation *rec)
{
	const struct dns_info *d = &r->dns;
	const char *example = NULL;
	char asked[64] = "", named[64] = "";
	size_t i, used = 0;
	int k, ports[8], nports = 0;

	for (i = 0; i < r->nports && used < sizeof(asked) - 8; i++)
		used += (size_t)snprintf(asked + used, sizeof(asked) - used,
					 "%s%d", i ? "," : "", r->ports[i]);
	if (d->nmx > 0)
		ports[nports++] = 25;
	for (k = 0; k < d->nmx && example == NULL; k++)
		if (d->mx[k].host[0] != '\0')
			example = d->mx[k].host;
	for (k = 0; k < d->nsub + d->nsubs; k++) {
		const struct srv_rec *s =
			k < d->nsub ? &d->sub[k] : &d->subs[k - d->nsub];
		int j;

		if (s->target[0] == '\0')
			continue;
		if (example == NULL)
			example = s->target;
		for (j = 0; j < nports && ports[j] != s->port; j++)
			;
		if (j == nports && nports < 8)
			ports[nports++] = s->port;
	}
	if (nports == 0)
		return false; /* only "." records: nothing named at all */
	for (k = 0, used = 0; k < nports; k++)
		used += (size_t)snprintf(named + used, sizeof(named) - used,
					 "%s%d",
					 k == 0		   ? ""
					 : k == nports - 1 ? _(" and ")
							   : ", ",
					 ports[k]);
	snprintf(rec->why, sizeof(rec->why),
		 _("no mail host of %s was planned for port %s: its MX and "
		   "SRV records name port%s %s only. To probe a host on port "
		   "%s, name it, as in \"smtpprobe -p %s %s\""),
		 r->host, asked, nports > 1 ? "s" : "", named, asked, asked,
		 example ? example : "HOST");
	return true;
}

bool report_domain_hint(const struct report *r, int port, char *buf, size_t len)
{
	const struct dns_info *d = &r->dns;
	const struct srv_rec *v = port == 465 ? d->subs : d->sub;
	int n = port == 465 ? d->nsubs : d->nsub, k;
	size_t used;

	if (d->domain || r->is_address)
		return false;
	for (k = 0; k < n; k++)
		if (v[k].target[0] != '\0' && v[k].port == port) {
			snprintf(buf, len,
				 _("%s has no address of its own: it is a mail "
				   "domain, whose host for port %d is %s (its "
				   "_%s._tcp SRV record). Probe %s:%d, or %s "
				   "for every mail host"),
				 r->host, port, v[k].target,
				 port == 465 ? "submissions" : "submission",
				 v[k].target, port, r->host);
			return true;
		}
	for (k = 0; port == 25 && k < d->nmx; k++)
		if (d->mx[k].host[0] != '\0') {
			snprintf(buf, len,
				 _("%s has no address of its own: it is a mail "
				   "domain, whose mail for port 25 goes to %s "
				   "(its MX record). Probe %s:25, or %s for "
				   "every mail host"),
				 r->host, d->mx[k].host, d->mx[k].host,
				 r->host);
			return true;
		}
	if (d->nmx == 0 && d->nsub == 0 && d->nsubs == 0)
		return false;
	used = (size_t)snprintf(buf, len,
				_("%s has no address of its own: it is a mail "
				  "domain, whose records name"),
				r->host);
	for (k = 0; k < d->nmx && used < len; k++)
		if (d->mx[k].host[0] != '\0')
			used += (size_t)snprintf(buf + used, len - used,
						 _(" %s:25 (MX)"),
						 d->mx[k].host);
	for (k = 0; k < d->nsub + d->nsubs && used < len; k++) {
		const struct srv_rec *s =
			k < d->nsub ? &d->sub[k] : &d->subs[k - d->nsub];

		if (s->target[0] != '\0')
			used += (size_t)snprintf(buf + used, len - used,
						 _(" %s:%d (SRV)"), s->target,
						 s->port);
	}
	if (used < len)
		snprintf(buf + used, len - used,
			 _(". Probe one of them, or %s for every mail host"),
			 r->host);
	return true;
}

/* What the probes saw, for the words when nothing qualifies. */
struct tally {
	size_t blocked, plain, badtls;
	size_t name_only;	    /* TLS sound but for the name */
	size_t sub, sub_blocked;    /* submission-role probes */
	const struct probe *relay;  /* usable, no AUTH, 25 or an MX */
	const struct probe *noauth; /* usable submission port, no AUTH */
	const struct probe *failed; /* the session failed after TLS */
	char ports[480];	    /* "587 blocked, 2525 no TLS" */
};

/* A submission port's fate in a few words, once per port. */
static void tally_port(struct tally *t, const struct probe *p,
		       const struct verdict *v)
{
	char item[16];
	const char *what = v->state == ST_BLOCKED     ? _("blocked")
			   : v->state == ST_PLAINTEXT ? _("no TLS")
			   : v->state == ST_UNUSABLE  ? _("unusable")
			   : !v->usable		      ? _("TLS fails")
						      : _("no AUTH");
	size_t len = strlen(t->ports);

	snprintf(item, sizeof(item), "%d ", p->port);
	if (strncmp(t->ports, item, strlen(item)) == 0 ||
	    (snprintf(item, sizeof(item), ", %d ", p->port) > 0 &&
	     strstr(t->ports, item) != NULL))
		return;
	snprintf(t->ports + len, sizeof(t->ports) - len, "%s%d %s",
		 len ? ", " : "", p->port, what);
}

static void tally_add(struct tally *t, const struct probe *p,
		      const struct verdict *v)
{
	t->blocked += v->state == ST_BLOCKED;
	t->plain += v->state == ST_PLAINTEXT;
	if (p->tls.done &&
	    (!p->tls.verified || verdict_has(v, "tls-legacy-version")))
		t->badtls++;
	/* sound but for the name: an address is no name at all */
	if (p->tls.done && p->tls.trusted && !p->tls.expired &&
	    !p->tls.not_yet_valid && !p->tls.name_ok)
		t->name_only++;
	if (v->submission) {
		t->sub++;
		t->sub_blocked += v->state == ST_BLOCKED;
		tally_port(t, p, v);
	}
	if (v->usable && !v->auth_tls && !v->submission && t->relay == NULL)
		t->relay = p;
	if (v->usable && !v->auth_tls && v->submission && t->noauth == NULL)
		t->noauth = p;
	if (verdict_has(v, "session-failed-after-tls") && t->failed == NULL)
		t->failed = p;
}

/* Why nothing qualifies, and what to do about it, from what was seen. */
static void explain_none(const struct report *r, struct recommendation *rec,
			 const struct tally *t)
{
	size_t i, https = 0, answered = 0;
	char relay[200] = "";

	for (i = 0; i < r->ncontrols; i++) {
		https += r->controls[i]->connected;
		answered += r->controls[i]->end == END_REFUSED;
	}
	if (t->relay != NULL)
		snprintf(
			relay, sizeof(relay),
			_(" %s:%d answers with TLS but offers no login (AUTH): "
			  "it is for server-to-server delivery, not for a mail "
			  "client."),
			name_of(t->relay), t->relay->port);
	if (r->nprobes == 0 && r->dns.null_mx)
		snprintf(rec->why, sizeof(rec->why),
			 _("the domain publishes a null MX and no submission "
			   "service: it handles no mail"));
	else if (r->nprobes == 0 && (r->check != NULL || r->nports == 1) &&
		 report_domain_hint(r, r->check ? r->check->port : r->ports[0],
				    rec->why, sizeof(rec->why)))
		; /* said */
	else if (r->nprobes == 0 && report_dns_unanswered(r))
		snprintf(rec->why, sizeof(rec->why),
			 _("nothing could be probed: the DNS server does not "
			   "answer"));
	else if (r->nprobes == 0 && r->nhosts == 0 && explain_unplanned(r, rec))
		; /* said */
	else if (r->nprobes == 0 && r->is_address && address_not_public(r))
		snprintf(rec->why, sizeof(rec->why),
			 _("nothing was probed: the address is not public "
			   "(loopback, private or link-local), and "
			   "--public-only left it out. Run without "
			   "--public-only to probe it"));
	else if (r->nprobes == 0 && hosts_not_public(r) > 0)
		snprintf(
			rec->why, sizeof(rec->why),
			_("nothing was probed: %zu mail host(s) resolved only "
			  "to "
			  "addresses that are not public (loopback, private or "
			  "link-local), and --public-only left them out. Run "
			  "without --public-only to probe them"),
			hosts_not_public(r));
	else if (r->nprobes == 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("nothing could be probed: no mail host resolved"));
	else if (t->blocked == r->nprobes && https > 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("every mail port is blocked from here while HTTPS "
			   "(443) to the same server connects: outbound mail "
			   "ports are filtered between this host and the "
			   "internet. Ask your host to open outbound 587 or "
			   "465, or send through the provider's HTTPS API"));
	else if (t->blocked == r->nprobes && answered > 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("every mail port is blocked from here; the server "
			   "itself answers (TCP 443 is refused, not dropped), "
			   "so "
			   "its mail ports are closed or filtered on the way: "
			   "check the provider's documented ports, or ask your "
			   "host whether outbound 587 and 465 are open"));
	else if (t->blocked == r->nprobes && r->ncontrols > 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("every mail port is blocked from here, and HTTPS "
			   "(443) to the same server does not connect either: "
			   "the server is unreachable from here or down"));
	else if (t->blocked == r->nprobes)
		snprintf(rec->why, sizeof(rec->why),
			 _("every mail port is blocked from here: ask your "
			   "host to open outbound 587 or 465, or use the "
			   "provider's HTTPS API"));
	else if (t->failed != NULL)
		snprintf(
			rec->why, sizeof(rec->why),
			_("no submission port works end to end from here: "
			  "%s:%d completes the TLS handshake, then the session "
			  "fails, so a mail client cannot send there.%s Use "
			  "the "
			  "port your provider documents, or ask the provider "
			  "to fix the server"),
			name_of(t->failed), t->failed->port, relay);
	else if (t->noauth != NULL)
		snprintf(
			rec->why, sizeof(rec->why),
			_("no submission port offers a login: %s:%d works with "
			  "TLS but offers no AUTH inside TLS, so a mail client "
			  "cannot log in.%s Use the port your provider "
			  "documents for sending with a password, or the "
			  "provider's HTTPS API"),
			name_of(t->noauth), t->noauth->port, relay);
	else if (t->relay != NULL)
		snprintf(
			rec->why, sizeof(rec->why),
			_("no submission port %s from here%s%s%s.%s Use the "
			  "port your provider documents (usually 587 or 465), "
			  "ask your host to open outbound 587 and 465, or send "
			  "through the provider's HTTPS API"),
			t->sub > 0 && t->sub_blocked == t->sub
				? _("is reachable")
				: _("works"),
			t->sub ? " (" : _(" (none was probed"), t->ports, ")",
			relay);
	else if (t->badtls > 0 && r->is_address && t->name_only > 0)
		snprintf(
			rec->why, sizeof(rec->why),
			_("TLS answers, but it was probed by address: a "
			  "certificate names hosts, and a mail client connects "
			  "by name. Probe the server's host name (as in "
			  "\"smtpprobe mail.example.com\") to judge it as a "
			  "client would"));
	else if (t->badtls > 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("TLS answers, but its certificate does not verify "
			   "for the name probed or it is older than TLS 1.2: "
			   "a client that checks certificates will refuse it"));
	else if (t->plain > 0)
		snprintf(rec->why, sizeof(rec->why),
			 _("only plaintext SMTP answers: your password and "
			   "mail would travel unencrypted; ask the provider "
			   "for TLS on 465 or 587"));
	else
		snprintf(rec->why, sizeof(rec->why),
			 _("no port offers working SMTP with TLS from here"));
}

void report_recommend(const struct report *r, struct recommendation *rec)
{
	struct tally t;
	size_t i, len;
	int best = -1, alt = -1;

	memset(rec, 0, sizeof(*rec));
	memset(&t, 0, sizeof(t));
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;
		int pref;

		report_judge(r, p, &v);
		pref = preference(r, p, &v);
		tally_add(&t, p, &v);
		if (pref > best) {
			best = pref;
			rec->probe = p;
		}
	}
	if (rec->probe == NULL) {
		explain_none(r, rec, &t);
		return;
	}
	/* the alternative: the best route on another port */
	for (i = 0; i < r->nprobes; i++) {
		const struct probe *p = r->probes[i];
		struct verdict v;
		int pref;

		if (p->port == rec->probe->port)
			continue;
		report_judge(r, p, &v);
		pref = preference(r, p, &v);
		if (pref >= 0 && pref > alt) {
			alt = pref;
			rec->alt = p;
		}
	}
	rec->encryption = encryption_of(rec->probe);
	rec->label = label_of(rec->probe);
	if (rec->alt != NULL) {
		rec->alt_encryption = encryption_of(rec->alt);
		rec->alt_label = label_of(rec->alt);
		report_identity(r, rec->alt, &rec->alt_id);
		/* the alternative is a host to type too: a name outside the
		 * domain says where it came from and what proves it, as for
		 * the recommendation (no leading space) */
		if (rec->alt_id.established_by == NULL ||
		    strcmp(rec->alt_id.established_by, "in the domain") != 0)
			report_identity_words(r, rec->alt, &rec->alt_id,
					      rec->alt_why,
					      sizeof(rec->alt_why));
		if (rec->alt_why[0] == ' ')
			memmove(rec->alt_why, rec->alt_why + 1,
				strlen(rec->alt_why));
	}
	report_identity(r, rec->probe, &rec->id);
	snprintf(rec->why, sizeof(rec->why),
		 _("%s:%d connected from here, negotiated %s, its "
		   "certificate verified and it offers a login (AUTH) "
		   "inside TLS%s."),
		 name_of(rec->probe), rec->probe->port, rec->probe->tls.version,
		 rec->probe->spoke == MODE_TLS
			 ? _("; implicit TLS has no plaintext phase to strip "
			     "(RFC 8314)")
			 : "");
	if (r->user != NULL) {
		len = strlen(rec->why);
		/* with --check, the login is tried on the port checked
		 * only: untried is not refused */
		snprintf(rec->why + len, sizeof(rec->why) - len,
			 report_logged_in(r, rec->probe)
				 ? _(" Logged in there as %s.")
			 : login_tried(r, rec->probe)
				 ? _(" But the credentials of %s were not "
				     "accepted on any port: see the findings.")
				 : _(" The credentials of %s were not tried "
				     "there: with --check, smtpprobe logs in "
				     "only on the port checked."),
			 r->user);
	}
	/* a name DNS handed out: where from, and what makes it the user's
	 * (RFC 6186 6, RFC 7817 4) */
	len = strlen(rec->why);
	report_identity_words(r, rec->probe, &rec->id, rec->why + len,
			      sizeof(rec->why) - len);
}

int report_status(const struct report *r)
{
	struct recommendation rec;
	size_t i;

	if (r->check != NULL) {
		struct check_result c;

		check_judge(r, r->check, &c);
		return c.works && c.safe ? 0 : 1;
	}
	report_recommend(r, &rec);
	if (rec.probe == NULL)
		return 1;
	/* --user asks one question: do these credentials work there? */
	if (r->user != NULL)
		return report_logged_in(r, rec.probe) ? 0 : 1;
	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].severity == SEV_ERROR)
			return 1;
	for (i = 0; i < r->nprobes; i++) {
		struct verdict v;

		report_judge(r, r->probes[i], &v);
		if (verdict_worst(&v) == SEV_ERROR)
			return 1;
	}
	return 0;
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nprobes; i++) {
		probe_free(r->probes[i]);
		free(r->probes[i]);
	}
	for (i = 0; i < r->ncontrols; i++) {
		probe_free(r->controls[i]);
		free(r->controls[i]);
	}
	free(r->controls);
	free(r->walks);
	for (i = 0; i < r->nfollowups; i++) {
		probe_free(&r->followups[i]->p);
		free(r->followups[i]);
	}
	free(r->followups);
	free(r->conclusions);
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i].name);
	for (i = 0; i < r->nhosts; i++) {
		free(r->hosts[i].name);
		free(r->hosts[i].roles);
		free(r->hosts[i].cname);
		strlist_free(&r->hosts[i].addresses);
	}
	free(r->hosts);
	records_mx_free(r->dns.mx, r->dns.nmx);
	records_srv_free(r->dns.sub, r->dns.nsub);
	records_srv_free(r->dns.subs, r->dns.nsubs);
	for (i = 0; i < r->dns.ntlsa; i++) {
		free(r->dns.tlsa[i].name);
		records_tlsa_free(r->dns.tlsa[i].recs, r->dns.tlsa[i].n);
	}
	free(r->dns.tlsa);
	free(r->dns.mta_sts);
	free(r->dns.tls_rpt);
	free(r->dns.spf);
	free(r->dns.dmarc);
	free(r->dns.sts_error);
	mtasts_free(&r->dns.sts);
	free(r->probes);
	free(r->errors);
	free(r->target);
	free(r->host);
	free(r->unicode);
	free(r->ports);
	memset(r, 0, sizeof(*r));
}
