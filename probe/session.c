/*
 * session - one SMTP session of a probe (probe.h), as one state machine
 * on the event loop.  Each state waits for one thing, and its wait is
 * timed as one phase of the report (states[]).  Every change of state
 * goes through state(); the transitions:
 *
 *   CONNECT     connected: GREETING, or HANDSHAKE_IMPLICIT for a TLS
 *               port, or DONE for a connect-only control
 *   HANDSHAKE_IMPLICIT  done: GREETING; failed on a plaintext greeting:
 *               CONNECT again, in plaintext (once)
 *   GREETING    220: EHLO (EHLO_TLS inside TLS); another code: QUIT;
 *               silence on a plaintext port: CONNECT again, in TLS (once)
 *   EHLO        STARTTLS offered: STARTTLS, or MAIL (KIND_ENFORCE);
 *               5xx but 554: HELO; else QUIT
 *   HELO        QUIT
 *   STARTTLS    220: HANDSHAKE, or DONE if bytes follow the 220; else QUIT
 *   HANDSHAKE   done: EHLO_TLS; LISTEN (KIND_INJECT); QUIT (KIND_LEGACY)
 *   EHLO_TLS    250 with credentials: AUTH; else QUIT
 *   MAIL        RSET (sent with MAIL when pipelined: its reply is next)
 *   RSET        QUIT
 *   AUTH        334: AUTH again (the next step); else QUIT
 *   LISTEN      a reply nobody asked for, or silence: QUIT
 *   QUIT        the QUIT has left, a close or QUIT_WAIT_MS: DONE
 *
 * and from any state, a timeout, the deadline, a close or an error ends
 * the session (finish: DONE).
 */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/sanitize.h"
#include "probe/caps.h"
#include "probe/icmperr.h"

#define QUIT_WAIT_MS 1000 /* politeness has a limit */
#define READ_CHUNK 4096

enum sstate {
	S_CONNECT,
	S_HANDSHAKE_IMPLICIT, /* TLS from the first byte */
	S_GREETING,
	S_EHLO,
	S_HELO,
	S_STARTTLS,
	S_HANDSHAKE, /* TLS after STARTTLS's 220 */
	S_EHLO_TLS,
	S_MAIL,	  /* KIND_ENFORCE: the reply to MAIL FROM:<> */
	S_RSET,	  /* ... and to RSET */
	S_AUTH,	  /* the credentials, inside TLS */
	S_LISTEN, /* KIND_INJECT: in TLS, waiting for what we did not ask */
	S_QUIT,
	S_DONE
};

static const struct {
	const char *name;
	enum probe_phase phase; /* the report's name for its wait */
	bool reply;		/* it reads SMTP replies */
} states[] = {
	[S_CONNECT] = {"CONNECT", PH_CONNECT, false},
	[S_HANDSHAKE_IMPLICIT] = {"HANDSHAKE_IMPLICIT", PH_HANDSHAKE_IMPLICIT,
				  false},
	[S_GREETING] = {"GREETING", PH_GREETING, true},
	[S_EHLO] = {"EHLO", PH_EHLO, true},
	[S_HELO] = {"HELO", PH_HELO, true},
	[S_STARTTLS] = {"STARTTLS", PH_STARTTLS, true},
	[S_HANDSHAKE] = {"HANDSHAKE", PH_HANDSHAKE, false},
	[S_EHLO_TLS] = {"EHLO_TLS", PH_EHLO_TLS, true},
	[S_MAIL] = {"MAIL", PH_MAIL, true},
	[S_RSET] = {"RSET", PH_MAIL, true},
	[S_AUTH] = {"AUTH", PH_AUTH, true},
	[S_LISTEN] = {"LISTEN", PH_EHLO_TLS, true},
	[S_QUIT] = {"QUIT", PH_QUIT, true},
	[S_DONE] = {"DONE", PH_COUNT, false},
};

