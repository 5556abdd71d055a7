/* reports/nagios and reports/openmetrics: the monitoring formats on
 * reports built by hand.  The plugin output is held to the Monitoring
 * Plugins guidelines' grammar with POSIX regular expressions; the
 * exposition to the OpenMetrics rules a parser enforces (families whole,
 * series unique, escapes, # EOF). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/nagios.h"
#include "reports/openmetrics.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static struct report R;
static char *out;
static size_t outlen;

static void setup(void)
{
	static const int ports[] = {25, 587, 465};

	memset(&R, 0, sizeof(R));
	R.target = strdup("mail.example.test");
	R.host = strdup("mail.example.test");
	R.ports = calloc(3, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	memcpy(R.ports, ports, sizeof(ports));
	R.nports = 3;
	R.duration_ms = 312;
	R.cert_warn_days = 21;
	R.cert_crit_days = 7;
	out = NULL;
	outlen = 0;
}

static void teardown(void)
{
	report_free(&R);
	free(out);
}

static struct probe *add(const char *host, const char *address, int port)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **v;

	ck_assert_ptr_nonnull(p);
	v = realloc(R.probes, (R.nprobes + 1) * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	R.probes = v;
	R.probes[R.nprobes++] = p;
	probe_init(p);
	p->addr.ss_family = strchr(address, ':') ? AF_INET6 : AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	p->port = port;
	p->expect = port == 465 ? MODE_TLS : MODE_PLAIN;
	p->spoke = p->expect;
	p->host = host ? strdup(host) : NULL;
	p->role = strdup("given");
	p->cert_warn_days = R.cert_warn_days;
	p->cert_crit_days = R.cert_crit_days;
	return p;
}

static void blocked(struct probe *p)
{
	p->end = END_TIMEOUT;
	p->end_phase = PH_CONNECT;
	p->total_ms = 2000;
}

static void tls_ok(struct probe *p, long days)
{
	p->tls.done = true;
	snprintf(p->tls.version, sizeof(p->tls.version), "TLS1.3");
	p->tls.verified = p->tls.trusted = p->tls.name_ok = true;
	ck_assert_int_eq(strlist_add(&p->tls.names, "mail.example.test"), 0);
	p->tls.seen = 1800000000;
	p->tls.not_before = 1700000000;
	p->tls.not_after = p->tls.seen + days * 86400 + 3600;
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
}

/* A session that worked: STARTTLS, or implicit TLS on 465. */
static struct probe *good(const char *address, int port, long days)
{
	struct probe *p = add("mail.example.test", address, port);

	p->connected = true;
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP");
	if (p->expect == MODE_PLAIN) {
		p->ehlo_code = 250;
		ck_assert_int_eq(strlist_add(&p->ehlo, "STARTTLS"), 0);
		p->starttls_code = 220;
		p->ms[PH_HANDSHAKE] = 9;
	} else {
		p->ms[PH_HANDSHAKE_IMPLICIT] = 8;
	}
	tls_ok(p, days);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->ms[PH_CONNECT] = 1;
	p->ms[PH_GREETING] = 2;
	p->total_ms = 25;
	return p;
}

