/* reports/html*.c: the escaping, and the page written from reports built
 * by hand: a good host, a firewalled one, a domain with its records, a
 * hostile server and a bulk run.  The pages are compared with the golden
 * files in tests/unit/golden/ (UPDATE_GOLDEN=1 rewrites them); the
 * integration test checks those files with tidy and a real browser. */
#include <arpa/inet.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe/probe.h"
#include "reports/html.h"
#include "reports/report.h"
#include "tests/unit/suites.h"

#define GOLDEN "tests/unit/golden/"
#define STARTED 1795000000 /* 2026-11-18 11:06:40 UTC */

static struct report *reps[4];
static size_t nreps;
static char *out;
static size_t outlen;

static void setup(void)
{
	nreps = 0;
	out = NULL;
	outlen = 0;
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < nreps; i++) {
		report_free(reps[i]);
		free(reps[i]);
	}
	free(out);
}

static struct report *new_report(const char *target)
{
	static const int ports[] = {25, 587, 465, 2525};
	struct report *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_lt(nreps, 4);
	reps[nreps++] = r;
	r->target = strdup(target);
	r->host = strdup(target);
	r->ports = calloc(4, sizeof(int));
	ck_assert_ptr_nonnull(r->ports);
	memcpy(r->ports, ports, sizeof(ports));
	r->nports = 4;
	r->started = STARTED;
	r->duration_ms = 312;
	return r;
}

static struct probe *add_to(struct probe ***v, size_t *n, const char *host,
			    const char *address, int port)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct probe **nv;

	ck_assert_ptr_nonnull(p);
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	ck_assert_ptr_nonnull(nv);
	*v = nv;
	nv[(*n)++] = p;
	probe_init(p);
	p->addr.ss_family = strchr(address, ':') ? AF_INET6 : AF_INET;
	snprintf(p->address, sizeof(p->address), "%s", address);
	snprintf(p->source, sizeof(p->source), "%s",
		 strchr(address, ':') ? "fd00:2::1" : "198.18.2.1");
	p->port = port;
	p->expect = port == 465 ? MODE_TLS : MODE_PLAIN;
	p->spoke = p->expect;
	p->host = host ? strdup(host) : NULL;
	p->role = strdup("given");
	return p;
}

static struct probe *add(struct report *r, const char *address, int port)
{
	return add_to(&r->probes, &r->nprobes, r->host, address, port);
}

static void blocked(struct probe *p, enum probe_end end, int64_t ms)
{
	p->end = end;
	p->end_phase = PH_CONNECT;
	p->total_ms = ms;
}

static void greeted(struct probe *p, const char *keyword)
{
	p->connected = true;
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP Postfix");
	p->ehlo_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo, "PIPELINING"), 0);
	if (keyword != NULL)
		ck_assert_int_eq(strlist_add(&p->ehlo, keyword), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->ms[PH_CONNECT] = 50;
	p->ms[PH_GREETING] = 51;
	p->ms[PH_EHLO] = 50;
	p->total_ms = 160;
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
		p->tls.verify_error = strdup("the certificate is not signed "
					     "by a trusted authority");
	ck_assert_int_eq(strlist_add(&p->tls.names, "mail.example.test"), 0);
	p->tls.issuer = strdup("CN=Test CA");
	p->tls.subject = strdup("CN=mail.example.test");
	p->tls.not_before = 1700000000;
	p->tls.not_after = 1900000000;
}

static void starttls(struct probe *p, bool verified)
{
	greeted(p, "STARTTLS");
	p->starttls_code = 220;
	p->starttls_reply = strdup("220 2.0.0 Ready to start TLS");
	tls_done(p, verified);
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN LOGIN"), 0);
	p->ms[PH_STARTTLS] = 50;
	p->ms[PH_HANDSHAKE] = 104;
	p->ms[PH_EHLO_TLS] = 50;
	p->total_ms = 370;
}

