/* resolver/records: the raw DNS answer parsers (MX, SRV, TXT, TLSA, the AD
 * bit).  Every answer here is built byte by byte, and every parser gets an
 * exact-size heap copy, so a read one byte past the answer is an ASan
 * report, not luck. */
#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/records.h"
#include "tests/unit/suites.h"

/* Until tests/unit/suites.h declares it (a repeat does no harm then). */
Suite *records_suite(void);

#define T_CNAME 5
#define T_MX 15
#define T_TXT 16
#define T_SRV 33
#define T_RRSIG 46
#define T_TLSA 52

#define QNAME 12	  /* offset of the question name: after the header */
#define F_RESPONSE 0x8180 /* QR, RD, RA; rcode 0 */
#define F_AD 0x0020

/* The answer under construction.  an counts the RRs added; build() writes
 * it into the header. */
static struct {
	unsigned char b[65536];
	size_t len;
	unsigned an;
} m;

/* The exact-size copy the parsers read (see answer()). */
static unsigned char *copy;

static void setup(void)
{
	memset(&m, 0, sizeof(m));
	copy = NULL;
}

static void teardown(void)
{
	free(copy);
	copy = NULL;
}

static void put(const void *p, size_t n)
{
	ck_assert_uint_le(m.len + n, sizeof(m.b));
	if (n > 0)
		memcpy(m.b + m.len, p, n);
	m.len += n;
}

static void put8(unsigned v)
{
	unsigned char c = (unsigned char)v;

	put(&c, 1);
}

static void put16(unsigned v)
{
	put8(v >> 8);
	put8(v);
}

static void put32(uint32_t v)
{
	put16(v >> 16);
	put16(v & 0xffff);
}

static void set16(size_t at, unsigned v)
{
	m.b[at] = (unsigned char)(v >> 8);
	m.b[at + 1] = (unsigned char)v;
}

/* The labels of a dotted name, then a compression pointer to offset ptr,
 * or the root label when ptr is 0.  "" with a pointer is the pointer
 * alone; "" or "." without one is the root name. */
static void put_name(const char *name, unsigned ptr)
{
	const char *s = name, *dot;

	if (strcmp(name, ".") == 0)
		s = "";
	while (*s != '\0') {
		size_t n;

		dot = strchr(s, '.');
		n = dot ? (size_t)(dot - s) : strlen(s);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_le(n, 63);
		put8((unsigned)n);
		put(s, n);
		s += n;
		if (*s == '.')
			s++;
	}
	if (ptr != 0)
		put16(0xc000 | ptr);
	else
		put8(0);
}

/* Header with the given flags and counts, then one question for qname. */
static void begin(unsigned flags, unsigned qd, const char *qname,
		  unsigned qtype)
{
	m.len = 0;
	m.an = 0;
	put16(0x5350); /* id */
	put16(flags);
	put16(qd);
	put16(0); /* ancount: written by build() */
	put16(0);
	put16(0);
	if (qname != NULL) {
		put_name(qname, 0);
		put16(qtype);
		put16(1); /* IN */
	}
}

/* An RR owned by the question name (compressed); returns where its
 * rdlength is, for rr_end(). */
static size_t rr_begin(unsigned type)
{
	size_t at;

	put16(0xc000 | QNAME);
	put16(type);
	put16(1);
	put32(300);
	at = m.len;
	put16(0);
	m.an++;
	return at;
}

static void rr_end(size_t at)
{
	set16(at, (unsigned)(m.len - at - 2));
}

/* MX whose host is labels, then a pointer to ptr (0: root-terminated). */
static void add_mx(unsigned pref, const char *labels, unsigned ptr)
{
	size_t at = rr_begin(T_MX);

	put16(pref);
	put_name(labels, ptr);
	rr_end(at);
}

static void add_srv(unsigned prio, unsigned weight, unsigned port,
		    const char *target)
{
	size_t at = rr_begin(T_SRV);

	put16(prio);
	put16(weight);
	put16(port);
	put_name(target, 0); /* RFC 2782: no compression in SRV targets */
	rr_end(at);
}

/* One TXT record of the given strings (NULL-terminated list). */
static void add_txt(const char *first, ...)
{
	size_t at = rr_begin(T_TXT);
	const char *s;
	va_list ap;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		put8((unsigned)strlen(s));
		put(s, strlen(s));
	}
	va_end(ap);
	rr_end(at);
}

static void add_tlsa(unsigned usage, unsigned sel, unsigned mtype,
		     const unsigned char *data, size_t len)
{
	size_t at = rr_begin(T_TLSA);

	put8(usage);
	put8(sel);
	put8(mtype);
	put(data, len);
	rr_end(at);
}

