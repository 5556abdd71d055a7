/*
 * input - the bulk reader of --input and the progress line (input.h).
 */
#include "input.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/hash.h"
#include "core/loop.h"
#include "resolver/target.h"

int input_open(struct input *in, const char *path, unsigned shard,
	       unsigned shards)
{
	struct stat sb;

	memset(in, 0, sizeof(*in));
	in->shard = shard;
	in->shards = shards;
	in->name = strcmp(path, "-") == 0 ? "stdin" : path;
	in->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (in->f == NULL)
		return -1;
	if (fstat(fileno(in->f), &sb) == 0 && S_ISDIR(sb.st_mode))
		return -2;
	in->fd = fileno(in->f);
	in->buf.limit = INPUT_MAX_LINE + 4096;
	return 0;
}

void input_close(struct input *in)
{
	if (in->f != NULL && in->f != stdin)
		fclose(in->f);
	buf_free(&in->buf);
}

void input_count(struct input *in)
{
	char buf[1024];
	struct stat sb;
	long pos;

	if (fstat(fileno(in->f), &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (pos = ftell(in->f)) < 0)
		return;
	while (fgets(buf, sizeof(buf), in->f) != NULL) {
		char *s = buf + strspn(buf, " \t");

		if (*s != '\0' && *s != '\n' && *s != '\r' && *s != '#')
			in->total++;
	}
	if (in->shards > 0)
		in->total = (in->total + in->shards - 1) / in->shards;
	fseek(in->f, pos, SEEK_SET);
}

/* A stable hash of the target, so N runs with --shard k/N (k = 0..N-1)
 * together take every line exactly once, on any machine. */
static unsigned long long shard_hash(const char *s)
{
	return fnv64(s);
}

/* One line of the input, as the target it names. */
static void take_line(struct input *in, struct pipeline *pl, char *line,
		      size_t len)
{
	char err[512];
	struct target t;
	char *s;

	in->line++;
	if (len > INPUT_MAX_LINE) {
		fprintf(stderr,
			_("smtpprobe: %s:%lu: line longer than %d "
			  "bytes, skipped\n"),
			in->name, in->line, INPUT_MAX_LINE);
		in->bad++;
		return;
	}
	if (memchr(line, '\0', len) != NULL) {
		fprintf(stderr,
			_("smtpprobe: %s:%lu: a NUL byte in the line, "
			  "skipped\n"),
			in->name, in->line);
		in->bad++;
		return;
	}
	line[len] = '\0';
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	len = strcspn(s, "\r\n#");
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	s[len] = '\0';
	if (len == 0)
		return; /* blank or comment */
	if (target_parse(s, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, _("smtpprobe: %s:%lu: %s\n"), in->name,
			in->line, err);
		in->bad++;
		return;
	}
	in->targets++;
	if (in->shards == 0 || shard_hash(t.host) % in->shards == in->shard)
		if (pipeline_add(pl, &t) < 0)
			fprintf(stderr, _("smtpprobe: out of memory\n"));
	target_free(&t);
}

/* Feeds the pipeline one line at a time without ever blocking the loop:
 * a pipe or a FIFO that has nothing yet answers -1, and the pipeline
 * waits for it on the loop, so results stream and signals work. */
int input_feed(void *arg, struct pipeline *pl)
{
	struct input *in = arg;
	char chunk[4096];

	for (;;) {
		char *nl = in->buf.len ? memchr(in->buf.data, '\n', in->buf.len)
				       : NULL;
		struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - in->buf.data);

			if (in->skip)
				in->skip = false; /* the overlong line ends */
			else
				take_line(in, pl, in->buf.data, len);
			buf_consume(&in->buf, len + 1);
			return 1;
		}
		if (in->buf.len >= INPUT_MAX_LINE) {
			if (!in->skip) {
				in->line++;
				fprintf(stderr,
					_("smtpprobe: %s:%lu: line longer than "
					  "%d bytes, skipped\n"),
					in->name, in->line, INPUT_MAX_LINE);
				in->bad++;
				in->skip = true;
			}
			in->buf.len = 0;
		}
		if (in->eof) {
			if (in->buf.len > 0 && !in->skip)
				take_line(in, pl, in->buf.data, in->buf.len);
			in->buf.len = 0;
			return 0;
		}
		if (poll(&pfd, 1, 0) == 0)
			return -1;
		n = read(in->fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return -1;
		if (n < 0) {
			fprintf(stderr, _("smtpprobe: reading %s: %s\n"),
				in->name, strerror(errno));
			in->bad++; /* the rest of the input is lost */
		}
		if (n <= 0)
			in->eof = true;
		else
			buf_append(&in->buf, chunk, (size_t)n);
	}
}

void input_progress(const struct input *in, uint64_t t0, size_t done,
		    size_t problems)
{
	double secs = (double)(loop_now() - t0) / 1000.0;
	double rate = secs > 0 ? (double)done / secs : 0;

	fprintf(stderr, "\r\033[K%zu", done);
	if (in->total > 0)
		fprintf(stderr, "/%lu", in->total);
	fprintf(stderr, _(" done, %.1f/s, %zu with problems, %lu bad lines"),
		rate, problems, in->bad);
	if (in->total > done && rate > 0)
		fprintf(stderr, _(", ETA %.0f s"),
			(double)(in->total - done) / rate);
}