struct session {
	const struct probe_ctx *ctx;
	struct probe *p;
	probe_done_cb done;
	void *arg;
	int fd;
	enum sstate st;
	enum probe_phase phase; /* what the timer and timings refer to */
	bool tls_first;		/* this attempt starts with TLS */
	bool in_tls;		/* records go through GnuTLS */
	gnutls_session_t tls;
	struct tls_io io;
	struct buf in, out;
	struct reply rep;
	uint64_t t0, t_phase, deadline;
	uint64_t phase_bytes; /* received in the current phase */
	struct loop_timer timer;
	char ehlo[80];	     /* our address literal, RFC 5321 4.1.4 */
	uint64_t t_mail;     /* MAIL FROM sent: its phase ends with RSET */
	struct auth *auth;   /* the SASL exchange while in S_AUTH */
	unsigned auth_steps; /* challenges answered, bounded */
	bool wipe_out;	     /* s->out held a secret: wipe once sent */
};

#define AUTH_MAX_STEPS 8

static void on_io(void *arg, int fd, unsigned events);
static void on_timer(void *arg);
static void attempt_start(struct session *s);
static void quit_sent(struct session *s);

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void arm_phase_timer(struct session *s, unsigned ms)
{
	loop_timer_arm(s->ctx->loop, &s->timer,
		       min_u64(loop_now() + ms, s->deadline), on_timer, s);
}

static unsigned listen_ms(const struct session *s);

/* state - the one place the session changes state (but for finish and
 * a pipelined RSET's reply): a new phase, timed from now, with the wait
 * that state allows. */
static void state(struct session *s, enum sstate st)
{
	if (s->st == S_DONE)
		return;
	s->st = st;
	s->phase = states[st].phase;
	s->t_phase = loop_now();
	s->phase_bytes = 0;
	arm_phase_timer(s, st == S_QUIT	    ? QUIT_WAIT_MS
			   : st == S_LISTEN ? listen_ms(s)
					    : s->ctx->timeout_ms);
}

static bool handshaking(enum sstate st)
{
	return st == S_HANDSHAKE || st == S_HANDSHAKE_IMPLICIT;
}

static void phase_done(struct session *s)
{
	s->p->ms[s->phase] = (int64_t)(loop_now() - s->t_phase);
}

/* The output buffer held a credential: nothing of it may stay. */
static void wipe_out(struct session *s)
{
	if (s->wipe_out && s->out.data != NULL)
		explicit_bzero(s->out.data, s->out.cap);
	s->wipe_out = false;
}

static void close_conn(struct session *s)
{
	if (s->tls != NULL) {
		gnutls_deinit(s->tls);
		s->tls = NULL;
	}
	if (s->fd >= 0) {
		loop_unwatch(s->ctx->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	s->in_tls = false;
	s->in.len = 0;
	wipe_out(s);
	s->out.len = 0;
	reply_reset(&s->rep);
}

static void reap(void *arg)
{
	struct session *s = arg;

	s->p->session = NULL;
	s->done(s->arg, s->p);
	buf_free(&s->in);
	buf_free(&s->out);
	free(s);
}

/* Ends the session; the callback runs from a fresh timer so no caller up
 * the stack touches a freed session.  Handlers check S_DONE and return. */
static void finish(struct session *s, enum probe_end end)
{
	struct probe *p = s->p;

	if (s->st == S_DONE)
		return;
	p->end = end;
	p->end_phase = s->phase;
	if (s->st == S_AUTH)
		p->auth = AUTH_BROKEN; /* closed or broke mid-exchange */
	auth_free(s->auth);
	s->auth = NULL;
	p->spoke = s->tls_first ? MODE_TLS : MODE_PLAIN;
	p->total_ms = (int64_t)(loop_now() - s->t0);
	if (s->rep.error != REPLY_OK)
		p->reply_error = s->rep.error;
	close_conn(s);
	s->st = S_DONE;
	loop_timer_arm(s->ctx->loop, &s->timer, 0, reap, s);
}

static void set_detail(struct probe *p, const char *msg)
{
	free(p->detail);
	p->detail = sanitize(msg, strlen(msg));
}

static void update_interest(struct session *s)
{
	unsigned ev = LOOP_READ;

	if (s->st == S_DONE)
		return;
	if (s->st == S_CONNECT || s->out.len > 0)
		ev = LOOP_WRITE;
	else if (handshaking(s->st) && s->tls != NULL &&
		 gnutls_record_get_direction(s->tls) == 1)
		ev = LOOP_WRITE;
	if (loop_watch(s->ctx->loop, s->fd, ev, on_io, s) < 0)
		finish(s, END_LOCAL);
}

static void flush_out(struct session *s)
{
	while (s->out.len > 0 && s->st != S_DONE) {
		ssize_t n;

		if (s->in_tls) {
			n = gnutls_record_send(s->tls, s->out.data, s->out.len);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				break;
			if (n < 0) {
				set_detail(s->p, gnutls_strerror((int)n));
				finish(s, END_CLOSED);
				return;
			}
		} else {
			n = send(s->fd, s->out.data, s->out.len, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n < 0) {
				s->p->sys_errno = errno;
				finish(s, END_CLOSED);
				return;
			}
		}
		buf_consume(&s->out, (size_t)n);
	}
	if (s->out.len == 0)
		wipe_out(s);
	if (s->st == S_QUIT && s->out.len == 0) {
		quit_sent(s);
		return;
	}
	update_interest(s);
}

static void send_cmd(struct session *s, const char *cmd)
{
	if (buf_append(&s->out, cmd, strlen(cmd)) < 0) {
		finish(s, END_LOCAL);
		return;
	}
	flush_out(s);
}

/* Sends cmd (NULL: nothing) and waits for the reply in state st. */
static void expect(struct session *s, enum sstate st, const char *cmd)
{
	reply_reset(&s->rep);
	state(s, st);
	if (cmd != NULL)
		send_cmd(s, cmd);
	else
		update_interest(s);
}

static void send_hello(struct session *s, const char *verb, enum sstate st)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "%s %s\r\n", verb,
		 s->ctx->ehlo_name ? s->ctx->ehlo_name : s->ehlo);
	expect(s, st, cmd);
}

