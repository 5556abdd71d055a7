/* resolver/mtasts: the strict MTA-STS policy parser (RFC 8461 3.2) and the
 * MX pattern match (4.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/mtasts.h"
#include "tests/unit/suites.h"

static struct mtasts_policy P;
static char err[300];

static void setup(void)
{
	memset(&P, 0, sizeof(P));
	memset(err, 0, sizeof(err));
}

static void teardown(void)
{
	mtasts_free(&P);
}

/* mtasts_parse on a NUL-terminated policy. */
static int parse(const char *s)
{
	return mtasts_parse(s, strlen(s), &P, err, sizeof(err));
}

/* A refused policy: -1, no patterns left behind, and a reason that
 * contains want. */
static void refused(const char *s, const char *want)
{
	ck_assert_int_eq(parse(s), -1);
	ck_assert_uint_eq(P.mx.n, 0);
	ck_assert_msg(strstr(err, want) != NULL,
		      "reason '%s' does not contain '%s'", err, want);
}

/* Policy lines with an mx line of value v: refused as a bad pattern. */
static void bad_mx(const char *v)
{
	char s[300];

	snprintf(s, sizeof(s),
		 "version: STSv1\nmode: enforce\nmx: %s\nmax_age: 86400\n", v);
	refused(s, "bad mx pattern");
}

/* A valid policy of exactly n bytes: the fields, then one long
 * "x-pad:" line (an unknown key, ignored). */
static char *padded(size_t n)
{
	static const char head[] =
		"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n"
		"max_age: 86400\r\nx-pad: ";
	size_t used = sizeof(head) - 1;
	char *s;

	ck_assert_uint_gt(n, used + 2);
	s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, head, used);
	memset(s + used, 'a', n - used - 2);
	memcpy(s + n - 2, "\r\n", 3);
	ck_assert_uint_eq(strlen(s), n);
	return s;
}

/* --- valid policies --- */

START_TEST(test_valid_crlf)
{
	ck_assert_int_eq(parse("version: STSv1\r\nmode: enforce\r\n"
			       "mx: mail.example.com\r\nmx: *.example.net\r\n"
			       "max_age: 604800\r\n"),
			 0);
	ck_assert_int_eq(P.mode, MTASTS_ENFORCE);
	ck_assert_int_eq(P.max_age, 604800);
	ck_assert_uint_eq(P.mx.n, 2);
	ck_assert_str_eq(P.mx.v[0], "mail.example.com");
	ck_assert_str_eq(P.mx.v[1], "*.example.net");
}
END_TEST

START_TEST(test_valid_lf)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: testing\n"
			       "mx: mail.example.com\nmax_age: 86400\n"),
			 0);
	ck_assert_int_eq(P.mode, MTASTS_TESTING);
	ck_assert_int_eq(P.max_age, 86400);
	ck_assert_uint_eq(P.mx.n, 1);
	ck_assert_str_eq(P.mx.v[0], "mail.example.com");
}
END_TEST

/* The last line without its line break. */
START_TEST(test_valid_no_final_newline)
{
	ck_assert_int_eq(parse("version: STSv1\r\nmode: enforce\r\n"
			       "mx: mail.example.com\r\nmax_age: 86400"),
			 0);
	ck_assert_int_eq(P.max_age, 86400);
}
END_TEST

/* Fields in another order than the RFC's example. */
START_TEST(test_valid_any_order)
{
	ck_assert_int_eq(parse("max_age: 1\nmx: a.example.com\nmode: "
			       "enforce\nversion: STSv1\n"),
			 0);
	ck_assert_int_eq(P.mode, MTASTS_ENFORCE);
	ck_assert_int_eq(P.max_age, 1);
}
END_TEST

/* RFC 8461 3.2: other keys are for extensions and ignored. */
START_TEST(test_valid_unknown_keys)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: enforce\n"
			       "x-extension: whatever: with colons\n"
			       "mx: mail.example.com\nfoo:\nmax_age: 86400\n"
			       "Mode: none\n"),
			 0);
	ck_assert_int_eq(P.mode, MTASTS_ENFORCE);
	ck_assert_uint_eq(P.mx.n, 1);
}
END_TEST

