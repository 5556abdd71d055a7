/* core/sanitize: peer bytes made safe to print. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/textout.h"
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

START_TEST(test_utf8_kept)
{
	/* a name typed in its own script, an SMTPUTF8 banner */
	check("caf\xc3\xa9", 5, "caf\xc3\xa9");
	check("\xe4\xbe\x8b\xe3\x81\x88.example.test", 19,
	      "\xe4\xbe\x8b\xe3\x81\x88.example.test");
	check("\xf0\x9f\x93\xa7 ok", 7, "\xf0\x9f\x93\xa7 ok");
	check("\xc2\xa0", 2, "\xc2\xa0"); /* U+00A0, the first kept */
}
END_TEST

START_TEST(test_invalid_utf8_escaped)
{
	check("\x80\xff", 2, "\\x80\\xff");
	/* a lone lead byte, a sequence cut short by the length or a byte */
	check("a\xc3", 2, "a\\xc3");
	check("\xe4\xbe", 2, "\\xe4\\xbe");
	check("\xe4\xbe"
	      "A",
	      3, "\\xe4\\xbeA");
	/* overlong forms of '/', NUL and U+FFFF's neighbour */
	check("\xc0\xaf", 2, "\\xc0\\xaf");
	check("\xc1\xbf", 2, "\\xc1\\xbf");
	check("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");
	check("\xf0\x80\x80\xaf", 4, "\\xf0\\x80\\x80\\xaf");
	/* UTF-16 surrogates and beyond U+10FFFF */
	check("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	check("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	check("\xf5\x80\x80\x80", 4, "\\xf5\\x80\\x80\\x80");
}
END_TEST

START_TEST(test_hidden_escaped)
{
	/* C1 controls: U+0085 NEL, U+009B CSI */
	check("\xc2\x85\xc2\x9b", 4, "\\xc2\\x85\\xc2\\x9b");
	/* the bidi overrides and isolates, each end of both ranges */
	check("a\xe2\x80\xae"
	      "b",
	      5, "a\\xe2\\x80\\xaeb");		     /* U+202E RLO */
	check("\xe2\x80\xaa", 3, "\\xe2\\x80\\xaa"); /* U+202A */
	check("\xe2\x81\xa6", 3, "\\xe2\\x81\\xa6"); /* U+2066 */
	check("\xe2\x81\xa9", 3, "\\xe2\\x81\\xa9"); /* U+2069 */
	/* marks, zero widths, BOM, line separator, a tag */
	check("\xe2\x80\x8f", 3, "\\xe2\\x80\\x8f");	      /* U+200F RLM */
	check("\xe2\x80\x8b", 3, "\\xe2\\x80\\x8b");	      /* U+200B */
	check("\xef\xbb\xbf", 3, "\\xef\\xbb\\xbf");	      /* U+FEFF */
	check("\xe2\x80\xa8", 3, "\\xe2\\x80\\xa8");	      /* U+2028 */
	check("\xf3\xa0\x80\x81", 4, "\\xf3\\xa0\\x80\\x81"); /* U+E0001 */
	/* the characters either side of the ranges are text */
	check("\xe2\x80\xaf", 3, "\xe2\x80\xaf"); /* U+202F */
	check("\xe2\x80\xa7", 3, "\xe2\x80\xa7"); /* U+2027 */
	check("\xe2\x81\xb0", 3, "\xe2\x81\xb0"); /* U+2070 */
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
	ck_assert(!has_nonprintable("caf\xc3\xa9", 5));
	ck_assert(has_nonprintable("caf\xc3", 4));
	ck_assert(has_nonprintable("\xe2\x80\xae", 3));
	ck_assert(has_nonprintable("ok\x1b", 3));
	/* only len bytes are looked at */
	ck_assert(!has_nonprintable("ok\x1b", 2));
}
END_TEST

START_TEST(test_trim_tail)
{
	char a[] = "ab\xe4\xbe", b[] = "ab\xe4\xbe\x8b", c[] = "a\xf0\x9f\x93",
	     d[] = "a\xc3", e[] = "abc";

	utf8_trim_tail(a);
	ck_assert_str_eq(a, "ab");
	utf8_trim_tail(b);
	ck_assert_str_eq(b, "ab\xe4\xbe\x8b");
	utf8_trim_tail(c);
	ck_assert_str_eq(c, "a");
	utf8_trim_tail(d);
	ck_assert_str_eq(d, "a");
	utf8_trim_tail(e);
	ck_assert_str_eq(e, "abc");
}
END_TEST

/* Each test runs in its own process (Check forks): the locale it sets
 * goes with it. */
static void use_locale(const char *name)
{
	ck_assert_ptr_nonnull(setlocale(LC_ALL, name));
	textout_init();
}

/* What s becomes written through textout_stream() to a memory stream. */
static char *written(const char *s)
{
	char *m = NULL;
	size_t mlen = 0;
	FILE *under = open_memstream(&m, &mlen);
	FILE *f;

	ck_assert_ptr_nonnull(under);
	f = textout_stream(under, true);
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	ck_assert_int_eq(fclose(f), 0);
	return m; /* in a UTF-8 locale f is under itself */
}

/* The sanitised name of a target, then the stream of the locale. */
static void check_shown(const char *raw, const char *want)
{
	char *clean = sanitize(raw, strlen(raw));
	char *out;

	ck_assert_ptr_nonnull(clean);
	out = written(clean);
	ck_assert_str_eq(out, want);
	free(out);
	free(clean);
}

START_TEST(test_utf8_locale_shows_text)
{
	use_locale("C.UTF-8");
	ck_assert(textout_utf8());
	check_shown("b\xc3\xbc"
		    "cher.example.test",
		    "b\xc3\xbc"
		    "cher.example.test");
	check_shown("\xe4\xbe\x8b\xe3\x81\x88", "\xe4\xbe\x8b\xe3\x81\x88");
	/* what is never shown stays escaped in any locale */
	check_shown("\x1b[2J\xe2\x80\xae\xc0\xaf",
		    "\\x1b[2J\\xe2\\x80\\xae\\xc0\\xaf");
}
END_TEST

START_TEST(test_c_locale_escapes_text)
{
	use_locale("C");
	ck_assert(!textout_utf8());
	/* the bytes, as sanitize() escaped them before UTF-8 was kept */
	check_shown("b\xc3\xbc"
		    "cher",
		    "b\\xc3\\xbc"
		    "cher");
	check_shown("\xe4\xbe\x8b", "\\xe4\\xbe\\x8b");
	check_shown("\x1b[2J\xe2\x80\xae\xc0\xaf",
		    "\\x1b[2J\\xe2\\x80\\xae\\xc0\\xaf");
	check_shown("a\\b ok", "a\\\\b ok");
}
END_TEST

START_TEST(test_display_width)
{
	use_locale("C.UTF-8");
	ck_assert_int_eq(textout_width("ADDRESS"), 7);
	ck_assert_int_eq(textout_width("b\xc3\xbc"
				       "cher"),
			 6);
	/* East Asian wide characters take two columns each */
	ck_assert_int_eq(textout_width("\xe4\xbe\x8b\xe3\x81\x88.test"), 9);
	ck_assert_int_eq(textout_width(""), 0);
	use_locale("C");
	/* escaped: four columns a byte */
	ck_assert_int_eq(textout_width("b\xc3\xbc"
				       "cher"),
			 13);
	ck_assert_int_eq(textout_width("ADDRESS"), 7);
}
END_TEST

Suite *sanitize_suite(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("sanitize");

	tcase_add_test(tc, test_printable_passes);
	tcase_add_test(tc, test_backslash_doubled);
	tcase_add_test(tc, test_controls_escaped);
	tcase_add_test(tc, test_utf8_kept);
	tcase_add_test(tc, test_invalid_utf8_escaped);
	tcase_add_test(tc, test_hidden_escaped);
	tcase_add_test(tc, test_trim_tail);
	tcase_add_test(tc, test_nul_inside);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_has_nonprintable);
	suite_add_tcase(s, tc);
	tc = tcase_create("locale");
	tcase_add_test(tc, test_utf8_locale_shows_text);
	tcase_add_test(tc, test_c_locale_escapes_text);
	tcase_add_test(tc, test_display_width);
	suite_add_tcase(s, tc);
	return s;
}