/* QUIT politely, but the verdict does not wait for the 221: the session
 * ends once the QUIT has left (flush_out), after the bytes already here
 * are read, so the close is a FIN and not a reset. */
static void start_quit(struct session *s)
{
	expect(s, S_QUIT, "QUIT\r\n");
}

static void quit_sent(struct session *s)
{
	char c[512];

	if (!s->in_tls)
		while (recv(s->fd, c, sizeof(c), MSG_DONTWAIT) > 0)
			;
	else
		while (gnutls_record_recv(s->tls, c, sizeof(c)) > 0)
			;
	phase_done(s);
	finish(s, END_DONE);
}

static void copy_keywords(const struct reply *r, struct strlist *out)
{
	size_t i;

	strlist_free(out);
	for (i = 1; i < r->lines.n; i++)
		strlist_add(out, r->lines.v[i]);
}

static void handshake_start(struct session *s, enum sstate st);

/* How long the injection check listens inside TLS: a vulnerable server
 * answers the smuggled NOOP as soon as TLS is up, so its reply is here at
 * most one round trip after our side of the handshake ended.  Two round
 * trips (the slower of the connect and the STARTTLS exchange, which
 * includes the server's own time), between 100 ms and 1 s, never past
 * --timeout: waiting longer tells nothing more. */
static unsigned listen_ms(const struct session *s)
{
	int64_t rtt = s->p->ms[PH_CONNECT] > 0 ? s->p->ms[PH_CONNECT] : 1;
	unsigned ms;

	if (s->p->ms[PH_STARTTLS] > rtt)
		rtt = s->p->ms[PH_STARTTLS];
	ms = rtt * 2 > 100 ? (unsigned)(rtt * 2) : 100;
	if (ms > 1000)
		ms = 1000;
	return ms < s->ctx->timeout_ms ? ms : s->ctx->timeout_ms;
}

/* Bytes the server sent after its 220 to STARTTLS, in our buffer or
 * still in the socket: they would be read as if inside TLS (CVE-2011-0411
 * in reverse).  We never use them. */
static size_t pending_after_reply(struct session *s)
{
	char c;

	if (s->in.len > 0)
		return s->in.len;
	return recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0 ? 1 : 0;
}

/* "250 text / text" of a reply, sanitised (the parser already was). */
static char *reply_text(const struct reply *r)
{
	char *text = reply_join(r, " / "), *out = NULL;

	if (text != NULL && asprintf(&out, "%d %s", r->code, text) < 0)
		out = NULL;
	free(text);
	return out;
}

