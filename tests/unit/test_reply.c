/* probe/reply: the incremental SMTP reply parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "probe/reply.h"
#include "tests/unit/suites.h"

static struct reply r;

static void setup(void)
{
	memset(&r, 0, sizeof(r));
}

static void teardown(void)
{
	reply_reset(&r);
}

/* Feeds n bytes at once; returns the status, *used the bytes taken. */
static enum reply_status feed(const char *s, size_t n, size_t *used)
{
	*used = (size_t)-1;
	return reply_feed(&r, s, n, used);
}

static enum reply_status feed_str(const char *s, size_t *used)
{
	return feed(s, strlen(s), used);
}

/* Feeds the chunks the way the session does: appended to a buffer, the
 * buffer offered to the parser after each, what it used consumed.  The
 * bytes left over when the reply is no longer MORE go to *left. */
static enum reply_status feed_chunks(const char *const *chunks, size_t n,
				     size_t *left)
{
	struct buf b = {0};
	enum reply_status st = REPLY_MORE;
	size_t i;

	for (i = 0; i < n && st == REPLY_MORE; i++) {
		size_t used = 0;

		ck_assert_int_eq(buf_append(&b, chunks[i], strlen(chunks[i])),
				 0);
		st = reply_feed(&r, b.data, b.len, &used);
		ck_assert_uint_le(used, b.len);
		buf_consume(&b, used);
	}
	*left = b.len;
	buf_free(&b);
	return st;
}

