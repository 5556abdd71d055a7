/*
 * suites - the Check suites of the unit tests, one per module under test;
 * main.c runs them all.
 */
#ifndef TESTS_UNIT_SUITES_H
#define TESTS_UNIT_SUITES_H

#include <check.h>

Suite *reply_suite(void);
Suite *caps_suite(void);
Suite *target_suite(void);
Suite *sanitize_suite(void);
Suite *loop_suite(void);
Suite *verdict_suite(void);
Suite *report_suite(void);
Suite *session_suite(void);
Suite *records_suite(void);
Suite *mtasts_suite(void);
Suite *findings_suite(void);
Suite *markdown_suite(void);
Suite *egress_suite(void);
Suite *html_suite(void);
Suite *hops_suite(void);
Suite *monitor_suite(void);
Suite *plan_suite(void);
Suite *sched_suite(void);
Suite *check_suite(void);
Suite *secret_suite(void);
Suite *share_suite(void);
Suite *trust_suite(void);
Suite *addrs_suite(void);
Suite *conclusion_suite(void);

#endif
