/*
 * hostile-server - a scripted SMTP peer that misbehaves on purpose, for
 * the integration tests.  It listens on loopback, prints the port, and
 * runs the script (see script.h) on every connection in a child of its
 * own, so smtpprobe's parallel and retried connections each get a fresh
 * run.  Everything it sends and receives goes to stderr, one line per
 * event, so a test can check what smtpprobe did on the wire.  Runs until
 * killed; the children die with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "tests/hostile/script.h"

#define MAX_LISTEN    512 /* test_robust: many loopback addresses */
#define LINE_MAX_IN   4096  /* longest client line expect accepts */
#define IN_BUF        8192  /* read ahead per connection: 2 lines */
#define EXPECT_MS     20000 /* a client silent this long is stuck */
#define IO_TIMEOUT_S  10    /* blocking sends and the TLS handshake */
#define CLOSE_WAIT_MS 2000  /* for the client's FIN after ours */
#define LOG_SHOW      160   /* bytes of data shown per log line */
#define FLOOD_CHUNK   (64 * 1024)

struct conn {
	int fd;
	int id;
	gnutls_session_t tls; /* NULL before the tls step */
	uint64_t t0;
	char last[LINE_MAX_IN + 1]; /* the last line read, for "if" */
	bool have_last;
	/* read from the client (plaintext or out of TLS records) but not yet
	 * used by a step: expect reads in chunks, as real servers do, so
	 * what the client pipelined after a line waits here */
	char in[IN_BUF];
	size_t inlen;
};

/* read_line needs room for one more byte when a whole line is in */
_Static_assert(IN_BUF > LINE_MAX_IN, "IN_BUF too small");

static gnutls_certificate_credentials_t creds;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Printable ASCII kept, the rest as \xHH: the log is read by tests and
 * people, and the peer's bytes are hostile by design. */
static void escape(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 8 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\\\");
		else if (ch >= 0x20 && ch < 0x7f)
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			                      ch);
	}
	if (i < n)
		o += (size_t)snprintf(out + o, outlen - o, "...");
	out[o] = '\0';
}

/* One write(2) per line, so children sharing stderr never interleave. */
__attribute__((format(printf, 2, 3))) static void say(const struct conn *c,
                                                      const char *fmt, ...)
{
	char buf[1024];
	int n;
	va_list ap;

	n = snprintf(buf, sizeof(buf), "hostile conn %d +%llums: ", c->id,
	             (unsigned long long)(now_ms() - c->t0));
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere left to complain */
	}
}

static void say_data(const struct conn *c, const char *dir, const char *s,
                     size_t n)
{
	char e[LOG_SHOW * 4 + 8];

	escape(s, n < LOG_SHOW ? n : LOG_SHOW, e, sizeof(e));
	say(c, "%s %s%s", dir, e, n > LOG_SHOW ? " ..." : "");
}

/* 1 readable, 0 not within ms, -1 error.  Only the socket and GnuTLS:
 * c->in is the caller's to look at first. */
