/* resolver/addrs: how many of a host's addresses are probed (ADDRS_MAX,
 * both families represented), which ones (the lowest by value), and
 * which addresses are not public (private-address, --public-only). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "resolver/addrs.h"
#include "tests/unit/suites.h"

static struct dns_addr mk(const char *text)
{
	struct dns_addr a;

	memset(&a, 0, sizeof(a));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a.sa;

		s->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &s->sin6_addr), 1);
		a.len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&a.sa;

		s->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &s->sin_addr), 1);
		a.len = sizeof(*s);
	}
	return a;
}

static const char *text(const struct dns_addr *a)
{
	static char buf[4][ADDR_TEXT_MAX];
	static int slot;

	slot = (slot + 1) % 4;
	return addr_text((const struct sockaddr *)&a->sa, buf[slot],
			 sizeof(buf[slot]));
}

START_TEST(test_take)
{
	ck_assert_int_eq(ADDRS_MAX, 16);
	/* few: all of them */
	ck_assert_uint_eq(addrs_take(3, -1), 3);
	ck_assert_uint_eq(addrs_take(3, 20), 3);
	/* one family only (the other answered none, or not asked): 16 */
	ck_assert_uint_eq(addrs_take(20, 0), 16);
	/* both have many: half each */
	ck_assert_uint_eq(addrs_take(20, 20), 8);
	/* what one family leaves of its half goes to the other */
	ck_assert_uint_eq(addrs_take(20, 3), 13);
	ck_assert_uint_eq(addrs_take(3, 20), 3);
	ck_assert_uint_eq(addrs_take(10, 6), 10);
	ck_assert_uint_eq(addrs_take(10, 8), 8);
	/* the other not answered yet: only this family's half is sure */
	ck_assert_uint_eq(addrs_take(20, -1), 8);
	ck_assert_uint_eq(addrs_take(8, -1), 8);
	ck_assert_uint_eq(addrs_take(0, 20), 0);
}
END_TEST

/* Both families together never exceed ADDRS_MAX, and neither is left
 * out while it has addresses. */
START_TEST(test_take_both_families)
{
	size_t a, b;

	for (a = 0; a <= 40; a++)
		for (b = 0; b <= 40; b++) {
			size_t ta = addrs_take(a, (long)b);
			size_t tb = addrs_take(b, (long)a);

			ck_assert_uint_le(ta + tb, ADDRS_MAX);
			ck_assert_uint_eq(
				ta + tb, a + b < ADDRS_MAX ? a + b : ADDRS_MAX);
			if (a > 0)
				ck_assert_uint_gt(ta, 0);
			if (b > 0)
				ck_assert_uint_gt(tb, 0);
			/* the first answer's share is never taken back */
			ck_assert_uint_le(addrs_take(a, -1), ta);
		}
}
END_TEST

/* The lowest by value, whatever the answer's order. */
START_TEST(test_pick_lowest)
{
	struct dns_addr v[20];
	char t[32];
	size_t i;

	for (i = 0; i < 20; i++) {
		/* 29, 28, ..., 10: the server's order, backwards */
		snprintf(t, sizeof(t), "198.18.2.%zu", 29 - i);
		v[i] = mk(t);
	}
	addrs_pick(v, 20, 13);
	for (i = 0; i < 13; i++) {
		snprintf(t, sizeof(t), "198.18.2.%zu", 10 + i);
		ck_assert_str_eq(text(&v[i]), t);
	}
	/* by value, not by text: .100 after .99 */
	v[0] = mk("198.18.2.100");
	v[1] = mk("198.18.2.99");
	v[2] = mk("198.18.3.1");
	addrs_pick(v, 3, 2);
	ck_assert_str_eq(text(&v[0]), "198.18.2.99");
	ck_assert_str_eq(text(&v[1]), "198.18.2.100");
	v[0] = mk("fd00:2::10");
	v[1] = mk("fd00:1::ffff");
	v[2] = mk("fd00:2::9");
	addrs_pick(v, 3, 1);
	ck_assert_str_eq(text(&v[0]), "fd00:1::ffff");
	ck_assert_str_eq(text(&v[1]), "fd00:2::9");
}
END_TEST

