/* probe/session: a few whole sessions against a scripted server on
 * 127.0.0.1, driven by the loop in this process.  No TLS here: what is
 * checked is what the session records before any handshake. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "probe/probe.h"
#include "reports/verdict.h"
#include "tests/unit/suites.h"

#define MAX_CMDS 8

/* Answers each command line with the next reply, in order. */
struct server {
	int lfd, fd;
	const char *const *replies;
	size_t nreplies, next;
	char cmds[MAX_CMDS][128];
	size_t ncmds;
	char in[1024];
	size_t inlen;
	bool eof;
};

static struct loop *loop;
static struct server srv;
static struct probe P;
static struct probe_ctx ctx;
static int ndone;

static void setup(void)
{
	loop = loop_new();
	ck_assert_ptr_nonnull(loop);
	memset(&srv, 0, sizeof(srv));
	srv.lfd = srv.fd = -1;
	memset(&P, 0, sizeof(P));
	memset(&ctx, 0, sizeof(ctx));
	ctx.loop = loop;
	ctx.timeout_ms = 1500;
	ctx.deadline_ms = 3000;
	ndone = 0;
}

static void teardown(void)
{
	if (srv.fd >= 0) {
		loop_unwatch(loop, srv.fd);
		close(srv.fd);
	}
	if (srv.lfd >= 0)
		close(srv.lfd);
	probe_free(&P);
	loop_free(loop);
}

