/* The unit tests: every suite in one runner.  CK_VERBOSITY and
 * CK_RUN_SUITE / CK_RUN_CASE (see the Check manual) pick what to show and
 * what to run.  Exits non-zero when any test failed. */
#include <stdlib.h>

#include "tests/unit/suites.h"

int main(void)
{
	SRunner *sr = srunner_create(reply_suite());
	int failed;

	srunner_add_suite(sr, caps_suite());
	srunner_add_suite(sr, target_suite());
	srunner_add_suite(sr, sanitize_suite());
	srunner_add_suite(sr, loop_suite());
	srunner_add_suite(sr, verdict_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, session_suite());
	srunner_add_suite(sr, records_suite());
	srunner_add_suite(sr, mtasts_suite());
	srunner_add_suite(sr, findings_suite());
	srunner_add_suite(sr, markdown_suite());
	srunner_add_suite(sr, egress_suite());
	srunner_add_suite(sr, html_suite());
	srunner_add_suite(sr, hops_suite());
	srunner_add_suite(sr, monitor_suite());
	srunner_add_suite(sr, plan_suite());
	srunner_add_suite(sr, check_suite());
	srunner_add_suite(sr, sched_suite());
	srunner_add_suite(sr, secret_suite());
	srunner_add_suite(sr, share_suite());
	srunner_add_suite(sr, trust_suite());
	srunner_add_suite(sr, addrs_suite());
	srunner_add_suite(sr, conclusion_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
