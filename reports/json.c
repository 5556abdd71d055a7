/* The JSON contract of DESIGN.md, written with json-c: escaping is the
 * library's job, sanitising (already done on every peer string) ours. */
#include "reports/report.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utc.h"
#include "probe/caps.h"
#include "reports/hops.h"
#include "reports/verdict.h"

int json_write_line(FILE *out, struct json_object *o)
{
	int rc = fprintf(out, "%s\n",
			 json_object_to_json_string_ext(
				 o, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return rc < 0 ? -1 : 0;
}

static json_object *str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static json_object *strlist_json(const struct strlist *l)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_array_add(a, json_object_new_string(l->v[i]));
	return a;
}

static json_object *time_json(time_t t)
{
	char buf[UTC_TEXT_MAX] = "";

	if (t == (time_t)-1 ||
	    *utc_format(t, UTC_ISO8601, buf, sizeof(buf)) == '\0')
		return NULL;
	return json_object_new_string(buf);
}

static json_object *tls_json(const struct report *r, const struct tls_info *t)
{
	json_object *o;

	if (!t->done && t->error == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "handshake",
			       json_object_new_boolean(t->done));
	json_object_object_add(o, "error", str_or_null(t->error));
	if (!t->done)
		return o;
	json_object_object_add(o, "version",
			       json_object_new_string(t->version));
	json_object_object_add(o, "cipher", json_object_new_string(t->cipher));
	json_object_object_add(o, "group", json_object_new_string(t->group));
	json_object_object_add(o, "verified",
			       json_object_new_boolean(t->verified));
	json_object_object_add(o, "verify_error", str_or_null(t->verify_error));
	json_object_object_add(o, "trusted",
			       json_object_new_boolean(t->trusted));
	json_object_object_add(o, "name_ok",
			       json_object_new_boolean(t->name_ok));
	json_object_object_add(o, "names", strlist_json(&t->names));
	json_object_object_add(o, "subject", str_or_null(t->subject));
	json_object_object_add(o, "issuer", str_or_null(t->issuer));
	json_object_object_add(o, "not_before", time_json(t->not_before));
	json_object_object_add(o, "not_after", time_json(t->not_after));
	json_object_object_add(
		o, "days_left",
		t->not_after > 0 && t->seen > 0
			? json_object_new_int64(cert_days_left(
				  t->not_after, report_now(r, t->seen)))
			: NULL);
	return o;
}

static json_object *timings_json(const struct probe *p)
{
	json_object *o = json_object_new_object();
	int ph;

	for (ph = 0; ph < PH_COUNT; ph++)
		if (p->ms[ph] >= 0)
			json_object_object_add(
				o, probe_phase_name((enum probe_phase)ph),
				json_object_new_int64(p->ms[ph]));
	json_object_object_add(o, "total", json_object_new_int64(p->total_ms));
	return o;
}

static json_object *findings_json(const struct finding *f, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id",
				       json_object_new_string(f[i].id));
		json_object_object_add(
			o, "severity",
			json_object_new_string(severity_name(f[i].severity)));
		json_object_object_add(o, "message",
				       json_object_new_string(f[i].message));
		/* repeats are reported once, counted (the message says so) */
		json_object_object_add(o, "count",
				       json_object_new_int((int)f[i].count));
		json_object_array_add(a, o);
	}
	return a;
}

/* AUTH mechanisms offered among the keyword lines. */
static json_object *auth_json(const struct strlist *lines)
{
	struct caps c;
	json_object *a;

	caps_from_lines(lines, &c);
	a = strlist_json(&c.auth_mechs);
	caps_free(&c);
	return a;
}

static json_object *dane_json(const struct dane_result *d)
{
	json_object *o;

	if (!d->present)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "usable", json_object_new_boolean(d->usable));
	json_object_object_add(
		o, "verified",
		d->verified < 0 ? NULL : json_object_new_boolean(d->verified));
	json_object_object_add(o, "error",
			       d->error[0] ? json_object_new_string(d->error)
					   : NULL);
	return o;
}

