/* reports/: the JSON and text writers, the recommendation, the exit
 * status and the sort, on reports built by hand.  JSON is read back with
 * json-c. */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

static struct report R;
static char *out;     /* what a writer wrote */
static size_t outlen; /* its length */
static json_object *J;

static void setup(void)
{
	static const int ports[] = {25, 587, 465, 2525};

	memset(&R, 0, sizeof(R));
	R.target = strdup("mail.example.test");
	R.host = strdup("mail.example.test");
	R.ports = calloc(4, sizeof(int));
	ck_assert_ptr_nonnull(R.ports);
	memcpy(R.ports, ports, sizeof(ports));
	R.nports = 4;
	R.duration_ms = 312;
	out = NULL;
	outlen = 0;
	J = NULL;
}

static void teardown(void)
{
	report_free(&R);
	free(out);
	json_object_put(J);
}

/* A probe of the report, as the pipeline adds it. */
static struct probe *add(const char *address, int port)
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
	p->host = strdup("mail.example.test");
	p->role = strdup("given");
	return p;
}

static void blocked(struct probe *p, enum probe_end end)
{
	p->connected = false;
	p->end = end;
	p->end_phase = PH_CONNECT;
	p->total_ms = 5000;
}

static void greeted(struct probe *p, const char *keyword)
{
	p->connected = true;
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP");
	p->ehlo_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo, "PIPELINING"), 0);
	if (keyword != NULL)
		ck_assert_int_eq(strlist_add(&p->ehlo, keyword), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->ms[PH_CONNECT] = 1;
	p->ms[PH_GREETING] = 2;
	p->total_ms = 12;
}

static void tls_done(struct probe *p, bool verified)
{
	p->tls.done = true;
	snprintf(p->tls.version, sizeof(p->tls.version), "TLS1.3");
	snprintf(p->tls.cipher, sizeof(p->tls.cipher),
		 "TLS_AES_256_GCM_SHA384");
	p->tls.verified = verified;
	p->tls.trusted = verified;
	p->tls.name_ok = true;
	if (!verified)
		p->tls.verify_error = strdup("the certificate is not signed by "
					     "a trusted authority");
	ck_assert_int_eq(strlist_add(&p->tls.names, "mail.example.test"), 0);
	p->tls.issuer = strdup("CN=Test CA");
	p->tls.subject = strdup("CN=mail.example.test");
	p->tls.not_before = 1700000000;
	p->tls.not_after = 1900000000;
}

static void plaintext(struct probe *p)
{
	greeted(p, NULL);
}

static void starttls(struct probe *p, bool verified)
{
	greeted(p, "STARTTLS");
	p->starttls_code = 220;
	p->starttls_reply = strdup("220 go ahead");
	tls_done(p, verified);
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN LOGIN"), 0);
}

static void implicit(struct probe *p, bool verified)
{
	p->connected = true;
	p->spoke = MODE_TLS;
	tls_done(p, verified);
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP");
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->total_ms = 20;
}

/* Runs report_json into out and parses it into J. */
static void write_json(void)
{
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_json(f, &R), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_gt(outlen, 0);
	/* JSON Lines: one line per target */
	ck_assert_msg(out[outlen - 1] == '\n', "no newline at the end");
	ck_assert_msg(memchr(out, '\n', outlen - 1) == NULL,
		      "a newline inside the object");
	J = json_tokener_parse(out);
	ck_assert_msg(J != NULL, "not JSON: %s", out);
	ck_assert(json_object_is_type(J, json_type_object));
}

static void write_text(bool colour)
{
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_text(f, &R, colour), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_gt(outlen, 0);
}

/* Looks up a dotted path ("probes.0.tls.verified"); true if every step
 * exists, *v then the value (NULL for a JSON null). */
static bool lookup(const char *path, json_object **v)
{
	char buf[128], *save = NULL, *step;
	json_object *o = J;

	snprintf(buf, sizeof(buf), "%s", path);
	for (step = strtok_r(buf, ".", &save); step != NULL;
	     step = strtok_r(NULL, ".", &save)) {
		if (o == NULL)
			return false;
		if (json_object_is_type(o, json_type_array)) {
			size_t i = strtoul(step, NULL, 10);

			if (i >= json_object_array_length(o))
				return false;
			o = json_object_array_get_idx(o, i);
		} else if (!json_object_object_get_ex(o, step, &o)) {
			return false;
		}
	}
	*v = o;
	return true;
}

static json_object *get(const char *path, json_type type)
{
	json_object *v;

	ck_assert_msg(lookup(path, &v), "%s missing in %s", path, out);
	ck_assert_msg(v != NULL && json_object_is_type(v, type),
		      "%s: wrong type in %s", path, out);
	return v;
}

static const char *get_str(const char *path)
{
	return json_object_get_string(get(path, json_type_string));
}

static int64_t get_int(const char *path)
{
	return json_object_get_int64(get(path, json_type_int));
}

static bool get_bool(const char *path)
{
	return json_object_get_boolean(get(path, json_type_boolean));
}

static size_t get_len(const char *path)
{
	return json_object_array_length(get(path, json_type_array));
}

static void is_null(const char *path)
{
	json_object *v;

	ck_assert_msg(lookup(path, &v), "%s missing in %s", path, out);
	ck_assert_msg(v == NULL, "%s is not null in %s", path, out);
}

/* The index of the finding id in probes.i.findings, or -1. */
static int finding_index(size_t i, const char *id)
{
	char path[64];
	size_t j, n;

	snprintf(path, sizeof(path), "probes.%zu.findings", i);
	n = get_len(path);
	for (j = 0; j < n; j++) {
		snprintf(path, sizeof(path), "probes.%zu.findings.%zu.id", i,
			 j);
		if (strcmp(get_str(path), id) == 0)
			return (int)j;
	}
	return -1;
}