/* Any other RR, rdata as given. */
static void add_raw(unsigned type, const void *rdata, size_t len)
{
	size_t at = rr_begin(type);

	put(rdata, len);
	rr_end(at);
}

/* Writes ancount and returns an exact-size heap copy of the answer. */
static const unsigned char *build(void)
{
	set16(6, m.an);
	free(copy);
	copy = malloc(m.len);
	ck_assert_msg(copy != NULL || m.len == 0, "out of memory");
	if (m.len > 0)
		memcpy(copy, m.b, m.len);
	return copy;
}

/* The same bytes, as they are now, without touching the header. */
static const unsigned char *raw(size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m.b, len);
	return copy;
}

static const unsigned char sha256[32] = {
	0x8d, 0x02, 0x53, 0x6c, 0x88, 0x7e, 0x80, 0xd2, 0x5a, 0x1b, 0x5c,
	0xb1, 0x50, 0x2b, 0x2e, 0x5e, 0x3f, 0x0b, 0x87, 0x1c, 0x0b, 0xa9,
	0x67, 0xd4, 0x23, 0x00, 0x0b, 0xf6, 0x17, 0x9c, 0x36, 0x11};

/* Every parser on the answer: the results must be in range and what a
 * success hands back must be usable; nothing more is asked of a
 * malformed answer. */
static void parse_all_safe(const unsigned char *b, int len)
{
	struct mx_rec *mx = NULL;
	struct srv_rec *srv = NULL;
	struct tlsa_rec *tlsa = NULL;
	static char unset[] = "unset";
	char *txt = unset;
	int n, i, count = -7;

	n = records_mx(b, len, &mx);
	ck_assert_int_ge(n, -1);
	ck_assert_int_le(n, RECORDS_MAX);
	if (n < 0)
		ck_assert_ptr_null(mx);
	for (i = 0; i < n; i++)
		ck_assert_uint_le(strlen(mx[i].host), 4096);
	records_mx_free(mx, n);

	n = records_srv(b, len, &srv);
	ck_assert_int_ge(n, -1);
	ck_assert_int_le(n, RECORDS_MAX);
	if (n < 0)
		ck_assert_ptr_null(srv);
	for (i = 0; i < n; i++)
		ck_assert_uint_le(strlen(srv[i].target), 4096);
	records_srv_free(srv, n);

	n = records_txt(b, len, "v=spf1", &txt, &count);
	ck_assert_int_ge(n, -1);
	ck_assert_int_le(n, 0);
	ck_assert_int_ge(count, 0);
	ck_assert_int_le(count, RECORDS_MAX);
	if (count > 0)
		ck_assert_uint_le(strlen(txt), (size_t)len * 4);
	else
		ck_assert_ptr_null(txt);
	free(txt);

	n = records_tlsa(b, len, &tlsa);
	ck_assert_int_ge(n, -1);
	ck_assert_int_le(n, RECORDS_MAX);
	if (n < 0)
		ck_assert_ptr_null(tlsa);
	for (i = 0; i < n; i++)
		ck_assert_uint_le(tlsa[i].len, (size_t)len);
	records_tlsa_free(tlsa, n);

	(void)records_ad(b, len);
}

/* Every parser must call the answer malformed. */
static void parse_all_fail(const unsigned char *b, int len)
{
	struct mx_rec *mx = NULL;
	struct srv_rec *srv = NULL;
	struct tlsa_rec *tlsa = NULL;
	char *txt = NULL;
	int n, count = 0;

	n = records_mx(b, len, &mx);
	records_mx_free(mx, n);
	ck_assert_int_eq(n, -1);
	n = records_srv(b, len, &srv);
	records_srv_free(srv, n);
	ck_assert_int_eq(n, -1);
	n = records_txt(b, len, "v=spf1", &txt, &count);
	free(txt);
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(count, 0);
	n = records_tlsa(b, len, &tlsa);
	records_tlsa_free(tlsa, n);
	ck_assert_int_eq(n, -1);
	ck_assert_ptr_null(tlsa);
}

/* --- MX --- */

START_TEST(test_mx_sorted)
{
	struct mx_rec *v;
	int n;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(30, "mx3", QNAME);
	add_mx(10, "mx1", QNAME);
	add_mx(20, "backup.other.test", 0);
	add_mx(10, "MX0", QNAME); /* same preference: by name, then */
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(v[0].preference, 10);
	ck_assert_str_eq(v[0].host, "MX0.shop.test");
	ck_assert_int_eq(v[1].preference, 10);
	ck_assert_str_eq(v[1].host, "mx1.shop.test");
	ck_assert_int_eq(v[2].preference, 20);
	ck_assert_str_eq(v[2].host, "backup.other.test");
	ck_assert_int_eq(v[3].preference, 30);
	ck_assert_str_eq(v[3].host, "mx3.shop.test");
	records_mx_free(v, n);
}
END_TEST