/* RFC 3207 4: MAIL FROM:<> before STARTTLS, or null when not asked. */
static json_object *enforcement_json(const struct probe *p)
{
	json_object *o;

	if (p->enforce_code < 0)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "enforced",
			       p->enforce_code >= 500
				       ? json_object_new_boolean(true)
			       : p->enforce_code >= 200 && p->enforce_code < 300
				       ? json_object_new_boolean(false)
				       : NULL);
	json_object_object_add(o, "reply", str_or_null(p->enforce_reply));
	json_object_object_add(o, "pipelined",
			       json_object_new_boolean(p->enforce_pipelined));
	json_object_object_add(o, "address",
			       json_object_new_string(p->enforce_address));
	json_object_object_add(
		o, "end",
		json_object_new_string(probe_end_name(p->enforce_end)));
	return o;
}

static const char *auth_result_name(enum auth_result a)
{
	static const char *const names[] = {
		"none",	       "not-reached",  "not-sent",
		"not-offered", "no-mechanism", "not-tried",
		"accepted",    "rejected",     "broken"};

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

static const char *auth_skip_name(enum auth_skip k)
{
	static const char *const names[] = {NULL,
					    "no-tls",
					    "unverified",
					    "old-tls",
					    "auth-before-tls-only",
					    "name-not-typed"};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : NULL;
}

/* --user: what became of the credentials here; null without --user. */
static json_object *credentials_json(const struct probe *p)
{
	json_object *o;

	if (p->auth == AUTH_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(
		o, "result", json_object_new_string(auth_result_name(p->auth)));
	json_object_object_add(
		o, "reason",
		p->auth == AUTH_NOT_SENT
			? str_or_null(auth_skip_name(p->auth_skip))
			: NULL);
	json_object_object_add(
		o, "mechanism",
		p->auth_mech[0] ? json_object_new_string(p->auth_mech) : NULL);
	json_object_object_add(o, "reply", str_or_null(p->auth_reply));
	return o;
}

static json_object *probe_json(const struct report *r, const struct probe *p)
{
	json_object *o = json_object_new_object();
	const struct verdict_ctx *c = report_ctx(r, p);
	struct verdict v;

	report_judge(r, p, &v);
	json_object_object_add(o, "host", str_or_null(p->host));
	json_object_object_add(o, "address",
			       json_object_new_string(p->address));
	json_object_object_add(o, "port", json_object_new_int(p->port));
	json_object_object_add(o, "role", str_or_null(p->role));
	json_object_object_add(o, "source",
			       p->source[0] ? json_object_new_string(p->source)
					    : NULL);
	json_object_object_add(o, "state",
			       json_object_new_string(state_name(v.state)));
	json_object_object_add(o, "reason", str_or_null(v.reason));
	json_object_object_add(
		o, "icmp_from",
		str_or_null(p->icmp_from[0] ? p->icmp_from : NULL));
	json_object_object_add(o, "banner", str_or_null(p->banner));
	json_object_object_add(o, "ehlo", strlist_json(&p->ehlo));
	json_object_object_add(o, "ehlo_tls", strlist_json(&p->ehlo_tls));
	json_object_object_add(o, "auth", auth_json(&p->ehlo));
	json_object_object_add(o, "auth_tls", auth_json(&p->ehlo_tls));
	json_object_object_add(o, "helo",
			       json_object_new_boolean(p->helo_used));
	json_object_object_add(o, "starttls_reply",
			       str_or_null(p->starttls_reply));
	json_object_object_add(o, "tls", tls_json(r, &p->tls));
	json_object_object_add(o, "dane", dane_json(&c->dane));
	json_object_object_add(o, "downgrade_risk",
			       json_object_new_boolean(v.downgrade_risk));
	json_object_object_add(o, "usable", json_object_new_boolean(v.usable));
	json_object_object_add(o, "failed_step", str_or_null(v.failed_step));
	json_object_object_add(o, "tls_enforcement", enforcement_json(p));
	json_object_object_add(
		o, "tls_enforcement_skipped",
		str_or_null(p->enforce_code < 0 ? p->enforce_skip : NULL));
	json_object_object_add(o, "credentials", credentials_json(p));
	json_object_object_add(o, "findings",
			       findings_json(v.findings, v.nfindings));
	json_object_object_add(
		o, "spoke",
		json_object_new_string(p->spoke == MODE_TLS ? "tls" : "plain"));
	json_object_object_add(o, "end",
			       json_object_new_string(probe_end_name(p->end)));
	json_object_object_add(
		o, "end_phase",
		json_object_new_string(probe_phase_name(p->end_phase)));
	json_object_object_add(o, "error", str_or_null(p->detail));
	json_object_object_add(o, "timings_ms", timings_json(p));
	json_object_object_add(o, "shared", json_object_new_boolean(p->shared));
	return o;
}

static json_object *srv_json(const struct srv_rec *v, int n)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();

		/* "." (not offered) stays "." as in the zone */
		json_object_object_add(
			e, "host",
			json_object_new_string(v[i].target[0] ? v[i].target
							      : "."));
		json_object_object_add(e, "port",
				       json_object_new_int(v[i].port));
		json_object_object_add(e, "priority",
				       json_object_new_int(v[i].priority));
		json_object_object_add(e, "weight",
				       json_object_new_int(v[i].weight));
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *tlsa_json(const struct dns_info *d)
{
	json_object *a = json_object_new_array();
	size_t i;
	int k;

	for (i = 0; i < d->ntlsa; i++) {
		for (k = 0; k < d->tlsa[i].n; k++) {
			const struct tlsa_rec *t = &d->tlsa[i].recs[k];
			json_object *e = json_object_new_object();
			char *hex = malloc(t->len * 2 + 1);
			size_t j;

			for (j = 0; hex != NULL && j < t->len; j++)
				snprintf(hex + 2 * j, 3, "%02x", t->data[j]);
			if (hex != NULL)
				hex[t->len * 2] = '\0';
			json_object_object_add(
				e, "name",
				json_object_new_string(d->tlsa[i].name));
			json_object_object_add(e, "usage",
					       json_object_new_int(t->usage));
			json_object_object_add(
				e, "selector",
				json_object_new_int(t->selector));
			json_object_object_add(e, "matching",
					       json_object_new_int(t->mtype));
			json_object_object_add(e, "data", str_or_null(hex));
			json_object_object_add(
				e, "ad",
				json_object_new_boolean(d->tlsa[i].ad));
			free(hex);
			json_object_array_add(a, e);
		}
	}
	return a;
}

static json_object *hosts_json(const struct report *r)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->nhosts; i++) {
		const struct plan_host *h = &r->hosts[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "host",
				       json_object_new_string(h->name));
		json_object_object_add(e, "roles", str_or_null(h->roles));
		json_object_object_add(e, "cname", str_or_null(h->cname));
		json_object_object_add(e, "addresses",
				       strlist_json(&h->addresses));
		json_object_object_add(e, "error", str_or_null(h->error));
		json_object_object_add(e, "addresses_ad",
				       json_object_new_boolean(h->addr_ad));
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *policy_json(const struct report *r)
{
	const struct dns_info *d = &r->dns;

	json_object *o;

	if (!d->sts_tried)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "valid",
			       json_object_new_boolean(d->sts_valid));
	json_object_object_add(o, "status",
			       json_object_new_int((int)d->sts_status));
	json_object_object_add(o, "error", str_or_null(d->sts_error));
	json_object_object_add(
		o, "mode",
		d->sts_valid
			? json_object_new_string(mtasts_mode_name(d->sts.mode))
			: NULL);
	json_object_object_add(
		o, "max_age",
		d->sts_valid ? json_object_new_int64(d->sts.max_age) : NULL);
	json_object_object_add(o, "mx", strlist_json(&d->sts.mx));
	if (d->sts_not_after > 0) {
		json_object *t = json_object_new_object();

		json_object_object_add(t, "not_after",
				       time_json(d->sts_not_after));
		json_object_object_add(
			t, "days_left",
			json_object_new_int64(cert_days_left(
				d->sts_not_after, report_now(r, d->sts_seen))));
		json_object_object_add(o, "tls", t);
	} else {
		json_object_object_add(o, "tls", NULL);
	}
	return o;
}

static json_object *dns_json(const struct report *r)
{
	const struct dns_info *d = &r->dns;
	json_object *o = json_object_new_object();
	json_object *errs = json_object_new_array();
	json_object *mx = json_object_new_array();
	size_t i;
	int k;

	for (k = 0; k < d->nmx; k++) {
		json_object *e = json_object_new_object();

		json_object_object_add(
			e, "preference",
			json_object_new_int(d->mx[k].preference));
		json_object_object_add(
			e, "host",
			json_object_new_string(d->mx[k].host[0] ? d->mx[k].host
								: "."));
		json_object_array_add(mx, e);
	}
	json_object_object_add(o, "mx", mx);
	json_object_object_add(o, "null_mx",
			       json_object_new_boolean(d->null_mx));
	json_object_object_add(o, "implicit_mx",
			       json_object_new_boolean(d->implicit_mx));
	json_object_object_add(o, "mx_ad", json_object_new_boolean(d->mx_ad));
	json_object_object_add(o, "submission_ad",
			       json_object_new_boolean(d->sub_ad));
	json_object_object_add(o, "submissions_ad",
			       json_object_new_boolean(d->subs_ad));
	json_object_object_add(o, "ad_trusted",
			       json_object_new_boolean(d->ad_trusted));
	json_object_object_add(o, "submission", srv_json(d->sub, d->nsub));
	json_object_object_add(o, "submissions", srv_json(d->subs, d->nsubs));
	json_object_object_add(o, "mta_sts", str_or_null(d->mta_sts));
	json_object_object_add(o, "mta_sts_policy", policy_json(r));
	json_object_object_add(o, "tls_rpt", str_or_null(d->tls_rpt));
	json_object_object_add(o, "spf", str_or_null(d->spf));
	json_object_object_add(o, "dmarc", str_or_null(d->dmarc));
	json_object_object_add(o, "tlsa", tlsa_json(d));
	json_object_object_add(o, "hosts", hosts_json(r));
	for (i = 0; i < r->nerrors; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(
			e, "name", json_object_new_string(r->errors[i].name));
		json_object_object_add(
			e, "type", json_object_new_string(r->errors[i].type));
		json_object_object_add(
			e, "error", json_object_new_string(r->errors[i].error));
		json_object_array_add(errs, e);
	}
	json_object_object_add(o, "errors", errs);
	return o;
}

static json_object *route_json(const struct probe *p, const char *encryption,
			       const char *label,
			       const struct host_identity *id)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
		o, "host",
		p ? json_object_new_string(p->host ? p->host : p->address)
		  : NULL);
	json_object_object_add(o, "port",
			       p ? json_object_new_int(p->port) : NULL);
	json_object_object_add(o, "encryption", str_or_null(encryption));
	json_object_object_add(o, "label", str_or_null(label));
	/* where the host name came from, and what makes it the user's */
	json_object_object_add(o, "host_source",
			       str_or_null(p ? id->source : NULL));
	json_object_object_add(o, "host_established_by",
			       str_or_null(p ? id->established_by : NULL));
	json_object_object_add(
		o, "host_established",
		p ? json_object_new_boolean(id->established_by != NULL) : NULL);
	return o;
}

