/*
 * fuzz_reply - probe/reply as the session drives it: the server's bytes
 * arrive in reads of arbitrary sizes, are buffered (bounded like the
 * session's input buffer) and fed to reply_feed until it stops asking for
 * more; a done reply is joined and reset, an error ends the "connection"
 * and a new one starts with the bytes that follow.
 *
 * Input: byte 0, low 4 bits, is the number n of read sizes that follow;
 * each size byte s is a read of s bytes (0: a full 4096-byte read), used
 * in turn.  The rest is what the server sends.  A seed that starts with a
 * 0x00 byte is a plain transcript read 4096 bytes at a time.
 */
#include <string.h>

#include "core/buf.h"
#include "probe/reply.h"
#include "tests/fuzz/fuzz.h"

#define READ_CHUNK 4096                 /* as probe/session.c */
#define IN_LIMIT   (4 * REPLY_MAX_LINE) /* s->in.limit in the session */

static void check_lines(const struct reply *r)
{
	size_t i;

	CHECK(r->lines.n <= REPLY_MAX_LINES);
	for (i = 0; i < r->lines.n; i++) {
		CHECK(r->lines.v[i] != NULL);
		CHECK(fuzz_printable(r->lines.v[i]));
	}
	CHECK(r->bad_line == NULL || fuzz_printable(r->bad_line));
	CHECK(reply_error_name(r->error) != NULL);
}

static void check_join(const struct reply *r, const char *sep)
{
	size_t i, want = 0;
	char *s = reply_join(r, sep);

	CHECK(s != NULL);
	for (i = 0; i < r->lines.n; i++)
		want += strlen(r->lines.v[i]) + (i > 0 ? strlen(sep) : 0);
	CHECK(strlen(s) == want);
	CHECK(fuzz_printable(s));
	free(s);
}

static void on_done(struct reply *r, const struct buf *in, size_t used)
{
	size_t again = 1;

	CHECK(r->done && r->error == REPLY_OK);
	CHECK(r->code >= 200 && r->code <= 559);
	CHECK(r->lines.n >= 1);
	/* a reply ends at the end of a line */
	CHECK(used > 0 && in->data[used - 1] == '\n');
	check_lines(r);
	check_join(r, " / ");
	check_join(r, "");
	/* what follows a done reply is never taken */
	CHECK(reply_feed(r, in->data + used, in->len - used, &again) ==
	      REPLY_DONE);
	CHECK(again == 0);
}

static void on_error(struct reply *r, const struct buf *in, size_t used)
{
	size_t again = 1;

	CHECK(r->error != REPLY_OK);
	CHECK(r->bad_line != NULL);
	check_lines(r);
	check_join(r, " / ");
	CHECK(reply_feed(r, in->data, in->len, &again) == REPLY_ERROR);
	CHECK(again == 0);
	(void)used;
}

/* The session's parse_input(): false when the connection would end. */
static bool parse_input(struct reply *r, struct buf *in)
{
	while (in->len > 0) {
		size_t used = (size_t)-1;
		enum reply_status st = reply_feed(r, in->data, in->len, &used);

		CHECK(used <= in->len);
		switch (st) {
		case REPLY_MORE:
			/* every whole line was taken; the rest can fit */
			CHECK(!r->done && r->error == REPLY_OK);
			CHECK(memchr(in->data + used, '\n', in->len - used) ==
			      NULL);
			CHECK(in->len - used <= REPLY_MAX_LINE + 1);
			check_lines(r);
			buf_consume(in, used);
			return true;
		case REPLY_DONE:
			on_done(r, in, used);
			buf_consume(in, used);
			reply_reset(r);
			break;
		case REPLY_ERROR:
			on_error(r, in, used);
			return false;
		default:
			CHECK(!"unknown reply status");
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r;
	struct buf in = {.limit = IN_LIMIT};
	const uint8_t *sizes;
	size_t nsizes, pos, k = 0;

	if (size < 1)
		return 0;
	nsizes = data[0] & 0x0f;
	if (nsizes > size - 1)
		nsizes = size - 1;
	sizes = data + 1;
	pos = 1 + nsizes;

	memset(&r, 0, sizeof(r));
	while (pos < size) {
		size_t n = nsizes > 0 ? sizes[k++ % nsizes] : 0;

		if (n == 0)
			n = READ_CHUNK;
		if (n > buf_room(&in))
			n = buf_room(&in);
		if (n > size - pos)
			n = size - pos;
		/* a full buffer ends the session (END_PROTOCOL) */
		if (n == 0 || buf_append(&in, data + pos, n) < 0 ||
		    !parse_input(&r, &in)) {
			reply_reset(&r);
			in.len = 0;
		}
		pos += n;
	}
	reply_reset(&r);
	buf_free(&in);
	return 0;
}