START_TEST(test_valid_whitespace)
{
	ck_assert_int_eq(parse("version:STSv1\r\nmode:\t enforce \t\r\n"
			       "mx:   mail.example.com  \r\n"
			       "max_age:\t86400\t\r\n"),
			 0);
	ck_assert_int_eq(P.mode, MTASTS_ENFORCE);
	ck_assert_int_eq(P.max_age, 86400);
	ck_assert_uint_eq(P.mx.n, 1);
	ck_assert_str_eq(P.mx.v[0], "mail.example.com");
}
END_TEST

START_TEST(test_valid_mx_lower_cased)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: enforce\n"
			       "mx: MAIL.Example.COM\nmx: *.EXAMPLE.net\n"
			       "max_age: 86400\n"),
			 0);
	ck_assert_uint_eq(P.mx.n, 2);
	ck_assert_str_eq(P.mx.v[0], "mail.example.com");
	ck_assert_str_eq(P.mx.v[1], "*.example.net");
}
END_TEST

START_TEST(test_valid_mx_trailing_dot)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: enforce\n"
			       "mx: mail.example.com.\nmx: *.example.net.\n"
			       "max_age: 86400\n"),
			 0);
	ck_assert_uint_eq(P.mx.n, 2);
	ck_assert_str_eq(P.mx.v[0], "mail.example.com");
	ck_assert_str_eq(P.mx.v[1], "*.example.net");
	ck_assert(mtasts_match(&P, "mail.example.com"));
	ck_assert(mtasts_match(&P, "mx.example.net."));
}
END_TEST

START_TEST(test_valid_mode_none_no_mx)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: none\nmax_age: 0\n"), 0);
	ck_assert_int_eq(P.mode, MTASTS_NONE);
	ck_assert_int_eq(P.max_age, 0);
	ck_assert_uint_eq(P.mx.n, 0);
}
END_TEST

START_TEST(test_valid_max_age_limits)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: none\n"
			       "max_age: 31557600\n"),
			 0);
	ck_assert_int_eq(P.max_age, 31557600);
	mtasts_free(&P);
	/* 1*10 DIGIT: leading zeros are digits too */
	ck_assert_int_eq(parse("version: STSv1\nmode: none\n"
			       "max_age: 0000086400\n"),
			 0);
	ck_assert_int_eq(P.max_age, 86400);
}
END_TEST

START_TEST(test_valid_exactly_64k)
{
	char *s = padded(MTASTS_MAX_BYTES);

	ck_assert_int_eq(
		mtasts_parse(s, MTASTS_MAX_BYTES, &P, err, sizeof(err)), 0);
	ck_assert_int_eq(P.mode, MTASTS_ENFORCE);
	ck_assert_uint_eq(P.mx.n, 1);
	free(s);
}
END_TEST

START_TEST(test_mode_names)
{
	ck_assert_str_eq(mtasts_mode_name(MTASTS_ENFORCE), "enforce");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_TESTING), "testing");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_NONE), "none");
}
END_TEST

/* --- refusals --- */

START_TEST(test_refuse_no_version)
{
	refused("mode: enforce\nmx: mail.example.com\nmax_age: 86400\n",
		"no version");
}
END_TEST

START_TEST(test_refuse_version_not_stsv1)
{
	refused("version: STSv2\nmode: enforce\nmx: mail.example.com\n"
		"max_age: 86400\n",
		"version must be STSv1");
	mtasts_free(&P);
	/* %s"STSv1": case-sensitive */
	refused("version: stsv1\nmode: enforce\nmx: mail.example.com\n"
		"max_age: 86400\n",
		"version must be STSv1");
	mtasts_free(&P);
	refused("version: STSv1x\nmode: none\nmax_age: 86400\n",
		"version must be STSv1");
	mtasts_free(&P);
	refused("version:\nmode: none\nmax_age: 86400\n",
		"version must be STSv1");
}
END_TEST

START_TEST(test_refuse_version_twice)
{
	refused("version: STSv1\nversion: STSv1\nmode: enforce\n"
		"mx: mail.example.com\nmax_age: 86400\n",
		"version must be STSv1, once");
}
END_TEST