static void implicit(struct probe *p, bool verified)
{
	p->connected = true;
	p->spoke = MODE_TLS;
	tls_done(p, verified);
	p->greeting_code = 220;
	p->banner = strdup("220 mail.example.test ESMTP Postfix");
	p->ehlo_tls_code = 250;
	ck_assert_int_eq(strlist_add(&p->ehlo_tls, "AUTH PLAIN"), 0);
	p->quit_code = 221;
	p->end = END_DONE;
	p->end_phase = PH_QUIT;
	p->ms[PH_CONNECT] = 50;
	p->ms[PH_HANDSHAKE_IMPLICIT] = 102;
	p->ms[PH_GREETING] = 50;
	p->ms[PH_EHLO_TLS] = 51;
	p->total_ms = 260;
}

/* mail.example.test on both families: 465 and 587 verified, 25
 * STARTTLS, 2525 plaintext. */
static struct report *good_host(void)
{
	struct report *r = new_report("mail.example.test");
	static const char *const addrs[] = {"198.18.1.2", "fd00:1::2"};
	size_t a;

	for (a = 0; a < 2; a++) {
		starttls(add(r, addrs[a], 25), true);
		starttls(add(r, addrs[a], 587), true);
		implicit(add(r, addrs[a], 465), true);
		greeted(add(r, addrs[a], 2525), NULL);
	}
	report_sort(r);
	return r;
}

/* fw.example.test: 25 and 587 dropped, 465 refused, 2525 ICMP; 443
 * refused too. */
static struct report *fw_host(void)
{
	struct report *r = new_report("fw.example.test");
	static const char *const addrs[] = {"198.18.2.2", "fd00:2::2"};
	size_t a;

	for (a = 0; a < 2; a++) {
		struct probe *c;

		blocked(add(r, addrs[a], 25), END_TIMEOUT, 2003);
		blocked(add(r, addrs[a], 587), END_TIMEOUT, 2001);
		blocked(add(r, addrs[a], 465), END_REFUSED, 1);
		blocked(add(r, addrs[a], 2525), END_UNREACHABLE, 1);
		c = add_to(&r->controls, &r->ncontrols, r->host, addrs[a], 443);
		c->connect_only = true;
		blocked(c, END_REFUSED, 1);
	}
	report_sort(r);
	return r;
}

/* example.test: an MX and a submission host with records, and a few
 * findings about the domain. */
static struct report *domain(void)
{
	struct report *r = new_report("example.test");
	struct dns_info *d = &r->dns;
	struct probe *p;

	d->domain = true;
	d->mx = calloc(1, sizeof(*d->mx));
	d->subs = calloc(1, sizeof(*d->subs));
	ck_assert(d->mx != NULL && d->subs != NULL);
	d->nmx = 1;
	d->mx[0].preference = 10;
	d->mx[0].host = strdup("mx.example.test");
	d->nsubs = 1;
	d->subs[0].port = 465;
	d->subs[0].target = strdup("smtp.example.test");
	d->spf = strdup("v=spf1 mx -all");
	d->nspf = 1;
	d->dmarc = strdup("v=DMARC1; p=reject");
	d->ndmarc = 1;
	r->hosts = calloc(2, sizeof(*r->hosts));
	ck_assert_ptr_nonnull(r->hosts);
	r->nhosts = 2;
	r->hosts[0].name = strdup("mx.example.test");
	r->hosts[0].roles = strdup("mx:25");
	ck_assert_int_eq(strlist_add(&r->hosts[0].addresses, "198.18.1.3"), 0);
	r->hosts[1].name = strdup("smtp.example.test");
	r->hosts[1].roles = strdup("submissions:465");
	ck_assert_int_eq(strlist_add(&r->hosts[1].addresses, "198.18.1.4"), 0);
	p = add_to(&r->probes, &r->nprobes, "mx.example.test", "198.18.1.3",
		   25);
	starttls(p, true);
	p = add_to(&r->probes, &r->nprobes, "smtp.example.test", "198.18.1.4",
		   465);
	implicit(p, true);
	report_finding(r, "no-mta-sts", SEV_INFO,
		       "example.test publishes no MTA-STS policy");
	report_finding(r, "no-tls-rpt", SEV_INFO,
		       "example.test publishes no TLS-RPT record");
	report_sort(r);
	return r;
}