static void has_finding(size_t i, const char *id, const char *severity)
{
	char path[80];
	int j = finding_index(i, id);

	ck_assert_msg(j >= 0, "probes.%zu has no finding %s: %s", i, id, out);
	snprintf(path, sizeof(path), "probes.%zu.findings.%d.severity", i, j);
	ck_assert_str_eq(get_str(path), severity);
	snprintf(path, sizeof(path), "probes.%zu.findings.%d.message", i, j);
	ck_assert_uint_gt(strlen(get_str(path)), 0);
}

/* The usual four: 25 STARTTLS, 587 STARTTLS, 465 implicit, 2525 dropped;
 * every certificate good. */
static void usual(void)
{
	starttls(add("198.18.0.2", 25), true);
	starttls(add("198.18.0.2", 587), true);
	implicit(add("198.18.0.2", 465), true);
	blocked(add("198.18.0.2", 2525), END_TIMEOUT);
}

START_TEST(test_json_top)
{
	usual();
	R.errors = calloc(1, sizeof(*R.errors));
	ck_assert_ptr_nonnull(R.errors);
	R.errors[0].name = strdup("mail.example.test");
	R.errors[0].type = "AAAA";
	R.errors[0].error = "timeout";
	R.nerrors = 1;
	write_json();
	ck_assert_str_eq(get_str("target"), "mail.example.test");
	ck_assert_int_eq(get_int("duration_ms"), 312);
	ck_assert_uint_eq(get_len("dns.errors"), 1);
	ck_assert_str_eq(get_str("dns.errors.0.name"), "mail.example.test");
	ck_assert_str_eq(get_str("dns.errors.0.type"), "AAAA");
	ck_assert_str_eq(get_str("dns.errors.0.error"), "timeout");
	ck_assert_uint_eq(get_len("dns.mx"), 0);
	ck_assert_uint_eq(get_len("probes"), 4);
	ck_assert_uint_eq(get_len("findings"), 0);
}
END_TEST

START_TEST(test_json_probes)
{
	usual();
	write_json();
	/* 25: STARTTLS with the relay port's downgrade risk */
	ck_assert_int_eq(get_int("probes.0.port"), 25);
	ck_assert_str_eq(get_str("probes.0.address"), "198.18.0.2");
	ck_assert_str_eq(get_str("probes.0.host"), "mail.example.test");
	ck_assert_str_eq(get_str("probes.0.state"), "starttls");
	is_null("probes.0.reason");
	ck_assert_str_eq(get_str("probes.0.banner"),
			 "220 mail.example.test ESMTP");
	ck_assert_uint_eq(get_len("probes.0.ehlo"), 2);
	ck_assert_str_eq(get_str("probes.0.ehlo.1"), "STARTTLS");
	ck_assert_str_eq(get_str("probes.0.ehlo_tls.0"), "AUTH PLAIN LOGIN");
	ck_assert_uint_eq(get_len("probes.0.auth"), 0);
	ck_assert_uint_eq(get_len("probes.0.auth_tls"), 2);
	ck_assert_str_eq(get_str("probes.0.auth_tls.0"), "PLAIN");
	ck_assert_str_eq(get_str("probes.0.auth_tls.1"), "LOGIN");
	ck_assert(get_bool("probes.0.tls.verified"));
	ck_assert_str_eq(get_str("probes.0.tls.version"), "TLS1.3");
	ck_assert_str_eq(get_str("probes.0.tls.names.0"), "mail.example.test");
	ck_assert(get_bool("probes.0.downgrade_risk"));
	has_finding(0, "downgrade-risk", "warning");
	/* 587: STARTTLS, nothing to say */
	ck_assert_int_eq(get_int("probes.1.port"), 587);
	ck_assert_str_eq(get_str("probes.1.state"), "starttls");
	ck_assert(!get_bool("probes.1.downgrade_risk"));
	ck_assert_uint_eq(get_len("probes.1.findings"), 0);
	/* 465: implicit TLS */
	ck_assert_int_eq(get_int("probes.2.port"), 465);
	ck_assert_str_eq(get_str("probes.2.state"), "implicit-tls");
	ck_assert(get_bool("probes.2.tls.verified"));
	/* 2525: dropped */
	ck_assert_int_eq(get_int("probes.3.port"), 2525);
	ck_assert_str_eq(get_str("probes.3.state"), "blocked");
	ck_assert_str_eq(get_str("probes.3.reason"), "timeout");
	is_null("probes.3.tls");
	is_null("probes.3.banner");
	ck_assert_uint_eq(get_len("probes.3.findings"), 0);
}
END_TEST

START_TEST(test_json_timings)
{
	json_object *v;

	usual();
	write_json();
	ck_assert_int_eq(get_int("probes.0.timings_ms.connect"), 1);
	ck_assert_int_eq(get_int("probes.0.timings_ms.greeting"), 2);
	ck_assert_int_eq(get_int("probes.0.timings_ms.total"), 12);
	/* phases not reached are left out */
	ck_assert(!lookup("probes.0.timings_ms.quit", &v));
	ck_assert(!lookup("probes.0.timings_ms.handshake", &v));
}
END_TEST

START_TEST(test_json_findings)
{
	plaintext(add("198.18.0.2", 587));
	starttls(add("fd00::2", 25), false);
	write_json();
	ck_assert_str_eq(get_str("probes.0.state"), "plaintext");
	has_finding(0, "starttls-not-supported", "error");
	ck_assert_str_eq(get_str("probes.1.address"), "fd00::2");
	ck_assert(!get_bool("probes.1.tls.verified"));
	has_finding(1, "certificate-not-trusted", "warning");
	has_finding(1, "downgrade-risk", "warning");
}
END_TEST

