/* probe/caps: the extensions of an EHLO reply. */
#include <string.h>

#include "probe/caps.h"
#include "probe/reply.h"
#include "tests/unit/suites.h"

static struct reply r;
static struct caps c;

static void setup(void)
{
	memset(&r, 0, sizeof(r));
	memset(&c, 0, sizeof(c));
}

static void teardown(void)
{
	reply_reset(&r);
	caps_free(&c);
}

/* Parses a whole EHLO reply and its caps into r and c. */
static void parse(const char *s)
{
	size_t used;

	ck_assert_int_eq(reply_feed(&r, s, strlen(s), &used), REPLY_DONE);
	ck_assert_uint_eq(used, strlen(s));
	caps_parse(&r, &c);
}

START_TEST(test_keywords)
{
	parse("250-mail.example.test Hello [192.0.2.1]\r\n"
	      "250-PIPELINING\r\n"
	      "250-SIZE 10240000\r\n"
	      "250-STARTTLS\r\n"
	      "250 AUTH PLAIN LOGIN\r\n");
	ck_assert(c.starttls);
	ck_assert(c.pipelining);
	ck_assert(c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 2);
	ck_assert_str_eq(c.auth_mechs.v[0], "PLAIN");
	ck_assert_str_eq(c.auth_mechs.v[1], "LOGIN");
}
END_TEST

START_TEST(test_none)
{
	parse("250-mail.example.test\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
	ck_assert(!c.starttls);
	ck_assert(!c.pipelining);
	ck_assert(!c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 0);
}
END_TEST

START_TEST(test_case_insensitive)
{
	parse("250-mx\r\n250-StartTls\r\n250-pipelining\r\n"
	      "250 auth cram-md5 Plain\r\n");
	ck_assert(c.starttls);
	ck_assert(c.pipelining);
	ck_assert(c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 2);
	ck_assert_str_eq(c.auth_mechs.v[0], "CRAM-MD5");
	ck_assert_str_eq(c.auth_mechs.v[1], "PLAIN");
}
END_TEST

/* The first line is the server's name, whatever it says. */
START_TEST(test_server_name_is_no_keyword)
{
	parse("250-STARTTLS\r\n250 SIZE 1000\r\n");
	ck_assert(!c.starttls);
	reply_reset(&r);
	caps_free(&c);
	parse("250 AUTH PLAIN\r\n");
	ck_assert(!c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 0);
	reply_reset(&r);
	caps_free(&c);
	parse("250 PIPELINING\r\n");
	ck_assert(!c.pipelining);
}
END_TEST

START_TEST(test_auth_old_form)
{
	parse("250-mx\r\n250 AUTH=LOGIN\r\n");
	ck_assert(c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 1);
	ck_assert_str_eq(c.auth_mechs.v[0], "LOGIN");
}
END_TEST

START_TEST(test_auth_dedup)
{
	parse("250-mx\r\n"
	      "250-AUTH PLAIN LOGIN\r\n"
	      "250-AUTH=LOGIN PLAIN\r\n"
	      "250 AUTH  login   XOAUTH2 plain\r\n");
	ck_assert(c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 3);
	ck_assert_str_eq(c.auth_mechs.v[0], "PLAIN");
	ck_assert_str_eq(c.auth_mechs.v[1], "LOGIN");
	ck_assert_str_eq(c.auth_mechs.v[2], "XOAUTH2");
}
END_TEST

START_TEST(test_auth_without_mechs)
{
	parse("250-mx\r\n250 AUTH\r\n");
	ck_assert(c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 0);
}
END_TEST

START_TEST(test_non_250_no_caps)
{
	parse("550-mx\r\n550-STARTTLS\r\n550-PIPELINING\r\n550 AUTH PLAIN\r\n");
	ck_assert(!c.starttls);
	ck_assert(!c.pipelining);
	ck_assert(!c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 0);
}
END_TEST

START_TEST(test_lookalikes)
{
	parse("250-mx\r\n250-STARTTLSX\r\n250-XSTARTTLS\r\n250-START\r\n"
	      "250-PIPELININGS\r\n250-AUTHX PLAIN\r\n250 XAUTH LOGIN\r\n");
	ck_assert(!c.starttls);
	ck_assert(!c.pipelining);
	ck_assert(!c.auth);
	ck_assert_uint_eq(c.auth_mechs.n, 0);
}
END_TEST

START_TEST(test_keyword_with_parameter)
{
	/* a keyword followed by a parameter is still the keyword */
	parse("250-mx\r\n250-STARTTLS now\r\n250 PIPELINING x\r\n");
	ck_assert(c.starttls);
	ck_assert(c.pipelining);
}
END_TEST

START_TEST(test_has)
{
	struct strlist l = {0};

	ck_assert(!caps_has(&l, "STARTTLS"));
	ck_assert_int_eq(strlist_add(&l, "PIPELINING"), 0);
	ck_assert_int_eq(strlist_add(&l, "starttls"), 0);
	ck_assert_int_eq(strlist_add(&l, "AUTH=LOGIN"), 0);
	ck_assert_int_eq(strlist_add(&l, "SIZE 1000"), 0);
	ck_assert(caps_has(&l, "STARTTLS"));
	ck_assert(caps_has(&l, "StartTLS"));
	ck_assert(caps_has(&l, "AUTH"));
	ck_assert(caps_has(&l, "size"));
	ck_assert(!caps_has(&l, "START"));
	ck_assert(!caps_has(&l, "STARTTLSX"));
	ck_assert(!caps_has(&l, "1000"));
	ck_assert(!caps_has(&l, "8BITMIME"));
	strlist_free(&l);
}
END_TEST

START_TEST(test_has_needs_whole_keyword)
{
	struct strlist l = {0};

	ck_assert_int_eq(strlist_add(&l, "STARTTLSX"), 0);
	ck_assert_int_eq(strlist_add(&l, "XAUTH PLAIN"), 0);
	ck_assert(!caps_has(&l, "STARTTLS"));
	ck_assert(!caps_has(&l, "AUTH"));
	ck_assert(!caps_has(&l, "PLAIN"));
	strlist_free(&l);
}
END_TEST

/* Keyword lists, as a probe keeps them, have no server name first. */
START_TEST(test_from_lines)
{
	struct strlist l = {0};

	ck_assert_int_eq(strlist_add(&l, "STARTTLS"), 0);
	ck_assert_int_eq(strlist_add(&l, "auth plain Login"), 0);
	caps_from_lines(&l, &c);
	ck_assert(c.starttls);
	ck_assert(c.auth);
	ck_assert(!c.pipelining);
	ck_assert_uint_eq(c.auth_mechs.n, 2);
	ck_assert_str_eq(c.auth_mechs.v[0], "PLAIN");
	ck_assert_str_eq(c.auth_mechs.v[1], "LOGIN");
	strlist_free(&l);
}
END_TEST

Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("caps");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keywords);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_server_name_is_no_keyword);
	tcase_add_test(tc, test_auth_old_form);
	tcase_add_test(tc, test_auth_dedup);
	tcase_add_test(tc, test_auth_without_mechs);
	tcase_add_test(tc, test_non_250_no_caps);
	tcase_add_test(tc, test_lookalikes);
	tcase_add_test(tc, test_keyword_with_parameter);
	tcase_add_test(tc, test_has);
	tcase_add_test(tc, test_has_needs_whole_keyword);
	tcase_add_test(tc, test_from_lines);
	suite_add_tcase(s, tc);
	return s;
}
