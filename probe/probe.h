/*
 * probe - one SMTP session against one (address, port), as a state machine
 * on the event loop:
 *
 *   plaintext ports:  CONNECT GREETING EHLO [HELO] STARTTLS HANDSHAKE EHLO QUIT
 *   implicit TLS:     CONNECT HANDSHAKE GREETING EHLO QUIT
 *
 * A plaintext port that stays silent gets one more attempt as implicit
 * TLS; a TLS port that answers in plaintext gets one more as plaintext.
 * The probe records what it saw and how long each phase took; it judges
 * nothing (that is reports/).  Never sends before the final "220 " line,
 * never pipelines, and every wait is bounded by --timeout of silence and
 * the session's absolute deadline.
 */
#ifndef PROBE_PROBE_H
#define PROBE_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>

#include "core/buf.h"
#include "core/loop.h"
#include "probe/auth.h"
#include "probe/reply.h"
#include "probe/tls.h"

enum probe_mode { MODE_PLAIN, MODE_TLS };

/* A main session, or one of the follow-ups on a port that spoke TLS. */
enum probe_kind {
	KIND_MAIN,
	KIND_LEGACY,  /* offer only TLS 1.0/1.1: does the server still take it?
		       */
	KIND_INJECT,  /* "STARTTLS\r\nNOOP\r\n" in one write: CVE-2011-0411 */
	KIND_ENFORCE, /* MAIL FROM:<> and RSET before STARTTLS: RFC 3207 4 */
};

/* What became of the user's credentials on a main session. */
enum auth_result {
	AUTH_NONE,	   /* none given */
	AUTH_NOT_REACHED,  /* the session ended before the EHLO in TLS */
	AUTH_NOT_SENT,	   /* withheld: auth_skip says why */
	AUTH_NOT_OFFERED,  /* no AUTH at all on the port */
	AUTH_NO_MECHANISM, /* AUTH, but no mechanism we would use */
	AUTH_NOT_TRIED,	   /* tried elsewhere: another address of the same
			    * host and port, or (--check) not the port checked */
	AUTH_ACCEPTED,	   /* 235 */
	AUTH_REJECTED,	   /* a 4xx or 5xx to AUTH or a response */
	AUTH_BROKEN,	   /* the exchange broke: closed, garbage, cancelled */
};

/* Why credentials were withheld (AUTH_NOT_SENT). */
enum auth_skip {
	SKIP_NONE,
	SKIP_NO_TLS,	     /* no TLS: never in cleartext */
	SKIP_UNVERIFIED,     /* the certificate did not verify for the name */
	SKIP_OLD_TLS,	     /* older than TLS 1.2 */
	SKIP_BEFORE_TLS,     /* AUTH offered only before TLS */
	SKIP_NAME_NOT_TYPED, /* the host name came from DNS or a guess */
};

enum probe_phase {
	PH_CONNECT,
	PH_HANDSHAKE_IMPLICIT,
	PH_GREETING,
	PH_EHLO,
	PH_HELO,
	PH_STARTTLS,
	PH_HANDSHAKE,
	PH_EHLO_TLS,
	PH_MAIL, /* KIND_ENFORCE: MAIL FROM:<> and RSET, before STARTTLS */
	PH_AUTH, /* the credentials, inside TLS */
	PH_QUIT,
	PH_COUNT
};

/* How the session ended; the verdict reads it with the phase. */
enum probe_end {
	END_NONE,
	END_DONE,	   /* the conversation ran as planned */
	END_TIMEOUT,	   /* silence for --timeout in end_phase */
	END_DEADLINE,	   /* the whole-session deadline passed */
	END_REFUSED,	   /* connect: RST / port unreachable */
	END_UNREACHABLE,   /* connect: ICMP prohibited, no route */
	END_CONNECT_ERROR, /* connect: anything else (sys_errno) */
	END_CLOSED,	   /* the peer closed or reset the connection */
	END_PROTOCOL,	   /* a reply broke the grammar or the limits */
	END_TLS_FAILED,	   /* the handshake failed (tls.error) */
	END_INJECTION,	   /* bytes pipelined after STARTTLS's 220 */
	END_LOCAL,	   /* our side failed: memory, sockets */
};

struct probe {
	/* set by the caller */
	char *host; /* name probed: SNI and name check; NULL if literal */
	char *role; /* "given", "mx", ... */
	/* host is the name the user typed, not one DNS (MX, SRV) or a
	 * guess handed us: only such a name may receive credentials, as a
	 * forged DNS answer could name a host with a valid certificate of
	 * its own (RFC 6186 section 6). */
	bool name_typed;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char address[64]; /* printable address */
	int port;
	enum probe_mode expect;	  /* how the first attempt starts */
	enum probe_mode declared; /* what the plan says the port speaks
				   * (SRV, --tls-ports), not the user's
				   * --check guess */
	bool connect_only;	  /* a TCP reachability control: no SMTP */
	void *session;		  /* the running session, else NULL (opaque) */
	enum probe_kind kind;
	/* told the moment a handshake completed (tls and spoke are set),
	 * while the session goes on: what follows from TLS need not wait */
	void (*tls_done)(void *arg, struct probe *p);
	void *tls_arg;
	bool shared;   /* copied from another target's probe (bulk), not run */
	bool followed; /* the follow-ups of its host and port started here */
	/* the target's own deadline (loop_now() ms; 0: none): the session
	 * ends by then, and one that would start later never connects */
	uint64_t not_after;
	/* Or the target's clock, started by the first of its sessions to
	 * start (not while it waits behind other targets for a slot): then
	 * not_after is *target_start + target_budget_ms, set at the start. */
	uint64_t *target_start;
	uint64_t target_budget_ms;
	/* --cert-days: a certificate that expires within warn days is
	 * reported, within crit days as an error; 0: not judged */
	int cert_warn_days, cert_crit_days;