/* Verified is the whole verdict on the certificate, not the chain. */
START_TEST(test_json_tls_name_mismatch)
{
	struct probe *p = add("198.18.0.2", 465);

	implicit(p, true);
	p->tls.verified = false;
	p->tls.name_ok = false;
	p->tls.verify_error = strdup("the certificate is not valid for the "
				     "name probed");
	write_json();
	ck_assert(!get_bool("probes.0.tls.verified"));
	ck_assert(get_bool("probes.0.tls.trusted"));
	ck_assert(!get_bool("probes.0.tls.name_ok"));
	ck_assert_ptr_nonnull(
		strstr(get_str("probes.0.tls.verify_error"), "name"));
	has_finding(0, "certificate-host-mismatch", "error");
	is_null("recommendation.port");
}
END_TEST

/* Findings about the target, not one port: the top-level array. */
START_TEST(test_json_target_findings)
{
	usual();
	R.findings[0].id = "no-mta-sts";
	R.findings[0].severity = SEV_WARNING;
	snprintf(R.findings[0].message, sizeof(R.findings[0].message),
		 "no MTA-STS policy");
	R.nfindings = 1;
	write_json();
	ck_assert_uint_eq(get_len("findings"), 1);
	ck_assert_str_eq(get_str("findings.0.id"), "no-mta-sts");
	ck_assert_str_eq(get_str("findings.0.severity"), "warning");
	ck_assert_str_eq(get_str("findings.0.message"), "no MTA-STS policy");
}
END_TEST

START_TEST(test_json_recommend_465)
{
	usual();
	write_json();
	ck_assert_str_eq(get_str("recommendation.host"), "mail.example.test");
	ck_assert_int_eq(get_int("recommendation.port"), 465);
	ck_assert_str_eq(get_str("recommendation.encryption"), "implicit-tls");
	ck_assert_str_eq(get_str("recommendation.label"), "SSL");
	ck_assert_uint_gt(strlen(get_str("recommendation.why")), 0);
}
END_TEST

START_TEST(test_json_recommend_587)
{
	starttls(add("198.18.0.2", 25), true);
	starttls(add("198.18.0.2", 587), true);
	blocked(add("198.18.0.2", 465), END_REFUSED);
	write_json();
	ck_assert_int_eq(get_int("recommendation.port"), 587);
	ck_assert_str_eq(get_str("recommendation.encryption"), "starttls");
	ck_assert_str_eq(get_str("recommendation.label"), "TLS");
	ck_assert_str_eq(get_str("probes.2.reason"), "refused");
}
END_TEST

/* A certificate that fails counts for nothing, however good the port. */
START_TEST(test_json_recommend_skips_unverified)
{
	starttls(add("198.18.0.2", 587), true);
	implicit(add("198.18.0.2", 465), false);
	write_json();
	ck_assert_int_eq(get_int("recommendation.port"), 587);
}
END_TEST

START_TEST(test_json_no_recommendation)
{
	plaintext(add("198.18.0.2", 587));
	implicit(add("198.18.0.2", 465), false);
	blocked(add("198.18.0.2", 25), END_TIMEOUT);
	write_json();
	is_null("recommendation.port");
	is_null("recommendation.host");
	is_null("recommendation.encryption");
	is_null("recommendation.label");
	ck_assert_uint_gt(strlen(get_str("recommendation.why")), 0);
}
END_TEST

START_TEST(test_json_no_probes)
{
	write_json();
	ck_assert_uint_eq(get_len("probes"), 0);
	is_null("recommendation.port");
	ck_assert_uint_gt(strlen(get_str("recommendation.why")), 0);
}
END_TEST

START_TEST(test_json_by_address)
{
	struct probe *p = add("198.18.0.9", 465);

	free(p->host);
	p->host = NULL;
	implicit(p, true);
	write_json();
	is_null("probes.0.host");
	ck_assert_str_eq(get_str("recommendation.host"), "198.18.0.9");
}
END_TEST

/* No control byte reaches the output, whatever a string holds: json-c
 * escapes what sanitize() did not (it always should have). */
START_TEST(test_json_escapes)
{
	struct probe *p = add("198.18.0.2", 25);
	const char *raw =
		"220 \x1b[2J\x1b]0;owned\x07 \"quoted\" back\\slash\r";
	size_t i;

	plaintext(p);
	free(p->banner);
	p->banner = strdup(raw);
	p->detail = strdup("bad \\x1b[31m line");
	free(R.target);
	R.target = strdup("evil\x1b[1m\n.example");
	write_json();
	for (i = 0; i + 1 < outlen; i++)
		ck_assert_msg((unsigned char)out[i] >= 0x20,
			      "byte 0x%02x at %zu", (unsigned char)out[i], i);
	ck_assert_str_eq(get_str("probes.0.banner"), raw);
	ck_assert_str_eq(get_str("probes.0.error"), "bad \\x1b[31m line");
	ck_assert_str_eq(get_str("target"), "evil\x1b[1m\n.example");
}
END_TEST

START_TEST(test_json_unicode_target)
{
	R.unicode = strdup("b\xc3\xbc"
			   "cher.example");
	write_json();
	ck_assert_str_eq(get_str("target_unicode"), "b\xc3\xbc"
						    "cher.example");
}
END_TEST

/* The line of the text table that starts with port and has address. */
static const char *row(int port, const char *address)
{
	char head[16];
	const char *line = out;

	snprintf(head, sizeof(head), "%d ", port);
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, head, strlen(head)) == 0 &&
		    memmem(line, n, address, strlen(address)) != NULL)
			return line;
		line = end ? end + 1 : NULL;
	}
	ck_abort_msg("no row for %d %s in:\n%s", port, address, out);
	return NULL;
}