START_TEST(test_mx_preference_range)
{
	struct mx_rec *v;
	int n;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(65535, "last", QNAME);
	add_mx(0, "first", QNAME);
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(v[0].preference, 0);
	ck_assert_int_eq(v[1].preference, 65535);
	records_mx_free(v, n);
}
END_TEST

START_TEST(test_mx_null)
{
	struct mx_rec *v;
	int n;

	begin(F_RESPONSE, 1, "nomail.test", T_MX);
	add_mx(0, ".", 0);
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(v[0].preference, 0);
	ck_assert_str_eq(v[0].host, "");
	records_mx_free(v, n);
}
END_TEST

/* Found by fuzz_records (tests/fuzz/crashes/records-txt-empty-prefix):
 * an answer with records but no TXT one, asked with an empty prefix,
 * must match nothing (it passed NULL to strncasecmp and said "one"). */
START_TEST(test_txt_empty_prefix_no_txt)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "example.test", T_MX);
	add_mx(10, "example.test", 0);
	ck_assert_int_eq(records_txt(build(), (int)m.len, "", &out, &count), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_ptr_null(out);
}
END_TEST

/* A CNAME in front of the MX set: only the MX records count. */
START_TEST(test_mx_after_cname)
{
	struct mx_rec *v;
	int n;

	begin(F_RESPONSE, 1, "alias.test", T_MX);
	add_raw(T_CNAME, "\x04real\x04test\x00", 11);
	add_mx(5, "mx", QNAME);
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v[0].host, "mx.alias.test");
	records_mx_free(v, n);
}
END_TEST

/* Control bytes in a host name never come out raw. */
START_TEST(test_mx_host_sanitised)
{
	struct mx_rec *v;
	const char *s;
	int n;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(10, "a\033[31mb", QNAME);
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	for (s = v[0].host; *s != '\0'; s++)
		ck_assert_msg((unsigned char)*s >= 0x20 &&
				      (unsigned char)*s < 0x7f,
			      "raw byte 0x%02x in '%s'", (unsigned char)*s,
			      v[0].host);
	records_mx_free(v, n);
}
END_TEST

START_TEST(test_mx_cap)
{
	struct mx_rec *v;
	char label[16];
	int n, i;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	for (i = 0; i < RECORDS_MAX + 6; i++) {
		snprintf(label, sizeof(label), "mx%d", i);
		add_mx((unsigned)(1000 - i), label, QNAME);
	}
	n = records_mx(build(), (int)m.len, &v);
	ck_assert_int_eq(n, RECORDS_MAX);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(v[i].host);
		if (i > 0)
			ck_assert_int_le(v[i - 1].preference, v[i].preference);
	}
	records_mx_free(v, n);
}
END_TEST

/* --- SRV --- */

START_TEST(test_srv_order)
{
	struct srv_rec *v;
	int n;

	begin(F_RESPONSE, 1, "_submission._tcp.shop.test", T_SRV);
	add_srv(20, 100, 2587, "late.shop.test");
	add_srv(10, 5, 587, "light.shop.test");
	add_srv(10, 60, 587, "heavy.shop.test");
	add_srv(0, 0, 1587, "first.shop.test");
	n = records_srv(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(v[0].target, "first.shop.test");
	ck_assert_int_eq(v[0].port, 1587);
	ck_assert_str_eq(v[1].target, "heavy.shop.test");
	ck_assert_int_eq(v[1].priority, 10);
	ck_assert_int_eq(v[1].weight, 60);
	ck_assert_int_eq(v[1].port, 587);
	ck_assert_str_eq(v[2].target, "light.shop.test");
	ck_assert_int_eq(v[2].weight, 5);
	ck_assert_str_eq(v[3].target, "late.shop.test");
	ck_assert_int_eq(v[3].priority, 20);
	ck_assert_int_eq(v[3].port, 2587);
	records_srv_free(v, n);
}
END_TEST

START_TEST(test_srv_dot)
{
	struct srv_rec *v;
	int n;

	begin(F_RESPONSE, 1, "_submission._tcp.dot.test", T_SRV);
	add_srv(0, 0, 0, ".");
	n = records_srv(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v[0].target, "");
	ck_assert_int_eq(v[0].port, 0);
	records_srv_free(v, n);
}
END_TEST

START_TEST(test_srv_cap)
{
	struct srv_rec *v;
	char name[32];
	int n, i;

	begin(F_RESPONSE, 1, "_submissions._tcp.shop.test", T_SRV);
	for (i = 0; i < RECORDS_MAX + 10; i++) {
		snprintf(name, sizeof(name), "h%d.shop.test", i);
		add_srv((unsigned)(i % 3), (unsigned)i, 465, name);
	}
	n = records_srv(build(), (int)m.len, &v);
	ck_assert_int_eq(n, RECORDS_MAX);
	for (i = 1; i < n; i++)
		ck_assert(v[i - 1].priority < v[i].priority ||
			  (v[i - 1].priority == v[i].priority &&
			   v[i - 1].weight >= v[i].weight));
	records_srv_free(v, n);
}
END_TEST

/* An alias without the type asked for: no records, not an error. */
START_TEST(test_srv_cname_only)
{
	struct srv_rec *v = NULL;
	int n;

	begin(F_RESPONSE, 1, "_submission._tcp.shop.test", T_SRV);
	add_raw(T_CNAME, "\x03srv\x04shop\x04test\x00", 15);
	n = records_srv(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 0);
	records_srv_free(v, n);
}
END_TEST

/* --- TXT --- */

START_TEST(test_txt_joined)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "shop.test", T_TXT);
	add_txt("v=", "spf1 ip4:198.18.1.2", " -all", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_str_eq(out, "v=spf1 ip4:198.18.1.2 -all");
	free(out);
}
END_TEST

