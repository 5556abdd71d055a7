/* resolver/target: what the user typed, ports and --dns-server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/target.h"
#include "tests/unit/suites.h"

static struct target t;
static char err[512];

static void setup(void)
{
	memset(&t, 0xa5, sizeof(t)); /* target_parse must set every field */
	memset(err, 0, sizeof(err));
}

static void setup_zero(void)
{
	memset(&t, 0, sizeof(t));
	memset(err, 0, sizeof(err));
}

static void teardown(void)
{
	target_free(&t);
}

static void parse_ok(const char *s)
{
	ck_assert_msg(target_parse(s, &t, err, sizeof(err)) == 0,
		      "'%s' refused: %s", s, err);
}

/* Refused, with a message that names the input and contains want. */
static void parse_bad(const char *s, const char *want)
{
	ck_assert_msg(target_parse(s, &t, err, sizeof(err)) == -1,
		      "'%s' accepted as '%s'", s, t.host ? t.host : "?");
	ck_assert_ptr_null(t.host);
	ck_assert_ptr_null(t.input);
	ck_assert_ptr_null(t.unicode);
	ck_assert_msg(strstr(err, want) != NULL,
		      "'%s': message '%s' lacks '%s'", s, err, want);
	ck_assert_msg(strncmp(err, "bad target '", 12) == 0,
		      "'%s': message '%s' does not name the target", s, err);
}

/* No byte of s is a control byte or 8-bit: safe on any terminal. */
static bool clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* A name of n bytes made of labels of at most 63. */
static char *long_name(size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		s[i] = (i % 64 == 63) ? '.' : 'a';
	if (s[n - 1] == '.')
		s[n - 1] = 'b';
	s[n] = '\0';
	return s;
}

START_TEST(test_host)
{
	parse_ok("mail.example.test");
	ck_assert_str_eq(t.host, "mail.example.test");
	ck_assert_str_eq(t.input, "mail.example.test");
	ck_assert_ptr_null(t.unicode);
	ck_assert_int_eq(t.family, 0);
	ck_assert_int_eq(t.port, 0);
}
END_TEST

START_TEST(test_host_trailing_dot)
{
	parse_ok("mail.example.test.");
	ck_assert_str_eq(t.host, "mail.example.test");
	ck_assert_int_eq(t.family, 0);
}
END_TEST

START_TEST(test_host_upper_case)
{
	parse_ok("MAIL.Example.TEST");
	ck_assert_str_eq(t.host, "mail.example.test");
	ck_assert_str_eq(t.input, "MAIL.Example.TEST");
}
END_TEST

START_TEST(test_host_underscore_and_digits)
{
	parse_ok("_submission._tcp.x-1.example");
	ck_assert_str_eq(t.host, "_submission._tcp.x-1.example");
}
END_TEST

START_TEST(test_ipv4)
{
	parse_ok("192.0.2.25");
	ck_assert_str_eq(t.host, "192.0.2.25");
	ck_assert_int_eq(t.family, AF_INET);
	ck_assert_int_eq(t.port, 0);
}
END_TEST

START_TEST(test_ipv4_port)
{
	parse_ok("192.0.2.25:2525");
	ck_assert_str_eq(t.host, "192.0.2.25");
	ck_assert_int_eq(t.family, AF_INET);
	ck_assert_int_eq(t.port, 2525);
}
END_TEST

START_TEST(test_ipv6_bare)
{
	parse_ok("fd00::25");
	ck_assert_str_eq(t.host, "fd00::25");
	ck_assert_int_eq(t.family, AF_INET6);
	ck_assert_int_eq(t.port, 0);
}
END_TEST

START_TEST(test_ipv6_bracket)
{
	parse_ok("[fd00::25]");
	ck_assert_str_eq(t.host, "fd00::25");
	ck_assert_int_eq(t.family, AF_INET6);
	ck_assert_int_eq(t.port, 0);
}
END_TEST