/* KIND_ENFORCE, before STARTTLS (RFC 3207 4: a server that requires TLS
 * answers 530): MAIL FROM:<> and RSET, in one write only if PIPELINING
 * was advertised.  Never RCPT, never DATA. */
static void start_mail(struct session *s, const struct caps *caps)
{
	s->p->mail_pipelined = caps->pipelining;
	s->t_mail = loop_now();
	expect(s, S_MAIL,
	       caps->pipelining ? "MAIL FROM:<>\r\nRSET\r\n"
				: "MAIL FROM:<>\r\n");
}

/* Sends one line of the AUTH exchange that carries a credential. */
static void send_secret(struct session *s, const char *prefix, const char *b64)
{
	size_t need = strlen(prefix) + strlen(b64) + 3;

	/* grown while empty, so no realloc ever copies a secret away */
	if (s->out.len == 0 && s->out.cap < need + 1) {
		char *d = realloc(s->out.data, need + 1);

		if (d == NULL) {
			finish(s, END_LOCAL);
			return;
		}
		s->out.data = d;
		s->out.cap = need + 1;
	}
	s->wipe_out = true;
	if (buf_append(&s->out, prefix, strlen(prefix)) < 0 ||
	    buf_append(&s->out, b64, strlen(b64)) < 0 ||
	    buf_append(&s->out, "\r\n", 2) < 0) {
		finish(s, END_LOCAL);
		return;
	}
	flush_out(s);
}

/* After the EHLO inside TLS: try the user's credentials, or record why
 * they stay here.  Sent only inside TLS whose certificate verified for
 * the name typed, TLS 1.2 or newer, where AUTH is offered inside TLS. */
static void start_auth(struct session *s)
{
	struct probe *p = s->p;
	struct caps tls_caps, plain_caps;
	const char *mech;
	char *ir = NULL;
	char cmd[64];

	caps_from_lines(&p->ehlo_tls, &tls_caps);
	caps_from_lines(&p->ehlo, &plain_caps);
	mech = auth_choose(&tls_caps.auth_mechs);
	if (!p->tls.verified) {
		p->auth = AUTH_NOT_SENT;
		p->auth_skip = SKIP_UNVERIFIED;
	} else if (strcmp(p->tls.version, "TLS1.2") != 0 &&
		   strcmp(p->tls.version, "TLS1.3") != 0) {
		p->auth = AUTH_NOT_SENT;
		p->auth_skip = SKIP_OLD_TLS;
	} else if (!tls_caps.auth && plain_caps.auth) {
		p->auth = AUTH_NOT_SENT;
		p->auth_skip = SKIP_BEFORE_TLS;
	} else if (!tls_caps.auth) {
		p->auth = AUTH_NOT_OFFERED;
	} else if (mech == NULL) {
		p->auth = AUTH_NO_MECHANISM;
	} else if (!p->name_typed) {
		p->auth = AUTH_NOT_SENT;
		p->auth_skip = SKIP_NAME_NOT_TYPED;
	} else if (s->ctx->may_auth != NULL &&
		   !s->ctx->may_auth(s->ctx->auth_arg, p)) {
		p->auth = AUTH_NOT_TRIED;
	} else {
		snprintf(p->auth_mech, sizeof(p->auth_mech), "%s", mech);
		s->auth = auth_new(mech, s->ctx->credentials);
	}
	caps_free(&tls_caps);
	caps_free(&plain_caps);
	if (p->auth != AUTH_NOT_REACHED) {
		start_quit(s);
		return;
	}
	if (s->auth == NULL ||
	    (auth_client_first(s->auth) && auth_step(s->auth, NULL, &ir) < 0)) {
		p->auth = AUTH_BROKEN;
		start_quit(s);
		return;
	}
	reply_reset(&s->rep);
	state(s, S_AUTH);
	if (ir == NULL) {
		snprintf(cmd, sizeof(cmd), "AUTH %s\r\n", mech);
		send_cmd(s, cmd);
		return;
	}
	/* RFC 4954 4: "=" is an empty initial response */
	snprintf(cmd, sizeof(cmd), "AUTH %s ", mech);
	send_secret(s, cmd, ir[0] ? ir : "=");
	auth_free_out(ir);
}