/* Whether word is on the line starting at line. */
static bool on_line(const char *line, const char *word)
{
	const char *end = strchr(line, '\n');
	size_t n = end ? (size_t)(end - line) : strlen(line);

	return memmem(line, n, word, strlen(word)) != NULL;
}

START_TEST(test_text_plain)
{
	starttls(add("198.18.0.2", 25), true);
	plaintext(add("198.18.0.2", 587));
	implicit(add("198.18.0.2", 465), true);
	blocked(add("198.18.0.2", 2525), END_REFUSED);
	write_text(false);
	ck_assert_msg(memchr(out, '\x1b', outlen) == NULL, "ESC in:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "mail.example.test"));
	ck_assert(on_line(row(25, "198.18.0.2"), "starttls"));
	ck_assert(on_line(row(587, "198.18.0.2"), "plaintext"));
	ck_assert(on_line(row(465, "198.18.0.2"), "implicit-tls"));
	ck_assert(on_line(row(2525, "198.18.0.2"), "blocked"));
	ck_assert(on_line(row(2525, "198.18.0.2"), "refused"));
	ck_assert(on_line(row(465, "198.18.0.2"), "TLS1.3"));
	ck_assert_ptr_nonnull(strstr(out, "starttls-not-supported"));
	ck_assert_ptr_nonnull(strstr(out, "downgrade-risk"));
	ck_assert_ptr_nonnull(strstr(out, "port 465"));
	ck_assert_ptr_nonnull(strstr(out, "SSL"));
}
END_TEST

START_TEST(test_text_colour)
{
	usual();
	write_text(true);
	ck_assert_ptr_nonnull(memchr(out, '\x1b', outlen));
	/* the words are still there, colour around them */
	ck_assert_ptr_nonnull(strstr(out, "implicit-tls"));
	ck_assert_ptr_nonnull(strstr(out, "blocked"));
}
END_TEST

START_TEST(test_text_nothing_works)
{
	blocked(add("198.18.0.2", 587), END_TIMEOUT);
	blocked(add("fd00::2", 587), END_UNREACHABLE);
	write_text(false);
	ck_assert_ptr_nonnull(strstr(out, "No safe way"));
	ck_assert(on_line(row(587, "fd00::2"), "unreachable"));
	ck_assert(on_line(row(587, "198.18.0.2"), "timeout"));
	ck_assert_ptr_null(strstr(out, "Recommendation"));
}
END_TEST

/* The 443 control "answers" for a reset or the host's own ICMP error;
 * a router's ICMP error proves nothing about the host. */
START_TEST(test_text_controls_answer)
{
	static const char *const addr[] = {"198.18.0.2", "198.18.0.3",
					   "198.18.0.4", "198.18.0.5"};
	static const enum probe_end end[] = {END_REFUSED, END_UNREACHABLE,
					     END_UNREACHABLE, END_TIMEOUT};
	static const char *const from[] = {"", "198.18.0.3", "198.18.9.1", ""};
	size_t i;

	blocked(add("198.18.0.2", 587), END_TIMEOUT);
	R.controls = calloc(4, sizeof(*R.controls));
	ck_assert_ptr_nonnull(R.controls);
	for (i = 0; i < 4; i++) {
		struct probe *c = calloc(1, sizeof(*c));

		ck_assert_ptr_nonnull(c);
		probe_init(c);
		snprintf(c->address, sizeof(c->address), "%s", addr[i]);
		snprintf(c->icmp_from, sizeof(c->icmp_from), "%s", from[i]);
		c->port = 443;
		c->connect_only = true;
		c->role = strdup("control");
		blocked(c, end[i]);
		c->total_ms = 5;
		R.controls[R.ncontrols++] = c;
	}
	write_text(false);
	ck_assert_msg(strstr(out, "  198.18.0.2: refused, answers: the host is "
				  "reachable (5 ms)\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "  198.18.0.3: unreachable, answers: the "
				  "host is reachable (5 ms)\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "  198.18.0.4: unreachable, ICMP error from "
				  "a router on the way (5 ms)\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "  198.18.0.5: timeout (5 ms)\n") != NULL,
		      "%s", out);
}
END_TEST

START_TEST(test_text_dns_errors)
{
	R.errors = calloc(1, sizeof(*R.errors));
	ck_assert_ptr_nonnull(R.errors);
	R.errors[0].name = strdup("mail.example.test");
	R.errors[0].type = "A";
	R.errors[0].error = "SERVFAIL";
	R.nerrors = 1;
	write_text(false);
	ck_assert_ptr_nonnull(strstr(out, "SERVFAIL"));
}
END_TEST

/* The certificate cell says what is wrong: a name that matches is no
 * NAME MISMATCH. */
START_TEST(test_text_cert_not_yet_valid)
{
	struct probe *p = add("198.18.0.2", 465);

	implicit(p, false);
	p->tls.trusted = true; /* as tls_collect: only a date is wrong */
	p->tls.name_ok = true;
	p->tls.not_yet_valid = true;
	write_text(false);
	ck_assert_msg(
		!on_line(row(465, "198.18.0.2"), "NAME MISMATCH"),
		"a certificate for the right name shown as a mismatch:\n%s",
		out);
}
END_TEST

START_TEST(test_text_cert_cells)
{
	struct probe *a = add("198.18.0.2", 465);
	struct probe *b = add("198.18.0.3", 465);
	struct probe *c = add("198.18.0.4", 465);

	implicit(a, false); /* untrusted */
	implicit(b, false);
	b->tls.trusted = true;
	b->tls.expired = true;
	implicit(c, false);
	c->tls.trusted = true;
	c->tls.name_ok = false;
	write_text(false);
	ck_assert(on_line(row(465, "198.18.0.2"), "UNTRUSTED"));
	ck_assert(on_line(row(465, "198.18.0.3"), "EXPIRED"));
	ck_assert(on_line(row(465, "198.18.0.4"), "NAME MISMATCH"));
}
END_TEST

/* Every line of the table as wide as the header, so TIME stays in line
 * with a certificate note longer than the column's usual width, in a
 * host column, and with colour codes (which take no column). */
static void assert_table_aligned(const char *head)
{
	const char *line = strstr(out, head);
	int width = -1, rows = 0;

	ck_assert_msg(line != NULL, "no table in:\n%s", out);
	while (*line != '\0' && *line != '\n') {
		const char *end = strchr(line, '\n');
		int w = 0;
		const char *c;

		ck_assert_ptr_nonnull(end);
		for (c = line; c < end; c++) {
			if (*c == '\x1b') { /* ESC [ ... m */
				while (c < end && *c != 'm')
					c++;
				continue;
			}
			if (((unsigned char)*c & 0xC0) != 0x80)
				w++;
		}
		ck_assert_msg(end[-1] == 's' || end[-1] == 'E' ||
				      end[-1] == 'm',
			      "line does not end in TIME:\n%s", out);
		if (width < 0)
			width = w;
		ck_assert_msg(w == width, "line of %d columns, header %d:\n%s",
			      w, width, out);
		rows++;
		line = end + 1;
	}
	ck_assert_int_eq(rows, (int)R.nprobes + 1);
}

START_TEST(test_text_columns_aligned)
{
	struct probe *a = add("198.18.0.2", 465);
	struct probe *b = add("fd00:1::2", 465);
	struct probe *c = add("198.18.0.4", 587);

	implicit(a, true);
	implicit(b, false);
	b->tls.trusted = true;
	b->tls.name_ok = false;
	free(b->tls.names.v[0]);
	b->tls.names.v[0] =
		strdup("a-certificate-name-far-longer-than-its-column.example");
	blocked(c, END_TIMEOUT);
	c->total_ms = 123456;
	write_text(false);
	assert_table_aligned("PORT ");
	free(out);
	out = NULL;
	write_text(true);
	assert_table_aligned("PORT ");
}
END_TEST

START_TEST(test_status_safe)
{
	usual(); /* 25 carries a downgrade warning: not an error */
	ck_assert_int_eq(report_status(&R), 0);
}
END_TEST

START_TEST(test_status_only_465)
{
	blocked(add("198.18.0.2", 587), END_TIMEOUT);
	implicit(add("198.18.0.2", 465), true);
	ck_assert_int_eq(report_status(&R), 0);
}
END_TEST

START_TEST(test_status_target_error)
{
	implicit(add("198.18.0.2", 465), true);
	R.findings[0].id = "mta-sts-violation";
	R.findings[0].severity = SEV_ERROR;
	snprintf(R.findings[0].message, sizeof(R.findings[0].message), "x");
	R.nfindings = 1;
	ck_assert_int_eq(report_status(&R), 1);
	R.findings[0].severity = SEV_WARNING;
	ck_assert_int_eq(report_status(&R), 0);
}
END_TEST

START_TEST(test_status_plaintext)
{
	plaintext(add("198.18.0.2", 587));
	plaintext(add("198.18.0.2", 25));
	ck_assert_int_eq(report_status(&R), 1);
}
END_TEST

START_TEST(test_status_error_elsewhere)
{
	implicit(add("198.18.0.2", 465), true);
	plaintext(add("198.18.0.2", 587)); /* an error finding */
	ck_assert_int_eq(report_status(&R), 1);
}
END_TEST

START_TEST(test_status_nothing)
{
	ck_assert_int_eq(report_status(&R), 1);
	blocked(add("198.18.0.2", 465), END_TIMEOUT);
	ck_assert_int_eq(report_status(&R), 1);
}
END_TEST

START_TEST(test_recommend_why)
{
	struct recommendation rec;

	usual();
	report_recommend(&R, &rec);
	ck_assert_ptr_eq(rec.probe, R.probes[2]);
	ck_assert_str_eq(rec.encryption, "implicit-tls");
	ck_assert_str_eq(rec.label, "SSL");
	ck_assert_ptr_nonnull(strstr(rec.why, "mail.example.test:465"));
	ck_assert_ptr_nonnull(strstr(rec.why, "TLS1.3"));
}
END_TEST

START_TEST(test_recommend_reasons)
{
	struct recommendation rec;

	blocked(add("198.18.0.2", 587), END_TIMEOUT);
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "blocked"));
	plaintext(add("198.18.0.2", 25));
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "plaintext"));
	implicit(add("198.18.0.2", 465), false);
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "certificate"));
}
END_TEST

