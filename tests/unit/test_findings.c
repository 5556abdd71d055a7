/* Findings are never dropped silently: repeats are counted, and an error
 * always finds room (reports/verdict.c findings_add, report_finding). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/verdict.h"
#include "tests/unit/suites.h"

static struct report R;

static void setup(void)
{
	memset(&R, 0, sizeof(R));
}

static const struct finding *find(const char *id)
{
	size_t i;

	for (i = 0; i < R.nfindings; i++)
		if (strcmp(R.findings[i].id, id) == 0)
			return &R.findings[i];
	return NULL;
}

/* Forty out-of-domain SRV findings, then an error: the error is kept,
 * repeats are counted, none is lost without a trace. */
START_TEST(test_never_drop_errors)
{
	const struct finding *f;
	unsigned similar = 0;
	size_t i;

	for (i = 0; i < 40; i++)
		report_finding(&R, "srv-outside-domain", SEV_INFO,
			       "the SRV records point outside the domain, "
			       "to %s",
			       i % 2 ? "a.provider.test" : "b.provider.test");
	ck_assert_uint_eq(R.nfindings, 2);
	ck_assert_uint_eq(R.findings[0].count + R.findings[1].count, 40);
	ck_assert_ptr_nonnull(strstr(R.findings[0].message, "(20 times)"));
	for (i = 0; i < 40; i++)
		report_finding(&R, "srv-outside-domain", SEV_INFO,
			       "the SRV records point outside the domain, "
			       "to smtp%zu.provider.test",
			       i);
	report_finding(&R, "inconsistent-addresses", SEV_ERROR, "one error");
	f = find("inconsistent-addresses");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->message, "one error");
	ck_assert_uint_le(R.nfindings, VERDICT_MAX_FINDINGS);
	for (i = 0; i < R.nfindings; i++)
		similar += R.findings[i].similar + R.findings[i].count;
	ck_assert_uint_eq(similar, 40 + 40 + 1);
}
END_TEST

/* A full list of errors of different ids: one more is counted on one of
 * them, never silently lost. */
START_TEST(test_full_of_errors)
{
	static char ids[VERDICT_MAX_FINDINGS + 1][16];
	unsigned similar = 0;
	size_t i;

	for (i = 0; i <= VERDICT_MAX_FINDINGS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "e%zu", i);
		report_finding(&R, ids[i], SEV_ERROR, "error %zu", i);
	}
	ck_assert_uint_eq(R.nfindings, VERDICT_MAX_FINDINGS);
	for (i = 0; i < R.nfindings; i++)
		similar += R.findings[i].similar;
	ck_assert_uint_eq(similar, 1);
	ck_assert_ptr_nonnull(strstr(R.findings[R.nfindings - 1].message,
				     "and 1 more of this kind"));
}
END_TEST

Suite *findings_suite(void)
{
	Suite *s = suite_create("findings");
	TCase *tc = tcase_create("findings");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_never_drop_errors);
	tcase_add_test(tc, test_full_of_errors);
	suite_add_tcase(s, tc);
	return s;
}