static void on_auth_reply(struct session *s, const struct reply *r)
{
	struct probe *p = s->p;
	char *out = NULL;

	if (r->code == 334 && s->auth != NULL &&
	    s->auth_steps++ < AUTH_MAX_STEPS) {
		/* a challenge: its text is the base64 (sanitised is the
		 * same for base64) */
		if (auth_step(s->auth, r->lines.n ? r->lines.v[0] : "", &out) <
		    0) {
			p->auth = AUTH_BROKEN;
			auth_free(s->auth);
			s->auth = NULL;
			expect(s, S_AUTH, "*\r\n"); /* cancel */
			return;
		}
		reply_reset(&s->rep);
		send_secret(s, "", out);
		auth_free_out(out);
		return;
	}
	auth_free(s->auth);
	s->auth = NULL;
	p->auth_code = r->code;
	free(p->auth_reply);
	p->auth_reply = reply_text(r);
	if (p->auth != AUTH_BROKEN)
		p->auth = r->code == 235   ? AUTH_ACCEPTED
			  : r->code == 334 ? AUTH_BROKEN
					   : AUTH_REJECTED;
	start_quit(s);
}

static void on_reply(struct session *s)
{
	struct probe *p = s->p;
	struct reply *r = &s->rep;
	struct caps caps;

	phase_done(s);
	p->bare_lf |= r->bare_lf;
	p->nonprintable |= r->nonprintable;
	switch (s->st) {
	case S_GREETING: {
		char *text = reply_join(r, " / ");

		p->greeting_code = r->code;
		free(p->banner);
		p->banner = NULL;
		if (text != NULL &&
		    asprintf(&p->banner, "%d %s", r->code, text) < 0)
			p->banner = NULL;
		free(text);
		if (r->code == 220)
			send_hello(s, "EHLO", s->in_tls ? S_EHLO_TLS : S_EHLO);
		else
			start_quit(s);
		break;
	}
	case S_EHLO_TLS:
		p->ehlo_tls_code = r->code;
		copy_keywords(r, &p->ehlo_tls);
		if (r->code == 250 && p->kind == KIND_MAIN &&
		    s->ctx->credentials != NULL)
			start_auth(s);
		else
			start_quit(s);
		break;
	case S_EHLO:
		p->ehlo_code = r->code;
		if (r->code >= 500 && r->code != 554) {
			/* RFC 5321 3.2: fall back to HELO, which has no
			 * extensions, so never any STARTTLS */
			p->helo_used = true;
			send_hello(s, "HELO", S_HELO);
			break;
		}
		copy_keywords(r, &p->ehlo);
		caps_parse(r, &caps);
		if (!caps.starttls && p->kind == KIND_MAIN &&
		    s->ctx->credentials != NULL && r->code == 250) {
			/* never in cleartext */
			p->auth = AUTH_NOT_SENT;
			p->auth_skip = SKIP_NO_TLS;
		}
		if (p->kind == KIND_ENFORCE && caps.starttls)
			start_mail(s, &caps);
		else if (p->kind == KIND_ENFORCE)
			start_quit(s);
		else if (caps.starttls)
			expect(s, S_STARTTLS,
			       p->kind == KIND_INJECT ? "STARTTLS\r\nNOOP\r\n"
						      : "STARTTLS\r\n");
		else
			start_quit(s);
		caps_free(&caps);
		break;
	case S_HELO:
		p->helo_code = r->code;
		start_quit(s);
		break;
	case S_STARTTLS: {
		char *text = reply_join(r, " / ");

		p->starttls_code = r->code;
		free(p->starttls_reply);
		p->starttls_reply = NULL;
		if (text != NULL &&
		    asprintf(&p->starttls_reply, "%d %s", r->code, text) < 0)
			p->starttls_reply = NULL;
		free(text);
		if (r->code != 220) {
			start_quit(s);
			break;
		}
		p->injected =
			p->kind == KIND_INJECT ? 0 : pending_after_reply(s);
		if (p->injected > 0) {
			/* discard and abort: no TLS on a stream that
			 * already carries the attacker's bytes */
			finish(s, END_INJECTION);
			break;
		}
		/* the injection session goes on (its NOOP may have been
		 * answered in plaintext), but what came before TLS is never
		 * read as an answer inside it */
		buf_consume(&s->in, s->in.len);
		reply_reset(&s->rep);
		handshake_start(s, S_HANDSHAKE);
		break;
	}
	case S_MAIL:
		p->mail_code = r->code;
		free(p->mail_reply);
		p->mail_reply = reply_text(r);
		if (p->mail_pipelined) {
			/* RSET went with it: its reply is next */
			reply_reset(&s->rep);
			s->st = S_RSET;
		} else {
			expect(s, S_RSET, "RSET\r\n");
		}
		break;
	case S_RSET:
		p->ms[PH_MAIL] = (int64_t)(loop_now() - s->t_mail);
		start_quit(s);
		break;
	case S_AUTH:
		on_auth_reply(s, r);
		break;
	case S_LISTEN:
		p->injected_code = r->code;
		start_quit(s);
		break;
	case S_QUIT:
		p->quit_code = r->code;
		finish(s, END_DONE);
		break;
	default:
		break;
	}
}