/* -p 2525 example.test: every host resolved, none was planned for 2525
 * (the MX takes 25, the SRV records 587 and 465).  Not "no mail host
 * resolved": which ports the records name, and how to probe 2525. */
START_TEST(test_recommend_unplanned_port)
{
	struct recommendation rec;
	struct srv_rec *sub = calloc(1, sizeof(*sub));

	ck_assert_ptr_nonnull(sub);
	R.ports[0] = 2525;
	R.nports = 1;
	R.dns.domain = true;
	R.dns.mx = calloc(1, sizeof(*R.dns.mx));
	ck_assert_ptr_nonnull(R.dns.mx);
	R.dns.mx[0].preference = 10;
	R.dns.mx[0].host = strdup("mx1.example.test");
	R.dns.nmx = 1;
	sub->port = 587;
	sub->target = strdup("smtp.example.test");
	R.dns.sub = sub;
	R.dns.nsub = 1;
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_msg(strstr(rec.why, "no mail host resolved") == NULL, "%s",
		      rec.why);
	ck_assert_msg(strstr(rec.why, "planned for port 2525") != NULL, "%s",
		      rec.why);
	ck_assert_msg(strstr(rec.why, "ports 25 and 587") != NULL, "%s",
		      rec.why);
	ck_assert_msg(strstr(rec.why, "smtpprobe -p 2525 mx1.example.test") !=
			      NULL,
		      "%s", rec.why);
	/* no record at all: nothing resolved, as before */
	records_mx_free(R.dns.mx, R.dns.nmx);
	R.dns.mx = NULL;
	R.dns.nmx = 0;
	records_srv_free(R.dns.sub, R.dns.nsub);
	R.dns.sub = NULL;
	R.dns.nsub = 0;
	report_recommend(&R, &rec);
	ck_assert_ptr_nonnull(strstr(rec.why, "no mail host resolved"));
}
END_TEST

