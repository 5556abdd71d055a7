/* The password prompt on a real pseudo-terminal (forkpty): no echo while
 * it waits, Ctrl-C ends it at once with the echo back on, and a
 * --password-file that is a directory is called one. */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/secret.h"
#include "tests/unit/suites.h"

/* Reads from the pty master until the text holds want or ms run out. */
static int read_until(int fd, char *buf, size_t len, const char *want, int ms)
{
	size_t n = 0;
	struct pollfd pfd = {fd, POLLIN, 0};

	buf[0] = '\0';
	while (strstr(buf, want) == NULL && poll(&pfd, 1, ms) > 0) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
	return strstr(buf, want) != NULL ? 0 : -1;
}

/* waitpid with a bound: the status, or -1 when the child still runs. */
static int wait_for(pid_t pid, int ms)
{
	int st;

	for (; ms > 0; ms -= 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(10000);
	}
	return -1;
}

static bool echo_on(int fd)
{
	struct termios t;

	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	return (t.c_lflag & ECHO) != 0;
}

/* A child that prompts on the pty; prints what it got on one line. */
static pid_t prompting(int *master)
{
	pid_t pid = forkpty(master, NULL, NULL, NULL);

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char err[200], *s;

		/* as in smtpprobe: Check's runner has its own SIGINT handler */
		signal(SIGINT, SIG_DFL);
		unsetenv(SECRET_ENV);
		s = secret_read(NULL, "pw: ", err, sizeof(err));
		printf("got [%s]\n", s ? s : err);
		fflush(stdout);
		secret_free(s);
		_exit(s ? 0 : 2);
	}
	return pid;
}

START_TEST(test_prompt_reads_without_echo)
{
	char buf[512];
	int master, st;
	pid_t pid = prompting(&master);

	ck_assert_int_eq(read_until(master, buf, sizeof(buf), "pw: ", 5000), 0);
	/* the echo goes off right after the prompt is written */
	for (int i = 0; i < 200 && echo_on(master); i++)
		usleep(10000);
	ck_assert(!echo_on(master));
	ck_assert_int_eq(write(master, "s3cret\n", 7), 7);
	ck_assert_int_eq(read_until(master, buf, sizeof(buf), "got [", 5000),
			 0);
	read_until(master, buf + strlen(buf), sizeof(buf) - strlen(buf), "]",
		   2000);
	ck_assert_msg(strstr(buf, "got [s3cret]") != NULL, "%s", buf);
	/* its first appearance is the child's own line: never echoed */
	ck_assert_msg(strstr(buf, "s3cret") == strstr(buf, "got [s3cret]") + 5,
		      "the password was echoed: %s", buf);
	st = wait_for(pid, 5000);
	ck_assert_int_ne(st, -1);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(master);
}
END_TEST

/* Ctrl-C at the prompt ends the program by SIGINT (exit status 130 in
 * the shell) without waiting for Enter, and leaves the echo on. */
START_TEST(test_prompt_ctrl_c)
{
	char buf[512];
	int master, st;
	pid_t pid = prompting(&master);

	ck_assert_int_eq(read_until(master, buf, sizeof(buf), "pw: ", 5000), 0);
	for (int i = 0; i < 200 && echo_on(master); i++)
		usleep(10000);
	ck_assert(!echo_on(master));
	ck_assert_int_eq(write(master, "\003", 1), 1);
	st = wait_for(pid, 3000);
	if (st == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		ck_abort_msg("Ctrl-C at the prompt did not end it within 3 s");
	}
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
		      "status %#x, not ended by SIGINT", st);
	ck_assert_msg(echo_on(master), "the echo stayed off");
	close(master);
}
END_TEST

START_TEST(test_password_file_directory)
{
	char err[300];

	ck_assert_ptr_null(secret_read("/", "pw: ", err, sizeof(err)));
	ck_assert_msg(strstr(err, "'/' is a directory") != NULL, "%s", err);
}
END_TEST

Suite *secret_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("prompt");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_prompt_reads_without_echo);
	tcase_add_test(tc, test_prompt_ctrl_c);
	tcase_add_test(tc, test_password_file_directory);
	suite_add_tcase(s, tc);
	return s;
}