START_TEST(test_ipv6_bracket_port)
{
	parse_ok("[fd00::25]:587");
	ck_assert_str_eq(t.host, "fd00::25");
	ck_assert_int_eq(t.family, AF_INET6);
	ck_assert_int_eq(t.port, 587);
}
END_TEST

START_TEST(test_host_port)
{
	parse_ok("Smtp.Example.test:465");
	ck_assert_str_eq(t.host, "smtp.example.test");
	ck_assert_int_eq(t.port, 465);
	ck_assert_int_eq(t.family, 0);
	target_free(&t);
	parse_ok("smtp.example.test.:1");
	ck_assert_str_eq(t.host, "smtp.example.test");
	ck_assert_int_eq(t.port, 1);
	target_free(&t);
	parse_ok("smtp.example.test:65535");
	ck_assert_int_eq(t.port, 65535);
}
END_TEST

START_TEST(test_idn)
{
	parse_ok("b\xc3\xbc"
		 "cher.example");
	ck_assert_str_eq(t.host, "xn--bcher-kva.example");
	ck_assert_ptr_nonnull(t.unicode);
	ck_assert_str_eq(t.unicode, "b\xc3\xbc"
				    "cher.example");
	ck_assert_int_eq(t.family, 0);
	/* what was typed is kept as typed: valid UTF-8 is text */
	ck_assert_str_eq(t.input, "b\xc3\xbc"
				  "cher.example");
}
END_TEST

START_TEST(test_idn_upper_case)
{
	parse_ok("B\xc3\x9c"
		 "CHER.Example:587");
	ck_assert_str_eq(t.host, "xn--bcher-kva.example");
	ck_assert_int_eq(t.port, 587);
	ck_assert_ptr_nonnull(t.unicode);
}
END_TEST

START_TEST(test_max_lengths)
{
	char label[80];
	char *name = long_name(253);
	char *dotted;

	memset(label, 'a', 63);
	strcpy(label + 63, ".example");
	parse_ok(label);
	ck_assert_str_eq(t.host, label);
	target_free(&t);
	parse_ok(name);
	ck_assert_uint_eq(strlen(t.host), 253);
	target_free(&t);
	/* 253 and the root's dot */
	ck_assert_int_ne(asprintf(&dotted, "%s.", name), -1);
	parse_ok(dotted);
	ck_assert_str_eq(t.host, name);
	free(name);
	free(dotted);
}
END_TEST

START_TEST(test_bad_empty)
{
	parse_bad("", "empty");
}
END_TEST

START_TEST(test_bad_port_range)
{
	parse_bad("mail.example.test:99999", "port");
	ck_assert_ptr_nonnull(strstr(err, "65535"));
	target_free(&t);
	parse_bad("mail.example.test:65536", "port");
	target_free(&t);
	parse_bad("mail.example.test:0", "port");
	target_free(&t);
	parse_bad("mail.example.test:", "port");
	target_free(&t);
	parse_bad("mail.example.test:25x", "port");
	target_free(&t);
	parse_bad("mail.example.test:-25", "port");
}
END_TEST

/* A URL names its host; "port must be a number" would name the wrong
 * thing. */
START_TEST(test_bad_url)
{
	parse_bad("http://mail.example.test", "a URL, not a host");
	ck_assert_ptr_nonnull(strstr(err, "'mail.example.test'"));
	ck_assert_ptr_null(strstr(err, "port"));
	target_free(&t);
	parse_bad("smtp://mail.example.test:587/x", "a URL");
	ck_assert_ptr_nonnull(strstr(err, "'mail.example.test:587'"));
}
END_TEST

START_TEST(test_bad_port_empty_host)
{
	parse_bad(":25", "host");
}
END_TEST

/* Two colons are read as an IPv6 attempt. */
START_TEST(test_bad_two_colons)
{
	parse_bad("host:25:extra", "not an IPv6 address");
	ck_assert_ptr_nonnull(strstr(err, "[ADDRESS]:PORT"));
	ck_assert_ptr_nonnull(strstr(err, "'host:25:extra'"));
}
END_TEST