static void send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	ck_assert_int_eq(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void on_server(void *arg, int fd, unsigned events)
{
	struct server *s = arg;
	ssize_t n;
	char *nl;

	(void)events;
	n = recv(fd, s->in + s->inlen, sizeof(s->in) - 1 - s->inlen, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		s->eof = true;
		loop_unwatch(loop, fd);
		return;
	}
	s->inlen += (size_t)n;
	s->in[s->inlen] = '\0';
	while ((nl = strstr(s->in, "\r\n")) != NULL) {
		size_t len = (size_t)(nl - s->in);

		ck_assert_uint_lt(s->ncmds, MAX_CMDS);
		snprintf(s->cmds[s->ncmds++], sizeof(s->cmds[0]), "%.*s",
			 (int)len, s->in);
		memmove(s->in, nl + 2, s->inlen - len - 2);
		s->inlen -= len + 2;
		s->in[s->inlen] = '\0';
		if (s->next < s->nreplies)
			send_all(fd, s->replies[s->next++]);
	}
}

static void on_done(void *arg, struct probe *p)
{
	ck_assert_ptr_eq(arg, &ndone);
	ck_assert_ptr_eq(p, &P);
	ndone++;
}

/* Listens on 127.0.0.1, starts the probe against it, accepts, greets
 * with greeting (NULL: nothing yet), and answers from replies. */
static void start(const char *greeting, const char *const *replies,
		  size_t nreplies)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv.lfd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(srv.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(srv.lfd, 4), 0);
	ck_assert_int_eq(getsockname(srv.lfd, (struct sockaddr *)&sa, &len), 0);

	memcpy(&P.addr, &sa, sizeof(sa));
	P.addrlen = sizeof(sa);
	snprintf(P.address, sizeof(P.address), "127.0.0.1");
	P.port = ntohs(sa.sin_port);
	P.expect = MODE_PLAIN;
	P.role = strdup("given");
	probe_init(&P);
	ck_assert_int_eq(probe_start(&ctx, &P, on_done, &ndone), 0);

	srv.fd = accept4(srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_int_ge(srv.fd, 0);
	srv.replies = replies;
	srv.nreplies = nreplies;
	if (greeting != NULL)
		send_all(srv.fd, greeting);
	ck_assert_int_eq(loop_watch(loop, srv.fd, LOOP_READ, on_server, &srv),
			 0);
}

static void run(void)
{
	uint64_t give_up = loop_now() + 3500;

	while (ndone == 0) {
		ck_assert_int_ge(loop_run_once(loop, 50), 0);
		ck_assert_msg(loop_now() < give_up, "the probe never ended");
	}
	ck_assert_int_eq(ndone, 1);
	/* let the server see the close */
	while (!srv.eof && loop_now() < give_up)
		ck_assert_int_ge(loop_run_once(loop, 50), 0);
}

START_TEST(test_plaintext_session)
{
	static const char *const replies[] = {
		"250-test.example Hello\r\n250-PIPELINING\r\n"
		"250 AUTH PLAIN LOGIN\r\n",
		"221 bye\r\n",
	};
	struct verdict v;

	start("220 test.example ESMTP\r\n", replies, 2);
	run();
	ck_assert(P.connected);
	ck_assert_int_eq(P.end, END_DONE);
	ck_assert_int_eq(P.spoke, MODE_PLAIN);
	ck_assert_int_eq(P.greeting_code, 220);
	ck_assert_str_eq(P.banner, "220 test.example ESMTP");
	ck_assert_int_eq(P.ehlo_code, 250);
	/* keywords only: the server name is not one */
	ck_assert_uint_eq(P.ehlo.n, 2);
	ck_assert_str_eq(P.ehlo.v[0], "PIPELINING");
	ck_assert_str_eq(P.ehlo.v[1], "AUTH PLAIN LOGIN");
	/* QUIT sent, its 221 not waited for */
	ck_assert_int_eq(P.quit_code, 0);
	ck_assert_int_ge(P.ms[PH_QUIT], 0);
	ck_assert_uint_eq(srv.ncmds, 2);
	ck_assert_str_eq(srv.cmds[0], "EHLO [127.0.0.1]");
	ck_assert_str_eq(srv.cmds[1], "QUIT");
	ck_assert_int_ge(P.ms[PH_CONNECT], 0);
	ck_assert_int_ge(P.ms[PH_GREETING], 0);
	ck_assert_int_ge(P.total_ms, 0);
	verdict_judge(&P, &v);
	ck_assert_int_eq(v.state, ST_PLAINTEXT);
	ck_assert(verdict_has(&v, "plaintext-auth"));
}
END_TEST

/* The target's deadline (not_after) cuts a session short, well before
 * the session's own deadline (3 s) and timeout (1.5 s)... */
START_TEST(test_target_deadline_cuts)
{
	uint64_t t0 = loop_now();

	P.not_after = t0 + 300;
	start(NULL, NULL, 0); /* accepts, never greets */
	run();
	ck_assert_int_eq(P.end, END_DEADLINE);
	ck_assert(P.past_not_after);
	ck_assert_uint_lt(loop_now() - t0, 1000);
}
END_TEST

/* ... and a session that would start after it never connects. */
START_TEST(test_target_deadline_never_starts)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct verdict v;
	uint64_t give_up = loop_now() + 2000;
	int fd;

	srv.lfd =
		socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv.lfd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(srv.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(srv.lfd, 4), 0);
	ck_assert_int_eq(getsockname(srv.lfd, (struct sockaddr *)&sa, &len), 0);
	memcpy(&P.addr, &sa, sizeof(sa));
	P.addrlen = sizeof(sa);
	P.port = ntohs(sa.sin_port);
	P.role = strdup("given");
	probe_init(&P);
	P.not_after = loop_now(); /* passed already */
	ck_assert_int_eq(probe_start(&ctx, &P, on_done, &ndone), 0);
	while (ndone == 0 && loop_now() < give_up)
		ck_assert_int_ge(loop_run_once(loop, 50), 0);
	ck_assert_int_eq(ndone, 1);
	ck_assert_int_eq(P.end, END_LOCAL);
	ck_assert(P.past_not_after);
	ck_assert(!P.connected);
	fd = accept4(srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_msg(fd < 0 && errno == EAGAIN, "a connection was made");
	verdict_judge(&P, &v);
	ck_assert_str_eq(v.reason, "local-error");
}
END_TEST

/* Bytes pipelined after the 220 to STARTTLS: abort, never handshake. */
START_TEST(test_starttls_injection)
{
	static const char *const replies[] = {
		"250-test.example\r\n250 STARTTLS\r\n",
		"220 2.0.0 ready\r\n250-injected\r\n250 x\r\n",
	};
	struct verdict v;

	start("220 test.example ESMTP\r\n", replies, 2);
	run();
	ck_assert_int_eq(P.end, END_INJECTION);
	ck_assert_int_eq(P.starttls_code, 220);
	ck_assert_uint_gt(P.injected, 0);
	ck_assert(!P.tls.done);
	ck_assert_uint_eq(P.ehlo.n, 1);
	ck_assert_str_eq(P.ehlo.v[0], "STARTTLS");
	/* EHLO and STARTTLS, then nothing: no ClientHello, no QUIT */
	ck_assert_uint_eq(srv.ncmds, 2);
	ck_assert_str_eq(srv.cmds[1], "STARTTLS");
	ck_assert_uint_eq(srv.inlen, 0);
	verdict_judge(&P, &v);
	ck_assert_int_eq(v.state, ST_STARTTLS);
	ck_assert(verdict_has(&v, "response-injection"));
	ck_assert(v.downgrade_risk);
}
END_TEST

static void second_greeting_line(void *arg)
{
	(void)arg;
	/* nothing may have been sent before the final "220 " line */
	ck_assert_uint_eq(srv.ncmds, 0);
	ck_assert_uint_eq(srv.inlen, 0);
	send_all(srv.fd, "220 second line\r\n");
}

START_TEST(test_waits_for_final_greeting_line)
{
	static const char *const replies[] = {"250 test.example\r\n",
					      "221 bye\r\n"};
	struct loop_timer later = {0};

	start("220-first line\r\n", replies, 2);
	loop_timer_arm(loop, &later, loop_now() + 100, second_greeting_line,
		       NULL);
	run();
	ck_assert_int_eq(P.end, END_DONE);
	ck_assert_str_eq(P.banner, "220 first line / second line");
	ck_assert_str_eq(srv.cmds[0], "EHLO [127.0.0.1]");
}
END_TEST

/* A greeting that is another protocol's, with a control sequence in it:
 * the detail holds it escaped once, like every other peer string. */
START_TEST(test_not_smtp_detail_escaped_once)
{
	struct verdict v;

	start("HTTP/1.1 400 Bad\x1b[31m Request\r\n\r\n", NULL, 0);
	run();
	ck_assert(P.connected);
	ck_assert_int_eq(P.end, END_PROTOCOL);
	ck_assert_int_eq(P.reply_error, REPLY_MALFORMED);
	ck_assert_int_eq(P.greeting_code, 0);
	ck_assert_uint_eq(srv.ncmds, 0);
	verdict_judge(&P, &v);
	ck_assert_int_eq(v.state, ST_UNUSABLE);
	ck_assert_str_eq(v.reason, "not-smtp");
	ck_assert_ptr_nonnull(P.detail);
	ck_assert_str_eq(P.detail, "HTTP/1.1 400 Bad\\x1b[31m Request");
}
END_TEST

START_TEST(test_malformed_reply_detail_escaped_once)
{
	static const char *const replies[] = {"250-ok\r\n2x0 C:\\bad\r\n"};
	struct verdict v;

	start("220 test.example ESMTP\r\n", replies, 1);
	run();
	ck_assert_int_eq(P.end, END_PROTOCOL);
	ck_assert_int_eq(P.end_phase, PH_EHLO);
	ck_assert_int_eq(P.reply_error, REPLY_MALFORMED);
	verdict_judge(&P, &v);
	ck_assert(verdict_has(&v, "malformed-reply"));
	ck_assert_ptr_nonnull(P.detail);
	ck_assert_str_eq(P.detail, "2x0 C:\\\\bad");
}
END_TEST

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("loopback");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plaintext_session);
	tcase_add_test(tc, test_target_deadline_cuts);
	tcase_add_test(tc, test_target_deadline_never_starts);
	tcase_add_test(tc, test_starttls_injection);
	tcase_add_test(tc, test_waits_for_final_greeting_line);
	tcase_add_test(tc, test_not_smtp_detail_escaped_once);
	tcase_add_test(tc, test_malformed_reply_detail_escaped_once);
	suite_add_tcase(s, tc);
	return s;
}