START_TEST(test_txt_cname_only)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "_mta-sts.shop.test", T_TXT);
	add_raw(T_CNAME, "\x03sts\x04shop\x04test\x00", 15);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=STSv1", &out, &count), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_ptr_null(out);
}
END_TEST

/* The strings of one record join; two records never do. */
START_TEST(test_txt_records_not_joined)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "_dmarc.shop.test", T_TXT);
	add_txt("v=DMARC1;", NULL);
	add_txt(" p=reject", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=DMARC1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_str_eq(out, "v=DMARC1;");
	free(out);
}
END_TEST

START_TEST(test_txt_prefix_case)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "_mta-sts.shop.test", T_TXT);
	add_txt("google-site-verification=abc", NULL);
	add_txt("V=stsV1; ID=20240101", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=STSv1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_str_eq(out, "V=stsV1; ID=20240101"); /* as published */
	free(out);
}
END_TEST

START_TEST(test_txt_two_spf)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "twospf.test", T_TXT);
	add_txt("v=spf1 -all", NULL);
	add_txt("something else", NULL);
	add_txt("v=spf1 ", "+all", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, 2);
	ck_assert_str_eq(out, "v=spf1 -all"); /* the first */
	free(out);
}
END_TEST

START_TEST(test_txt_no_match)
{
	static char unset[] = "unset";
	char *out = unset;
	int count = -1;

	begin(F_RESPONSE, 1, "shop.test", T_TXT);
	add_txt("v=spf", NULL); /* shorter than the prefix */
	add_txt("", NULL);
	add_txt("xv=spf1 -all", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_ptr_null(out);
}
END_TEST

/* An empty record between two: no string of one leaks into another. */
START_TEST(test_txt_empty_record_between)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "shop.test", T_TXT);
	add_txt("v=spf1", NULL);
	add_txt("", NULL);
	add_txt(" a", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_str_eq(out, "v=spf1");
	free(out);
}
END_TEST