/* A line of n bytes: "220-" or "220 " then filler. */
static char *line_of(const char *head, size_t n, const char *end)
{
	size_t hl = strlen(head), el = strlen(end);
	char *s = malloc(n + el + 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_ge(n, hl);
	memcpy(s, head, hl);
	memset(s + hl, 'x', n - hl);
	memcpy(s + n, end, el + 1);
	return s;
}

START_TEST(test_single_line)
{
	size_t used;

	ck_assert_int_eq(feed_str("220 mail.example.test ESMTP\r\n", &used),
			 REPLY_DONE);
	ck_assert_uint_eq(used, 29);
	ck_assert_int_eq(r.code, 220);
	ck_assert(r.done);
	ck_assert_int_eq(r.error, REPLY_OK);
	ck_assert_uint_eq(r.lines.n, 1);
	ck_assert_str_eq(r.lines.v[0], "mail.example.test ESMTP");
	ck_assert(!r.bare_lf);
	ck_assert(!r.nonprintable);
	ck_assert_uint_eq(r.bytes, 29);
}
END_TEST

START_TEST(test_multiline)
{
	const char *s = "250-mail.example.test Hello\r\n"
			"250-PIPELINING\r\n"
			"250-SIZE 10240000\r\n"
			"250 STARTTLS\r\n";
	size_t used;

	ck_assert_int_eq(feed_str(s, &used), REPLY_DONE);
	ck_assert_uint_eq(used, strlen(s));
	ck_assert_int_eq(r.code, 250);
	ck_assert_uint_eq(r.lines.n, 4);
	ck_assert_str_eq(r.lines.v[0], "mail.example.test Hello");
	ck_assert_str_eq(r.lines.v[1], "PIPELINING");
	ck_assert_str_eq(r.lines.v[2], "SIZE 10240000");
	ck_assert_str_eq(r.lines.v[3], "STARTTLS");
}
END_TEST

START_TEST(test_continuation_is_more)
{
	size_t used;

	ck_assert_int_eq(feed_str("250-first\r\n250-second\r\n", &used),
			 REPLY_MORE);
	ck_assert_uint_eq(used, 23);
	ck_assert(!r.done);
	ck_assert_uint_eq(r.lines.n, 2);
	ck_assert_int_eq(feed_str("250 last\r\n", &used), REPLY_DONE);
	ck_assert_uint_eq(r.lines.n, 3);
	ck_assert_str_eq(r.lines.v[2], "last");
}
END_TEST

START_TEST(test_bare_code)
{
	size_t used;

	ck_assert_int_eq(feed_str("220\r\n", &used), REPLY_DONE);
	ck_assert_uint_eq(used, 5);
	ck_assert_int_eq(r.code, 220);
	ck_assert_uint_eq(r.lines.n, 1);
	ck_assert_str_eq(r.lines.v[0], "");
}
END_TEST

START_TEST(test_bare_code_ends_multiline)
{
	size_t used;

	ck_assert_int_eq(feed_str("250-a\r\n250-\r\n250\r\n", &used),
			 REPLY_DONE);
	ck_assert_uint_eq(r.lines.n, 3);
	ck_assert_str_eq(r.lines.v[0], "a");
	ck_assert_str_eq(r.lines.v[1], "");
	ck_assert_str_eq(r.lines.v[2], "");
}
END_TEST

static const char *const malformed[] = {
	"22",	 "abc",	  "600 x",  "2x0 x", "220x", "",       "199 ok",
	"260 x", "2 0 x", " 220 x", "22 0",  "-220", "220\tx",
};

START_TEST(test_malformed)
{
	const char *line = malformed[_i];
	char in[32];
	size_t used;

	snprintf(in, sizeof(in), "%s\r\n", line);
	ck_assert_msg(feed_str(in, &used) == REPLY_ERROR, "'%s' accepted",
		      line);
	ck_assert_int_eq(r.error, REPLY_MALFORMED);
	ck_assert(!r.done);
	ck_assert_ptr_nonnull(r.bad_line);
	ck_assert_uint_eq(r.lines.n, 0);
}
END_TEST

START_TEST(test_bad_line_sanitised)
{
	size_t used;

	ck_assert_int_eq(feed("HTTP/1.1 400\x1b[2J\r\n", 18, &used),
			 REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_MALFORMED);
	ck_assert_str_eq(r.bad_line, "HTTP/1.1 400\\x1b[2J");
}
END_TEST

START_TEST(test_mixed_codes)
{
	size_t used;

	ck_assert_int_eq(feed_str("250-a\r\n251 b\r\n", &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_MIXED);
	ck_assert_str_eq(r.bad_line, "251 b");
	ck_assert(!r.done);
}
END_TEST

START_TEST(test_overlong_with_newline)
{
	char *ok = line_of("220 ", REPLY_MAX_LINE, "\r\n");
	char *bad = line_of("220 ", REPLY_MAX_LINE + 1, "\r\n");
	size_t used;

	/* exactly the limit passes */
	ck_assert_int_eq(feed_str(ok, &used), REPLY_DONE);
	ck_assert_uint_eq(strlen(r.lines.v[0]), REPLY_MAX_LINE - 4);
	reply_reset(&r);
	/* one more byte does not */
	ck_assert_int_eq(feed_str(bad, &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_OVERLONG);
	/* and a bare LF does not change the count */
	reply_reset(&r);
	bad[REPLY_MAX_LINE + 1] = '\n';
	bad[REPLY_MAX_LINE + 2] = '\0';
	ck_assert_int_eq(feed_str(bad, &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_OVERLONG);
	free(ok);
	free(bad);
}
END_TEST

START_TEST(test_overlong_without_newline)
{
	char *wait = line_of("220 ", REPLY_MAX_LINE, "\r");
	char *bad = line_of("220 ", REPLY_MAX_LINE + 2, "");
	size_t used;

	/* the limit plus the CR of its CRLF: may still end well */
	ck_assert_int_eq(feed_str(wait, &used), REPLY_MORE);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(r.error, REPLY_OK);
	reply_reset(&r);
	/* no end of line in more than that: give up now, not later */
	ck_assert_int_eq(feed_str(bad, &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_OVERLONG);
	free(wait);
	free(bad);
}
END_TEST

START_TEST(test_overlong_after_a_good_line)
{
	char *tail = line_of("250 ", 3000, "");
	char *s;
	size_t used;

	ck_assert_int_ne(asprintf(&s, "250-a\r\n%s", tail), -1);
	ck_assert_int_eq(feed_str(s, &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_OVERLONG);
	ck_assert_uint_eq(r.lines.n, 1);
	free(tail);
	free(s);
}
END_TEST

START_TEST(test_flood_lines)
{
	struct buf b = {.limit = 1 << 20};
	size_t i, used;

	for (i = 0; i < REPLY_MAX_LINES; i++)
		ck_assert_int_eq(buf_append(&b, "250-x\r\n", 7), 0);
	/* REPLY_MAX_LINES lines are still fine */
	ck_assert_int_eq(feed(b.data, b.len, &used), REPLY_MORE);
	ck_assert_uint_eq(r.lines.n, REPLY_MAX_LINES);
	/* one more is a flood, final line or not */
	ck_assert_int_eq(feed_str("250 last\r\n", &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_FLOOD);
	ck_assert(!r.done);
	buf_free(&b);
}
END_TEST

START_TEST(test_max_lines_exactly)
{
	struct buf b = {.limit = 1 << 20};
	size_t i, used;

	for (i = 0; i + 1 < REPLY_MAX_LINES; i++)
		ck_assert_int_eq(buf_append(&b, "250-x\r\n", 7), 0);
	ck_assert_int_eq(buf_append(&b, "250 y\r\n", 7), 0);
	ck_assert_int_eq(feed(b.data, b.len, &used), REPLY_DONE);
	ck_assert_uint_eq(r.lines.n, REPLY_MAX_LINES);
	buf_free(&b);
}
END_TEST

START_TEST(test_flood_bytes)
{
	char *line = line_of("250-", 2000, "\r\n");
	size_t i, used, n = REPLY_MAX_BYTES / 2002 + 1;
	enum reply_status st = REPLY_MORE;

	for (i = 0; i < n && st == REPLY_MORE; i++)
		st = feed_str(line, &used);
	ck_assert_int_eq(st, REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_FLOOD);
	ck_assert_uint_eq(i, n);
	ck_assert_uint_lt(r.lines.n, REPLY_MAX_LINES);
	free(line);
}
END_TEST

START_TEST(test_bare_lf)
{
	size_t used;

	ck_assert_int_eq(feed_str("250-a\n250 b\r\n", &used), REPLY_DONE);
	ck_assert(r.bare_lf);
	ck_assert_str_eq(r.lines.v[0], "a");
	ck_assert_str_eq(r.lines.v[1], "b");
	reply_reset(&r);
	ck_assert_int_eq(feed_str("250-a\r\n250 b\r\n", &used), REPLY_DONE);
	ck_assert(!r.bare_lf);
}
END_TEST

/* An empty line at the very start: nothing before the LF to look at. */
START_TEST(test_empty_bare_line)
{
	char *lf = malloc(1); /* exactly one byte, so ASan sees past it */
	size_t used;

	ck_assert_ptr_nonnull(lf);
	*lf = '\n';
	ck_assert_int_eq(feed(lf, 1, &used), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_MALFORMED);
	ck_assert(r.bare_lf);
	free(lf);
}
END_TEST

START_TEST(test_nonprintable_escaped)
{
	static const char in[] = "220 a\0b\x1b[31mc\x07"
				 "d\\e\r\n";
	size_t used;

	ck_assert_int_eq(feed(in, sizeof(in) - 1, &used), REPLY_DONE);
	ck_assert_uint_eq(used, sizeof(in) - 1);
	ck_assert(r.nonprintable);
	ck_assert_str_eq(r.lines.v[0], "a\\x00b\\x1b[31mc\\x07d\\\\e");
}
END_TEST

START_TEST(test_high_bytes_escaped)
{
	size_t used;

	/* invalid UTF-8 (a Latin-1 byte) and a bidi override: escaped */
	ck_assert_int_eq(feed_str("220 caf\xe9 \xe2\x80\xae"
				  "x\r\n",
				  &used),
			 REPLY_DONE);
	ck_assert(r.nonprintable);
	ck_assert_str_eq(r.lines.v[0], "caf\\xe9 \\xe2\\x80\\xaex");
}
END_TEST

START_TEST(test_utf8_banner_kept)
{
	size_t used;

	/* an SMTPUTF8 server's banner is text */
	ck_assert_int_eq(feed_str("220 caf\xc3\xa9 \xe4\xbe\x8b\r\n", &used),
			 REPLY_DONE);
	ck_assert(!r.nonprintable);
	ck_assert_str_eq(r.lines.v[0], "caf\xc3\xa9 \xe4\xbe\x8b");
}
END_TEST

START_TEST(test_backslash_alone_is_printable)
{
	size_t used;

	ck_assert_int_eq(feed_str("220 C:\\mail\r\n", &used), REPLY_DONE);
	ck_assert(!r.nonprintable);
	ck_assert_str_eq(r.lines.v[0], "C:\\\\mail");
}
END_TEST

START_TEST(test_split_mid_line)
{
	static const char *const chunks[] = {"25", "0-mail.exa", "mple\r\n25",
					     "0-PIPE", "LINING\r\n250 OK\r\n"};
	size_t left;

	ck_assert_int_eq(feed_chunks(chunks, 5, &left), REPLY_DONE);
	ck_assert_uint_eq(left, 0);
	ck_assert_int_eq(r.code, 250);
	ck_assert_uint_eq(r.lines.n, 3);
	ck_assert_str_eq(r.lines.v[0], "mail.example");
	ck_assert_str_eq(r.lines.v[1], "PIPELINING");
	ck_assert_str_eq(r.lines.v[2], "OK");
}
END_TEST

START_TEST(test_split_between_cr_and_lf)
{
	static const char *const chunks[] = {"250-a\r", "\n250 b\r", "\n"};
	size_t left;

	ck_assert_int_eq(feed_chunks(chunks, 3, &left), REPLY_DONE);
	ck_assert_uint_eq(left, 0);
	/* the CR waited for its LF: no bare LF, no CR in the text */
	ck_assert(!r.bare_lf);
	ck_assert(!r.nonprintable);
	ck_assert_str_eq(r.lines.v[0], "a");
	ck_assert_str_eq(r.lines.v[1], "b");
}
END_TEST

START_TEST(test_byte_at_a_time)
{
	static const char whole[] = "250-mail.example\r\n250-AUTH PLAIN\r\n"
				    "250 STARTTLS\r\n";
	const char *chunks[sizeof(whole) - 1];
	char bytes[sizeof(whole) - 1][2];
	size_t i, left;

	for (i = 0; i < sizeof(whole) - 1; i++) {
		bytes[i][0] = whole[i];
		bytes[i][1] = '\0';
		chunks[i] = bytes[i];
	}
	ck_assert_int_eq(feed_chunks(chunks, sizeof(whole) - 1, &left),
			 REPLY_DONE);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(r.lines.n, 3);
	ck_assert_str_eq(r.lines.v[1], "AUTH PLAIN");
	ck_assert_str_eq(r.lines.v[2], "STARTTLS");
	ck_assert_uint_eq(r.bytes, sizeof(whole) - 1);
}
END_TEST

/* The STARTTLS injection check reads what is left after the 220. */
START_TEST(test_bytes_after_reply_left)
{
	static const char s[] = "220 go ahead\r\n250-injected\r\n250 x\r\n";
	size_t used;

	ck_assert_int_eq(feed_str(s, &used), REPLY_DONE);
	ck_assert_uint_eq(used, 14);
	ck_assert_uint_eq(r.lines.n, 1);
	ck_assert_str_eq(r.lines.v[0], "go ahead");
	ck_assert_uint_eq(r.bytes, 14);
}
END_TEST

START_TEST(test_partial_bytes_after_reply_left)
{
	static const char *const chunks[] = {"220 go", " ahead\r\nEVIL"};
	size_t left;

	ck_assert_int_eq(feed_chunks(chunks, 2, &left), REPLY_DONE);
	ck_assert_uint_eq(left, 4);
}
END_TEST

/* reply.h: "what follows a done reply is left" - also when the reply
 * was already done before this call. */
START_TEST(test_feed_after_done_consumes_nothing)
{
	size_t used;

	ck_assert_int_eq(feed_str("220 ready\r\n", &used), REPLY_DONE);
	ck_assert_int_eq(feed_str("250 later\r\n", &used), REPLY_DONE);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(r.lines.n, 1);
}
END_TEST

START_TEST(test_incomplete_uses_nothing)
{
	size_t used;

	ck_assert_int_eq(feed_str("220 not yet", &used), REPLY_MORE);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(r.code, 0);
	ck_assert_uint_eq(r.lines.n, 0);
}
END_TEST

START_TEST(test_feed_line)
{
	ck_assert_int_eq(reply_feed_line(&r, "250-first", 9, true), REPLY_MORE);
	ck_assert_int_eq(reply_feed_line(&r, "250 second", 10, false),
			 REPLY_DONE);
	ck_assert(r.bare_lf);
	ck_assert_uint_eq(r.bytes, 9 + 2 + 10 + 1);
	ck_assert_str_eq(r.lines.v[1], "second");
	/* the length is what counts, not a NUL */
	reply_reset(&r);
	ck_assert_int_eq(reply_feed_line(&r, "354 go\0on", 9, true),
			 REPLY_DONE);
	ck_assert_int_eq(r.code, 354);
	ck_assert_str_eq(r.lines.v[0], "go\\x00on");
	ck_assert(r.nonprintable);
}
END_TEST

START_TEST(test_error_sticks)
{
	size_t used;

	ck_assert_int_eq(feed_str("2x0 bad\r\n", &used), REPLY_ERROR);
	ck_assert_int_eq(reply_feed_line(&r, "220 fine", 8, true), REPLY_ERROR);
	ck_assert_int_eq(r.error, REPLY_MALFORMED);
	ck_assert_int_eq(r.code, 0);
}
END_TEST

START_TEST(test_reset)
{
	size_t used;

	ck_assert_int_eq(feed_str("220 a\n", &used), REPLY_DONE);
	reply_reset(&r);
	ck_assert_int_eq(r.code, 0);
	ck_assert(!r.done);
	ck_assert(!r.bare_lf);
	ck_assert_uint_eq(r.lines.n, 0);
	ck_assert_uint_eq(r.bytes, 0);
	ck_assert_int_eq(feed_str("421 busy\r\n", &used), REPLY_DONE);
	ck_assert_int_eq(r.code, 421);
}
END_TEST

START_TEST(test_join)
{
	size_t used;
	char *s;

	s = reply_join(&r, " / ");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(feed_str("250-a b\r\n250-\r\n250 c\r\n", &used),
			 REPLY_DONE);
	s = reply_join(&r, " / ");
	ck_assert_str_eq(s, "a b /  / c");
	free(s);
	s = reply_join(&r, "");
	ck_assert_str_eq(s, "a bc");
	free(s);
}
END_TEST

START_TEST(test_error_names)
{
	ck_assert_str_eq(reply_error_name(REPLY_OK), "ok");
	ck_assert_ptr_nonnull(strstr(reply_error_name(REPLY_OVERLONG), "long"));
	ck_assert_str_ne(reply_error_name(REPLY_MALFORMED),
			 reply_error_name(REPLY_MIXED));
	ck_assert_str_ne(reply_error_name(REPLY_FLOOD),
			 reply_error_name(REPLY_OVERLONG));
}
END_TEST

Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("parse");
	TCase *lim = tcase_create("limits");
	TCase *inc = tcase_create("incremental");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_single_line);
	tcase_add_test(tc, test_multiline);
	tcase_add_test(tc, test_continuation_is_more);
	tcase_add_test(tc, test_bare_code);
	tcase_add_test(tc, test_bare_code_ends_multiline);
	tcase_add_loop_test(tc, test_malformed, 0,
			    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, test_bad_line_sanitised);
	tcase_add_test(tc, test_mixed_codes);
	tcase_add_test(tc, test_bare_lf);
	tcase_add_test(tc, test_empty_bare_line);
	tcase_add_test(tc, test_nonprintable_escaped);
	tcase_add_test(tc, test_high_bytes_escaped);
	tcase_add_test(tc, test_utf8_banner_kept);
	tcase_add_test(tc, test_backslash_alone_is_printable);
	tcase_add_test(tc, test_feed_line);
	tcase_add_test(tc, test_error_sticks);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_join);
	tcase_add_test(tc, test_error_names);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(lim, setup, teardown);
	tcase_add_test(lim, test_overlong_with_newline);
	tcase_add_test(lim, test_overlong_without_newline);
	tcase_add_test(lim, test_overlong_after_a_good_line);
	tcase_add_test(lim, test_flood_lines);
	tcase_add_test(lim, test_max_lines_exactly);
	tcase_add_test(lim, test_flood_bytes);
	suite_add_tcase(s, lim);

	tcase_add_checked_fixture(inc, setup, teardown);
	tcase_add_test(inc, test_split_mid_line);
	tcase_add_test(inc, test_split_between_cr_and_lf);
	tcase_add_test(inc, test_byte_at_a_time);
	tcase_add_test(inc, test_bytes_after_reply_left);
	tcase_add_test(inc, test_partial_bytes_after_reply_left);
	tcase_add_test(inc, test_feed_after_done_consumes_nothing);
	tcase_add_test(inc, test_incomplete_uses_nothing);
	suite_add_tcase(s, inc);
	return s;
}