static void write_nagios(void)
{
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_nagios(f, &R), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* The guidelines' grammar, as tests/check-nagios has it. */
#define NUM "-?[0-9]+(\\.[0-9]+)?"
#define RANGE "@?((" NUM "|~):)?(" NUM ")?"
static const char item_re[] =
	"^('([^'=]|'')+'|[^'= ]+)=(U|" NUM ")(s|ms|us|%|B|KB|MB|TB|c)?"
	"(;(" RANGE ")?(;(" RANGE ")?(;(" NUM ")?(;(" NUM ")?)?)?)?)?$";
static const char first_re[] =
	"^SMTPPROBE (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \\| (.*)$";

static bool matches(const char *re, const char *s)
{
	regex_t rx;
	int rc;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return rc == 0;
}

/* Checks out against the grammar: the first line, long output without
 * '|', then perfdata items, one a line, with no label twice.  Returns
 * the number of perfdata items. */
static int check_grammar(void)
{
	char *copy, *line, *save = NULL, *labels[256];
	int n = 0, i, lineno = 0;
	bool perf = false;

	ck_assert_msg(outlen > 0 && out[outlen - 1] == '\n',
		      "no final newline");
	copy = strdup(out);
	ck_assert_ptr_nonnull(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *item = line;

		if (lineno++ == 0) {
			ck_assert_msg(matches(first_re, line), "first line: %s",
				      line);
			item = strstr(line, " | ") + 3;
		} else if (!perf && strchr(line, '|') != NULL) {
			ck_assert_msg(strncmp(line, "| ", 2) == 0,
				      "a '|' inside long output: %s", line);
			perf = true;
			item = line + 2;
		} else if (!perf) {
			continue;
		}
		ck_assert_msg(matches(item_re, item), "perfdata item: %s",
			      item);
		*strchr(item, '=') = '\0';
		for (i = 0; i < n; i++)
			ck_assert_msg(strcmp(labels[i], item) != 0,
				      "label %s twice", item);
		ck_assert_int_lt(n, 256);
		labels[n++] = item;
	}
	free(copy);
	return n;
}

static int count_lines(const char *prefix)
{
	const char *s = out;
	int n = 0;

	for (; s != NULL && *s != '\0'; s = strchr(s, '\n'), s = s ? s + 1 : s)
		n += strncmp(s, prefix, strlen(prefix)) == 0;
	return n;
}

/* How many times s occurs in the output. */
static int occurrences(const char *s)
{
	const char *at = out;
	int n = 0;

	while (at != NULL && (at = strstr(at, s)) != NULL) {
		n++;
		at += strlen(s);
	}
	return n;
}

START_TEST(test_nagios_ok)
{
	good("198.18.0.2", 587, 300);
	good("198.18.0.2", 465, 300);
	ck_assert_int_eq(nagios_state(&R), NAGIOS_OK);
	write_nagios();
	ck_assert_int_eq(check_grammar(), 9); /* time + 2 x 4 */
	ck_assert_msg(strncmp(out,
			      "SMTPPROBE OK - mail.example.test: 2 "
			      "connections: 1 starttls, 1 implicit-tls; "
			      "use mail.example.test:465 SSL; "
			      "certificates: 300 days left at the "
			      "soonest | 'time'=0.312s;;;0\n",
			      strlen("SMTPPROBE OK - mail.example.test: 2 "
				     "connections: 1 starttls, 1 implicit-tls; "
				     "use mail.example.test:465 SSL; "
				     "certificates: 300 days left at the "
				     "soonest | 'time'=0.312s;;;0\n")) == 0,
		      "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "| 'mail.example.test 198.18.0.2:587 "
					  "connect'=0.001s;;;0\n"));
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test 198.18.0.2:587 "
					  "handshake'=0.009s;;;0\n"));
	/* implicit TLS's handshake is the handshake too */
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test 198.18.0.2:465 "
					  "handshake'=0.008s;;;0\n"));
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test 198.18.0.2:465 "
					  "cert_days'=300;21:;7:\n"));
	ck_assert_int_eq(count_lines("mail.example.test:"), 2);
}
END_TEST