START_TEST(test_refuse_unknown_mode)
{
	refused("version: STSv1\nmode: strict\nmx: mail.example.com\n"
		"max_age: 86400\n",
		"unknown mode: 'strict'");
	mtasts_free(&P);
	/* %s"enforce": case-sensitive */
	refused("version: STSv1\nmode: Enforce\nmx: mail.example.com\n"
		"max_age: 86400\n",
		"unknown mode");
	mtasts_free(&P);
	refused("version: STSv1\nmode:\nmx: mail.example.com\n"
		"max_age: 86400\n",
		"unknown mode");
}
END_TEST

START_TEST(test_refuse_no_mode)
{
	refused("version: STSv1\nmx: mail.example.com\nmax_age: 86400\n",
		"no mode");
}
END_TEST

START_TEST(test_refuse_mode_twice)
{
	refused("version: STSv1\nmode: enforce\nmode: enforce\n"
		"mx: mail.example.com\nmax_age: 86400\n",
		"mode given twice");
	mtasts_free(&P);
	refused("version: STSv1\nmode: testing\nmode: none\n"
		"mx: mail.example.com\nmax_age: 86400\n",
		"mode given twice");
}
END_TEST

START_TEST(test_refuse_max_age_missing)
{
	refused("version: STSv1\nmode: enforce\nmx: mail.example.com\n",
		"no max_age");
}
END_TEST

START_TEST(test_refuse_max_age_negative)
{
	refused("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
		"max_age: -1\n",
		"bad max_age: '-1'");
}
END_TEST

START_TEST(test_refuse_max_age_not_number)
{
	static const char *const bad[] = {
		"abc",	"86400s",  "1e5", "+86400",	 "8 6400",
		"0x10", "86400.0", "",	  "99999999999", "31557600000"};
	size_t i;
	char s[200];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s),
			 "version: STSv1\nmode: enforce\n"
			 "mx: mail.example.com\nmax_age: %s\n",
			 bad[i]);
		ck_assert_msg(parse(s) == -1, "max_age '%s' accepted", bad[i]);
		ck_assert_msg(strstr(err, "bad max_age") != NULL,
			      "max_age '%s': reason '%s'", bad[i], err);
		mtasts_free(&P);
	}
}
END_TEST

START_TEST(test_refuse_max_age_too_big)
{
	refused("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
		"max_age: 31557601\n",
		"bad max_age: '31557601'");
	mtasts_free(&P);
	refused("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
		"max_age: 9999999999\n",
		"bad max_age");
}
END_TEST

START_TEST(test_refuse_max_age_twice)
{
	refused("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
		"max_age: 86400\nmax_age: 86400\n",
		"bad max_age");
}
END_TEST

START_TEST(test_refuse_line_without_colon)
{
	refused("version: STSv1\nmode: enforce\nmx mail.example.com\n"
		"max_age: 86400\n",
		"a line without 'key: value': 'mx mail.example.com'");
}
END_TEST

START_TEST(test_refuse_mx_star)
{
	bad_mx("*");
}
END_TEST

START_TEST(test_refuse_mx_star_no_dot)
{
	bad_mx("*foo.com");
}
END_TEST

START_TEST(test_refuse_mx_double_dot)
{
	bad_mx("a..b");
}
END_TEST

START_TEST(test_refuse_mx_star_dot)
{
	bad_mx("*.");
}
END_TEST

START_TEST(test_refuse_mx_empty)
{
	bad_mx("");
}
END_TEST

START_TEST(test_refuse_mx_other)
{
	bad_mx(".");
	mtasts_free(&P);
	bad_mx(".example.com");
	mtasts_free(&P);
	bad_mx("*.*.example.com");
	mtasts_free(&P);
	bad_mx("mail.*.example.com");
	mtasts_free(&P);
	bad_mx("mail example.com");
	mtasts_free(&P);
	bad_mx("mail.example.com/25");
	mtasts_free(&P);
	bad_mx("*..example.com");
}
END_TEST

/* One trailing dot ends a name; two leave an empty label. */
START_TEST(test_refuse_mx_two_trailing_dots)
{
	bad_mx("mail.example.com..");
}
END_TEST

START_TEST(test_refuse_enforce_without_mx)
{
	refused("version: STSv1\nmode: enforce\nmax_age: 86400\n",
		"no mx pattern");
}
END_TEST

START_TEST(test_refuse_testing_without_mx)
{
	refused("version: STSv1\nmode: testing\nmax_age: 86400\n",
		"no mx pattern");
}
END_TEST