static void parse_input(struct session *s)
{
	while (s->in.len > 0 && states[s->st].reply) {
		size_t used = 0;
		enum reply_status rs =
			reply_feed(&s->rep, s->in.data, s->in.len, &used);

		buf_consume(&s->in, used);
		if (rs == REPLY_ERROR) {
			s->p->bare_lf |= s->rep.bare_lf;
			s->p->nonprintable |= s->rep.nonprintable;
			if (s->rep.bad_line != NULL) {
				/* already sanitised by the parser */
				free(s->p->detail);
				s->p->detail = strdup(s->rep.bad_line);
			}
			if (s->st == S_QUIT)
				finish(s, END_DONE);
			else
				finish(s, END_PROTOCOL);
			return;
		}
		if (rs == REPLY_MORE)
			return;
		on_reply(s);
	}
}

/* The peer closed in the middle of a reply we were waiting for. */
static void on_eof(struct session *s)
{
	finish(s, s->st == S_QUIT ? END_DONE : END_CLOSED);
}

static void read_input(struct session *s)
{
	char chunk[READ_CHUNK];

	while (states[s->st].reply) {
		size_t room = buf_room(&s->in);
		ssize_t n;

		if (room > sizeof(chunk))
			room = sizeof(chunk);
		if (room == 0) {
			finish(s, END_PROTOCOL);
			return;
		}
		if (s->in_tls) {
			n = gnutls_record_recv(s->tls, chunk, room);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				return;
			if (n == GNUTLS_E_REHANDSHAKE ||
			    n == GNUTLS_E_WARNING_ALERT_RECEIVED)
				continue;
			if (n < 0) {
				set_detail(s->p, gnutls_strerror((int)n));
				on_eof(s);
				return;
			}
		} else {
			n = recv(s->fd, chunk, room, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n < 0) {
				s->p->sys_errno = errno;
				on_eof(s);
				return;
			}
		}
		if (n == 0) {
			on_eof(s);
			return;
		}
		s->p->bytes_in += (uint64_t)n;
		s->phase_bytes += (uint64_t)n;
		buf_append(&s->in, chunk, (size_t)n);
		/* progress: the silence timer starts again, the deadline not;
		 * the injection check keeps its own short wait */
		if (s->st != S_LISTEN)
			arm_phase_timer(s, s->st == S_QUIT
						   ? QUIT_WAIT_MS
						   : s->ctx->timeout_ms);
		parse_input(s);
	}
}

/* A plaintext SMTP greeting where TLS was expected: "220 " or "220-". */
static bool sniff_is_smtp(const struct tls_io *io)
{
	return io->nsniff >= 4 && io->sniff[0] >= '2' && io->sniff[0] <= '5' &&
	       io->sniff[1] >= '0' && io->sniff[1] <= '9' &&
	       io->sniff[2] >= '0' && io->sniff[2] <= '9' &&
	       (io->sniff[3] == ' ' || io->sniff[3] == '-');
}

static void retry_other_mode(struct session *s)
{
	close_conn(s);
	s->p->retried = true;
	s->tls_first = !s->tls_first;
	attempt_start(s);
}