/* Expiry ahead: WARNING within WARN days, CRITICAL within CRIT. */
START_TEST(test_nagios_expiry)
{
	struct probe *p = good("fd00::2", 465, 10);

	ck_assert_int_eq(nagios_state(&R), NAGIOS_WARNING);
	p->tls.not_after = p->tls.seen + 3 * 86400 + 3600;
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
	write_nagios();
	check_grammar();
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test [fd00::2]:465 "
					  "cert_days'=3;21:;7:\n"));
	ck_assert_ptr_nonnull(strstr(out, "first certificate-expires-soon on "
					  "mail.example.test:465 (fd00::2);"));
	ck_assert_int_eq(count_lines("[error] certificate-expires-soon "
				     "mail.example.test:465 (fd00::2): "),
			 1);
	/* --cert-days 0: no look-ahead, no thresholds in the perfdata */
	R.cert_warn_days = R.cert_crit_days = 0;
	p->cert_warn_days = p->cert_crit_days = 0;
	ck_assert_int_eq(nagios_state(&R), NAGIOS_OK);
	free(out);
	out = NULL;
	write_nagios();
	check_grammar();
	ck_assert_ptr_nonnull(strstr(out, "cert_days'=3\n"));
}
END_TEST

/* One certificate seen by two sessions a second apart, across a whole
 * day from its not_after: the run counts its days left once, from when
 * it started, not per session (29 on one address and 30 on the other). */
START_TEST(test_days_left_one_clock)
{
	struct probe *a = good("198.18.0.2", 465, 30);
	struct probe *b = good("fd00::2", 465, 30);
	const time_t end = a->tls.not_after;

	a->tls.seen = end - 30 * 86400; /* 30 days to the second */
	b->tls.seen = a->tls.seen + 1;	/* 29 days and 86399 s */
	b->tls.not_after = end;
	R.started = a->tls.seen - 2;
	write_nagios();
	check_grammar();
	ck_assert_msg(occurrences(", 30 days left\n") == 2, "%s", out);
	ck_assert_msg(occurrences("29 days") == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test [fd00::2]:465 "
					  "cert_days'=30;21:;7:\n"));
	ck_assert_ptr_nonnull(strstr(out, "'mail.example.test "
					  "198.18.0.2:465 cert_days'=30;"));
	/* the finding counts alike: within 30 days for both (--cert-days
	 * 31,7), with the same words */
	R.cert_warn_days = a->cert_warn_days = b->cert_warn_days = 31;
	free(out);
	out = NULL;
	write_nagios();
	ck_assert_int_eq(count_lines("[warning] certificate-expires-soon "), 2);
	ck_assert_msg(occurrences("in 30 days (--cert-days 31,7)") == 2, "%s",
		      out);
}
END_TEST

START_TEST(test_nagios_states)
{
	struct probe *p = good("198.18.0.2", 25, 300);

	/* STARTTLS on 25 without MTA-STS or DANE: downgrade-risk */
	ck_assert_int_eq(nagios_state(&R), NAGIOS_WARNING);
	report_finding(&R, "no-mta-sts", SEV_INFO, "no MTA-STS");
	ck_assert_int_eq(nagios_state(&R), NAGIOS_WARNING);
	report_finding(&R, "inconsistent-addresses", SEV_ERROR, "one differs");
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
	R.nfindings = 0;
	/* nothing safe works: CRITICAL without any finding */
	p->tls.verified = false;
	p->tls.trusted = true;
	p->tls.name_ok = false;
	p->port = 2526;
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
	ck_assert_str_eq(nagios_state_name(NAGIOS_OK), "OK");
	ck_assert_str_eq(nagios_state_name(NAGIOS_WARNING), "WARNING");
	ck_assert_str_eq(nagios_state_name(NAGIOS_CRITICAL), "CRITICAL");
	ck_assert_str_eq(nagios_state_name(NAGIOS_UNKNOWN), "UNKNOWN");
}
END_TEST

START_TEST(test_nagios_blocked)
{
	blocked(add("fw.example.test", "198.18.2.2", 587));
	blocked(add("fw.example.test", "fd00:2::2", 587));
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
	write_nagios();
	ck_assert_int_eq(check_grammar(), 7);
	ck_assert_ptr_nonnull(strstr(out, "2 connections: 2 blocked; no safe "
					  "way to send mail | "));
	ck_assert_ptr_nonnull(strstr(out, "| 'fw.example.test 198.18.2.2:587 "
					  "connect'=U\n"));
	ck_assert_ptr_nonnull(strstr(out, "'fw.example.test [fd00:2::2]:587 "
					  "total'=2.000s;;;0\n"));
}
END_TEST