static int wait_in(struct conn *c, int ms)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

	if (c->tls != NULL && gnutls_record_check_pending(c->tls) > 0)
		return 1;
	for (;;) {
		int r = poll(&pfd, 1, ms);

		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/* Bytes read, 0 at the client's end of stream, -1 on error. */
static ssize_t conn_read(struct conn *c, char *buf, size_t len)
{
	ssize_t n;

	if (c->tls == NULL) {
		do
			n = recv(c->fd, buf, len, 0);
		while (n < 0 && errno == EINTR);
		return n;
	}
	/* not GNUTLS_E_AGAIN: that is SO_RCVTIMEO running out on a client
	 * stuck inside a record */
	do
		n = gnutls_record_recv(c->tls, buf, len);
	while (n == GNUTLS_E_INTERRUPTED);
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	return n < 0 ? -1 : n;
}

static int conn_write(struct conn *c, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n;

		if (c->tls != NULL) {
			/* GNUTLS_E_AGAIN is SO_SNDTIMEO: a client that stopped
			 * reading, given up on like in plaintext */
			n = gnutls_record_send(c->tls, buf, len);
			if (n == GNUTLS_E_INTERRUPTED)
				continue;
		} else {
			n = send(c->fd, buf, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits ms without reading; -1 as soon as the client hangs up, so a
 * sleeping or dripping script does not outlive its client. */
static int pause_ms(struct conn *c, unsigned long long ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLRDHUP};
		uint64_t t = now_ms();
		int r;

		if (t >= end)
			return 0;
		r = poll(&pfd, 1, (int)(end - t));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			return -1;
	}
}

/* Reads what the client has sent, as much as c->in has room for:
 * bytes read, 0 at the client's end of stream, -1 on error. */
static ssize_t fill(struct conn *c)
{
	ssize_t n = conn_read(c, c->in + c->inlen, sizeof(c->in) - c->inlen);

	if (n > 0)
		c->inlen += (size_t)n;
	return n;
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* One line into c->last; NULL or why the script must end.  The line
 * comes out of c->in, read in chunks: bytes after it stay there for the
 * next step (which a tls step discards or keeps). */
static const char *read_line(struct conn *c)
{
	uint64_t end = now_ms() + EXPECT_MS;
	size_t n;

	c->have_last = false;
	for (;;) {
		const char *nl = memchr(c->in, '\n', c->inlen);
		uint64_t t = now_ms();

		if (nl != NULL || c->inlen > LINE_MAX_IN) {
			n = nl != NULL ? (size_t)(nl - c->in) : c->inlen;
			if (n > LINE_MAX_IN)
				return "FAIL expect: overlong client line";
			break;
		}
		if (t >= end || wait_in(c, (int)(end - t)) <= 0)
			return "FAIL expect: no line from the client";
		if (fill(c) <= 0)
			return "client closed";
	}
	memcpy(c->last, c->in, n);
	consume(c, n + 1);
	if (n > 0 && c->last[n - 1] == '\r')
		n--;
	c->last[n] = '\0';
	c->have_last = true;
	say_data(c, "<", c->last, n);
	return NULL;
}

/* A line the client pipelined after the last one, if it is already
 * here (in c->in or the socket): never waits for one. */
static void do_pipelined(struct conn *c)
{
	const char *nl;
	size_t n;

	c->have_last = false;
	if (memchr(c->in, '\n', c->inlen) == NULL &&
	    recv(c->fd, c->last, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
		fill(c);
	nl = memchr(c->in, '\n', c->inlen);
	if (nl == NULL || (size_t)(nl - c->in) > LINE_MAX_IN)
		return;
	n = (size_t)(nl - c->in);
	memcpy(c->last, c->in, n);
	consume(c, n + 1);
	if (n > 0 && c->last[n - 1] == '\r')
		n--;
	c->last[n] = '\0';
	c->have_last = true;
	say_data(c, "< (pipelined)", c->last, n);
}

static const char *do_expect(struct conn *c, const struct step *st)
{
	const char *why = read_line(c);
	char e[LOG_SHOW * 4 + 8];

	if (why != NULL)
		return why;
	if (script_match(c->last, st->text))
		return NULL;
	escape(c->last, strlen(c->last), e, sizeof(e));
	say(c, "FAIL expect '%s' (line %d): got '%s'", st->text, st->line, e);
	return "expect mismatch";
}

/* The client must not have sent anything yet (it must wait for our
 * final reply line); a violation is logged, the script goes on. */
static void do_silent(struct conn *c, const struct step *st)
{
	char buf[LOG_SHOW];
	ssize_t n;

	if (c->inlen > 0) {
		/* already read, after a line an expect step took */
		n = c->inlen < sizeof(buf) ? (ssize_t)c->inlen
		                           : (ssize_t)sizeof(buf);
		memcpy(buf, c->in, (size_t)n);
	} else {
		n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (c->tls != NULL && gnutls_record_check_pending(c->tls) > 0)
			n = (ssize_t)gnutls_record_check_pending(c->tls);
	}
	if (n > 0) {
		char e[LOG_SHOW * 4 + 8];

		escape(buf, (size_t)n, e, sizeof(e));
		say(c, "FAIL silent (line %d): the client sent early: '%s'",
		    st->line, e);
	}
}

static const char *do_send(struct conn *c, const struct step *st)
{
	say_data(c, ">", st->text, st->len);
	return conn_write(c, st->text, st->len) < 0 ? "client gone (send)"
	                                            : NULL;
}

static const char *do_drip(struct conn *c, const struct step *st)
{
	size_t i;

	say(c, "> drip %zu byte(s), one every %llu ms", st->len, st->n);
	say_data(c, ">", st->text, st->len);
	for (i = 0; i < st->len; i++) {
		if (conn_write(c, st->text + i, 1) < 0)
			return "client gone (drip)";
		if (i + 1 < st->len && pause_ms(c, st->n) < 0) {
			say(c, "drip: client closed after %zu of %zu byte(s)",
			    i + 1, st->len);
			return "client closed";
		}
	}
	return NULL;
}

static const char *do_flood(struct conn *c, const struct step *st)
{
	unsigned long long left = st->n, sent = 0;
	size_t per = FLOOD_CHUNK / st->len, i;
	char *chunk;

	if (per == 0)
		per = 1;
	chunk = malloc(per * st->len);
	if (chunk == NULL)
		return "FAIL flood: out of memory";
	for (i = 0; i < per; i++)
		memcpy(chunk + i * st->len, st->text, st->len);
	say(c, "> flood %llu x %zu byte(s)", st->n, st->len);
	say_data(c, ">", st->text, st->len);
	while (left > 0) {
		size_t k = left < per ? (size_t)left : per;

		if (conn_write(c, chunk, k * st->len) < 0) {
			free(chunk);
			/* the client gave up: that is the point */
			say(c,
			    "flood: client stopped after about %llu "
			    "byte(s)",
			    sent);
			return "client gone (flood)";
		}
		left -= k;
		sent += k * st->len;
	}
	free(chunk);
	say(c, "flood: all %llu byte(s) sent", sent);
	return NULL;
}

/* After a failed handshake: what the client said, or the fatal alert a
 * real server sends it (GnuTLS leaves that to the application; OpenSSL
 * servers send it on their own). */
static void tls_failed(struct conn *c, int ret)
{
	int level, alert;

	say(c, "tls handshake failed: %s", gnutls_strerror(ret));
	if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED ||
	    ret == GNUTLS_E_WARNING_ALERT_RECEIVED) {
		say(c, "tls: the client sent the alert '%s'",
		    gnutls_alert_get_name(gnutls_alert_get(c->tls)));
		return;
	}
	/* not for a client that is gone: nothing left to read it */
	if (ret == GNUTLS_E_PREMATURE_TERMINATION ||
	    ret == GNUTLS_E_PULL_ERROR || ret == GNUTLS_E_PUSH_ERROR ||
	    ret == GNUTLS_E_TIMEDOUT)
		return;
	alert = gnutls_error_to_alert(ret, &level);
	if (alert < 0 || gnutls_alert_send_appropriate(c->tls, ret) < 0)
		return;
	say(c, "tls: sent the %s alert '%s'",
	    level == GNUTLS_AL_FATAL ? "fatal" : "warning",
	    gnutls_alert_get_name((gnutls_alert_description_t)alert));
}

/* tls and tls-keep.  What the client sent after the line that asked for
 * TLS (STARTTLS), in the same packet, is still in c->in: tls discards
 * it, as Postfix and every sound server do since CVE-2011-0411; tls-keep
 * keeps it, and later expect steps read it first, as if it had come
 * inside TLS (the vulnerable server). */
static const char *do_tls(struct conn *c, const struct step *st)
{
	int ret;

	if (c->inlen > 0) {
		char e[LOG_SHOW * 4 + 8];

		escape(c->in, c->inlen < LOG_SHOW ? c->inlen : LOG_SHOW, e,
		       sizeof(e));
		say(c, "tls: %s %zu plaintext bytes: %s%s",
		    st->op == OP_TLS_KEEP ? "kept" : "discarded", c->inlen, e,
		    c->inlen > LOG_SHOW ? " ..." : "");
		if (st->op != OP_TLS_KEEP)
			c->inlen = 0;
	}
	if (gnutls_init(&c->tls, GNUTLS_SERVER) < 0) {
		c->tls = NULL;
		return "FAIL tls: gnutls_init";
	}
	if (st->text == NULL || *st->text == '\0')
		gnutls_set_default_priority(c->tls);
	else if (gnutls_priority_set_direct(c->tls, st->text, NULL) < 0) {
		gnutls_deinit(c->tls);
		c->tls = NULL;
		return "FAIL tls: bad priority string";
	}
	gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, creds);
	gnutls_transport_set_int(c->tls, c->fd);
	gnutls_handshake_set_timeout(c->tls, IO_TIMEOUT_S * 1000);
	do
		ret = gnutls_handshake(c->tls);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0) {
		tls_failed(c, ret);
		gnutls_deinit(c->tls);
		c->tls = NULL;
		return "tls handshake failed";
	}
	say(c, "tls handshake done: %s",
	    gnutls_protocol_get_name(gnutls_protocol_get_version(c->tls)));
	return NULL;
}

/* Reads and logs whatever comes until the client closes or ms pass. */
static const char *do_hold(struct conn *c, unsigned long long ms)
{
	uint64_t end = now_ms() + ms;

	if (c->inlen > 0) {
		/* read already, used by no step */
		say_data(c, "<", c->in, c->inlen);
		c->inlen = 0;
	}
	for (;;) {
		uint64_t t = now_ms();
		char buf[4096];
		ssize_t n;
		int r;

		if (t >= end)
			return NULL;
		r = wait_in(c, (int)(end - t));
		if (r < 0)
			return "FAIL hold: poll";
		if (r == 0)
			continue;
		n = conn_read(c, buf, sizeof(buf));
		if (n <= 0)
			return "client closed";
		say_data(c, "<", buf, (size_t)n);
	}
}

static const char *run_step(struct conn *c, const struct step *st)
{
	if (st->cond != NULL && st->cond[0] == '!' &&
	    c->have_last && script_match(c->last, st->cond + 1))
		return NULL;
	if (st->cond != NULL && st->cond[0] != '!' &&
	    !(c->have_last && script_match(c->last, st->cond)))
		return NULL;
	switch (st->op) {
	case OP_SEND:
		return do_send(c, st);
	case OP_EXPECT:
		return do_expect(c, st);
	case OP_SILENT:
		do_silent(c, st);
		return NULL;
	case OP_SLEEP:
		return pause_ms(c, st->n) < 0 ? "client closed" : NULL;
	case OP_DRIP:
		return do_drip(c, st);
	case OP_FLOOD:
		return do_flood(c, st);
	case OP_TLS:
	case OP_TLS_KEEP:
		return do_tls(c, st);
	case OP_HOLD:
		return do_hold(c, st->n);
	case OP_CLOSE:
		return "script: close";
	case OP_RESET:
		return "script: reset";
	case OP_PIPELINED:
		do_pipelined(c);
		return NULL;
	}
	return "FAIL: unknown step";
}

/* FIN first and wait for the client's: closing with its unread bytes
 * (a QUIT we did not read) would send an RST it did not earn. */
static void close_gently(struct conn *c)
{
	if (c->tls != NULL)
		gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	shutdown(c->fd, SHUT_WR);
	do_hold(c, CLOSE_WAIT_MS);
}

static void serve(const struct script *sc, int fd, int id)
{
	struct conn c = {.fd = fd, .id = id, .t0 = now_ms()};
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	const char *why = NULL;
	size_t i;
	int one = 1;

	/* each step's bytes leave at once: timings in the log are real */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a client that stops reading must not block a send forever */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < sc->n && why == NULL; i++)
		why = run_step(&c, &sc->steps[i]);
	if (why != NULL && strcmp(why, "script: reset") == 0) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	} else {
		close_gently(&c);
	}
	if (c.tls != NULL)
		gnutls_deinit(c.tls);
	close(fd);
	say(&c, "end: %s", why ? why : "script done");
}