START_TEST(test_refuse_over_64k)
{
	char *s = padded(MTASTS_MAX_BYTES + 1);

	ck_assert_int_eq(
		mtasts_parse(s, MTASTS_MAX_BYTES + 1, &P, err, sizeof(err)),
		-1);
	ck_assert_ptr_nonnull(strstr(err, "64 KiB"));
	ck_assert_uint_eq(P.mx.n, 0);
	free(s);
}
END_TEST

START_TEST(test_refuse_empty)
{
	refused("", "no version");
	mtasts_free(&P);
	refused("\r\n\r\n", "no version");
}
END_TEST

/* The parser's own rule ("an empty line: allowed at the end only") and
 * the ABNF of RFC 8461 3.2: fields are separated by exactly one line
 * break. */
START_TEST(test_refuse_empty_line_inside)
{
	ck_assert_int_eq(parse("version: STSv1\n\nmode: enforce\n"
			       "mx: mail.example.com\nmax_age: 86400\n"),
			 -1);
}
END_TEST

/* What a server sends ends up in a report: the reason is sanitised and
 * bounded. */
START_TEST(test_refuse_reason_sanitised)
{
	char line[400];

	ck_assert_int_eq(parse("version: STSv1\nmode: \x1b[31mred\n"
			       "mx: mail.example.com\nmax_age: 86400\n"),
			 -1);
	ck_assert_ptr_null(strchr(err, '\x1b'));
	ck_assert_ptr_nonnull(strstr(err, "unknown mode"));
	mtasts_free(&P);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(parse(line), -1);
	ck_assert_uint_lt(strlen(err), 120);
	ck_assert_ptr_nonnull(strstr(err, "a line without"));
}
END_TEST

/* A refusal after patterns were added leaves nothing to free. */
START_TEST(test_refuse_after_mx)
{
	refused("version: STSv1\nmode: enforce\nmx: a.example.com\n"
		"mx: b.example.com\nmode: testing\nmax_age: 86400\n",
		"mode given twice");
	ck_assert_ptr_null(P.mx.v);
}
END_TEST

/* --- matching (RFC 8461 4.1) --- */

static void policy(const char *mx_lines)
{
	char s[500];

	snprintf(s, sizeof(s),
		 "version: STSv1\nmode: enforce\n%smax_age: 86400\n", mx_lines);
	ck_assert_int_eq(parse(s), 0);
}

START_TEST(test_match_exact)
{
	policy("mx: mail.example.com\n");
	ck_assert(mtasts_match(&P, "mail.example.com"));
	ck_assert(!mtasts_match(&P, "mail2.example.com"));
	ck_assert(!mtasts_match(&P, "example.com"));
	ck_assert(!mtasts_match(&P, "x.mail.example.com"));
	ck_assert(!mtasts_match(&P, "mail.example.co"));
	ck_assert(!mtasts_match(&P, ""));
}
END_TEST

START_TEST(test_match_case_insensitive)
{
	policy("mx: Mail.Example.COM\n");
	ck_assert(mtasts_match(&P, "mail.example.com"));
	ck_assert(mtasts_match(&P, "MAIL.EXAMPLE.COM"));
	ck_assert(mtasts_match(&P, "mAiL.eXaMpLe.CoM"));
}
END_TEST

START_TEST(test_match_trailing_dot)
{
	policy("mx: mail.example.com\nmx: *.example.net\n");
	ck_assert(mtasts_match(&P, "mail.example.com."));
	ck_assert(mtasts_match(&P, "MAIL.example.com."));
	ck_assert(mtasts_match(&P, "mx.example.net."));
	ck_assert(!mtasts_match(&P, "."));
}
END_TEST

START_TEST(test_match_wildcard)
{
	policy("mx: *.example.com\n");
	ck_assert(mtasts_match(&P, "mx.example.com"));
	ck_assert(mtasts_match(&P, "MX1.Example.Com"));
	ck_assert(!mtasts_match(&P, "example.com"));
	ck_assert(!mtasts_match(&P, "a.b.example.com"));
	ck_assert(!mtasts_match(&P, ".example.com"));
	ck_assert(!mtasts_match(&P, "mx.example.com.evil.test"));
	ck_assert(!mtasts_match(&P, "mxexample.com"));
	ck_assert(!mtasts_match(&P, "mx.notexample.com"));
}
END_TEST