/* --public-only refused the only host's addresses: not "no mail host
 * resolved", which is false, but why nothing was probed and what to do. */
START_TEST(test_recommend_not_public)
{
	struct recommendation rec;
	struct plan_host h = {.name = "mx.example.test",
			      .error = PLAN_ERR_NOT_PUBLIC};

	R.dns.domain = true;
	R.hosts = &h;
	R.nhosts = 1;
	report_recommend(&R, &rec);
	R.hosts = NULL;
	R.nhosts = 0;
	ck_assert_ptr_null(rec.probe);
	ck_assert_msg(strstr(rec.why, "no mail host resolved") == NULL, "%s",
		      rec.why);
	ck_assert_msg(strstr(rec.why, "1 mail host(s) resolved only to "
				      "addresses that are not public") != NULL,
		      "%s", rec.why);
	ck_assert_msg(strstr(rec.why, "without --public-only") != NULL, "%s",
		      rec.why);
	/* a literal address refused: no host, the resolver's finding */
	R.is_address = true;
	report_finding(&R, "private-address", SEV_INFO,
		       "fd00:1::2 has the unique local (RFC 4193) address "
		       "fd00:1::2: not probed (--public-only)");
	report_recommend(&R, &rec);
	ck_assert_msg(strstr(rec.why, "the address is not public") != NULL,
		      "%s", rec.why);
}
END_TEST

/* Probed by address: TLS is sound but no certificate names an address.
 * "No safe way" says to probe the host name. */
START_TEST(test_recommend_address_hint)
{
	struct recommendation rec;
	struct probe *p = add("198.18.0.2", 465);

	R.is_address = true;
	free(p->host);
	p->host = NULL;
	implicit(p, false);
	p->tls.trusted = true;
	p->tls.name_ok = false;
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_msg(strstr(rec.why, "by address") != NULL, "%s", rec.why);
	ck_assert_msg(strstr(rec.why, "host name") != NULL, "%s", rec.why);
	/* by name, the certificate is simply wrong for it: no such hint */
	R.is_address = false;
	report_recommend(&R, &rec);
	ck_assert_msg(strstr(rec.why, "by address") == NULL, "%s", rec.why);
}
END_TEST

/* A DNS server that answers nothing: one finding, and the text report
 * says it once instead of a line per question. */
static void dns_error(const char *name, const char *type, const char *error)
{
	struct dns_error *e = realloc(R.errors, (R.nerrors + 1) * sizeof(*e));

	ck_assert_ptr_nonnull(e);
	R.errors = e;
	e[R.nerrors].name = strdup(name);
	e[R.nerrors].type = type;
	e[R.nerrors].error = error;
	R.nerrors++;
}

START_TEST(test_dns_unanswered)
{
	dns_error("mail.example.test", "MX", "timeout");
	dns_error("mail.example.test", "A", "timeout");
	dns_error("mail.example.test", "AAAA", "connection refused");
	report_target_findings(&R);
	ck_assert_uint_eq(R.nfindings, 1);
	ck_assert_str_eq(R.findings[0].id, "dns-unanswered");
	ck_assert_int_eq(R.findings[0].severity, SEV_ERROR);
	ck_assert_ptr_nonnull(strstr(R.findings[0].message, "3 questions"));
	write_text(false);
	ck_assert_msg(strstr(out, "  DNS ") == NULL, "%s", out);
	ck_assert_msg(strstr(out, "the DNS server does not answer") != NULL,
		      "%s", out);
	/* one reply of any kind: the server answers, the errors are listed */
	R.nfindings = 0;
	R.dns.answered = 1;
	report_target_findings(&R);
	ck_assert_uint_eq(R.nfindings, 0);
	free(out);
	out = NULL;
	write_text(false);
	ck_assert_msg(strstr(out, "  DNS MX mail.example.test: timeout") !=
			      NULL,
		      "%s", out);
	/* an NXDOMAIN is an answer */
	R.dns.answered = 0;
	dns_error("mail.example.test", "TXT", "NXDOMAIN");
	ck_assert(!report_dns_unanswered(&R));
}
END_TEST

/* Port 25 of an MX: STARTTLS, verified, but no AUTH (server to server). */
static void relay25(struct probe *p)
{
	starttls(p, true);
	strlist_free(&p->ehlo_tls);
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "SIZE 10240000"), 0);
	free(p->role);
	p->role = strdup("mx");
}

/* The case: 465 and 587 filtered, 25 answers with TLS and no
 * AUTH.  Nothing is recommended to a mail client; why says what 25 is
 * and what to do. */