/* A server whose every string is an attack on the page. */
#define EVIL_BANNER                                                            \
	"220 <script>document.title='PWNED'</script></style>"                  \
	"<img src=x onerror=alert(1)> \"javascript:alert(1)\" & it's <!--"
static struct report *hostile(void)
{
	struct report *r = new_report("evil<b>.example.test");
	struct probe *p = add(r, "198.18.3.2", 25);

	starttls(p, false);
	free(p->banner);
	p->banner = strdup(EVIL_BANNER);
	ck_assert_int_eq(strlist_add(&p->ehlo, "X-</table><script>x()"), 0);
	ck_assert_int_eq(strlist_add(&p->tls.names, "<b>evil</b>"), 0);
	free(p->tls.issuer);
	p->tls.issuer = strdup("CN=\"><svg onload=alert(1)>");
	r->dns.domain = true;
	r->dns.spf = strdup("v=spf1 <iframe src=javascript:alert(1)>");
	r->dns.nspf = 1;
	return r;
}

static void write_page(void)
{
	struct html_page *pg = html_page_new("0.1.0");
	FILE *f = open_memstream(&out, &outlen);
	size_t i;

	ck_assert_ptr_nonnull(pg);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < nreps; i++)
		ck_assert_int_eq(html_page_add(pg, reps[i]), 0);
	ck_assert_int_eq(html_page_write(f, pg), 0);
	ck_assert_int_eq(fclose(f), 0);
	html_page_free(pg);
	ck_assert_uint_gt(outlen, 0);
}

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	html_esc(f, s);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* Where needle first is in out; fails when it is not. */
static size_t at(const char *needle)
{
	const char *s = strstr(out, needle);

	ck_assert_msg(s != NULL, "'%s' not in the page", needle);
	return (size_t)(s - out);
}

/* out against tests/unit/golden/name, or written there when asked. */
static void golden(const char *name)
{
	char path[256], *want = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN "%s", name);
	if (getenv("UPDATE_GOLDEN") != NULL &&
	    strcmp(getenv("UPDATE_GOLDEN"), "1") == 0) {
		f = fopen(path, "w");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		ck_assert_uint_eq(fwrite(out, 1, outlen, f), outlen);
		ck_assert_int_eq(fclose(f), 0);
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no golden file %s (UPDATE_GOLDEN=1)", path);
	want = calloc(1, outlen + 2);
	ck_assert_ptr_nonnull(want);
	len = fread(want, 1, outlen + 1, f);
	fclose(f);
	if (len != outlen || memcmp(want, out, outlen) != 0) {
		size_t i, line = 1;

		for (i = 0; i < len && i < outlen && want[i] == out[i]; i++)
			line += out[i] == '\n';
		ck_abort_msg("the page differs from %s from line %zu: "
			     "'%.80s'",
			     path, line, out + (i < outlen ? i : outlen));
	}
	free(want);
}