/* --check: the user's port decides; the others only name alternatives. */
START_TEST(test_nagios_check)
{
	static struct check_request req = {.port = 465, .enc = ENC_IMPLICIT};
	struct probe *p;

	R.check = &req;
	good("198.18.0.2", 465, 300);
	p = add("mail.example.test", "198.18.0.2", 587);
	p->connected = true;
	p->greeting_code = 220;
	p->ehlo_code = 250; /* plaintext 587: an error there */
	p->end = END_DONE;
	ck_assert_int_eq(nagios_state(&R), NAGIOS_OK);
	write_nagios();
	check_grammar();
	ck_assert_msg(strstr(out, "mail.example.test: 2 connections: 1 "
				  "implicit-tls, 1 plaintext; settings port "
				  "465 SSL (implicit TLS) work; ") != NULL,
		      "%s", out);
	req.port = 587;
	req.enc = ENC_STARTTLS;
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
}
END_TEST

/* Server text cannot break the format: '|' and line breaks stay out of
 * the long output, odd bytes out of the labels. */
START_TEST(test_nagios_hostile)
{
	struct probe *p = good("198.18.0.2", 587, 300);
	char label[64];

	free(p->host);
	p->host = strdup("evil'=|x.example.test");
	report_finding(&R, "interception-suspect", SEV_WARNING, "a | b\nc | d");
	write_nagios();
	check_grammar();
	ck_assert_ptr_nonnull(strstr(out, "[warning] interception-suspect a / "
					  "b c / d\n"));
	ck_assert_ptr_nonnull(
		strstr(out, "'evil___x.example.test 198.18.0.2:587 total'="));
	nagios_label(label, sizeof(label), "a'b=c d|e\xc3\xa9[::1]:25");
	ck_assert_str_eq(label, "'a_b_c d_e__[::1]:25'");
	nagios_label(label, 8, "abcdefghij");
	ck_assert_str_eq(label, "'abcde'");
}
END_TEST

/* Nothing probed: long output says why, no perfdata line follows. */
START_TEST(test_nagios_nothing)
{
	write_nagios();
	ck_assert_int_eq(check_grammar(), 1);
	ck_assert_int_eq(nagios_state(&R), NAGIOS_CRITICAL);
	ck_assert_ptr_nonnull(strstr(out, "\nnothing could be probed"));
	ck_assert_ptr_null(strstr(out, "\n| "));
}
END_TEST

/* The MTA-STS policy host's certificate looks ahead too: a finding about
 * the target, and its days in the perfdata. */
START_TEST(test_policy_host_expiry)
{
	good("198.18.0.2", 465, 300);
	R.dns.sts_seen = 1800000000;
	R.dns.sts_not_after = R.dns.sts_seen + 10 * 86400 + 3600;
	report_policies(&R);
	ck_assert_uint_eq(R.nfindings, 1);
	ck_assert_str_eq(R.findings[0].id, "certificate-expires-soon");
	ck_assert_int_eq(R.findings[0].severity, SEV_WARNING);
	ck_assert_msg(strstr(R.findings[0].message,
			     "mta-sts.mail.example.test expires on ") != NULL &&
			      strstr(R.findings[0].message,
				     ", in 10 days (--cert-days 21,7)") != NULL,
		      "%s", R.findings[0].message);
	ck_assert_int_eq(nagios_state(&R), NAGIOS_WARNING);
	write_nagios();
	check_grammar();
	ck_assert_ptr_nonnull(strstr(
		out, "'mta-sts.mail.example.test:443 cert_days'=10;21:;7:\n"));
	ck_assert_ptr_nonnull(strstr(out, "certificates: 10 days left at the "
					  "soonest"));
	/* within CRIT: an error; past WARN: nothing */
	R.nfindings = 0;
	R.dns.sts_not_after = R.dns.sts_seen + 2 * 86400;
	report_policies(&R);
	ck_assert_uint_eq(R.nfindings, 1);
	ck_assert_int_eq(R.findings[0].severity, SEV_ERROR);
	R.nfindings = 0;
	R.dns.sts_not_after = R.dns.sts_seen + 40 * 86400;
	report_policies(&R);
	ck_assert_uint_eq(R.nfindings, 0);
}
END_TEST