START_TEST(test_bad_bracket)
{
	parse_bad("[fd00::1", "missing ']'");
	target_free(&t);
	parse_bad("[fd00::1]x", "after ']'");
	target_free(&t);
	parse_bad("[fd00::1]:", "after ']'");
	target_free(&t);
	parse_bad("[fd00::1]:70000", "after ']'");
	target_free(&t);
	parse_bad("[nothost]:25", "not an IPv6 address inside [ ]");
	target_free(&t);
	parse_bad("[192.0.2.1]:25", "not an IPv6 address inside [ ]");
	target_free(&t);
	parse_bad("[]:25", "not an IPv6 address");
}
END_TEST

START_TEST(test_bad_ipv4)
{
	parse_bad("999.1.1.1", "not a valid IPv4 address");
	target_free(&t);
	parse_bad("192.0.2", "not a valid IPv4 address");
	target_free(&t);
	parse_bad("192.0.2.1.5:25", "not a valid IPv4 address");
}
END_TEST

START_TEST(test_bad_label_length)
{
	char label[80];

	memset(label, 'a', 64);
	strcpy(label + 64, ".example");
	parse_bad(label, "label longer than 63");
}
END_TEST

START_TEST(test_bad_name_length)
{
	char *name = long_name(254);
	char *huge = long_name(400);
	char *port;

	parse_bad(name, "longer than 253");
	target_free(&t);
	parse_bad(huge, "longer than 253");
	target_free(&t);
	ck_assert_int_ne(asprintf(&port, "%s:25", name), -1);
	parse_bad(port, "host");
	free(name);
	free(huge);
	free(port);
}
END_TEST

START_TEST(test_bad_hyphen)
{
	parse_bad("-bad.example", "label starts with '-'");
	target_free(&t);
	parse_bad("bad-.example", "label ends with '-'");
	target_free(&t);
	parse_bad("mail.bad-", "label ends with '-'");
}
END_TEST

START_TEST(test_bad_empty_label)
{
	parse_bad("a..b", "empty label");
	target_free(&t);
	parse_bad(".example", "empty label");
	target_free(&t);
	parse_bad(".", "bad target '.'");
}
END_TEST

/* Two trailing dots are an empty label too, like "a..b". */
START_TEST(test_bad_two_trailing_dots)
{
	parse_bad("mail.example..", "empty label");
}
END_TEST

START_TEST(test_bad_characters)
{
	parse_bad("mail!.example", "character not allowed");
	target_free(&t);
	parse_bad("mail example", "character not allowed");
	target_free(&t);
	parse_bad("mail/x.example", "character not allowed");
}
END_TEST

START_TEST(test_bad_control_bytes)
{
	parse_bad("mail\x1b[2J.example", "character not allowed");
	ck_assert(clean(err));
	ck_assert_ptr_nonnull(strstr(err, "mail\\x1b[2J.example"));
	target_free(&t);
	parse_bad("a\r\nRCPT TO:<x>", "bad target");
	ck_assert(clean(err));
	ck_assert_ptr_nonnull(strstr(err, "\\x0d\\x0a"));
}
END_TEST

START_TEST(test_bad_binary)
{
	static const char garbage[] = "\xff\xfe\x1b]0;owned\x07\x80\x01";

	parse_bad(garbage, "bad target");
	ck_assert(clean(err));
	ck_assert_ptr_nonnull(strstr(err, "\\xff\\xfe\\x1b]0;owned\\x07"));
	target_free(&t);
	/* 8-bit but valid UTF-8 that is no IDN: the text kept, the
	 * control escaped */
	parse_bad("\xe2\x98\x83\x1b.example", "bad target");
	ck_assert_ptr_nonnull(strstr(err, "\xe2\x98\x83\\x1b.example"));
}
END_TEST