static void handshake_step(struct session *s)
{
	struct probe *p = s->p;
	int ret = gnutls_handshake(s->tls);

	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED ||
	    (ret < 0 && !gnutls_error_is_fatal(ret))) {
		update_interest(s);
		return;
	}
	if (ret < 0) {
		char msg[200];

		if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
			snprintf(msg, sizeof(msg), "%s: %s",
				 gnutls_strerror(ret),
				 gnutls_alert_get_name(
					 gnutls_alert_get(s->tls)));
		else
			snprintf(msg, sizeof(msg), "%s", gnutls_strerror(ret));
		free(p->tls.error);
		p->tls.error = sanitize(msg, strlen(msg));
		free(p->sniff);
		p->sniff = sanitize(s->io.sniff, s->io.nsniff);
		if (s->tls_first && !p->retried && sniff_is_smtp(&s->io) &&
		    loop_now() < s->deadline) {
			retry_other_mode(s);
			return;
		}
		finish(s, END_TLS_FAILED);
		return;
	}
	phase_done(s);
	s->in_tls = true;
	tls_collect(s->tls, p->host ? p->host : p->address, &p->tls);
	p->spoke = s->tls_first ? MODE_TLS : MODE_PLAIN;
	if (p->tls_done != NULL)
		p->tls_done(p->tls_arg, p);
	if (p->kind == KIND_LEGACY) {
		start_quit(s); /* the handshake was the question */
	} else if (p->kind == KIND_INJECT && !s->tls_first) {
		/* a vulnerable server answers the NOOP it buffered before
		 * TLS now, unasked; a sound one says nothing */
		reply_reset(&s->rep);
		state(s, S_LISTEN);
		update_interest(s);
		read_input(s);
	} else if (s->tls_first) {
		expect(s, S_GREETING, NULL);
		/* GnuTLS may already hold the greeting: epoll cannot see it */
		read_input(s);
	} else {
		send_hello(s, "EHLO", S_EHLO_TLS);
	}
}

static void handshake_start(struct session *s, enum sstate st)
{
	struct probe *p = s->p;
	int ret;

	tls_info_free(&p->tls);
	s->io.fd = s->fd;
	s->io.nsniff = 0;
	ret = tls_client_new(&s->tls, s->ctx->creds, p->host, &s->io,
			     p->kind == KIND_LEGACY);
	if (ret < 0) {
		set_detail(p, gnutls_strerror(ret));
		s->tls = NULL;
		finish(s, END_LOCAL);
		return;
	}
	state(s, st);
	handshake_step(s);
}

static enum probe_end connect_error(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return END_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EACCES: /* ICMPv6 administratively prohibited */
	case EPERM:  /* a local firewall rule */
		return END_UNREACHABLE;
	case ETIMEDOUT:
		return END_TIMEOUT;
	default:
		return END_CONNECT_ERROR;
	}
}

static void address_literal(struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[ADDR_TEXT_MAX] = "127.0.0.1";

	memset(&ss, 0, sizeof(ss));
	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == 0)
		addr_text((struct sockaddr *)&ss, a, sizeof(a));
	snprintf(s->ehlo, sizeof(s->ehlo), "[%s%s]",
		 ss.ss_family == AF_INET6 ? "IPv6:" : "", a);
	snprintf(s->p->source, sizeof(s->p->source), "%s", a);
}

static void connected(struct session *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (s->ctx->connect_seen != NULL &&
	    (err == 0 || err == ECONNREFUSED || err == EHOSTUNREACH ||
	     err == EACCES))
		s->ctx->connect_seen(s->ctx->connect_arg, s->p,
				     (int64_t)(loop_now() - s->t_phase));
	if (err != 0) {
		struct icmp_error ie;

		if (icmp_error_read(s->fd, &ie))
			snprintf(s->p->icmp_from, sizeof(s->p->icmp_from), "%s",
				 ie.from);
		s->p->sys_errno = err;
		finish(s, connect_error(err));
		return;
	}
	/* from here on an ICMP error must not end the session */
	icmp_errors_keep(s->fd, s->p->addr.ss_family, false);
	phase_done(s);
	s->p->connected = true;
	if (s->p->connect_only)
		finish(s, END_DONE);
	else if (s->tls_first)
		handshake_start(s, S_HANDSHAKE_IMPLICIT);
	else
		expect(s, S_GREETING, NULL);
}

