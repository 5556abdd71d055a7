/* core/share with probe keys, and probe_copy: one probe per (address, port,
 * name) in a bulk run, and what a target that did not run it gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "core/share.h"
#include "tests/unit/suites.h"

static struct probe mk(const char *address, int port, const char *host)
{
	struct probe p;

	memset(&p, 0, sizeof(p));
	probe_init(&p);
	snprintf(p.address, sizeof(p.address), "%s", address);
	p.port = port;
	p.host = host ? strdup(host) : NULL;
	return p;
}

static const char *got[4];
static int ngot;
static void on_value(void *arg, const void *value)
{
	(void)arg;
	got[ngot++] = value;
}

static enum share_claim claim(struct share *sh, const struct probe *p,
			      const void **v)
{
	char key[PROBE_KEY_MAX];

	probe_key(p, key, sizeof(key));
	return share_claim(sh, key, on_value, NULL, v);
}

static void publish(struct share *sh, const struct probe *p, void *value,
		    void (*free_value)(void *))
{
	char key[PROBE_KEY_MAX];

	probe_key(p, key, sizeof(key));
	share_publish(sh, key, value, free_value);
}

static int freed;
static void count_free(void *v)
{
	freed++;
	free(v);
}

START_TEST(test_claim_wait_ready)
{
	struct share *sh = share_new(8);
	struct probe a = mk("198.18.1.2", 25, "mx.example.test");
	struct probe b = mk("198.18.1.2", 25, "mx.example.test");
	const void *v = NULL;

	ngot = 0;
	freed = 0;
	ck_assert_int_eq(claim(sh, &a, &v), SHARE_RUN);
	/* the same key while it runs: wait, twice, called in order */
	ck_assert_int_eq(claim(sh, &b, &v), SHARE_WAIT);
	ck_assert_int_eq(claim(sh, &b, &v), SHARE_WAIT);
	ck_assert_int_eq(ngot, 0);
	publish(sh, &a, strdup("found"), count_free);
	ck_assert_int_eq(ngot, 2);
	ck_assert_str_eq(got[0], "found");
	ck_assert_ptr_eq(got[0], got[1]);
	/* ended: taken at once */
	ck_assert_int_eq(claim(sh, &b, &v), SHARE_READY);
	ck_assert_str_eq(v, "found");
	ck_assert_int_eq(ngot, 2);
	share_free(sh);
	ck_assert_int_eq(freed, 1);
	probe_free(&a);
	probe_free(&b);
}
END_TEST

START_TEST(test_key)
{
	struct share *sh = share_new(8);
	struct probe a = mk("198.18.1.2", 25, "mx.example.test");
	struct probe other_name = mk("198.18.1.2", 25, "smtp.example.test");
	struct probe literal = mk("198.18.1.2", 25, NULL);
	struct probe other_port = mk("198.18.1.2", 587, "mx.example.test");
	struct probe other_addr = mk("fd00:1::2", 25, "mx.example.test");
	struct probe control = mk("198.18.1.2", 25, "mx.example.test");
	struct probe tls = mk("198.18.1.2", 25, "mx.example.test");
	const void *v;

	control.connect_only = true;
	tls.expect = MODE_TLS;
	ck_assert_int_eq(claim(sh, &a, &v), SHARE_RUN);
	/* the name checked, the port, the address, the kind and the mode
	 * are all part of what makes a probe the same */
	ck_assert_int_eq(claim(sh, &other_name, &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &literal, &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &other_port, &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &other_addr, &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &control, &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &tls, &v), SHARE_RUN);
	share_free(sh);
	probe_free(&a);
	probe_free(&other_name);
	probe_free(&literal);
	probe_free(&other_port);
	probe_free(&other_addr);
	probe_free(&control);
	probe_free(&tls);
}
END_TEST

/* Memory does not grow with the run: the oldest ended probe goes first. */
START_TEST(test_keep_bounded)
{
	struct share *sh = share_new(2);
	struct probe p[3] = {mk("198.18.1.2", 25, NULL),
			     mk("198.18.1.2", 587, NULL),
			     mk("198.18.1.2", 465, NULL)};
	const void *v;
	int i;

	freed = 0;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(claim(sh, &p[i], &v), SHARE_RUN);
		publish(sh, &p[i], strdup("x"), count_free);
	}
	ck_assert_int_eq(freed, 1);
	/* the first was forgotten: run again; the others are kept */
	ck_assert_int_eq(claim(sh, &p[0], &v), SHARE_RUN);
	ck_assert_int_eq(claim(sh, &p[1], &v), SHARE_READY);
	ck_assert_int_eq(claim(sh, &p[2], &v), SHARE_READY);
	share_free(sh);
	ck_assert_int_eq(freed, 3);
	for (i = 0; i < 3; i++)
		probe_free(&p[i]);
}
END_TEST

START_TEST(test_copy_deep)
{
	struct probe src = mk("198.18.1.2", 587, "mx.example.test");
	struct probe dst = mk("198.18.1.2", 587, "mx.example.test");

	src.role = strdup("mx");
	dst.role = strdup("guess");
	src.banner = strdup("220 mx.example.test ESMTP");
	src.greeting_code = 220;
	strlist_add(&src.ehlo, "STARTTLS");
	src.tls.done = true;
	src.tls.issuer = strdup("CN=Test CA");
	strlist_add(&src.tls.names, "mx.example.test");
	src.tls.chain[0].data = malloc(3);
	memcpy(src.tls.chain[0].data, "DER", 3);
	src.tls.chain[0].size = 3;
	src.tls.nchain = 1;
	src.ms[PH_CONNECT] = 51;
	ck_assert_int_eq(probe_copy(&dst, &src), 0);
	/* the target's own role stays; what was seen is copied */
	ck_assert_str_eq(dst.role, "guess");
	ck_assert_int_eq(dst.greeting_code, 220);
	ck_assert_int_eq(dst.ms[PH_CONNECT], 51);
	ck_assert_str_eq(dst.banner, src.banner);
	ck_assert_ptr_ne(dst.banner, src.banner);
	ck_assert_uint_eq(dst.ehlo.n, 1);
	ck_assert_ptr_ne(dst.ehlo.v, src.ehlo.v);
	ck_assert_str_eq(dst.tls.issuer, "CN=Test CA");
	ck_assert_ptr_ne(dst.tls.issuer, src.tls.issuer);
	ck_assert_uint_eq(dst.tls.nchain, 1);
	ck_assert_ptr_ne(dst.tls.chain[0].data, src.tls.chain[0].data);
	ck_assert_int_eq(memcmp(dst.tls.chain[0].data, "DER", 3), 0);
	/* each frees its own (the sanitizers and valgrind would see a
	 * double free or a leak) */
	probe_free(&src);
	ck_assert_str_eq(dst.banner, "220 mx.example.test ESMTP");
	ck_assert_str_eq(dst.tls.names.v[0], "mx.example.test");
	probe_free(&dst);
}
END_TEST

Suite *share_suite(void)
{
	Suite *s = suite_create("share");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_claim_wait_ready);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_keep_bounded);
	tcase_add_test(tc, test_copy_deep);
	suite_add_tcase(s, tc);
	return s;
}
