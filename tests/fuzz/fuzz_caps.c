/*
 * fuzz_caps - probe/caps on an EHLO reply built from the input's lines
 * (split at LF, a CR before it making the line CRLF) with reply_feed_line,
 * and on the raw lines themselves through caps_from_lines.  caps_parse,
 * caps_from_lines and caps_has must agree with each other, and the AUTH
 * mechanisms must be upper case, short, without spaces and each once.
 */
#include <string.h>

#include "core/buf.h"
#include "probe/caps.h"
#include "probe/reply.h"
#include "tests/fuzz/fuzz.h"

static void check_mechs(const struct caps *c)
{
	size_t i, j;

	if (!c->auth)
		CHECK(c->auth_mechs.n == 0);
	for (i = 0; i < c->auth_mechs.n; i++) {
		const char *m = c->auth_mechs.v[i];
		size_t len = strlen(m);

		CHECK(len > 0 && len < 64);
		for (j = 0; j < len; j++)
			CHECK(m[j] != ' ' && !(m[j] >= 'a' && m[j] <= 'z'));
		for (j = 0; j < i; j++)
			CHECK(strcmp(m, c->auth_mechs.v[j]) != 0);
	}
}

static bool same_caps(const struct caps *a, const struct caps *b)
{
	size_t i;

	if (a->starttls != b->starttls || a->pipelining != b->pipelining ||
	    a->auth != b->auth || a->auth_mechs.n != b->auth_mechs.n)
		return false;
	for (i = 0; i < a->auth_mechs.n; i++)
		if (strcmp(a->auth_mechs.v[i], b->auth_mechs.v[i]) != 0)
			return false;
	return true;
}

/* caps_from_lines on lines, checked against caps_has. */
static void from_lines(const struct strlist *lines, struct caps *c)
{
	caps_from_lines(lines, c);
	check_mechs(c);
	CHECK(c->starttls == caps_has(lines, "STARTTLS"));
	CHECK(c->starttls == caps_has(lines, "starttls"));
	CHECK(c->pipelining == caps_has(lines, "PIPELINING"));
	CHECK(c->auth == caps_has(lines, "AUTH"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct strlist raw = {0};
	struct reply r;
	struct caps c, tail_caps, raw_caps;
	size_t pos = 0;

	memset(&r, 0, sizeof(r));
	while (pos < size) {
		const char *nl = memchr(s + pos, '\n', size - pos);
		size_t end = nl != NULL ? (size_t)(nl - s) : size;
		size_t len = end - pos;
		bool crlf = len > 0 && s[end - 1] == '\r';

		if (crlf)
			len--;
		reply_feed_line(&r, s + pos, len, crlf);
		/* the raw text after "DDD-", NULs cutting it short */
		if (raw.n < REPLY_MAX_LINES)
			strlist_addn(&raw, len > 4 ? s + pos + 4 : "",
			             len > 4 ? strnlen(s + pos + 4, len - 4)
			                     : 0);
		pos = end + 1;
	}

	caps_parse(&r, &c);
	check_mechs(&c);
	if (r.code != 250) {
		CHECK(!c.starttls && !c.pipelining && !c.auth);
	} else if (r.lines.n > 0) {
		/* caps_parse is caps_from_lines without the server's name */
		struct strlist tail = {r.lines.v + 1, r.lines.n - 1,
		                       r.lines.n - 1};

		from_lines(&tail, &tail_caps);
		CHECK(same_caps(&c, &tail_caps));
		caps_free(&tail_caps);
	}
	caps_free(&c);

	from_lines(&r.lines, &raw_caps);
	caps_free(&raw_caps);
	from_lines(&raw, &raw_caps);
	caps_free(&raw_caps);

	strlist_free(&raw);
	reply_reset(&r);
	return 0;
}