/* Nothing left out: the answer's order is kept. */
START_TEST(test_pick_all_keeps_order)
{
	struct dns_addr v[3];

	v[0] = mk("198.18.2.30");
	v[1] = mk("198.18.2.10");
	v[2] = mk("198.18.2.20");
	addrs_pick(v, 3, 3);
	ck_assert_str_eq(text(&v[0]), "198.18.2.30");
	ck_assert_str_eq(text(&v[1]), "198.18.2.10");
	ck_assert_str_eq(text(&v[2]), "198.18.2.20");
}
END_TEST

/* The range of addr's text, "" when public. */
static const char *range(const char *text_addr)
{
	struct dns_addr a = mk(text_addr);
	const char *r = addrs_private_range((const struct sockaddr *)&a.sa);

	return r != NULL ? r : "";
}

START_TEST(test_private_ranges)
{
	ck_assert_str_eq(range("127.0.0.1"), "loopback");
	ck_assert_str_eq(range("127.255.0.9"), "loopback");
	ck_assert_str_eq(range("::1"), "loopback");
	ck_assert_str_eq(range("0.0.0.0"), "unspecified (0.0.0.0/8)");
	ck_assert_str_eq(range("::"), "unspecified (::)");
	ck_assert_str_eq(range("10.1.2.3"), "private (RFC 1918)");
	ck_assert_str_eq(range("172.16.0.1"), "private (RFC 1918)");
	ck_assert_str_eq(range("172.31.255.255"), "private (RFC 1918)");
	ck_assert_str_eq(range("192.168.1.1"), "private (RFC 1918)");
	ck_assert_str_eq(range("100.64.0.1"),
			 "shared (RFC 6598, carrier-grade NAT)");
	ck_assert_str_eq(range("100.127.255.255"),
			 "shared (RFC 6598, carrier-grade NAT)");
	ck_assert_str_eq(range("169.254.10.1"), "link-local");
	ck_assert_str_eq(range("fe80::1"), "link-local");
	ck_assert_str_eq(range("febf::1"), "link-local");
	ck_assert_str_eq(range("fec0::1"), "site-local (deprecated)");
	ck_assert_str_eq(range("fd00:1::2"), "unique local (RFC 4193)");
	ck_assert_str_eq(range("fc00::1"), "unique local (RFC 4193)");
	/* an IPv4-mapped address is its IPv4 address */
	ck_assert_str_eq(range("::ffff:127.0.0.1"), "loopback");
	ck_assert_str_eq(range("::ffff:192.168.0.1"), "private (RFC 1918)");
	ck_assert_str_eq(range("::ffff:198.51.100.1"), "");
}
END_TEST

/* The edges of each range, and what is public: benchmarking space
 * (RFC 2544, the test bed's), documentation, multicast, global. */
START_TEST(test_public)
{
	static const char *const pub[] = {
		"198.18.0.1",
		"198.19.255.254",
		"192.0.2.1",
		"198.51.100.7",
		"203.0.113.9",
		"8.8.8.8",
		"1.0.0.1",
		"11.0.0.1",
		"126.255.255.255",
		"128.0.0.1",
		"172.15.255.255",
		"172.32.0.0",
		"192.167.255.255",
		"192.169.0.0",
		"100.63.255.255",
		"100.128.0.0",
		"169.253.255.255",
		"169.255.0.0",
		"224.0.0.1",
		"2001:db8::1",
		"2a00:1450::1",
		"fbff::1",
		"fe00::1",
		"ff02::1",
		"::2",
		"::ffff:8.8.8.8",
		"64:ff9b::a00:1",
	};
	size_t i;

	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		ck_assert_msg(range(pub[i])[0] == '\0', "%s: '%s'", pub[i],
			      range(pub[i]));
}
END_TEST

Suite *addrs_suite(void)
{
	Suite *s = suite_create("addrs");
	TCase *tc = tcase_create("cap");

	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_both_families);
	tcase_add_test(tc, test_pick_lowest);
	tcase_add_test(tc, test_pick_all_keeps_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("private");
	tcase_add_test(tc, test_private_ranges);
	tcase_add_test(tc, test_public);
	suite_add_tcase(s, tc);
	return s;
}
