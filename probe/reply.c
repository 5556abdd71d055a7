#include "probe/reply.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/sanitize.h"

static enum reply_status fail(struct reply *r, enum reply_error e,
			      const char *line, size_t len)
{
	r->error = e;
	free(r->bad_line);
	r->bad_line = sanitize(line, len > 80 ? 80 : len);
	return REPLY_ERROR;
}

static bool digit(char c, char lo, char hi)
{
	return c >= lo && c <= hi;
}

enum reply_status reply_feed_line(struct reply *r, const char *line, size_t len,
				  bool crlf)
{
	bool last;
	char *text;
	int code;

	if (r->done || r->error != REPLY_OK)
		return r->error != REPLY_OK ? REPLY_ERROR : REPLY_DONE;
	r->bytes += len + (crlf ? 2 : 1);
	if (!crlf)
		r->bare_lf = true;
	if (len > REPLY_MAX_LINE)
		return fail(r, REPLY_OVERLONG, line, len);
	if (r->lines.n >= REPLY_MAX_LINES || r->bytes > REPLY_MAX_BYTES)
		return fail(r, REPLY_FLOOD, line, len);
	/* RFC 5321 4.2: 2yz..5yz with y in 0..5; then SP, "-" or the end */
	if (len < 3 || !digit(line[0], '2', '5') || !digit(line[1], '0', '5') ||
	    !digit(line[2], '0', '9') ||
	    (len > 3 && line[3] != ' ' && line[3] != '-'))
		return fail(r, REPLY_MALFORMED, line, len);
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->code != 0 && code != r->code)
		return fail(r, REPLY_MIXED, line, len);
	r->code = code;
	last = len == 3 || line[3] == ' ';
	if (has_nonprintable(line + 3, len - 3))
		r->nonprintable = true;
	text = sanitize(len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0);
	if (text == NULL || strlist_add(&r->lines, text) < 0) {
		free(text);
		return fail(r, REPLY_FLOOD, line, len);
	}
	free(text);
	r->done = last;
	return last ? REPLY_DONE : REPLY_MORE;
}

enum reply_status reply_feed(struct reply *r, const char *buf, size_t len,
			     size_t *used)
{
	enum reply_status st = REPLY_MORE;
	size_t pos = 0;

	*used = 0;
	if (r->done)
		return REPLY_DONE; /* what follows belongs to the next reply */
	if (r->error != REPLY_OK)
		return REPLY_ERROR;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end, next;
		bool crlf;

		if (nl == NULL) {
			/* no end of line yet: only wait if it can still fit */
			if (len - pos > REPLY_MAX_LINE + 1)
				st = fail(r, REPLY_OVERLONG, buf + pos,
					  len - pos);
			break;
		}
		end = (size_t)(nl - buf);
		next = end + 1;
		crlf = end > pos && buf[end - 1] == '\r';
		if (crlf)
			end--;
		st = reply_feed_line(r, buf + pos, end - pos, crlf);
		pos = next;
		if (st != REPLY_MORE)
			break;
	}
	*used = pos;
	return st;
}

char *reply_join(const struct reply *r, const char *sep)
{
	size_t i, n = 1, seplen = strlen(sep);
	char *s, *p;

	for (i = 0; i < r->lines.n; i++)
		n += strlen(r->lines.v[i]) + seplen + 4;
	s = malloc(n);
	if (s == NULL)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < r->lines.n; i++) {
		size_t l = strlen(r->lines.v[i]);

		if (i > 0) {
			memcpy(p, sep, seplen);
			p += seplen;
		}
		memcpy(p, r->lines.v[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

void reply_reset(struct reply *r)
{
	strlist_free(&r->lines);
	free(r->bad_line);
	memset(r, 0, sizeof(*r));
}

const char *reply_error_name(enum reply_error e)
{
	switch (e) {
	case REPLY_OK:
		return "ok";
	case REPLY_MALFORMED:
		return _("malformed reply code");
	case REPLY_MIXED:
		return _("reply lines with different codes");
	case REPLY_OVERLONG:
		return "overlong line";
	case REPLY_FLOOD:
		return _("reply too long");
	}
	return "?";
}