/* --- OpenMetrics --- */

static void write_om(struct openmetrics *om)
{
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(openmetrics_write(f, om), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* Every family's samples follow its # TYPE line and nothing else's; no
 * series twice; # EOF last.  Returns the number of samples. */
static int check_exposition(void)
{
	char *copy, *line, *save = NULL, family[128] = "", *series[512];
	int n = 0, i;
	bool eof = false;

	copy = strdup(out);
	ck_assert_ptr_nonnull(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(!eof, "a line after # EOF: %s", line);
		if (strcmp(line, "# EOF") == 0) {
			eof = true;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			const char *first = strstr(out, line);

			/* one # TYPE per family: its samples stand together */
			ck_assert_ptr_null(strstr(first + 1, line));
			sscanf(line + 7, "%127s", family);
		} else if (strncmp(line, "# ", 2) == 0) {
			ck_assert_msg(
				strncmp(line + 7, family, strlen(family)) == 0,
				"%s outside its family", line);
		} else {
			char *sp = strrchr(line, ' ');

			ck_assert_msg(
				strncmp(line, family, strlen(family)) == 0 &&
					line[strlen(family)] == '{',
				"sample %s outside family %s", line, family);
			ck_assert_ptr_nonnull(sp);
			*sp = '\0';
			for (i = 0; i < n; i++)
				ck_assert_msg(strcmp(series[i], line) != 0,
					      "series twice: %s", line);
			ck_assert_int_lt(n, 512);
			series[n++] = line;
		}
	}
	ck_assert_msg(eof && outlen >= 6 &&
			      strcmp(out + outlen - 6, "# EOF\n") == 0,
		      "no # EOF at the end");
	free(copy);
	return n;
}

START_TEST(test_om_escape)
{
	char buf[32];

	openmetrics_escape(buf, sizeof(buf), "a\"b\\c\nd");
	ck_assert_str_eq(buf, "a\\\"b\\\\c\\nd");
	/* cut short, never in the middle of an escape */
	openmetrics_escape(buf, 4, "ab\"cd");
	ck_assert_str_eq(buf, "ab");
	openmetrics_escape(buf, 5, "ab\"cd");
	ck_assert_str_eq(buf, "ab\\\"");
	openmetrics_escape(buf, 1, "x");
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_om_report)
{
	struct openmetrics *om = openmetrics_new();
	struct probe *p;

	ck_assert_ptr_nonnull(om);
	free(R.target);
	R.target = strdup("we\"ird\\target");
	good("198.18.0.2", 587, 10);
	p = good("fd00::2", 465, 300);
	blocked(add("mail.example.test", "198.18.0.2", 25));
	/* the same session twice (two roles): one set of series */
	good("198.18.0.2", 587, 10);
	R.dns.sts_not_after = 1810000000;
	R.dns.sts_seen = 1800000000;
	ck_assert_int_eq(openmetrics_add(om, &R), 0);
	/* a target added again adds nothing */
	ck_assert_int_eq(openmetrics_add(om, &R), 0);
	write_om(om);
	openmetrics_free(om);
	/* ok, duration; 3 sessions x (5 states + risk); 2 certificates;
	 * phases 4 + 4 + 1 (blocked: total only); the policy host's
	 * certificate; one findings count (the two 587s' expires-soon) */
	ck_assert_int_eq(check_exposition(), 2 + 18 + 2 + 9 + 1 + 1);
	ck_assert_ptr_nonnull(strstr(out, "\nsmtpprobe_target_ok{target="
					  "\"we\\\"ird\\\\target\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		out,
		"\nsmtpprobe_probe_state{target=\"we\\\"ird\\\\target\","
		"host=\"mail.example.test\",address=\"fd00::2\",port=\"465\","
		"state=\"implicit-tls\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "state=\"blocked\"} 1\n"));
	{
		char want[300];

		snprintf(want, sizeof(want),
			 "address=\"fd00::2\",port=\"465\"} %lld\n",
			 (long long)p->tls.not_after);
		ck_assert_ptr_nonnull(strstr(out, want));
	}
	ck_assert_ptr_nonnull(strstr(
		out,
		"\nsmtpprobe_probe_phase_duration_seconds{target=\"we\\\"ird"
		"\\\\target\",host=\"mail.example.test\",address="
		"\"fd00::2\",port=\"465\",phase=\"handshake\"} 0.008\n"));
	ck_assert_ptr_nonnull(strstr(
		out, "\nsmtpprobe_mta_sts_certificate_expiry_timestamp_seconds{"
		     "target=\"we\\\"ird\\\\target\",host=\"mta-sts.mail."
		     "example.test\"} 1810000000\n"));
	/* 587 twice, each with certificate-expires-soon (10 days) */
	ck_assert_ptr_nonnull(strstr(
		out, "\nsmtpprobe_findings{target=\"we\\\"ird\\\\target\",id="
		     "\"certificate-expires-soon\",severity=\"warning\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n# TYPE smtpprobe_findings gauge\n"
					  "# HELP smtpprobe_findings "));
	ck_assert_ptr_nonnull(strstr(
		out, "\n# TYPE smtpprobe_probe_phase_duration_seconds "
		     "gauge\n# UNIT smtpprobe_probe_phase_duration_seconds "
		     "seconds\n"));
}
END_TEST

/* Bulk: two targets in one exposition, each family still whole. */
START_TEST(test_om_bulk)
{
	struct openmetrics *om = openmetrics_new();

	ck_assert_ptr_nonnull(om);
	good("198.18.0.2", 465, 300);
	ck_assert_int_eq(openmetrics_add(om, &R), 0);
	free(R.target);
	R.target = strdup("other.example.test");
	ck_assert_int_eq(openmetrics_add(om, &R), 0);
	write_om(om);
	openmetrics_free(om);
	/* per target: ok, duration, 5 states, risk, 4 phases, cert */
	ck_assert_int_eq(check_exposition(), 2 * 13);
}
END_TEST

/* An exposition with nothing in it is still one. */
START_TEST(test_om_empty)
{
	struct openmetrics *om = openmetrics_new();

	ck_assert_ptr_nonnull(om);
	write_om(om);
	openmetrics_free(om);
	ck_assert_int_eq(check_exposition(), 0);
}
END_TEST

Suite *monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *n = tcase_create("nagios");
	TCase *o = tcase_create("openmetrics");

	tcase_add_checked_fixture(n, setup, teardown);
	tcase_add_test(n, test_nagios_ok);
	tcase_add_test(n, test_nagios_expiry);
	tcase_add_test(n, test_days_left_one_clock);
	tcase_add_test(n, test_nagios_states);
	tcase_add_test(n, test_nagios_blocked);
	tcase_add_test(n, test_nagios_check);
	tcase_add_test(n, test_nagios_hostile);
	tcase_add_test(n, test_nagios_nothing);
	tcase_add_test(n, test_policy_host_expiry);
	suite_add_tcase(s, n);

	tcase_add_checked_fixture(o, setup, teardown);
	tcase_add_test(o, test_om_escape);
	tcase_add_test(o, test_om_report);
	tcase_add_test(o, test_om_bulk);
	tcase_add_test(o, test_om_empty);
	suite_add_tcase(s, o);
	return s;
}