/* A 255-byte string, the most one string holds, and a second one. */
START_TEST(test_txt_long_strings)
{
	char a[256], b[256], *want;
	char *out = NULL;
	int count = -1;

	memset(a, 'a', 255);
	memcpy(a, "v=spf1 ", 7);
	a[255] = '\0';
	memset(b, 'b', 255);
	b[255] = '\0';
	begin(F_RESPONSE, 1, "shop.test", T_TXT);
	add_txt(a, b, NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_int_ne(asprintf(&want, "%s%s", a, b), -1);
	ck_assert_str_eq(out, want);
	free(want);
	free(out);
}
END_TEST

/* Terminal escapes in a policy record come out escaped. */
START_TEST(test_txt_sanitised)
{
	char *out = NULL;
	int count = -1;

	begin(F_RESPONSE, 1, "_dmarc.shop.test", T_TXT);
	add_txt("v=DMARC1; p=\033[2Jreject\r\n", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=DMARC1", &out, &count), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\r'));
	ck_assert_ptr_null(strchr(out, '\n'));
	ck_assert_msg(strncmp(out, "v=DMARC1; p=", 12) == 0, "got '%s'", out);
	free(out);
}
END_TEST

START_TEST(test_txt_cap)
{
	char *out = NULL;
	int count = -1, i;

	begin(F_RESPONSE, 1, "shop.test", T_TXT);
	for (i = 0; i < RECORDS_MAX + 20; i++)
		add_txt("v=spf1 -all", NULL);
	ck_assert_int_eq(
		records_txt(build(), (int)m.len, "v=spf1", &out, &count), 0);
	ck_assert_int_eq(count, RECORDS_MAX);
	ck_assert_str_eq(out, "v=spf1 -all");
	free(out);
}
END_TEST

/* --- TLSA --- */

START_TEST(test_tlsa_basic)
{
	struct tlsa_rec *v;
	int n;

	begin(F_RESPONSE, 1, "_25._tcp.mx1.shop.test", T_TLSA);
	add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(v[0].usage, 3);
	ck_assert_uint_eq(v[0].selector, 1);
	ck_assert_uint_eq(v[0].mtype, 1);
	ck_assert_uint_eq(v[0].len, 32);
	ck_assert_mem_eq(v[0].data, sha256, 32);
	records_tlsa_free(v, n);
}
END_TEST

/* A CNAME before and RRSIGs among them: only type 52 counts, in order. */
START_TEST(test_tlsa_among_others)
{
	static const unsigned char rrsig[] = {
		0x00, 0x34, 0x0d, 0x04, 0x00, 0x00, 0x01, 0x2c, 0x65,
		0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x30, 0x39,
		0x04, 's',  'h',  'o',	'p',  0x04, 't',  'e',	's',
		't',  0x00, 0xde, 0xad, 0xbe, 0xef};
	static const unsigned char full[3] = {0xaa, 0xbb, 0xcc};
	struct tlsa_rec *v;
	int n;

	begin(F_RESPONSE | F_AD, 1, "_25._tcp.smtp.shop.test", T_TLSA);
	add_raw(T_CNAME, "\x03mx1\x04shop\x04test\x00", 15);
	add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	add_raw(T_RRSIG, rrsig, sizeof(rrsig));
	add_tlsa(2, 0, 0, full, sizeof(full));
	add_raw(T_RRSIG, rrsig, sizeof(rrsig));
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(v[0].usage, 3);
	ck_assert_uint_eq(v[0].len, 32);
	ck_assert_mem_eq(v[0].data, sha256, 32);
	ck_assert_uint_eq(v[1].usage, 2);
	ck_assert_uint_eq(v[1].selector, 0);
	ck_assert_uint_eq(v[1].mtype, 0);
	ck_assert_uint_eq(v[1].len, 3);
	ck_assert_mem_eq(v[1].data, full, 3);
	records_tlsa_free(v, n);
	ck_assert(records_ad(copy, (int)m.len));
}
END_TEST

/* Only a CNAME: no TLSA, not an error; *out still wants freeing. */
START_TEST(test_tlsa_none)
{
	struct tlsa_rec *v = NULL;
	int n;

	begin(F_RESPONSE, 1, "_25._tcp.smtp.shop.test", T_TLSA);
	add_raw(T_CNAME, "\x03mx1\x04shop\x04test\x00", 15);
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 0);
	records_tlsa_free(v, n);
}
END_TEST

/* Usage, selector and matching type with no data: 3 bytes is legal. */
START_TEST(test_tlsa_empty_data)
{
	struct tlsa_rec *v;
	int n;

	begin(F_RESPONSE, 1, "_25._tcp.mx1.shop.test", T_TLSA);
	add_tlsa(255, 255, 255, NULL, 0);
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(v[0].usage, 255);
	ck_assert_uint_eq(v[0].selector, 255);
	ck_assert_uint_eq(v[0].mtype, 255);
	ck_assert_uint_eq(v[0].len, 0);
	ck_assert_ptr_nonnull(v[0].data);
	records_tlsa_free(v, n);
}
END_TEST

START_TEST(test_tlsa_cap)
{
	struct tlsa_rec *v;
	int n, i;

	begin(F_RESPONSE, 1, "_25._tcp.mx1.shop.test", T_TLSA);
	for (i = 0; i < RECORDS_MAX + 6; i++)
		add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, RECORDS_MAX);
	for (i = 0; i < n; i++)
		ck_assert_mem_eq(v[i].data, sha256, 32);
	records_tlsa_free(v, n);
}
END_TEST