START_TEST(test_match_several)
{
	policy("mx: mail.example.com\nmx: *.example.net\n"
	       "mx: backup.example.org\n");
	ck_assert(mtasts_match(&P, "mail.example.com"));
	ck_assert(mtasts_match(&P, "a.example.net"));
	ck_assert(mtasts_match(&P, "backup.example.org"));
	ck_assert(!mtasts_match(&P, "example.net"));
	ck_assert(!mtasts_match(&P, "other.example.org"));
}
END_TEST

START_TEST(test_match_no_patterns)
{
	ck_assert_int_eq(parse("version: STSv1\nmode: none\nmax_age: 0\n"), 0);
	ck_assert(!mtasts_match(&P, "mail.example.com"));
}
END_TEST

/* A name longer than any DNS name matches nothing (and does not overrun
 * anything). */
START_TEST(test_match_overlong_host)
{
	char host[600];

	policy("mx: *.example.com\n");
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memcpy(host + sizeof(host) - 13, ".example.com", 12);
	ck_assert(!mtasts_match(&P, host));
}
END_TEST

Suite *mtasts_suite(void)
{
	Suite *s = suite_create("mtasts");
	TCase *ok = tcase_create("valid");
	TCase *bad = tcase_create("refused");
	TCase *match = tcase_create("match");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, test_valid_crlf);
	tcase_add_test(ok, test_valid_lf);
	tcase_add_test(ok, test_valid_no_final_newline);
	tcase_add_test(ok, test_valid_any_order);
	tcase_add_test(ok, test_valid_unknown_keys);
	tcase_add_test(ok, test_valid_whitespace);
	tcase_add_test(ok, test_valid_mx_lower_cased);
	tcase_add_test(ok, test_valid_mx_trailing_dot);
	tcase_add_test(ok, test_valid_mode_none_no_mx);
	tcase_add_test(ok, test_valid_max_age_limits);
	tcase_add_test(ok, test_valid_exactly_64k);
	tcase_add_test(ok, test_mode_names);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_refuse_no_version);
	tcase_add_test(bad, test_refuse_version_not_stsv1);
	tcase_add_test(bad, test_refuse_version_twice);
	tcase_add_test(bad, test_refuse_unknown_mode);
	tcase_add_test(bad, test_refuse_no_mode);
	tcase_add_test(bad, test_refuse_mode_twice);
	tcase_add_test(bad, test_refuse_max_age_missing);
	tcase_add_test(bad, test_refuse_max_age_negative);
	tcase_add_test(bad, test_refuse_max_age_not_number);
	tcase_add_test(bad, test_refuse_max_age_too_big);
	tcase_add_test(bad, test_refuse_max_age_twice);
	tcase_add_test(bad, test_refuse_line_without_colon);
	tcase_add_test(bad, test_refuse_mx_star);
	tcase_add_test(bad, test_refuse_mx_star_no_dot);
	tcase_add_test(bad, test_refuse_mx_double_dot);
	tcase_add_test(bad, test_refuse_mx_star_dot);
	tcase_add_test(bad, test_refuse_mx_empty);
	tcase_add_test(bad, test_refuse_mx_other);
	tcase_add_test(bad, test_refuse_mx_two_trailing_dots);
	tcase_add_test(bad, test_refuse_enforce_without_mx);
	tcase_add_test(bad, test_refuse_testing_without_mx);
	tcase_add_test(bad, test_refuse_over_64k);
	tcase_add_test(bad, test_refuse_empty);
	tcase_add_test(bad, test_refuse_empty_line_inside);
	tcase_add_test(bad, test_refuse_reason_sanitised);
	tcase_add_test(bad, test_refuse_after_mx);
	suite_add_tcase(s, bad);

	tcase_add_checked_fixture(match, setup, teardown);
	tcase_add_test(match, test_match_exact);
	tcase_add_test(match, test_match_case_insensitive);
	tcase_add_test(match, test_match_trailing_dot);
	tcase_add_test(match, test_match_wildcard);
	tcase_add_test(match, test_match_several);
	tcase_add_test(match, test_match_no_patterns);
	tcase_add_test(match, test_match_overlong_host);
	suite_add_tcase(s, match);
	return s;
}