static json_object *recommendation_json(const struct report *r)
{
	struct recommendation rec;
	json_object *o;

	report_recommend(r, &rec);
	o = route_json(rec.probe, rec.encryption, rec.label, &rec.id);
	json_object_object_add(o, "why", json_object_new_string(rec.why));
	json_object_object_add(o, "alternative",
			       rec.alt ? route_json(rec.alt, rec.alt_encryption,
						    rec.alt_label, &rec.alt_id)
				       : NULL);
	/* --user: were the credentials accepted there (null without) */
	json_object_object_add(
		o, "logged_in",
		r->user == NULL ? NULL
				: json_object_new_boolean(
					  rec.probe != NULL &&
					  report_logged_in(r, rec.probe)));
	return o;
}

static json_object *controls_json(const struct report *r)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->ncontrols; i++) {
		const struct probe *p = r->controls[i];
		struct verdict v;
		json_object *e = json_object_new_object();

		report_judge(r, p, &v);
		json_object_object_add(e, "address",
				       json_object_new_string(p->address));
		json_object_object_add(e, "port", json_object_new_int(p->port));
		json_object_object_add(e, "connected",
				       json_object_new_boolean(p->connected));
		/* a control only connects: no SMTP verdict when it does */
		json_object_object_add(
			e, "reason",
			str_or_null(p->connected ? NULL : v.reason));
		json_object_object_add(
			e, "icmp_from",
			str_or_null(p->icmp_from[0] ? p->icmp_from : NULL));
		json_object_object_add(e, "ms",
				       json_object_new_int64(p->total_ms));
		json_object_object_add(e, "shared",
				       json_object_new_boolean(p->shared));
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *int_or_null(int v)
{
	return v > 0 ? json_object_new_int(v) : NULL;
}

/* The hop walks: every TTL up to the last that answered, and for a
 * filtered port's walk the verdict on where its SYNs die. */
static json_object *walks_json(const struct report *r)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->nwalks; i++) {
		const struct hop_walk *w = &r->walks[i];
		json_object *e = json_object_new_object();
		json_object *hops = json_object_new_array();
		struct hops_verdict v;
		bool judged = hops_judge(r->walks, r->nwalks, i, &v);
		int t, top = w->reached;

		for (t = w->max_ttl; t > top; t--)
			if (w->hops[t - 1].answer != HOP_NONE)
				top = t;
		for (t = 1; t <= top; t++) {
			const struct hop *h = &w->hops[t - 1];
			json_object *ho = json_object_new_object();

			json_object_object_add(ho, "ttl",
					       json_object_new_int(t));
			json_object_object_add(
				ho, "answer",
				json_object_new_string(
					hops_answer_name(h->answer)));
			json_object_object_add(
				ho, "from",
				str_or_null(h->from[0] ? h->from : NULL));
			json_object_object_add(
				ho, "ms",
				h->ms >= 0 ? json_object_new_int64(h->ms)
					   : NULL);
			json_object_array_add(hops, ho);
		}
		json_object_object_add(e, "address",
				       json_object_new_string(w->address));
		json_object_object_add(e, "port", json_object_new_int(w->port));
		json_object_object_add(e, "reference",
				       json_object_new_boolean(w->reference));
		json_object_object_add(e, "max_ttl",
				       json_object_new_int(w->max_ttl));
		json_object_object_add(e, "reached", int_or_null(w->reached));
		json_object_object_add(e, "timed_out",
				       json_object_new_boolean(w->timed_out));
		json_object_object_add(e, "ms", json_object_new_int64(w->ms));
		json_object_object_add(e, "hops", hops);
		json_object_object_add(
			e, "where",
			judged ? json_object_new_string(
					 hops_where_name(v.where))
			       : NULL);
		json_object_object_add(e, "hop",
				       judged ? int_or_null(v.hop) : NULL);
		json_object_object_add(e, "summary",
				       judged ? json_object_new_string(v.words)
					      : NULL);
		json_object_array_add(a, e);
	}
	return a;
}