/* A long name in the question and an uncompressed owner name. */
START_TEST(test_tlsa_uncompressed_owner)
{
	struct tlsa_rec *v;
	size_t at;
	int n;

	begin(F_RESPONSE, 1, "_465._tcp.smtp.shop.test", T_TLSA);
	put_name("_465._tcp.smtp.shop.test", 0);
	put16(T_TLSA);
	put16(1);
	put32(60);
	at = m.len;
	put16(0);
	put8(3);
	put8(0);
	put8(2);
	put(sha256, sizeof(sha256));
	put(sha256, sizeof(sha256));
	rr_end(at);
	m.an = 1;
	n = records_tlsa(build(), (int)m.len, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(v[0].mtype, 2);
	ck_assert_uint_eq(v[0].len, 64);
	records_tlsa_free(v, n);
}
END_TEST

/* --- AD bit --- */

START_TEST(test_ad_on)
{
	begin(F_RESPONSE | F_AD, 1, "shop.test", T_MX);
	add_mx(10, "mx1", QNAME);
	ck_assert(records_ad(build(), (int)m.len));
	/* the header alone is enough to read it */
	ck_assert(records_ad(raw(12), 12));
}
END_TEST

START_TEST(test_ad_off)
{
	/* every other flag set: only bit 0x20 of byte 3 is AD */
	begin(0xffff & ~F_AD, 1, "shop.test", T_MX);
	add_mx(10, "mx1", QNAME);
	ck_assert(!records_ad(build(), (int)m.len));
}
END_TEST

START_TEST(test_ad_short)
{
	begin(F_RESPONSE | F_AD, 0, NULL, 0);
	ck_assert(!records_ad(raw(11), 11));
	ck_assert(!records_ad(raw(3), 3));
	ck_assert(!records_ad(raw(0), 0));
	ck_assert(!records_ad(raw(12), -1));
	ck_assert(!records_ad(NULL, 0));
	ck_assert(!records_ad(NULL, 512));
}
END_TEST

/* --- malformed answers --- */

START_TEST(test_bad_truncated_header)
{
	size_t len;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(10, "mx1", QNAME);
	build();
	for (len = 0; len < 12; len++)
		parse_all_fail(raw(len), (int)len);
}
END_TEST

START_TEST(test_bad_zero_length)
{
	unsigned char *z = malloc(1);
	struct tlsa_rec *v = NULL;

	ck_assert_ptr_nonnull(z);
	z[0] = 0;
	parse_all_fail(z, 0);
	ck_assert(!records_ad(z, 0));
	ck_assert_int_eq(records_tlsa(z, -5, &v), -1);
	ck_assert_ptr_null(v);
	free(z);
}
END_TEST

START_TEST(test_bad_null_buffer)
{
	struct tlsa_rec *v = (struct tlsa_rec *)&v;

	ck_assert_int_eq(records_tlsa(NULL, 0, &v), -1);
	ck_assert_ptr_null(v);
	v = (struct tlsa_rec *)&v;
	ck_assert_int_eq(records_tlsa(NULL, 4096, &v), -1);
	ck_assert_ptr_null(v);
	ck_assert(!records_ad(NULL, 4096));
	/* the c-ares parsers look at alen first */
	parse_all_fail(NULL, 0);
}
END_TEST

/* The header promises more questions than there are. */
START_TEST(test_bad_qdcount)
{
	begin(F_RESPONSE, 5, "shop.test", T_TLSA);
	add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	parse_all_fail(build(), (int)m.len);
}
END_TEST

/* qdcount 65535 over a header alone. */
START_TEST(test_bad_qdcount_max)
{
	begin(F_RESPONSE, 0xffff, NULL, 0);
	parse_all_fail(build(), (int)m.len);
}
END_TEST

/* A question name that is a pointer to itself. */
START_TEST(test_bad_pointer_loop_self)
{
	begin(F_RESPONSE, 1, NULL, 0);
	put16(0xc000 | QNAME);
	put16(T_MX);
	put16(1);
	add_mx(10, "mx1", QNAME);
	parse_all_fail(build(), (int)m.len);
}
END_TEST

/* Two pointers that point at each other, in an answer's owner name. */
START_TEST(test_bad_pointer_loop_pair)
{
	size_t a;

	begin(F_RESPONSE, 1, "shop.test", T_TLSA);
	a = m.len;
	put8(1);
	put8('x');
	put16(0xc000 | (unsigned)(a + 4)); /* -> the pointer below */
	put16(0xc000 | (unsigned)a);	   /* -> back to the label */
	put16(T_TLSA);
	put16(1);
	put32(300);
	put16(3);
	put8(3);
	put8(1);
	put8(1);
	m.an = 1;
	parse_all_fail(build(), (int)m.len);
}
END_TEST

/* A pointer to an offset past the end of the answer. */
START_TEST(test_bad_pointer_past_end)
{
	size_t at;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	put16(0xc000 | 0x3ff); /* owner */
	put16(T_MX);
	put16(1);
	put32(300);
	at = m.len;
	put16(0);
	put16(10);
	put_name("mx1", QNAME);
	rr_end(at);
	m.an = 1;
	parse_all_fail(build(), (int)m.len);
}
END_TEST

/* The same, with the pointer inside the MX and SRV data: the answers
 * carry their host names there. */
START_TEST(test_bad_pointer_in_rdata)
{
	struct mx_rec *mx = NULL;
	struct srv_rec *srv = NULL;
	size_t at;
	int n;

	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(10, "mx1", 0x3ff);
	n = records_mx(build(), (int)m.len, &mx);
	records_mx_free(mx, n);
	ck_assert_int_eq(n, -1);

	begin(F_RESPONSE, 1, "_submission._tcp.shop.test", T_SRV);
	at = rr_begin(T_SRV);
	put16(0);
	put16(0);
	put16(587);
	put16(0xc000 | 0x3ff);
	rr_end(at);
	n = records_srv(build(), (int)m.len, &srv);
	records_srv_free(srv, n);
	ck_assert_int_eq(n, -1);
}
END_TEST

/* A label that runs past the end of the answer. */
START_TEST(test_bad_label_past_end)
{
	begin(F_RESPONSE, 1, NULL, 0);
	put8(63);
	put("shop", 4);
	parse_all_fail(build(), (int)m.len);
}
END_TEST

START_TEST(test_bad_rdlength_past_end)
{
	size_t at;
	unsigned types[] = {T_MX, T_SRV, T_TXT, T_TLSA};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		begin(F_RESPONSE, 1, "shop.test", types[i]);
		at = rr_begin(types[i]);
		put16(10);
		put8(0);
		put8(0);
		rr_end(at);
		set16(at, 200); /* 4 bytes follow, not 200 */
		parse_all_fail(build(), (int)m.len);
	}
}
END_TEST