	/* observations */
	enum probe_mode spoke; /* mode of the last attempt */
	bool retried;	       /* a second attempt in the other mode */
	bool connected;
	char source[64]; /* our address on the connection */
	enum probe_end end;
	enum probe_phase end_phase;
	int sys_errno;
	char icmp_from[64]; /* who sent the ICMP error ending the connect */
	char *detail;	    /* sanitised detail for the end: reply error etc. */

	int greeting_code;
	char *banner; /* "220 text / text", sanitised */
	int ehlo_code;
	bool helo_used; /* EHLO was refused and HELO tried */
	int helo_code;
	struct strlist ehlo; /* keywords before TLS (implicit TLS: none) */
	int starttls_code;
	char *starttls_reply;
	size_t injected; /* bytes seen after STARTTLS's 220 */
	struct tls_info tls;
	int ehlo_tls_code;
	struct strlist ehlo_tls; /* keywords inside TLS */
	int quit_code;
	char *sniff; /* sanitised first bytes when a TLS attempt failed */

	/* reply hygiene, over the whole session */
	bool bare_lf, nonprintable;
	enum reply_error reply_error;

	uint64_t bytes_in;
	bool tarpit; /* the deadline hit while bytes still trickled in */
	bool past_not_after; /* cut short, or never started, by not_after */
	int injected_code;   /* KIND_INJECT: a reply nobody asked for in TLS */
	int mail_code;	     /* KIND_ENFORCE: the reply to MAIL FROM:<> */
	char *mail_reply;    /* ... as text, sanitised */
	bool mail_pipelined; /* ... sent with RSET in one write */

	/* the credentials (ctx->credentials given; main sessions) */
	enum auth_result auth;
	enum auth_skip auth_skip;
	char auth_mech[24]; /* the mechanism used */
	int auth_code;	    /* the final reply: 235, 535, ... */
	char *auth_reply;   /* ... as text, sanitised */

	/* KIND_ENFORCE's answer, on the main probe: -1 not run */
	int enforce_code; /* its mail_code */
	char *enforce_reply;
	bool enforce_pipelined;
	/* asked once per host and port: on this address (every probe of
	 * the host and port carries the answer) */
	char enforce_address[64];
	enum probe_end enforce_end; /* how that session ended */
	const char *enforce_skip;   /* not asked: why ("quick", ...) */
	int64_t ms[PH_COUNT];	    /* -1: phase not reached */
	int64_t total_ms;
};

struct probe_ctx {
	struct loop *loop;
	gnutls_certificate_credentials_t creds;
	unsigned timeout_ms;   /* connect, and silence while waiting */
	unsigned deadline_ms;  /* the whole session, retries included */
	const char *ehlo_name; /* NULL: our address literal */
	/* told when a connect attempt got an answer (accepted, reset or
	 * ICMP) after ms milliseconds: the round trip to that address */
	void (*connect_seen)(void *arg, const struct probe *p, int64_t ms);
	void *connect_arg;
	/* the user's credentials (NULL: none), tried inside verified TLS
	 * only, and only where may_auth says this session is the one to
	 * try them on (once per host and port: a wrong password repeated
	 * on every address locks accounts) */
	const struct credentials *credentials;
	bool (*may_auth)(void *arg, const struct probe *p);
	void *auth_arg;
};

typedef void (*probe_done_cb)(void *arg, struct probe *p);

/* Initialise the observation fields of p (the caller's are kept). */
void probe_init(struct probe *p);
/* A new probe of sa on port, for host (NULL: an address was given) in
 * role; NULL when out of memory.  Free with probe_free, then free. */
struct probe *probe_new(const struct sockaddr *sa, socklen_t len, int port,
			const char *host, const char *role);
/* Start probing p; done runs once, from the loop, when it has ended.
 * p must live until then.  -1 if nothing could be started. */
int probe_start(const struct probe_ctx *ctx, struct probe *p,
		probe_done_cb done, void *arg);
void probe_free(struct probe *p);
/* What src observed, copied into dst (deep; dst's host, role and the
 * caller's fields before them stay dst's).  -1 out of memory: dst holds
 * what was copied, for probe_free. */
int probe_copy(struct probe *dst, const struct probe *src);
/* What makes two probes the same one in a bulk run: the address, port,
 * name checked, mode expected and kind (a control or not), as text. */
#define PROBE_KEY_MAX 400
void probe_key(const struct probe *p, char *key, size_t len);
/* A connect still unanswered at when (loop_now() ms) is given up as a
 * timeout then, if that is sooner than its own timer. */
void probe_connect_by(struct probe *p, uint64_t when);

const char *probe_phase_name(enum probe_phase ph);
const char *probe_end_name(enum probe_end e);

#endif