static void on_io(void *arg, int fd, unsigned events)
{
	struct session *s = arg;

	(void)fd;
	if (s->st == S_CONNECT) {
		connected(s);
		return;
	}
	if (handshaking(s->st)) {
		handshake_step(s);
		return;
	}
	if ((events & LOOP_WRITE) && s->out.len > 0)
		flush_out(s);
	if ((events & LOOP_READ) && s->st != S_DONE)
		read_input(s);
}

static void on_timer(void *arg)
{
	struct session *s = arg;
	bool deadline = loop_now() >= s->deadline;

	if (s->st == S_QUIT) {
		finish(s, END_DONE);
		return;
	}
	if (s->st == S_LISTEN) {
		start_quit(s); /* silence inside TLS: not vulnerable */
		return;
	}
	/* silence where a greeting should be may be implicit TLS on a
	 * plaintext port (wrong-port-mode): worth one more attempt */
	if (s->st == S_GREETING && !s->tls_first && !s->p->retried &&
	    s->p->bytes_in == 0 && !deadline) {
		s->p->ms[PH_GREETING] = -1;
		retry_other_mode(s);
		return;
	}
	if (deadline && s->phase_bytes > 0) {
		/* never silent long enough for --timeout, never done: keep
		 * what trickled in as the partial result */
		s->p->tarpit = true;
		free(s->p->detail);
		s->p->detail = sanitize(s->in.data ? s->in.data : "",
					s->in.len > 200 ? 200 : s->in.len);
	}
	if (deadline && s->p->not_after != 0 && s->deadline == s->p->not_after)
		s->p->past_not_after = true;
	finish(s, deadline ? END_DEADLINE : END_TIMEOUT);
}

static void attempt_start(struct session *s)
{
	struct probe *p = s->p;
	int one = 1;

	s->fd = socket(p->addr.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s->fd < 0) {
		p->sys_errno = errno;
		s->phase = PH_CONNECT;
		finish(s, END_LOCAL);
		return;
	}
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* who rejects the connect: the destination, or a router before it */
	icmp_errors_keep(s->fd, p->addr.ss_family, true);
	state(s, S_CONNECT);
	if (connect(s->fd, (struct sockaddr *)&p->addr, p->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		p->sys_errno = errno;
		finish(s, connect_error(errno));
		return;
	}
	/* the kernel picked our address with the route: keep it even if
	 * the connection never completes, for the report */
	address_literal(s);
	update_interest(s);
}

int probe_start(const struct probe_ctx *ctx, struct probe *p,
		probe_done_cb done, void *arg)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	s->ctx = ctx;
	s->p = p;
	s->done = done;
	s->arg = arg;
	s->fd = -1;
	s->tls_first = p->expect == MODE_TLS;
	p->session = s;
	s->t0 = loop_now();
	if (p->target_start != NULL) {
		if (*p->target_start == 0)
			*p->target_start = s->t0;
		p->not_after = *p->target_start + p->target_budget_ms;
	}
	s->deadline = s->t0 + ctx->deadline_ms;
	if (p->not_after != 0 && p->not_after < s->deadline)
		s->deadline = p->not_after;
	s->in.limit = 4 * REPLY_MAX_LINE;
	if (ctx->credentials != NULL && p->kind == KIND_MAIN &&
	    !p->connect_only)
		p->auth = AUTH_NOT_REACHED;
	if (p->not_after != 0 && s->t0 >= p->not_after) {
		/* queued past its target's deadline: no connection at all */
		p->past_not_after = true;
		s->phase = PH_CONNECT;
		set_detail(p, "the target's deadline passed before this "
			      "session could start");
		finish(s, END_LOCAL);
		return 0;
	}
	attempt_start(s);
	return 0;
}

void probe_connect_by(struct probe *p, uint64_t when)
{
	struct session *s = p->session;

	if (s != NULL && s->st == S_CONNECT && when < s->timer.when)
		loop_timer_arm(s->ctx->loop, &s->timer, when, on_timer, s);
}
