#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* A page-aligned buffer of SECRET_MAX + 1 bytes, locked if we may. */
static char *secret_alloc(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, SECRET_MAX + 1) != 0)
		return NULL;
	memset(p, 0, SECRET_MAX + 1);
	(void)mlock(p, SECRET_MAX + 1); /* best effort: RLIMIT_MEMLOCK */
	/* no core dump, no ptrace by other processes of the user */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return p;
}

void secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, SECRET_MAX + 1);
	(void)munlock(s, SECRET_MAX + 1);
	free(s);
}

/* SIGINT or SIGTERM at the prompt: noted, so the read ends and the echo
 * comes back on before the signal takes its course. */
static volatile sig_atomic_t caught;

static void on_prompt_signal(int sig)
{
	caught = sig;
}

/* Reads one line from fd into s, byte by byte (no stdio buffer keeps a
 * copy).  Its length, or -1 when longer than SECRET_MAX. */
static ssize_t read_line(int fd, char *s)
{
	size_t n = 0;
	char c;
	bool over = false;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR && !caught)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n < SECRET_MAX)
			s[n++] = c;
		else
			over = true;
	}
	explicit_bzero(&c, sizeof(c));
	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
	return over ? -1 : (ssize_t)n;
}

static char *from_file(const char *file, char *err, size_t errlen)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *s;
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot read --password-file: %s",
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errlen,
			 "--password-file '%s' is a directory: want a file "
			 "whose first line is the password",
			 file);
		return NULL;
	}
	s = secret_alloc();
	if (s == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = read_line(fd, s);
	close(fd);
	if (n <= 0) {
		secret_free(s);
		snprintf(err, errlen,
			 n < 0 ? "--password-file: the first line is longer "
				 "than %d bytes"
			       : "--password-file: the first line is empty",
			 SECRET_MAX);
		return NULL;
	}
	return s;
}

static char *from_env(char *v, char *err, size_t errlen)
{
	size_t len = strlen(v);
	char *s = NULL;

	if (len == 0)
		snprintf(err, errlen, "%s is empty", SECRET_ENV);
	else if (len > SECRET_MAX)
		snprintf(err, errlen, "%s is longer than %d bytes", SECRET_ENV,
			 SECRET_MAX);
	else if ((s = secret_alloc()) == NULL)
		snprintf(err, errlen, "out of memory");
	else
		memcpy(s, v, len);
	/* the environment block is ours: wipe it, then drop the name, so
	 * neither /proc/PID/environ nor a child sees it */
	explicit_bzero(v, len);
	unsetenv(SECRET_ENV);
	return s;
}

static char *from_tty(const char *prompt, char *err, size_t errlen)
{
	struct termios old, quiet;
	struct sigaction sa, old_int, old_term;
	sigset_t block, saved;
	char *s;
	ssize_t n;

	if (tcgetattr(STDIN_FILENO, &old) < 0) {
		snprintf(err, errlen, "cannot prompt: %s", strerror(errno));
		return NULL;
	}
	s = secret_alloc();
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Ctrl-C ends the read at once (no SA_RESTART), and the signal is
	 * raised again once the echo is back on; Ctrl-Z waits until then */
	caught = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prompt_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	if (old_int.sa_handler != SIG_IGN) /* nohup and the like: keep it */
		sigaction(SIGINT, &sa, NULL);
	if (old_term.sa_handler != SIG_IGN)
		sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTSTP);
	sigprocmask(SIG_BLOCK, &block, &saved);
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	n = caught ? 0 : read_line(STDIN_FILENO, s);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (caught) {
		secret_free(s);
		raise(caught); /* as if it had come a moment later */
		snprintf(err, errlen, "interrupted");
		return NULL;
	}
	if (n <= 0) {
		secret_free(s);
		snprintf(err, errlen,
			 n < 0 ? "the password is longer than %d bytes"
			       : "no password given",
			 SECRET_MAX);
		return NULL;
	}
	return s;
}

char *secret_read(const char *file, const char *prompt, char *err,
		  size_t errlen)
{
	char *v = getenv(SECRET_ENV);

	if (file != NULL) {
		if (v != NULL) {
			explicit_bzero(v, strlen(v));
			unsetenv(SECRET_ENV);
		}
		return from_file(file, err, errlen);
	}
	if (v != NULL)
		return from_env(v, err, errlen);
	if (isatty(STDIN_FILENO))
		return from_tty(prompt, err, errlen);
	snprintf(err, errlen,
		 "--user needs a password: set %s, give --password-file "
		 "FILE, or run on a terminal to be asked (never on the "
		 "command line)",
		 SECRET_ENV);
	return NULL;
}