START_TEST(test_esc)
{
	static const char *const cases[][2] = {
		{"plain text", "plain text"},
		{"<script>alert('x')</script>",
		 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
		{"a & b \"c\"", "a &amp; b &quot;c&quot;"},
		{"&amp;", "&amp;amp;"},
		{"tab\there", "tab here"},
		{"bell\x07 del\x7f", "bell&#xFFFD; del&#xFFFD;"},
		{"b\xc3\xbc"
		 "cher",
		 "b\xc3\xbc"
		 "cher"},				  /* UTF-8 passes */
		{"\xe2\x82\xac 5", "\xe2\x82\xac 5"},	  /* euro sign */
		{"\xf0\x9f\x93\xa7", "\xf0\x9f\x93\xa7"}, /* 4 bytes */
		{"bad \xc3 end", "bad &#xFFFD; end"},	  /* cut short */
		{"\xc0\xbc", "&#xFFFD;&#xFFFD;"},	  /* overlong '<' */
		{"\xe0\x80\xbc", "&#xFFFD;&#xFFFD;&#xFFFD;"},
		{"\xed\xa0\x80", "&#xFFFD;&#xFFFD;&#xFFFD;"}, /* surrogate */
		{"\xc2\x85", "&#xFFFD;"},		      /* C1 control */
		{"\xff\xfe", "&#xFFFD;&#xFFFD;"},
		{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = escaped(cases[i][0]);

		ck_assert_msg(strcmp(s, cases[i][1]) == 0,
			      "case %zu: '%s', want '%s'", i, s, cases[i][1]);
		free(s);
	}
	out = escaped(NULL);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Every byte the escaper writes is safe in text and attributes. */
START_TEST(test_esc_all_bytes)
{
	char in[256];
	char *s;
	size_t i;

	for (i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	s = escaped(in);
	for (i = 0; s[i] != '\0'; i++)
		ck_assert_msg(strchr("<>\"'", s[i]) == NULL &&
				      (unsigned char)s[i] >= 0x20 &&
				      s[i] != 0x7f,
			      "byte 0x%02x at %zu", (unsigned char)s[i], i);
	free(s);
}
END_TEST

START_TEST(test_good_host)
{
	good_host();
	write_page();
	golden("good.html");
	ck_assert_uint_eq(count(out, "<h1>"), 1);
	ck_assert_uint_eq(
		at("<title>SMTP report for mail.example.test</title>"),
		at("<title>"));
	/* the order a reader needs */
	ck_assert_uint_lt(at(">The answer</h2>"), at(">Ports from here</h2>"));
	ck_assert_uint_lt(at(">Ports from here</h2>"), at(">Findings</h2>"));
	ck_assert_uint_lt(at(">Findings</h2>"),
			  at(">DNS and policy records</h2>"));
	ck_assert_uint_lt(at(">DNS and policy records</h2>"),
			  at(">Where the time went</h2>"));
	ck_assert_uint_lt(at(">Where the time went</h2>"),
			  at(">What the servers said</h2>"));
	ck_assert_uint_lt(at(">What the servers said</h2>"),
			  at(">About this test</h2>"));
	ck_assert_uint_eq(count(out, ">For your hosting provider<"), 0);
	/* the recommendation: 465, SSL; 587 TLS the alternative */
	at("<dt>Port</dt><dd>465</dd>");
	at("<dt>Encryption</dt><dd>SSL (implicit TLS)</dd>");
	at("<dt>Alternative</dt><dd>mail.example.test, port 587, TLS "
	   "(STARTTLS)</dd>");
	ck_assert_uint_eq(count(out, "class=\"answer good\""), 1);
	/* the grid: 2 rows, 4 ports; the state in words in every cell */
	ck_assert_uint_eq(count(out, "<th scope=\"col\">Port 25</th>"), 1);
	ck_assert_uint_eq(count(out, "<span class=\"mark\">secure</span> "
				     "<span class=\"state\">STARTTLS</span>"),
			  4);
	ck_assert_uint_eq(count(out, "<span class=\"mark\">secure</span> "
				     "<span class=\"state\">implicit TLS"
				     "</span>"),
			  2);
	ck_assert_uint_eq(count(out, "<span class=\"mark\">unencrypted</span> "
				     "<span class=\"state\">plaintext</span>"),
			  2);
	ck_assert_uint_eq(count(out, "<td class=\"good\" data-port="), 6);
	ck_assert_uint_eq(count(out, "<td class=\"warn\" data-port=\"Port "
				     "2525\">"),
			  2);
	/* 2525's findings said once for both addresses */
	ck_assert_uint_eq(count(out, "<code>starttls-not-supported</code>"), 1);
	at("Seen on port 2525: 198.18.1.2, fd00:1::2.");
	/* the waterfall: a bar per session, a title per phase */
	ck_assert_uint_eq(count(out, "<svg "), 1);
	ck_assert_uint_eq(count(out, "<title>connect: 50 ms</title>"), 8);
	ck_assert_uint_eq(count(out, "<title>TLS handshake: 102 ms</title>"),
			  2);
	/* the longest session (370 ms) ends at the axis' end */
	at("<text x=\"754.0\" y=\"");
	at("<dt>Tested</dt><dd>2026-11-18 11:06:40 UTC</dd>");
	/* every source address, per family */
	at("<dt>From</dt><dd>source addresses 198.18.2.1 (IPv4) and "
	   "fd00:2::1 (IPv6)</dd>");
	at("<dt>Tool</dt><dd>smtpprobe 0.1.0</dd>");
}
END_TEST

START_TEST(test_firewalled)
{
	struct report *r = fw_host();
	char *ticket;

	write_page();
	golden("firewalled.html");
	ck_assert_uint_eq(count(out, "class=\"answer bad\""), 1);
	at("Nothing works from here");
	at("TCP 443 is refused, not dropped");
	ck_assert_uint_eq(count(out, "<span class=\"mark\">fails</span> "
				     "<span class=\"state\">blocked</span>"),
			  8);
	at("no answer: packets are dropped (timeout)");
	at("actively rejected with a TCP reset (refused)");
	/* a paragraph per port, the same words as the Markdown's */
	ck_assert_uint_eq(count(out, "<blockquote>"), 4);
	ticket = report_ticket(r, 0);
	ck_assert_ptr_nonnull(ticket);
	ck_assert(strstr(ticket, "port 25 of fw.example.test (198.18.2.2, "
				 "fd00:2::2)") != NULL);
	free(ticket);
	ck_assert_uint_lt(at(">Where the time went</h2>"),
			  at(">For your hosting provider</h2>"));
	ck_assert_uint_lt(at(">For your hosting provider</h2>"),
			  at(">About this test</h2>"));
	/* the time a dropped connect waited, shown as unfinished */
	ck_assert_uint_eq(count(out,
				"<title>connect, no answer before the timeout: "
				"2003 ms</title>"),
			  2);
	/* the controls, with no mail port connected */
	at("plain TCP connections to port 443");
	ck_assert_uint_eq(count(out, "What the servers said"), 0);
}
END_TEST

START_TEST(test_domain_records)
{
	domain();
	write_page();
	golden("domain.html");
	at("<tr><th scope=\"row\">MX</th><td class=\"raw\">10 "
	   "mx.example.test</td></tr>");
	at("smtp.example.test:465 (priority 0, weight 0)");
	at("<tr><th scope=\"row\">SPF (TXT)</th><td class=\"raw\">v=spf1 mx "
	   "-all</td></tr>");
	at("<tr><th scope=\"row\">TLS-RPT (TXT _smtp._tls)</th><td "
	   "class=\"raw\">none</td></tr>");
	/* target findings, grouped under Notes with their meaning */
	at("<h3>Notes (2)</h3>");
	ck_assert_uint_eq(count(out, "About the target as a whole."), 2);
	at("What it means: nobody is told when other servers fail");
	/* two hosts: both named in the grid and the waterfall */
	at("<tr><th scope=\"row\">mx.example.test</th><th scope=\"row\">"
	   "198.18.1.3</th>");
	at("<td class=\"none\" data-port=\"Port 465\">not probed</td>");
	at("25 198.18.1.3 mx.example.test</text>");
}
END_TEST

/* Nothing the server sent turns into markup: the page's only tags are
 * ours, however the strings try. */
START_TEST(test_hostile_strings)
{
	hostile();
	write_page();
	golden("hostile.html");
	ck_assert_uint_eq(count(out, "<script"), 0);
	ck_assert_uint_eq(count(out, "<img"), 0);
	ck_assert_uint_eq(count(out, "<iframe"), 0);
	ck_assert_uint_eq(count(out, "<b>"), 0);
	ck_assert_uint_eq(count(out, "<!--"), 0);
	ck_assert_uint_eq(count(out, "<style>"), 1);
	ck_assert_uint_eq(count(out, "</style>"), 1);
	ck_assert_uint_eq(count(out, "<svg "), 1);
	ck_assert_uint_eq(count(out, "</table>"), count(out, "<table"));
	ck_assert_uint_eq(count(out, "href=\"javascript"), 0);
	at("220 &lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;"
	   "&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt; &quot;"
	   "javascript:alert(1)&quot; &amp; it&#39;s &lt;!--");
	at("X-&lt;/table&gt;&lt;script&gt;x()");
	at("&lt;b&gt;evil&lt;/b&gt;");
	at("CN=&quot;&gt;&lt;svg onload=alert(1)&gt;");
	at("v=spf1 &lt;iframe src=javascript:alert(1)&gt;");
	at("<title>SMTP report for evil&lt;b&gt;.example.test</title>");
	at("<h1>SMTP report for evil&lt;b&gt;.example.test</h1>");
}
END_TEST

/* The CSP allows exactly the page's style sheet, by its hash. */
START_TEST(test_csp)
{
	unsigned char digest[32];
	gnutls_datum_t in = {digest, sizeof(digest)}, b64 = {NULL, 0};
	const char *css, *end;
	char want[200];

	good_host();
	write_page();
	css = strstr(out, "<style>");
	ck_assert_ptr_nonnull(css);
	css += strlen("<style>");
	end = strstr(css, "</style>");
	ck_assert_ptr_nonnull(end);
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, css,
					  (size_t)(end - css), digest),
			 0);
	ck_assert_int_eq(gnutls_base64_encode2(&in, &b64), 0);
	snprintf(want, sizeof(want),
		 "<meta http-equiv=\"Content-Security-Policy\" "
		 "content=\"default-src 'none'; style-src 'sha256-%.*s'; "
		 "base-uri 'none'; form-action 'none'\">",
		 (int)b64.size, (const char *)b64.data);
	gnutls_free(b64.data);
	/* before anything it governs */
	ck_assert_uint_lt(at(want), at("<style>"));
	ck_assert_uint_eq(count(out, " style=\""), 0);
	ck_assert_uint_eq(count(out, "http://"), 1); /* the SVG namespace */
	ck_assert_uint_eq(count(out, "https://"), 0);
	ck_assert_uint_eq(count(out, " src="), 0);
}
END_TEST

/* Bulk: one page, the summary worst first, each target's section in the
 * same order, headings a level down. */
START_TEST(test_bulk)
{
	good_host();
	fw_host();
	domain();
	hostile();
	write_page();
	golden("bulk.html");
	at("<title>SMTP report for 4 targets</title>");
	ck_assert_uint_eq(count(out, "<h1>"), 1);
	ck_assert_uint_eq(count(out, "<section class=\"target\""), 4);
	/* fw (nothing works), evil (nothing works: not verified), then
	 * mail (errors: 2525), then example.test (warnings) */
	ck_assert_uint_lt(at("<a href=\"#t-evil_b_.example.test\">"),
			  at("<a href=\"#t-fw.example.test\">"));
	ck_assert_uint_lt(at("<a href=\"#t-fw.example.test\">"),
			  at("<a href=\"#t-mail.example.test\">"));
	ck_assert_uint_lt(at("<a href=\"#t-mail.example.test\">"),
			  at("<a href=\"#t-example.test\">"));
	ck_assert_uint_lt(at("<h2 id=\"t-evil_b_.example.test\">"),
			  at("<h2 id=\"t-fw.example.test\">"));
	ck_assert_uint_lt(at("<h2 id=\"t-fw.example.test\">"),
			  at("<h2 id=\"t-mail.example.test\">"));
	ck_assert_uint_lt(at("<h2 id=\"t-mail.example.test\">"),
			  at("<h2 id=\"t-example.test\">"));
	at("<td class=\"bad\"><span class=\"mark\">Nothing works from here"
	   "</span></td><td>none</td>");
	at("<td class=\"bad\"><span class=\"mark\">Works, with errors</span>"
	   "</td><td>mail.example.test, port 465, SSL</td><td class=\"num\">"
	   "2</td>");
	/* STARTTLS on its MX's 25 is open to a downgrade */
	at("<td class=\"warn\"><span class=\"mark\">Works, with warnings"
	   "</span></td><td>smtp.example.test, port 465, SSL</td><td "
	   "class=\"num\">0</td><td class=\"num\">1</td>");
	ck_assert_uint_eq(count(out, "<h3 id=\"t-fw.example.test-answer\">"),
			  1);
	ck_assert_uint_eq(count(out, "<h2 id=\"t-fw.example.test-answer\">"),
			  0);
	ck_assert_uint_eq(count(out, "<h4>Notes (2)</h4>"), 1);
	ck_assert_uint_eq(count(out, "\1") + count(out, "\2"), 0);
}
END_TEST

/* The same target twice gets two anchors. */
START_TEST(test_bulk_same_target)
{
	fw_host();
	fw_host();
	write_page();
	ck_assert_uint_eq(count(out, "<h2 id=\"t-fw.example.test\">"), 1);
	ck_assert_uint_eq(count(out, "<h2 id=\"t-fw.example.test-2\">"), 1);
	ck_assert_uint_eq(count(out, "id=\"t-fw.example.test-answer\""), 1);
	ck_assert_uint_eq(count(out, "id=\"t-fw.example.test-2-answer\""), 1);
}
END_TEST

START_TEST(test_check_settings)
{
	static struct check_request req = {.port = 587, .enc = ENC_IMPLICIT};
	struct report *r = good_host();

	r->check = &req;
	write_page();
	at("<p class=\"verdict\">Your settings: server mail.example.test, "
	   "port 587, SSL (implicit TLS): they do not work from here.</p>");
	at("Settings that work from here:");
	ck_assert_uint_eq(count(out, "class=\"answer bad\""), 1);
}
END_TEST

START_TEST(test_no_probes)
{
	struct report *r = new_report("nomail.example.test");

	r->dns.domain = true;
	r->dns.null_mx = true;
	write_page();
	at("Nothing works from here");
	at("null MX: the domain accepts no mail");
	at("<p>No connection was made.</p>");
	at("unknown (no connection got that far)");
	ck_assert_uint_eq(count(out, "<svg "), 0);
	ck_assert_uint_eq(count(out, "Ports from here"), 0);
}
END_TEST

START_TEST(test_empty_page)
{
	write_page();
	at("<title>SMTP report for 0 targets</title>");
	at("<p>No target was reported.</p>");
}
END_TEST

/* The paragraph for the provider: one per port and reason. */
START_TEST(test_ticket)
{
	struct report *r = new_report("fw.example.test");
	char *t;

	blocked(add(r, "198.18.2.2", 587), END_TIMEOUT, 2000);
	blocked(add(r, "fd00:2::2", 587), END_TIMEOUT, 2000);
	blocked(add(r, "198.18.2.3", 587), END_REFUSED, 1);
	greeted(add(r, "198.18.2.4", 25), NULL);
	t = report_ticket(r, 0);
	ck_assert_str_eq(
		t, "From this server (source addresses 198.18.2.1 (IPv4) and "
		   "fd00:2::1 (IPv6)), outbound TCP connections to port 587 of "
		   "fw.example.test (198.18.2.2, fd00:2::2) fail: connection "
		   "attempts time out: packets are silently dropped. Please "
		   "open outbound TCP port 587 for this server, or tell us "
		   "which port we may use for mail submission.");
	free(t);
	ck_assert_ptr_null(report_ticket(r, 1)); /* same port and reason */
	t = report_ticket(r, 2);		 /* another reason */
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(
		t, "From this server (source address 198.18.2.1), outbound "
		   "TCP connections to port 587 of fw.example.test "
		   "(198.18.2.3) fail: connection attempts are refused (TCP "
		   "reset). Please open outbound TCP port 587 for this server, "
		   "or tell us which port we may use for mail submission.");
	free(t);
	ck_assert_ptr_null(report_ticket(r, 3)); /* not blocked */
}
END_TEST

/* The hop walks of a filtered port: where its SYNs stop, in the grid's
 * section, in the words the text report uses. */
START_TEST(test_walks)
{
	struct report *r = new_report("fw.example.test");
	struct hop_walk *w;

	blocked(add(r, "198.18.2.2", 587), END_TIMEOUT, 2000);
	implicit(add(r, "198.18.2.2", 465), true);
	r->walks = calloc(2, sizeof(*r->walks));
	ck_assert_ptr_nonnull(r->walks);
	r->nwalks = 2;
	w = &r->walks[0];
	snprintf(w->address, sizeof(w->address), "198.18.2.2");
	w->port = 587;
	w->max_ttl = HOPS_MAX;
	w->hops[0].answer = HOP_TIME_EXCEEDED;
	snprintf(w->hops[0].from, sizeof(w->hops[0].from), "198.18.9.1");
	w->hops[0].ms = 1;
	w = &r->walks[1];
	snprintf(w->address, sizeof(w->address), "198.18.2.2");
	w->port = 465;
	w->reference = true;
	w->max_ttl = HOPS_MAX;
	w->hops[0].answer = HOP_TIME_EXCEEDED;
	snprintf(w->hops[0].from, sizeof(w->hops[0].from), "198.18.9.1");
	w->hops[1].answer = HOP_REACHED;
	snprintf(w->hops[1].from, sizeof(w->hops[1].from), "198.18.2.2");
	w->reached = 2;
	write_page();
	ck_assert_uint_eq(count(out, "<li>198.18.2.2: SYNs to port 587 go no "
				     "further than hop 1 (198.18.9.1); "),
			  1);
	ck_assert_uint_lt(at(">Ports from here</h2>"),
			  at("Where the connection attempts stop"));
	ck_assert_uint_lt(at("Where the connection attempts stop"),
			  at(">Findings</h2>"));
}
END_TEST

START_TEST(test_finding_words)
{
	ck_assert_ptr_nonnull(html_finding_words("downgrade-risk"));
	ck_assert_ptr_nonnull(html_finding_words("starttls-not-supported"));
	ck_assert_ptr_null(html_finding_words("no-such-finding"));
	ck_assert_ptr_null(html_finding_words(NULL));
}
END_TEST

Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *es = tcase_create("escape");
	TCase *pg = tcase_create("page");

	tcase_add_test(es, test_esc);
	tcase_add_test(es, test_esc_all_bytes);
	tcase_add_test(es, test_finding_words);
	suite_add_tcase(s, es);
	tcase_add_checked_fixture(es, setup, teardown);
	tcase_add_checked_fixture(pg, setup, teardown);
	tcase_add_test(pg, test_good_host);
	tcase_add_test(pg, test_firewalled);
	tcase_add_test(pg, test_domain_records);
	tcase_add_test(pg, test_hostile_strings);
	tcase_add_test(pg, test_csp);
	tcase_add_test(pg, test_bulk);
	tcase_add_test(pg, test_bulk_same_target);
	tcase_add_test(pg, test_check_settings);
	tcase_add_test(pg, test_no_probes);
	tcase_add_test(pg, test_empty_page);
	tcase_add_test(pg, test_ticket);
	tcase_add_test(pg, test_walks);
	suite_add_tcase(s, pg);
	return s;
}