int report_json(FILE *out, const struct report *r)
{
	json_object *o = json_object_new_object();
	json_object *probes = json_object_new_array();
	size_t i;

	json_object_object_add(o, "target", json_object_new_string(r->target));
	if (r->unicode != NULL)
		json_object_object_add(o, "target_unicode",
				       json_object_new_string(r->unicode));
	if (r->unicode != NULL)
		json_object_object_add(o, "target_alabel",
				       json_object_new_string(r->host));
	json_object_object_add(o, "duration_ms",
			       json_object_new_int64(r->duration_ms));
	json_object_object_add(o, "started", time_json(r->started));
	json_object_object_add(o, "dns", dns_json(r));
	for (i = 0; i < r->nprobes; i++)
		json_object_array_add(probes, probe_json(r, r->probes[i]));
	json_object_object_add(o, "probes", probes);
	json_object_object_add(o, "findings",
			       findings_json(r->findings, r->nfindings));
	if (r->check != NULL) {
		struct check_result c;
		json_object *co = json_object_new_object();

		check_judge(r, r->check, &c);
		json_object_object_add(co, "port",
				       json_object_new_int(r->check->port));
		/* the same words as recommendation.encryption */
		json_object_object_add(co, "encryption",
				       json_object_new_string(encryption_token(
					       r->check->enc)));
		json_object_object_add(co, "label",
				       json_object_new_string(encryption_label(
					       r->check->enc)));
		json_object_object_add(co, "works",
				       json_object_new_boolean(c.works));
		json_object_object_add(co, "safe",
				       json_object_new_boolean(c.safe));
		json_object_object_add(co, "why",
				       json_object_new_string(c.why));
		json_object_object_add(o, "check", co);
	}
	if (r->user != NULL) {
		json_object *u = json_object_new_object();
		struct recommendation rec;

		report_recommend(r, &rec);
		json_object_object_add(u, "user",
				       json_object_new_string(r->user));
		json_object_object_add(u, "accepted",
				       json_object_new_boolean(
					       rec.probe != NULL &&
					       report_logged_in(r, rec.probe)));
		json_object_object_add(o, "credentials", u);
	}
	json_object_object_add(o, "controls", controls_json(r));
	json_object_object_add(o, "walks", walks_json(r));
	json_object_object_add(o, "recommendation", recommendation_json(r));
	return json_write_line(out, o);
}