START_TEST(test_recommend_never_relay25)
{
	struct recommendation rec;

	relay25(add("198.18.0.2", 25));
	blocked(add("198.18.0.2", 587), END_TIMEOUT);
	blocked(add("198.18.0.2", 465), END_TIMEOUT);
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "no submission port is "
					      "reachable from here (587 "
					      "blocked, 465 blocked)"));
	ck_assert_ptr_nonnull(strstr(rec.why, "mail.example.test:25"));
	ck_assert_ptr_nonnull(strstr(rec.why, "server-to-server delivery"));
	ck_assert_ptr_nonnull(strstr(rec.why, "HTTPS API"));
	ck_assert_int_eq(report_status(&R), 1);
	/* the same 25 offering AUTH inside TLS is a client's last resort */
	ck_assert_int_eq(strlist_add(&R.probes[0]->ehlo_tls, "AUTH PLAIN"), 0);
	report_recommend(&R, &rec);
	ck_assert_ptr_eq(rec.probe, R.probes[0]);
	ck_assert_ptr_nonnull(strstr(rec.why, "AUTH"));
}
END_TEST

/* A usable submission port without AUTH is passed over for one with. */
START_TEST(test_recommend_needs_auth)
{
	struct recommendation rec;
	struct probe *p465 = add("198.18.0.2", 465);

	implicit(p465, true);
	strlist_free(&p465->ehlo_tls);
	starttls(add("198.18.0.2", 587), true);
	report_recommend(&R, &rec);
	ck_assert_int_eq(rec.probe->port, 587);
	ck_assert_ptr_null(rec.alt);
	/* without the 587 nothing qualifies, and why says so */
	blocked(R.probes[1], END_TIMEOUT);
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "no submission port offers a "
					      "login: mail.example.test:465"));
}
END_TEST

/* A session that failed after TLS is never recommended, whatever TLS. */
START_TEST(test_recommend_skips_failed_after_tls)
{
	struct recommendation rec;
	struct probe *p = add("198.18.0.2", 587);

	starttls(p, true);
	p->ehlo_tls_code = 554;
	strlist_free(&p->ehlo_tls);
	report_recommend(&R, &rec);
	ck_assert_ptr_null(rec.probe);
	ck_assert_ptr_nonnull(strstr(rec.why, "mail.example.test:587 "
					      "completes the TLS handshake, "
					      "then the session fails"));
	ck_assert_int_eq(report_status(&R), 1);
	/* ... and the JSON says which step failed */
	write_json();
	ck_assert(!get_bool("probes.0.usable"));
	ck_assert_str_eq(get_str("probes.0.failed_step"), "ehlo_tls");
	has_finding(0, "session-failed-after-tls", "error");
}
END_TEST

START_TEST(test_json_usable)
{
	usual();
	write_json();
	ck_assert(get_bool("probes.0.usable"));
	is_null("probes.0.failed_step");
	ck_assert(!get_bool("probes.3.usable"));
	ck_assert_str_eq(get_str("probes.3.failed_step"), "connect");
}
END_TEST

/* --check with --user: "works" means logged in; the address the
 * credentials were tried on speaks for the port. */
START_TEST(test_check_login)
{
	static struct check_request req = {587, ENC_STARTTLS};
	struct check_result c;
	struct probe *a = add("198.18.0.2", 587), *b = add("fd00::2", 587);

	starttls(a, true);
	starttls(b, true);
	R.check = &req;
	R.user = "me@example.test";
	a->auth = AUTH_ACCEPTED;
	snprintf(a->auth_mech, sizeof(a->auth_mech), "PLAIN");
	b->auth = AUTH_NOT_TRIED;
	check_judge(&R, &req, &c);
	ck_assert(c.works && c.safe);
	ck_assert_msg(strstr(c.why, "logged in as me@example.test") != NULL,
		      "%s", c.why);
	ck_assert_int_eq(report_status(&R), 0);
	a->auth = AUTH_REJECTED;
	a->auth_reply = strdup("535 5.7.8 no");
	check_judge(&R, &req, &c);
	ck_assert(!c.works);
	ck_assert_msg(strstr(c.why, "refused the user name or password") !=
			      NULL,
		      "%s", c.why);
	ck_assert_int_eq(report_status(&R), 1);
	/* no encryption: the client would log in in cleartext */
	req.enc = ENC_NONE;
	check_judge(&R, &req, &c);
	ck_assert(!c.works);
	ck_assert_msg(strstr(c.why, "in cleartext") != NULL, "%s", c.why);
	req.enc = ENC_STARTTLS;
	R.check = NULL;
	R.user = NULL;
}
END_TEST

/* SSL on a port that speaks STARTTLS: the advice names the port where SSL
 * was seen to work, never the port that just failed, nor 465 by habit. */
START_TEST(test_check_ssl_elsewhere)
{
	static struct check_request req = {465, ENC_IMPLICIT};
	struct check_result c;
	struct probe *s465 = add("198.18.0.2", 465);

	starttls(s465, true);
	s465->spoke = MODE_PLAIN; /* what it spoke, not what 465 should */
	R.check = &req;
	check_judge(&R, &req, &c);
	ck_assert(!c.works);
	ck_assert_msg(strstr(c.why, "Choose TLS on port 465.") != NULL, "%s",
		      c.why);
	ck_assert_msg(strstr(c.why, "SSL on port") == NULL, "%s", c.why);
	/* the host's 587 speaks implicit TLS: that is where SSL works */
	implicit(add("198.18.0.2", 587), true);
	check_judge(&R, &req, &c);
	ck_assert_msg(strstr(c.why, "Choose TLS on port 465, or SSL on port "
				    "587.") != NULL,
		      "%s", c.why);
	R.check = NULL;
}
END_TEST

/* --check on 25 without AUTH: the advice names a submission port only
 * when one was seen to work from here. */
