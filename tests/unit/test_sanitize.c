/* core/sanitize: peer bytes made safe to print. */
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "tests/unit/suites.h"

/* sanitize(s, len) must give want; frees the result. */
static void check(const char *s, size_t len, const char *want)
{
	char *out = sanitize(s, len);

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(test_printable_passes)
{
	check("220 mail.example.test ESMTP ~!", 30,
	      "220 mail.example.test ESMTP ~!");
	check(" ", 1, " ");
	check("", 0, "");
}
END_TEST

START_TEST(test_backslash_doubled)
{
	check("a\\b", 3, "a\\\\b");
	/* so an escape in the input cannot pass for one of ours */
	check("\\x1b", 4, "\\\\x1b");
}
END_TEST

START_TEST(test_controls_escaped)
{
	check("\x1b[31mred", 8, "\\x1b[31mred");
	check("a\tb\r\n", 5, "a\\x09b\\x0d\\x0a");
	check("\x07\x7f", 2, "\\x07\\x7f");
	check("\x01\x1f", 2, "\\x01\\x1f");
}
END_TEST

START_TEST(test_eight_bit_escaped)
{
	check("caf\xc3\xa9", 5, "caf\\xc3\\xa9");
	check("\x80\xff", 2, "\\x80\\xff");
}
END_TEST

START_TEST(test_nul_inside)
{
	check("a\0b", 3, "a\\x00b");
	check("\0\0", 2, "\\x00\\x00");
	/* the length counts, not the NUL: the rest is not read */
	check("ab\0cd", 2, "ab");
}
END_TEST

START_TEST(test_every_byte)
{
	char in[256];
	char *out;
	size_t i;

	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	out = sanitize(in, sizeof(in));
	ck_assert_ptr_nonnull(out);
	/* 95 printable bytes, the backslash doubled, 161 as \xHH */
	ck_assert_uint_eq(strlen(out), 94 + 2 + 161 * 4);
	for (i = 0; out[i] != '\0'; i++)
		ck_assert_msg((unsigned char)out[i] >= 0x20 &&
		                  (unsigned char)out[i] < 0x7f,
		              "byte 0x%02x at %zu", (unsigned char)out[i], i);
	ck_assert(!has_nonprintable(out, strlen(out)));
	free(out);
}
END_TEST

START_TEST(test_has_nonprintable)
{
	ck_assert(!has_nonprintable("plain text ~", 12));
	ck_assert(!has_nonprintable("a\\b", 3));
	ck_assert(!has_nonprintable("", 0));
	ck_assert(has_nonprintable("a\tb", 3));
	ck_assert(has_nonprintable("a\0b", 3));
	ck_assert(has_nonprintable("\x7f", 1));
	ck_assert(has_nonprintable("caf\xc3\xa9", 5));
	ck_assert(has_nonprintable("ok\x1b", 3));
	/* only len bytes are looked at */
	ck_assert(!has_nonprintable("ok\x1b", 2));
}
END_TEST

Suite *sanitize_suite(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("sanitize");

	tcase_add_test(tc, test_printable_passes);
	tcase_add_test(tc, test_backslash_doubled);
	tcase_add_test(tc, test_controls_escaped);
	tcase_add_test(tc, test_eight_bit_escaped);
	tcase_add_test(tc, test_nul_inside);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_has_nonprintable);
	suite_add_tcase(s, tc);
	return s;
}