START_TEST(test_bad_message_bounded)
{
	char *huge = long_name(600);
	char small[40];

	ck_assert_int_eq(target_parse(huge, &t, err, sizeof(err)), -1);
	/* the input is quoted, but not all of it */
	ck_assert_uint_lt(strlen(err), 200);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
	/* a short buffer gets the start of the same message */
	ck_assert_int_eq(target_parse(huge, &t, small, sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(strncmp(small, err, sizeof(small) - 1), 0);
	free(huge);
}
END_TEST

START_TEST(test_ports)
{
	int ports[TARGET_MAX_PORTS];
	size_t n = 99;

	ck_assert_int_eq(ports_parse("25,587", ports, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ports[0], 25);
	ck_assert_int_eq(ports[1], 587);
	ck_assert_int_eq(ports_parse("465", ports, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ports[0], 465);
	ck_assert_int_eq(
		ports_parse("1,65535,2525", ports, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ports[1], 65535);
	ck_assert_int_eq(ports[2], 2525);
}
END_TEST

START_TEST(test_ports_max)
{
	int ports[TARGET_MAX_PORTS + 1];
	char list[200] = "";
	size_t i, n = 0;

	for (i = 1; i <= TARGET_MAX_PORTS; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%zu", i > 1 ? "," : "", 1000 + i);
	ck_assert_int_eq(ports_parse(list, ports, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, TARGET_MAX_PORTS);
	ck_assert_int_eq(ports[TARGET_MAX_PORTS - 1], 1000 + TARGET_MAX_PORTS);
	strcat(list, ",2000");
	ports[TARGET_MAX_PORTS] = -7; /* must stay untouched */
	ck_assert_int_eq(ports_parse(list, ports, &n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 16"));
	ck_assert_int_eq(ports[TARGET_MAX_PORTS], -7);
}
END_TEST

static const struct {
	const char *in, *want;
} bad_ports[] = {
	{"0", "'0'"},
	{"65536", "'65536'"},
	{"25,,587", "empty"},
	{"25,25", "25 given twice"},
	{"", "empty"},
	{"25,", "empty"},
	{",25", "empty"},
	{"smtp", "'smtp'"},
	{"25 ", "'25 '"},
	{"-1", "'-1'"},
	{"587,465,587", "587 given twice"},
	{"12345678901234567", "overlong"},
};

START_TEST(test_ports_bad)
{
	int ports[TARGET_MAX_PORTS];
	size_t n = 99;

	ck_assert_msg(ports_parse(bad_ports[_i].in, ports, &n, err,
				  sizeof(err)) == -1,
		      "'%s' accepted", bad_ports[_i].in);
	ck_assert_msg(strstr(err, bad_ports[_i].want) != NULL,
		      "'%s': message '%s' lacks '%s'", bad_ports[_i].in, err,
		      bad_ports[_i].want);
	ck_assert_ptr_nonnull(strstr(err, "--ports"));
}
END_TEST

START_TEST(test_ports_bad_sanitised)
{
	int ports[TARGET_MAX_PORTS];
	size_t n;

	ck_assert_int_eq(ports_parse("25,\x1b[1m", ports, &n, err, sizeof(err)),
			 -1);
	ck_assert(clean(err));
	ck_assert_ptr_nonnull(strstr(err, "\\x1b[1m"));
}
END_TEST

START_TEST(test_dns_server)
{
	char csv[128] = "";

	ck_assert_int_eq(dns_server_parse("192.0.2.53", csv, sizeof(csv), err,
					  sizeof(err)),
			 0);
	ck_assert_str_eq(csv, "192.0.2.53:53");
	ck_assert_int_eq(dns_server_parse("198.18.0.53:5353", csv, sizeof(csv),
					  err, sizeof(err)),
			 0);
	ck_assert_str_eq(csv, "192.0.2.53:53,198.18.0.53:5353");
	ck_assert_int_eq(dns_server_parse("[fd00::53]:5353", csv, sizeof(csv),
					  err, sizeof(err)),
			 0);
	ck_assert_str_eq(csv, "192.0.2.53:53,198.18.0.53:5353,[fd00::53]:5353");
}
END_TEST

START_TEST(test_dns_server_v6_default_port)
{
	char csv[64] = "";

	ck_assert_int_eq(dns_server_parse("fd00::53", csv, sizeof(csv), err,
					  sizeof(err)),
			 0);
	ck_assert_str_eq(csv, "[fd00::53]:53");
}
END_TEST

START_TEST(test_dns_server_name_refused)
{
	char csv[64] = "";

	ck_assert_int_eq(dns_server_parse("ns1.example.test", csv, sizeof(csv),
					  err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "ns1.example.test"));
	ck_assert_ptr_nonnull(strstr(err, "not a name"));
	ck_assert_str_eq(csv, "");
	ck_assert_int_eq(dns_server_parse("192.0.2.53:0", csv, sizeof(csv), err,
					  sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "--dns-server"));
	ck_assert_str_eq(csv, "");
}
END_TEST

START_TEST(test_dns_server_full)
{
	char csv[20] = "";

	ck_assert_int_eq(dns_server_parse("192.0.2.53", csv, sizeof(csv), err,
					  sizeof(err)),
			 0);
	ck_assert_int_eq(dns_server_parse("192.0.2.54", csv, sizeof(csv), err,
					  sizeof(err)),
			 -1);
	ck_assert_str_eq(csv, "192.0.2.53:53");
	ck_assert_ptr_nonnull(strstr(err, "too many"));
}
END_TEST

Suite *target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *ok = tcase_create("accepted");
	TCase *bad = tcase_create("refused");
	TCase *opt = tcase_create("options");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, test_host);
	tcase_add_test(ok, test_host_trailing_dot);
	tcase_add_test(ok, test_host_upper_case);
	tcase_add_test(ok, test_host_underscore_and_digits);
	tcase_add_test(ok, test_ipv4);
	tcase_add_test(ok, test_ipv4_port);
	tcase_add_test(ok, test_ipv6_bare);
	tcase_add_test(ok, test_ipv6_bracket);
	tcase_add_test(ok, test_ipv6_bracket_port);
	tcase_add_test(ok, test_host_port);
	tcase_add_test(ok, test_idn);
	tcase_add_test(ok, test_idn_upper_case);
	tcase_add_test(ok, test_max_lengths);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_bad_empty);
	tcase_add_test(bad, test_bad_port_range);
	tcase_add_test(bad, test_bad_url);
	tcase_add_test(bad, test_bad_port_empty_host);
	tcase_add_test(bad, test_bad_two_colons);
	tcase_add_test(bad, test_bad_bracket);
	tcase_add_test(bad, test_bad_ipv4);
	tcase_add_test(bad, test_bad_label_length);
	tcase_add_test(bad, test_bad_name_length);
	tcase_add_test(bad, test_bad_hyphen);
	tcase_add_test(bad, test_bad_empty_label);
	tcase_add_test(bad, test_bad_two_trailing_dots);
	tcase_add_test(bad, test_bad_characters);
	tcase_add_test(bad, test_bad_control_bytes);
	tcase_add_test(bad, test_bad_binary);
	tcase_add_test(bad, test_bad_message_bounded);
	suite_add_tcase(s, bad);

	tcase_add_checked_fixture(opt, setup_zero, teardown);
	tcase_add_test(opt, test_ports);
	tcase_add_test(opt, test_ports_max);
	tcase_add_loop_test(opt, test_ports_bad, 0,
			    (int)(sizeof(bad_ports) / sizeof(bad_ports[0])));
	tcase_add_test(opt, test_ports_bad_sanitised);
	tcase_add_test(opt, test_dns_server);
	tcase_add_test(opt, test_dns_server_v6_default_port);
	tcase_add_test(opt, test_dns_server_name_refused);
	tcase_add_test(opt, test_dns_server_full);
	suite_add_tcase(s, opt);
	return s;
}