START_TEST(test_check_25_no_auth)
{
	static struct check_request req = {25, ENC_STARTTLS};
	struct check_result c;
	struct probe *p25 = add("198.18.0.2", 25), *p587;

	greeted(p25, "STARTTLS");
	p25->starttls_code = 220;
	tls_done(p25, true);
	p25->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p25->ehlo_tls, "PIPELINING"), 0);
	p587 = add("198.18.0.2", 587);
	blocked(p587, END_TIMEOUT);
	R.check = &req;
	check_judge(&R, &req, &c);
	ck_assert(!c.works);
	ck_assert_msg(strstr(c.why, "no submission port works from here") !=
			      NULL,
		      "%s", c.why);
	ck_assert_msg(strstr(c.why, "use 587") == NULL, "%s", c.why);
	implicit(add("198.18.0.2", 465), true);
	check_judge(&R, &req, &c);
	ck_assert_msg(strstr(c.why, "port 465 works from here") != NULL, "%s",
		      c.why);
	R.check = NULL;
}
END_TEST

/* --user: a port the credentials never went to is not one that
 * refused them (with --check they go to the port checked only). */
START_TEST(test_recommend_login_untried)
{
	struct recommendation rec;
	struct probe *p465 = add("198.18.0.2", 465), *p587;

	blocked(p465, END_TIMEOUT);
	p465->auth = AUTH_NOT_REACHED;
	p587 = add("198.18.0.2", 587);
	starttls(p587, true);
	p587->auth = AUTH_NOT_TRIED;
	R.user = "me@example.test";
	report_recommend(&R, &rec);
	ck_assert_int_eq(rec.probe->port, 587);
	ck_assert_msg(strstr(rec.why, "were not tried there") != NULL, "%s",
		      rec.why);
	ck_assert_msg(strstr(rec.why, "not accepted") == NULL, "%s", rec.why);
	p587->auth = AUTH_REJECTED;
	report_recommend(&R, &rec);
	ck_assert_msg(strstr(rec.why, "were not accepted on any port") != NULL,
		      "%s", rec.why);
	R.user = NULL;
}
END_TEST

START_TEST(test_sort)
{
	static const int asked[] = {587, 25, 465};

	memcpy(R.ports, asked, sizeof(asked));
	R.nports = 3;
	add("198.18.0.2", 465);
	add("fd00::2", 25);
	add("198.18.0.3", 25);
	add("198.18.0.2", 587);
	add("198.18.0.2", 25);
	add("198.18.0.2", 2525); /* not asked: last */
	report_sort(&R);
	ck_assert_int_eq(R.probes[0]->port, 587);
	ck_assert_int_eq(R.probes[1]->port, 25);
	ck_assert_str_eq(R.probes[1]->address, "198.18.0.2");
	ck_assert_int_eq(R.probes[2]->port, 25);
	ck_assert_str_eq(R.probes[2]->address, "198.18.0.3");
	ck_assert_int_eq(R.probes[3]->port, 25);
	ck_assert_str_eq(R.probes[3]->address, "fd00::2");
	ck_assert_int_eq(R.probes[4]->port, 465);
	ck_assert_int_eq(R.probes[5]->port, 2525);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *js = tcase_create("json");
	TCase *tx = tcase_create("text");
	TCase *st = tcase_create("status");

	tcase_add_checked_fixture(js, setup, teardown);
	tcase_add_test(js, test_json_top);
	tcase_add_test(js, test_json_probes);
	tcase_add_test(js, test_json_timings);
	tcase_add_test(js, test_json_findings);
	tcase_add_test(js, test_json_tls_name_mismatch);
	tcase_add_test(js, test_json_target_findings);
	tcase_add_test(js, test_json_recommend_465);
	tcase_add_test(js, test_json_recommend_587);
	tcase_add_test(js, test_json_recommend_skips_unverified);
	tcase_add_test(js, test_json_no_recommendation);
	tcase_add_test(js, test_json_no_probes);
	tcase_add_test(js, test_json_by_address);
	tcase_add_test(js, test_json_escapes);
	tcase_add_test(js, test_json_unicode_target);
	tcase_add_test(js, test_json_usable);
	suite_add_tcase(s, js);

	tcase_add_checked_fixture(tx, setup, teardown);
	tcase_add_test(tx, test_text_plain);
	tcase_add_test(tx, test_text_colour);
	tcase_add_test(tx, test_text_nothing_works);
	tcase_add_test(tx, test_text_controls_answer);
	tcase_add_test(tx, test_text_dns_errors);
	tcase_add_test(tx, test_text_cert_not_yet_valid);
	tcase_add_test(tx, test_text_cert_cells);
	tcase_add_test(tx, test_text_columns_aligned);
	suite_add_tcase(s, tx);

	tcase_add_checked_fixture(st, setup, teardown);
	tcase_add_test(st, test_status_safe);
	tcase_add_test(st, test_status_only_465);
	tcase_add_test(st, test_status_target_error);
	tcase_add_test(st, test_status_plaintext);
	tcase_add_test(st, test_status_error_elsewhere);
	tcase_add_test(st, test_status_nothing);
	tcase_add_test(st, test_recommend_why);
	tcase_add_test(st, test_recommend_reasons);
	tcase_add_test(st, test_recommend_unplanned_port);
	tcase_add_test(st, test_recommend_not_public);
	tcase_add_test(st, test_recommend_address_hint);
	tcase_add_test(st, test_dns_unanswered);
	tcase_add_test(st, test_recommend_never_relay25);
	tcase_add_test(st, test_recommend_needs_auth);
	tcase_add_test(st, test_recommend_skips_failed_after_tls);
	tcase_add_test(st, test_check_login);
	tcase_add_test(st, test_check_ssl_elsewhere);
	tcase_add_test(st, test_check_25_no_auth);
	tcase_add_test(st, test_recommend_login_untried);
	tcase_add_test(st, test_sort);
	suite_add_tcase(s, st);
	return s;
}