/* The fixed part of an answer RR cut short. */
START_TEST(test_bad_rr_fixed_part)
{
	begin(F_RESPONSE, 1, "shop.test", T_TLSA);
	put16(0xc000 | QNAME);
	put16(T_TLSA);
	put16(1);
	put16(0); /* half a TTL, no rdlength */
	m.an = 1;
	parse_all_fail(build(), (int)m.len);
}
END_TEST

START_TEST(test_bad_tlsa_short_rdata)
{
	struct tlsa_rec *v = NULL;
	size_t at, len;
	int n;

	for (len = 0; len < 3; len++) {
		begin(F_RESPONSE, 1, "_25._tcp.mx1.shop.test", T_TLSA);
		add_tlsa(3, 1, 1, sha256, sizeof(sha256)); /* a good one */
		at = rr_begin(T_TLSA);
		put("\x03\x01\x01", len);
		rr_end(at);
		n = records_tlsa(build(), (int)m.len, &v);
		ck_assert_msg(n == -1 || (n >= 0 && n <= 1),
			      "rdlength %zu: %d records", len, n);
		records_tlsa_free(v, n);
		v = NULL;
	}
}
END_TEST

/* ancount 65535 over one record. */
START_TEST(test_bad_ancount_max)
{
	begin(F_RESPONSE, 1, "shop.test", T_MX);
	add_mx(10, "mx1", QNAME);
	build();
	set16(6, 0xffff);
	parse_all_fail(raw(m.len), (int)m.len);
}
END_TEST

/* ancount one more than there are, each parser on its own type. */
START_TEST(test_bad_ancount_plus_one)
{
	begin(F_RESPONSE, 1, "shop.test", T_TLSA);
	add_mx(10, "mx1", QNAME);
	add_srv(0, 0, 587, "smtp.shop.test");
	add_txt("v=spf1 -all", NULL);
	add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	build();
	set16(6, m.an + 1);
	parse_all_fail(raw(m.len), (int)m.len);
}
END_TEST

/* One answer holding every kind, used by the two loops below. */
static void mixed_answer(void)
{
	begin(F_RESPONSE | F_AD, 1, "shop.test", T_MX);
	add_mx(20, "mx2", QNAME);
	add_mx(10, "mx1", QNAME);
	add_mx(0, ".", 0);
	add_srv(0, 1, 587, "smtp.shop.test");
	add_srv(0, 0, 0, ".");
	add_txt("v=spf1 ", "-all", NULL);
	add_txt("v=DMARC1; p=reject", NULL);
	add_raw(T_CNAME, "\x03mx1\xc0\x0c", 6);
	add_tlsa(3, 1, 1, sha256, sizeof(sha256));
	add_tlsa(3, 0, 0, NULL, 0);
	build();
}

