/*
 * verdict - what a probe's observations mean: the port's state and
 * reason, the findings and whether a downgrade is possible.  Pure
 * functions of struct probe and what reports/ concluded about it
 * (struct verdict_ctx), so every rule is testable without a network.
 *
 * Severities follow the port's role: 25 is opportunistic relay, where a
 * missing or broken STARTTLS is a warning; 587, 2525 and the rest are
 * submission and 465 is implicit TLS (RFC 8314), where it is an error.
 */
#ifndef REPORTS_VERDICT_H
#define REPORTS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "probe/probe.h"

enum state {
	ST_BLOCKED,
	ST_PLAINTEXT,
	ST_STARTTLS,
	ST_IMPLICIT_TLS,
	ST_UNUSABLE
};
enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* Distinct findings kept per probe or target: more than there are
 * finding ids of severity error, so none of those is ever dropped. */
#define VERDICT_MAX_FINDINGS 32

struct finding {
	const char *id; /* stable, lower case: the JSON contract */
	enum severity severity;
	char message[640]; /* room for a translation: 3 bytes a character;
			    * ends in " (N times)" when repeated */
	unsigned count;	   /* times this id and message came up */
	unsigned similar;  /* same id, other message, not kept: full */
	size_t base;	   /* length of the message before that suffix */
};

/* Adds a finding to v[0..*n): the same id and message again is counted,
 * not added; when all VERDICT_MAX_FINDINGS are taken, a finding of lower
 * severity makes room, or the new one is counted on one of its id.  A
 * finding of severity error is never dropped. */
void findings_add(struct finding *v, size_t *n, const char *id,
		  enum severity sev, const char *msg);

struct verdict {
	enum state state;
	const char *reason; /* NULL, or a stable lower-case word */
	bool downgrade_risk;
	bool tls_ok; /* TLS >= 1.2 negotiated and certificate verified */
	/* a mail client could use it end to end: TCP, 220, TLS verified for
	 * the name, 250 to the EHLO inside TLS; else the step that failed
	 * ("connect", "greeting", "ehlo", "starttls", "handshake",
	 * "certificate", "ehlo_tls") */
	bool usable;
	const char *failed_step;
	bool auth_tls;	 /* AUTH offered inside TLS */
	bool submission; /* the port's role is mail submission (not 25/MX) */
	struct finding findings[VERDICT_MAX_FINDINGS];
	size_t nfindings;
};

/* DANE (RFC 7672) for one probe, from the domain's TLSA records. */
struct dane_result {
	bool present; /* TLSA records apply to this port */
	bool usable;  /* ... DNSSEC-validated, DANE-TA/EE */
	int verified; /* 1, 0, or -1 when not checked */
	char error[200];
};

/* What a probe's verdict takes from beyond its own session: the
 * follow-up sessions on its port and the domain's policies, as
 * reports/ concluded them (report_policies). */
struct verdict_ctx {
	int legacy_accepted; /* TLS 1.0/1.1 still negotiated; -1 not run */
	char legacy_version[16];
	int command_injection;	/* the NOOP was answered in TLS; -1 not run */
	const char *protection; /* "MTA-STS (enforce)", "DANE", or NULL */
	/* port 25 of a domain's host, unprotected: what of MTA-STS and DANE
	 * was checked and what it found; "" when nothing was */
	char protection_note[400];
	struct dane_result dane;
	/* the run's one clock for days left (report_judge sets it from
	 * report_now), so every session of a run counts alike; 0: the
	 * session's own tls.seen */
	time_t now;
};

/* Nothing run beside the session, nothing concluded. */
extern const struct verdict_ctx verdict_ctx_none;

/* The verdict on p alone: verdict_judge_ctx with verdict_ctx_none. */
void verdict_judge(const struct probe *p, struct verdict *v);
void verdict_judge_ctx(const struct probe *p, const struct verdict_ctx *c,
		       struct verdict *v);
/* The mode the port is meant to speak: 465 implicit TLS; 25, 587 and
 * 2525 plaintext with STARTTLS (RFC 8314, 6409); any other port what the
 * plan declared for it (SRV, --tls-ports), never what the user guessed. */
enum probe_mode verdict_standard_mode(const struct probe *p);
/* Submission role: 587, 465, 2525, SRV, given ports; not 25 or an MX. */
bool verdict_submission_role(const struct probe *p);
/* The worst severity among the findings; -1 when there are none. */
int verdict_worst(const struct verdict *v);
bool verdict_has(const struct verdict *v, const char *id);

/* Whole days from seen to not_after, rounded down: negative once past. */
long cert_days_left(time_t not_after, time_t seen);
/* The severity of certificate-expires-soon for a certificate valid until
 * not_after, seen at seen: an error when it expires within crit days, a
 * warning within warn days; -1 when neither (or warn is 0). */
int cert_expiry(time_t not_after, time_t seen, int warn, int crit);

/* Why credentials were withheld, in words. */
const char *auth_skip_words(enum auth_skip k);
const char *state_name(enum state s);
const char *severity_name(enum severity s);

#endif