/* A tls step's priority string that GnuTLS rejects is the script's
 * mistake: said at startup, with its line, not as a FAIL mid-test. */
static int check_priorities(const struct script *sc, const char *path)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct step *st = &sc->steps[i];
		gnutls_priority_t pc;
		const char *where = NULL;

		if ((st->op != OP_TLS && st->op != OP_TLS_KEEP) ||
		    st->text == NULL || *st->text == '\0')
			continue;
		if (gnutls_priority_init(&pc, st->text, &where) < 0) {
			fprintf(stderr,
			        "hostile-server: %s:%d: bad priority string "
			        "at '%s'\n",
			        path, st->line, where ? where : st->text);
			return -1;
		}
		gnutls_priority_deinit(pc);
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: hostile-server --script FILE [--cert PEM --key PEM]\n"
	        "                      [--listen ADDR]... [--port N]\n"
	        "\n"
	        "Listens on ADDR (127.0.0.1; repeat for more, all on one "
	        "port),\n"
	        "prints the port, and runs FILE on every connection until "
	        "killed.\n"
	        "The script language is described in tests/hostile/"
	        "script.h.\n");
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* All addresses on one port; with port 0 the first picks it, and if a
 * later address has it taken, everything starts over on a new one. */
static int listen_all(const char **addrs, int naddrs, int port, int *fds)
{
	int attempt, i;

	for (attempt = 0; attempt < 20; attempt++) {
		int p = port;

		for (i = 0; i < naddrs; i++) {
			fds[i] = listen_on(addrs[i], p);
			if (fds[i] < 0)
				break;
			if (p == 0)
				p = bound_port(fds[i]);
		}
		if (i == naddrs)
			return p;
		{
			int e = errno;

			while (--i >= 0)
				close(fds[i]);
			errno = e;
		}
		if (port != 0 || errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static void log_accept(int id, const struct sockaddr_storage *ss)
{
	struct conn c = {.id = id, .t0 = now_ms()};
	char a[INET6_ADDRSTRLEN] = "?";
	int port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	}
	say(&c, "accepted from %s port %d", a, port);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"script", required_argument, NULL, 's'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"listen", required_argument, NULL, 'l'},
	    {"port", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *script_path = NULL, *cert = NULL, *key = NULL;
	const char *addrs[MAX_LISTEN];
	struct pollfd pfds[MAX_LISTEN];
	int fds[MAX_LISTEN];
	int naddrs = 0, port = 0, nconn = 0, opt, i;
	pid_t parent = getpid();
	struct script sc;
	char err[512];

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			script_path = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'l':
			if (naddrs == MAX_LISTEN) {
				fprintf(stderr,
				        "hostile-server: at most %d "
				        "--listen\n",
				        MAX_LISTEN);
				return 2;
			}
			addrs[naddrs++] = optarg;
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < 0 ||
			    v > 65535) {
				fprintf(stderr,
				        "hostile-server: bad --port '%s'\n",
				        optarg);
				return 2;
			}
			port = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (script_path == NULL || optind != argc ||
	    (cert == NULL) != (key == NULL)) {
		usage(stderr);
		return 2;
	}
	if (naddrs == 0)
		addrs[naddrs++] = "127.0.0.1";
	if (script_load(script_path, &sc, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostile-server: %s\n", err);
		return 2;
	}
	if (check_priorities(&sc, script_path) < 0)
		return 2;
	if (sc.needs_tls && cert == NULL) {
		fprintf(stderr,
		        "hostile-server: %s has a tls step: give "
		        "--cert and --key\n",
		        script_path);
		return 2;
	}
	if (cert != NULL) {
		int ret = gnutls_certificate_allocate_credentials(&creds);

		if (ret >= 0)
			ret = gnutls_certificate_set_x509_key_file(
			    creds, cert, key, GNUTLS_X509_FMT_PEM);
		if (ret < 0) {
			fprintf(stderr, "hostile-server: %s: %s\n", cert,
			        gnutls_strerror(ret));
			return 1;
		}
	}
	port = listen_all(addrs, naddrs, port, fds);
	if (port < 0) {
		fprintf(stderr, "hostile-server: listen: %s\n",
		        strerror(errno));
		return 1;
	}
	/* a client gone mid-send is an error return, not our death; and
	 * children reap themselves */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);
	printf("%d\n", port);
	fflush(stdout);
	for (i = 0; i < naddrs; i++)
		pfds[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	for (;;) {
		if (poll(pfds, (nfds_t)naddrs, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("hostile-server: poll");
			return 1;
		}
		for (i = 0; i < naddrs; i++) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			int cfd, j;
			pid_t pid;

			if (!(pfds[i].revents & POLLIN))
				continue;
			cfd = accept4(fds[i], (struct sockaddr *)&ss, &len,
			              SOCK_CLOEXEC);
			if (cfd < 0) {
				/* out of descriptors, say: do not spin */
				poll(NULL, 0, 10);
				continue;
			}
			nconn++;
			log_accept(nconn, &ss);
			pid = fork();
			if (pid == 0) {
				/* killing the server by pid ends every
				 * connection too */
				prctl(PR_SET_PDEATHSIG, SIGTERM);
				if (getppid() != parent)
					_exit(0);
				for (j = 0; j < naddrs; j++)
					close(fds[j]);
				serve(&sc, cfd, nconn);
				/* the script belongs to the parent: no
				 * exit handlers, no leak reports */
				_exit(0);
			}
			if (pid < 0)
				perror("hostile-server: fork");
			close(cfd);
		}
	}
}