/* Every prefix of a valid answer, each in a buffer of its exact size. */
START_TEST(test_bad_every_truncation)
{
	size_t len, full;

	mixed_answer();
	full = m.len;
	parse_all_safe(copy, (int)full); /* the whole one parses */
	for (len = 0; len < full; len++)
		parse_all_safe(raw(len), (int)len);
}
END_TEST

/* Each byte of a valid answer replaced by values that mean something to
 * a name or a length parser. */
START_TEST(test_bad_every_byte)
{
	static const unsigned char vals[] = {0x00, 0x01, 0x3f, 0x40,
					     0x7f, 0xc0, 0xff};
	unsigned char keep;
	size_t i, k, full;

	mixed_answer();
	full = m.len;
	for (i = 0; i < full; i++) {
		keep = m.b[i];
		for (k = 0; k < sizeof(vals); k++) {
			m.b[i] = vals[k];
			parse_all_safe(raw(full), (int)full);
		}
		m.b[i] = keep;
	}
}
END_TEST

Suite *records_suite(void)
{
	Suite *s = suite_create("records");
	TCase *mx = tcase_create("mx");
	TCase *srv = tcase_create("srv");
	TCase *txt = tcase_create("txt");
	TCase *tlsa = tcase_create("tlsa");
	TCase *ad = tcase_create("ad");
	TCase *bad = tcase_create("malformed");

	tcase_add_checked_fixture(mx, setup, teardown);
	tcase_add_test(mx, test_mx_sorted);
	tcase_add_test(mx, test_mx_preference_range);
	tcase_add_test(mx, test_mx_null);
	tcase_add_test(mx, test_txt_empty_prefix_no_txt);
	tcase_add_test(mx, test_mx_after_cname);
	tcase_add_test(mx, test_mx_host_sanitised);
	tcase_add_test(mx, test_mx_cap);
	suite_add_tcase(s, mx);

	tcase_add_checked_fixture(srv, setup, teardown);
	tcase_add_test(srv, test_srv_order);
	tcase_add_test(srv, test_srv_dot);
	tcase_add_test(srv, test_srv_cap);
	tcase_add_test(srv, test_srv_cname_only);
	suite_add_tcase(s, srv);

	tcase_add_checked_fixture(txt, setup, teardown);
	tcase_add_test(txt, test_txt_joined);
	tcase_add_test(txt, test_txt_cname_only);
	tcase_add_test(txt, test_txt_records_not_joined);
	tcase_add_test(txt, test_txt_prefix_case);
	tcase_add_test(txt, test_txt_two_spf);
	tcase_add_test(txt, test_txt_no_match);
	tcase_add_test(txt, test_txt_empty_record_between);
	tcase_add_test(txt, test_txt_long_strings);
	tcase_add_test(txt, test_txt_sanitised);
	tcase_add_test(txt, test_txt_cap);
	suite_add_tcase(s, txt);

	tcase_add_checked_fixture(tlsa, setup, teardown);
	tcase_add_test(tlsa, test_tlsa_basic);
	tcase_add_test(tlsa, test_tlsa_among_others);
	tcase_add_test(tlsa, test_tlsa_none);
	tcase_add_test(tlsa, test_tlsa_empty_data);
	tcase_add_test(tlsa, test_tlsa_cap);
	tcase_add_test(tlsa, test_tlsa_uncompressed_owner);
	suite_add_tcase(s, tlsa);

	tcase_add_checked_fixture(ad, setup, teardown);
	tcase_add_test(ad, test_ad_on);
	tcase_add_test(ad, test_ad_off);
	tcase_add_test(ad, test_ad_short);
	suite_add_tcase(s, ad);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_bad_truncated_header);
	tcase_add_test(bad, test_bad_zero_length);
	tcase_add_test(bad, test_bad_null_buffer);
	tcase_add_test(bad, test_bad_qdcount);
	tcase_add_test(bad, test_bad_qdcount_max);
	tcase_add_test(bad, test_bad_pointer_loop_self);
	tcase_add_test(bad, test_bad_pointer_loop_pair);
	tcase_add_test(bad, test_bad_pointer_past_end);
	tcase_add_test(bad, test_bad_pointer_in_rdata);
	tcase_add_test(bad, test_bad_label_past_end);
	tcase_add_test(bad, test_bad_rdlength_past_end);
	tcase_add_test(bad, test_bad_rr_fixed_part);
	tcase_add_test(bad, test_bad_tlsa_short_rdata);
	tcase_add_test(bad, test_bad_ancount_max);
	tcase_add_test(bad, test_bad_ancount_plus_one);
	tcase_add_test(bad, test_bad_every_truncation);
	tcase_add_test(bad, test_bad_every_byte);
	suite_add_tcase(s, bad);
	return s;
}
