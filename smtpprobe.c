/* smtpprobe - which SMTP port and encryption work from here, and are
 * they safe.  The thin main: options, the pipeline, the exit status. */
#include <errno.h>
#include <getopt.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/secret.h"
#include "core/textout.h"
#include "input.h"
#include "pipeline.h"
#include "probe/sched.h"
#include "resolver/dns.h"
#include "resolver/https.h"
#include "reports/egress.h"
#include "reports/html.h"
#include "reports/nagios.h"
#include "reports/openmetrics.h"
#include "resolver/resolver.h"

#define VERSION "0.1.0"
#define MAX_DNS_CSV 1024
#define MAX_SHARDS 1000000
#define MAX_CONTROLS 16
#define DEFAULT_DEADLINE_MS 20000
#define PROGRESS_MS 500	   /* the progress line's refresh */
#define BULK_PER_ADDRESS 2 /* --per-address of --input runs */

/* The exit statuses smtpprobe(1) promises. */
enum {
	EXIT_SAFE = 0,	   /* a safe way was found, no error findings */
	EXIT_PROBLEMS = 1, /* problems found */
	EXIT_USAGE = 2,	   /* bad usage or input */
	EXIT_LOCAL = 3,	   /* a local failure: memory, the event loop */
	EXIT_SIGNAL = 128, /* + the number of the signal that ended it */
	EXIT_PIPE = 141,   /* the reader of the output left (128 + SIGPIPE) */
};

enum format {
	FMT_TEXT,
	FMT_JSON,
	FMT_MARKDOWN,
	FMT_HTML,
	FMT_NAGIOS,
	FMT_OPENMETRICS
};

/* Independent, well-known submission services: if none of them is
 * reachable on a port while HTTPS to them works, the filter is here. */
static const char *const default_controls[] = {
	"smtp.gmail.com", "smtp.office365.com", "smtp.mailgun.org",
	"smtp.sendgrid.net"};

struct main_state {
	struct egress *egress; /* --egress: gather, conclude at the end */
	struct input *in;      /* --input, for the progress line */
	bool progress;	       /* standard error is a terminal */
	bool quiet;	       /* -q: the exit status says it all */
	uint64_t t0;
	size_t problems; /* targets with exit status 1 */
	enum format format;
	FILE *out;		/* standard output, or --output FILE */
	const char *out_name;	/* for messages */
	struct html_page *html; /* --format html: written at the end */
	struct openmetrics
		*om; /* --format openmetrics: gathered, then written */
	bool colour;
	bool to_stdout; /* st.out writes to stdout (escaping or not) */
	int status;	/* worst exit status so far */
	size_t count;	/* reports written */
};

/* The progress line: on a terminal only. */
static void progress(void *arg)
{
	const struct main_state *st = arg;

	input_progress(st->in, st->t0, st->count, st->problems);
}

static void usage(FILE *out)
{
	fputs(_("usage: smtpprobe [options] TARGET...\n"
		"\n"
		"TARGET is a host name, an IPv4 or IPv6 address, HOST:PORT or\n"
		"[IPv6]:PORT.  Every address of the host is probed on each "
		"port.\n"
		"\n"
		"  -p, --ports LIST         ports to probe (25,587,465,2525)\n"
		"      --tls-ports LIST     ports that start with TLS (465)\n"
		"  -t, --timeout SECONDS    connect, and silence in a reply "
		"(5)\n"
		"  -d, --deadline SECONDS   one whole session (20)\n"
		"      --ca-file FILE       trust these CAs, not the system "
		"store\n"
		"      --cert-days WARN[,CRIT]  certificates expiring within "
		"WARN days\n"
		"                           are a warning, within CRIT an "
		"error (21,7)\n"
		"      --dns-server ADDR[:PORT]  ask this server "
		"(repeatable)\n"
		"      --ehlo NAME          EHLO name (our address literal)\n"
		"  -4, -6                   IPv4 only, IPv6 only\n"
		"  -f, --format FORMAT      text, json, markdown, html, nagios "
		"or\n"
		"                           openmetrics (text)\n"
		"  -o, --output FILE        write the report to FILE\n"
		"      --quick              skip the TLS 1.0/1.1 and STARTTLS "
		"injection\n"
		"                           sessions that follow a TLS port, "
		"and the\n"
		"                           walk that finds where a silent "
		"port's SYNs stop\n"
		"      --public-only        probe no loopback, private, "
		"link-local or\n"
		"                           other non-public address\n"
		"  -i, --input FILE|-       targets, one per line (bulk)\n"
		"      --concurrency N      sessions at once (256)\n"
		"      --per-address N      SMTP sessions at once per address "
		"(all; 2 with --input)\n"
		"      --shard K/N          with --input: take the K-th of N "
		"parts\n"
		"      --egress [--control HOST]...\n"
		"                           is outbound mail filtered here?\n"
		"      --check HOST[:PORT] --encryption none|tls|ssl\n"
		"                           do these mail settings work from "
		"here?\n"
		"      --user NAME          log in as NAME where it is safe "
		"(password from\n"
		"                           $SMTPPROBE_PASSWORD, "
		"--password-file or a prompt)\n"
		"      --password-file FILE the password is its first line\n"
		"  -q, --quiet              no output: the exit status only\n"
		"  -h, --help               this help\n"
		"  -V, --version            versions of smtpprobe and its "
		"libraries\n"
		"\n"
		"Exit status: 0 a safe way to send mail was found; 1 "
		"problems\n"
		"found; 2 bad usage or input; 3 a local failure; 128+N "
		"ended by\n"
		"signal N; 141 the reader of the output left.  See "
		"smtpprobe(1).\n"),
	      out);
}

/* A user's argument made safe to echo (it may hold escape codes). */
static const char *clean(const char *arg)
{
	static char buf[4][400];
	static int next;
	char *s = sanitize(arg, strlen(arg) > 80 ? 80 : strlen(arg));

	next = (next + 1) % 4;
	snprintf(buf[next], sizeof(buf[next]), "%s", s ? s : "?");
	free(s);
	return buf[next];
}

/* The option getopt stopped at: a short one is in optopt (it may sit in
 * a cluster such as "-bad"), a long one only in argv. */
static const char *option_name(const char *arg)
{
	static char s[3] = "-?";

	if (optopt == 0 || strncmp(arg, "--", 2) == 0)
		return clean(arg);
	s[1] = (char)optopt;
	return clean(s);
}

/* --format nagios: a monitoring system reads standard output and the
 * exit status only, and takes 3 for UNKNOWN (bad arguments included). */
static bool nagios_mode;

__attribute__((format(printf, 1, 2), noreturn)) static void
die_usage(const char *fmt, ...)
{
	va_list ap;

	if (nagios_mode) {
		char msg[600], *bar;

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		/* a '|' would start perfdata */
		while ((bar = strchr(msg, '|')) != NULL)
			*bar = '/';
		printf("SMTPPROBE UNKNOWN - %s\n", msg);
	}
	fputs(_("smtpprobe: "), stderr);
	va_start(ap, fmt);
	/* the format is the message id (make pot extracts this argument) */
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fprintf(stderr, _("\nTry 'smtpprobe --help'.\n"));
	exit(nagios_mode ? NAGIOS_UNKNOWN : EXIT_USAGE);
}

/* ports_parse() names --ports; this was --tls-ports. */
__attribute__((noreturn)) static void tls_ports_error(const char *err)
{
	/* TRANSLATORS: the start of every "bad --ports" message, as
	 * translated there */
	const char *pre = _("bad --ports");

	if (strncmp(err, pre, strlen(pre)) != 0)
		die_usage("%s", err);
	die_usage("bad --tls-ports%s", err + strlen(pre));
}

/* Whether argv asks for --format nagios, looked up before the options
 * are parsed so that a bad one already exits as UNKNOWN. */
static bool wants_nagios(int argc, char **argv)
{
	bool want = false;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i], *v = NULL;

		if (strncmp(a, "--format=", 9) == 0)
			v = a + 9;
		else if ((strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) &&
			 i + 1 < argc)
			v = argv[++i];
		else if (strncmp(a, "-f", 2) == 0 && a[1] != '-')
			v = a + 2;
		if (v != NULL)
			want = strcmp(v, "nagios") == 0; /* the last one wins */
	}
	return want;
}

static unsigned parse_count(const char *opt, const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < 1 ||
	    v > max)
		die_usage("bad %s '%s': want a number from 1 to %u", opt,
			  clean(s), max);
	return (unsigned)v;
}

static unsigned parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* the event loop counts whole milliseconds: less would be 0 */
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) ||
	    v < 0.0005 || v > 3600) {
		die_usage("bad %s '%s': want seconds from 0.001 (1 ms) to "
			  "3600",
			  opt, clean(s));
	}
	return (unsigned)lround(v * 1000);
}

/* Milliseconds as the user wrote seconds: "30", "2.5", "0.001". */
static const char *seconds_text(unsigned ms, int slot)
{
	static char buf[2][32];

	snprintf(buf[slot], sizeof(buf[slot]), "%.3f", ms / 1000.0);
	/* trailing zeros and a bare point go */
	for (char *e = buf[slot] + strlen(buf[slot]) - 1; *e == '0'; e--)
		*e = '\0';
	if (buf[slot][strlen(buf[slot]) - 1] == '.')
		buf[slot][strlen(buf[slot]) - 1] = '\0';
	return buf[slot];
}

/* --cert-days WARN[,CRIT]: whole days, CRIT at most WARN; CRIT is 7
 * unless given (or WARN when that is less); 0 turns the look-ahead off. */
static void parse_cert_days(const char *s, int *warn, int *crit)
{
	char *end;
	long w, c = -1;

	errno = 0;
	w = strtol(s, &end, 10);
	if (end != s && *end == ',') {
		const char *cs = end + 1;

		c = strtol(cs, &end, 10);
		if (end == cs || *cs == '-' || *cs == '+')
			c = -2;
	}
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    s[0] == '+' || w > 3650 || c < -1 || c > w)
		die_usage("bad --cert-days '%s': want WARN[,CRIT], days from 0 "
			  "to 3650 with CRIT at most WARN",
			  clean(s));
	*warn = (int)w;
	*crit = c >= 0 ? (int)c : w < 7 ? (int)w : 7;
}

static void emit(void *arg, struct report *r)
{
	struct main_state *st = arg;
	int status = report_status(r);

	if (st->egress != NULL) {
		egress_add(st->egress, r);
		return;
	}
	if (status != 0)
		st->problems++;
	if (st->format == FMT_NAGIOS)
		status = (int)nagios_state(r);
	if (st->quiet) {
		/* nothing on standard output */
	} else if (st->format == FMT_NAGIOS) {
		report_nagios(st->out, r);
	} else if (st->format == FMT_OPENMETRICS) {
		if (openmetrics_add(st->om, r) < 0)
			status = EXIT_LOCAL;
	} else if (st->format == FMT_JSON) {
		report_json(st->out, r);
	} else if (st->format == FMT_MARKDOWN) {
		if (st->count > 0)
			fputs("\n---\n\n", st->out);
		report_markdown(st->out, r);
	} else if (st->format == FMT_HTML) {
		/* one page for every target: written at the end */
		if (html_page_add(st->html, r) < 0) {
			fprintf(stderr, _("smtpprobe: out of memory\n"));
			st->status = EXIT_LOCAL;
		}
	} else {
		if (st->count > 0)
			fputc('\n', st->out);
		report_text(st->out, r, st->colour);
	}
	if (fflush(st->out) != 0 && errno == EPIPE)
		_exit(EXIT_PIPE); /* the reader left (| head): quietly */
	st->count++;
	if (status > st->status)
		st->status = status;
}

/* --check HOST[:PORT]: probe that host (no MX, no SRV: the user named
 * the server) on their port, in their mode first, and on the usual
 * submission ports to name settings that do work. */
static void setup_check(struct pipeline_opts *o, struct check_request *req,
			const char *arg, char *err, size_t errlen)
{
	static const int usual[] = {587, 465, 2525};
	struct target t;
	size_t i;

	if (target_parse(arg, &t, err, errlen) < 0)
		die_usage("--check: %s", err);
	req->port = t.port ? t.port : req->enc == ENC_IMPLICIT ? 465 : 587;
	target_free(&t);
	o->ports[0] = req->port;
	o->nports = 1;
	for (i = 0; i < 3; i++)
		if (usual[i] != req->port)
			o->ports[o->nports++] = usual[i];
	/* the user's port starts the way their client starts: the
	 * pipeline reads that from o->check */
	o->hosts_only = true;
	o->check = req;
}

/* Sessions need a descriptor each, and curl's and c-ares' sockets come
 * on top (dns_servers: the CSV of --dns-server, or NULL for the
 * system's): fit the concurrency to the limit. */
static unsigned fit_to_fd_limit(unsigned want, const char *dns_servers)
{
	struct rlimit rl;
	unsigned room, nservers = 0;
	const char *c;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	for (c = dns_servers; c != NULL && *c != '\0'; c++)
		nservers += c == dns_servers || *c == ',';
	room = sched_fd_budget(rl.rlim_cur, want,
			       HTTPS_MAX_CONNS + DNS_MAX_SOCKETS(nservers));
	if (want <= room)
		return want;
	fprintf(stderr,
		_("smtpprobe: only %llu file descriptors allowed (ulimit -n): "
		  "running at most %u sessions at once\n"),
		(unsigned long long)rl.rlim_cur, room);
	return room;
}

static void print_version(void)
{
	printf(_("smtpprobe %s (GnuTLS %s, c-ares %s, json-c %s)\n"), VERSION,
	       gnutls_check_version(NULL), resolver_library_version(),
	       json_c_version());
}

/* "--password" is no option: refused before getopt could take it for an
 * abbreviation of --password-file, and never echoed (what follows it
 * may be the password). */
static void refuse_password(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--password") == 0 ||
		    strncmp(argv[i], "--password=", 11) == 0)
			die_usage(
				"no password on the command line (other "
				"users see it in ps): set SMTPPROBE_PASSWORD, "
				"give --password-file FILE, or be asked on a "
				"terminal");
}

/* A user name printable as it is: no control bytes, no spaces. */
static bool user_ok(const char *u)
{
	size_t i, n = strlen(u);

	if (n == 0 || n > 256)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return false;
	return true;
}

/* Everything the command line says. */
struct options {
	struct pipeline_opts o;
	enum format format;
	bool quiet;
	const char *output_arg; /* --output FILE, "-": standard output */
	const char *input_arg;	/* --input FILE, "-": standard input */
	unsigned shard, shards; /* --shard K/N; N 0: no sharding */
	struct check_request check;
	const char *check_arg, *enc_arg;
	const char *user, *password_file; /* --user, --password-file */
	const char *controls[MAX_CONTROLS];
	size_t ncontrols;
	bool egress;
	bool only4, only6, deadline_given;
	char dns_csv[MAX_DNS_CSV];
	const char **names; /* the targets to parse */
	int ntargets;
};

/* --shard K/N */
static void parse_shard(const char *arg, struct options *op)
{
	char *end;
	unsigned long k = strtoul(arg, &end, 10), n = 0;

	if (end != arg && *end == '/')
		n = strtoul(end + 1, &end, 10);
	if (n == 0 || n > MAX_SHARDS || k >= n || *end != '\0' || arg[0] == '-')
		die_usage("bad --shard '%s': want K/N with 0 <= K < N <= %d",
			  clean(arg), MAX_SHARDS);
	op->shard = (unsigned)k;
	op->shards = (unsigned)n;
}

/* --ca-file FILE: a readable file */
static void parse_ca_file(const char *arg, struct options *op)
{
	struct stat sb;

	if (access(arg, R_OK) != 0 || stat(arg, &sb) != 0)
		die_usage("cannot read --ca-file '%s': %s", clean(arg),
			  strerror(errno));
	if (S_ISDIR(sb.st_mode))
		die_usage("--ca-file '%s' is a directory: want a file of PEM "
			  "certificates",
			  clean(arg));
	op->o.ca_file = arg;
}

/* --ehlo NAME: a host name */
static void parse_ehlo(const char *arg, struct options *op)
{
	char err[512];
	struct target t;

	if (target_parse(arg, &t, err, sizeof(err)) < 0 || t.port != 0 ||
	    t.family != 0 || t.unicode) {
		if (t.host)
			target_free(&t);
		die_usage("bad --ehlo '%s': want a host name", clean(arg));
	}
	target_free(&t);
	op->o.ehlo_name = arg;
}

/* parse_options - the options, one at a time; each bad one ends the run
 * with its message.  -h and -V answer and exit here. */
static void parse_options(int argc, char **argv, struct options *op)
{
	static const struct option longopts[] = {
		{"ports", required_argument, NULL, 'p'},
		{"tls-ports", required_argument, NULL, 'T'},
		{"timeout", required_argument, NULL, 't'},
		{"deadline", required_argument, NULL, 'd'},
		{"ca-file", required_argument, NULL, 'C'},
		{"cert-days", required_argument, NULL, 'X'},
		{"dns-server", required_argument, NULL, 'D'},
		{"ehlo", required_argument, NULL, 'E'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"check", required_argument, NULL, 'c'},
		{"encryption", required_argument, NULL, 'e'},
		{"egress", no_argument, NULL, 'g'},
		{"input", required_argument, NULL, 'i'},
		{"concurrency", required_argument, NULL, 'n'},
		{"per-address", required_argument, NULL, 'a'},
		{"shard", required_argument, NULL, 's'},
		{"quick", no_argument, NULL, 'Q'},
		{"public-only", no_argument, NULL, 'B'},
		{"quiet", no_argument, NULL, 'q'},
		{"control", required_argument, NULL, 'k'},
		{"user", required_argument, NULL, 'u'},
		{"password-file", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	struct pipeline_opts *o = &op->o;
	char err[512];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:t:d:f:o:i:q46hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ports_parse(optarg, o->ports, &o->nports, err,
					sizeof(err)) < 0)
				die_usage("%s", err);
			o->ports_given = true;
			break;
		case 'T':
			if (ports_parse(optarg, o->tls_ports, &o->ntls_ports,
					err, sizeof(err)) < 0)
				tls_ports_error(err);
			break;
		case 't':
			o->timeout_ms = parse_seconds("--timeout", optarg);
			break;
		case 'd':
			o->deadline_ms = parse_seconds("--deadline", optarg);
			op->deadline_given = true;
			break;
		case 'C':
			parse_ca_file(optarg, op);
			break;
		case 'X':
			parse_cert_days(optarg, &o->cert_warn_days,
					&o->cert_crit_days);
			break;
		case 'D':
			if (dns_server_parse(optarg, op->dns_csv,
					     sizeof(op->dns_csv), err,
					     sizeof(err)) < 0)
				die_usage("%s", err);
			o->dns_servers = op->dns_csv;
			break;
		case 'E':
			parse_ehlo(optarg, op);
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				op->format = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				op->format = FMT_JSON;
			else if (strcmp(optarg, "markdown") == 0)
				op->format = FMT_MARKDOWN;
			else if (strcmp(optarg, "html") == 0)
				op->format = FMT_HTML;
			else if (strcmp(optarg, "nagios") == 0)
				op->format = FMT_NAGIOS;
			else if (strcmp(optarg, "openmetrics") == 0)
				op->format = FMT_OPENMETRICS;
			else
				die_usage(
					"bad --format '%s': want text, json, "
					"markdown, html, nagios or openmetrics",
					clean(optarg));
			break;
		case 'o':
			op->output_arg = optarg;
			break;
		case 'c':
			op->check_arg = optarg;
			break;
		case 'e':
			op->enc_arg = optarg;
			if (encryption_parse(optarg, &op->check.enc) < 0)
				die_usage("bad --encryption '%s': want none, "
					  "tls (STARTTLS), ssl (implicit TLS), "
					  "starttls or implicit",
					  clean(optarg));
			break;
		case 'g':
			op->egress = true;
			break;
		case 'Q':
			o->followups = false;
			o->hop_walk = false;
			break;
		case 'B':
			o->public_only = true;
			break;
		case 'q':
			op->quiet = true;
			break;
		case 'i':
			op->input_arg = optarg;
			break;
		case 'n':
			o->concurrency =
				parse_count("--concurrency", optarg, 100000);
			break;
		case 'a':
			o->per_address =
				parse_count("--per-address", optarg, 64);
			break;
		case 's':
			parse_shard(optarg, op);
			break;
		case 'u':
			if (!user_ok(optarg))
				die_usage(
					"bad --user: want a user name of 1 to "
					"256 printable characters");
			op->user = optarg;
			break;
		case 'P':
			op->password_file = optarg;
			break;
		case 'k':
			if (op->ncontrols == MAX_CONTROLS)
				die_usage("at most %d --control hosts",
					  MAX_CONTROLS);
			op->controls[op->ncontrols++] = optarg;
			break;
		case '4':
			op->only4 = true;
			break;
		case '6':
			op->only6 = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SAFE);
		case 'V':
			print_version();
			exit(EXIT_SAFE);
		case ':':
			die_usage("option '%s' needs a value",
				  option_name(argv[optind - 1]));
			break;
		default:
			die_usage("unknown option '%s'",
				  option_name(argv[optind - 1]));
		}
	}
	op->names = (const char **)argv + optind;
	op->ntargets = argc - optind;
}

/* check_modes - the options that go together, and the targets each mode
 * takes: TARGETs, --check HOST:PORT, --egress's controls or --input. */
static void check_modes(struct options *op, struct input *in)
{
	struct pipeline_opts *o = &op->o;
	char err[512];
	int r;

	if (op->only4 && op->only6)
		die_usage("-4 and -6 exclude each other");
	o->v4 = !op->only6;
	o->v6 = !op->only4;
	if (o->deadline_ms < o->timeout_ms) {
		if (op->deadline_given)
			die_usage("--deadline %s must not be shorter than "
				  "--timeout %s",
				  clean(seconds_text(o->deadline_ms, 0)),
				  clean(seconds_text(o->timeout_ms, 1)));
		die_usage("--timeout %s is longer than the default "
			  "--deadline of %u s: give a --deadline of %s or more",
			  clean(seconds_text(o->timeout_ms, 0)),
			  DEFAULT_DEADLINE_MS / 1000,
			  clean(seconds_text(o->timeout_ms, 1)));
	}
	if (op->check_arg != NULL) {
		if (op->ntargets > 0)
			die_usage("--check takes its HOST:PORT instead of "
				  "TARGETs");
		if (op->enc_arg == NULL)
			die_usage("--check needs --encryption none, tls or "
				  "ssl: the setting your mail client uses");
		setup_check(o, &op->check, op->check_arg, err, sizeof(err));
		op->names = &op->check_arg;
		op->ntargets = 1;
	} else if (op->enc_arg != NULL) {
		die_usage("--encryption goes with --check HOST:PORT");
	}
	if (op->egress && op->check_arg != NULL)
		die_usage("--egress and --check are two modes: give one");
	if (op->egress && op->input_arg != NULL)
		die_usage("--egress and --input are two modes: give one");
	if (op->ncontrols > 0 && !op->egress)
		die_usage("--control goes with --egress");
	if (op->egress) {
		if (op->ntargets > 0 || op->check_arg != NULL)
			die_usage("--egress takes no TARGET (see --control)");
		if (op->ncontrols == 0) {
			memcpy(op->controls, default_controls,
			       sizeof(default_controls));
			op->ncontrols = sizeof(default_controls) /
					sizeof(default_controls[0]);
		}
		op->names = op->controls;
		op->ntargets = (int)op->ncontrols;
		o->hosts_only = true;
	}
	if (op->password_file != NULL && op->user == NULL)
		die_usage("--password-file goes with --user");
	if (op->user != NULL && op->input_arg != NULL)
		die_usage("--user does not go with --input: credentials are "
			  "tried on one server you name, never in bulk");
	if (op->user != NULL && op->egress)
		die_usage("--user does not go with --egress: name the server "
			  "with --check HOST:PORT or as a TARGET");
	if (op->input_arg != NULL) {
		if (op->ntargets > 0 || op->check_arg != NULL || op->egress)
			die_usage("--input takes the targets from a file: no "
				  "TARGET, --check or --egress with it");
		r = input_open(in, op->input_arg, op->shard, op->shards);
		if (r == -1)
			die_usage("cannot read --input '%s': %s",
				  clean(op->input_arg), strerror(errno));
		if (r == -2)
			die_usage("--input '%s' is a directory: want a file "
				  "of targets, one a line",
				  clean(op->input_arg));
		/* bulk answers "what does each domain offer", not "where
		 * is this host filtered": no hop walks */
		o->hop_walk = false;
	} else if (op->shards > 0) {
		die_usage("--shard goes with --input");
	}
	if (op->ntargets == 0 && in->f == NULL)
		die_usage("no TARGET given");
	if (op->egress && op->format == FMT_HTML)
		die_usage("--egress writes text, JSON or Markdown, not HTML");
	if (op->output_arg != NULL && op->quiet)
		die_usage("-q writes nothing: no --output with it");
	if (op->format == FMT_NAGIOS &&
	    (op->ntargets != 1 || in->f != NULL || op->egress))
		die_usage("--format nagios checks one TARGET (one service "
			  "per target), without --input or --egress");
	if (op->format == FMT_OPENMETRICS && op->egress)
		die_usage("--format openmetrics goes with TARGETs or --input, "
			  "not --egress");
	/* DESIGN.md's manners: a diagnosis of the targets given opens every
	 * session it needs to an address at once; a bulk run keeps two, a
	 * thousand domains often share one provider's MX */
	if (op->o.per_address == 0)
		op->o.per_address = in->f != NULL ? BULK_PER_ADDRESS : 0;
	op->o.bulk = in->f != NULL;
}

/* The targets named on the command line, parsed; NULL out of memory. */
static struct target *parse_targets(const struct options *op)
{
	/* one at least: calloc(0) may return NULL (--input alone) */
	struct target *targets = calloc(
		op->ntargets > 0 ? (size_t)op->ntargets : 1, sizeof(*targets));
	char err[512];
	int i;

	if (targets == NULL)
		return NULL;
	for (i = 0; i < op->ntargets; i++) {
		struct target *t = &targets[i];

		if (target_parse(op->names[i], t, err, sizeof(err)) < 0)
			die_usage("%s", err);
		if (op->check_arg != NULL)
			t->port = 0; /* the ports are in o.ports */
		if (op->egress && t->port != 0)
			die_usage("--control '%s': a host, without a port",
				  t->input);
		if ((t->family == AF_INET && op->only6) ||
		    (t->family == AF_INET6 && op->only4))
			die_usage("'%s' is an address of the family excluded "
				  "by -4/-6",
				  t->input);
	}
	return targets;
}

/* run - the pipeline over the targets and the input; the exit status */
static int run(struct options *op, struct target *targets, struct input *in)
{
	struct main_state st = {.format = op->format,
				.quiet = op->quiet,
				.out = stdout,
				.out_name = "stdout"};
	struct egress egress;
	const char *no_colour = getenv("NO_COLOR");
	static struct credentials cred;
	char *password = NULL;
	struct pipeline *pl;
	char err[512];
	int i, sig;

	memset(&egress, 0, sizeof(egress));
	if (op->egress)
		st.egress = &egress;
	if (st.format == FMT_OPENMETRICS &&
	    (st.om = openmetrics_new()) == NULL) {
		fprintf(stderr, _("smtpprobe: out of memory\n"));
		return EXIT_LOCAL;
	}
	if (op->output_arg != NULL && strcmp(op->output_arg, "-") != 0) {
		struct stat so, si;

		/* emptying the --input file would lose the targets */
		if (in->f != NULL && stat(op->output_arg, &so) == 0 &&
		    fstat(in->fd, &si) == 0 && so.st_dev == si.st_dev &&
		    so.st_ino == si.st_ino && S_ISREG(so.st_mode))
			die_usage("--output '%s' is the --input file",
				  clean(op->output_arg));
		/* opened before any probe: a bad path costs no waiting */
		st.out = fopen(op->output_arg, "w");
		if (st.out == NULL)
			die_usage("cannot write --output '%s': %s",
				  clean(op->output_arg), strerror(errno));
		st.out_name = op->output_arg;
	}
	if (st.format == FMT_HTML &&
	    (st.html = html_page_new(VERSION)) == NULL) {
		fprintf(stderr, _("smtpprobe: out of memory\n"));
		return EXIT_LOCAL;
	}
	st.colour = st.format == FMT_TEXT && st.out == stdout &&
		    isatty(STDOUT_FILENO) &&
		    (no_colour == NULL || no_colour[0] == '\0');
	st.to_stdout = st.out == stdout;
	/* text for people in the locale's character set; the other formats
	 * are UTF-8 whatever the locale */
	if ((st.format == FMT_TEXT || st.format == FMT_MARKDOWN) &&
	    (st.out = textout_stream(st.out, !st.to_stdout)) == NULL) {
		fprintf(stderr, _("smtpprobe: out of memory\n"));
		return EXIT_LOCAL;
	}
	/* last of the checks: nothing below exits before it is wiped */
	if (op->user != NULL) {
		char prompt[320];

		snprintf(prompt, sizeof(prompt), _("Password for %s: "),
			 op->user);
		password = secret_read(op->password_file, prompt, err,
				       sizeof(err));
		if (password == NULL)
			die_usage("%s", err);
		cred.user = op->user;
		cred.password = password;
		op->o.credentials = &cred;
	}
	op->o.concurrency =
		fit_to_fd_limit(op->o.concurrency, op->o.dns_servers);
	pl = pipeline_new(&op->o, emit, &st, err, sizeof(err));
	st.in = in;
	st.t0 = loop_now();
	st.progress = in->f != NULL && isatty(STDERR_FILENO);
	if (st.progress) {
		input_count(in);
		if (pl != NULL)
			pipeline_every(pl, PROGRESS_MS, progress, &st);
	}
	if (pl == NULL) {
		if (nagios_mode)
			printf("SMTPPROBE UNKNOWN - %s\n", err);
		fprintf(stderr, _("smtpprobe: %s\n"), err);
		secret_free(password);
		return EXIT_LOCAL;
	}
	for (i = 0; i < op->ntargets; i++)
		if (pipeline_add(pl, &targets[i]) < 0) {
			fprintf(stderr, _("smtpprobe: out of memory\n"));
			st.status = EXIT_LOCAL;
		}
	/* a few sessions per target: keep targets in flight to match */
	sig = pipeline_run(
		pl, in->f ? input_feed : NULL, in, in->f ? in->fd : -1,
		op->o.concurrency / 5 > 0 ? op->o.concurrency / 5 : 1);
	if (sig < 0) {
		fprintf(stderr, _("smtpprobe: event loop: %s\n"),
			strerror(errno));
		st.status = EXIT_LOCAL;
	} else if (sig > 0) {
		/* the sessions in flight were abandoned: what was written
		 * is whole; leave at once, as the signal would have */
		if (st.progress)
			fputs("\r\033[K", stderr);
		if (st.html != NULL)
			html_page_write(st.out, st.html);
		if (st.om != NULL)
			openmetrics_write(st.out, st.om);
		fflush(st.out);
		_exit(EXIT_SIGNAL + sig);
	}
	if (st.progress) {
		progress(&st);
		fputc('\n', stderr);
	}
	if (in->f != NULL && in->targets == 0 && in->bad == 0) {
		/* nothing was probed: no "safe way found" to report */
		fprintf(stderr,
			_("smtpprobe: --input '%s' names no target "
			  "(blank lines and comments only)\n"),
			clean(in->name));
		st.status = EXIT_USAGE;
	}
	if (in->bad > 0 && st.status < EXIT_USAGE)
		st.status = EXIT_USAGE;
	if (st.om != NULL) {
		/* one exposition for every target, whole or not at all */
		if (!st.quiet && openmetrics_write(st.out, st.om) < 0)
			st.status = EXIT_LOCAL;
		openmetrics_free(st.om);
	}
	if (op->egress) {
		if (st.quiet)
			; /* the exit status says it */
		else if (st.format == FMT_JSON)
			egress_json(st.out, &egress);
		else if (st.format == FMT_MARKDOWN)
			egress_markdown(st.out, &egress);
		else
			egress_text(st.out, &egress);
		st.status = egress_status(&egress);
		egress_free(&egress);
	}
	if (st.html != NULL && !st.quiet)
		html_page_write(st.out, st.html);
	html_page_free(st.html);
	if (fflush(st.out) != 0 || ferror(st.out)) {
		if (errno == EPIPE && st.to_stdout)
			_exit(EXIT_PIPE);
		fprintf(stderr, _("smtpprobe: writing %s: %s\n"),
			clean(st.out_name), strerror(errno));
		st.status = EXIT_LOCAL;
	}
	if (st.out != stdout && fclose(st.out) != 0) {
		if (errno == EPIPE && st.to_stdout)
			_exit(EXIT_PIPE);
		fprintf(stderr, _("smtpprobe: writing %s: %s\n"),
			clean(st.out_name), strerror(errno));
		st.status = EXIT_LOCAL;
	}
	pipeline_free(pl);
	secret_free(password);
	return st.status;
}

int main(int argc, char **argv)
{
	static struct options op = {
		.o =
			{
				.ports = {25, 587, 465, 2525},
				.nports = 4,
				.tls_ports = {465},
				.ntls_ports = 1,
				.v4 = true,
				.v6 = true,
				.timeout_ms = 5000,
				.deadline_ms = DEFAULT_DEADLINE_MS,
				.control_port = 443,
				.followups = true,
				.hop_walk = true,
				.concurrency = 256,
				.per_address = 0, /* by the mode, once the
						     options are read */
				.dns_timeout_ms = 2000,
				.dns_tries = 2,
				.cert_warn_days = 21,
				.cert_crit_days = 7,
			},
		.format = FMT_TEXT,
	};
	struct input in = {0};
	struct target *targets;
	int i, status;

	i18n_init();
	signal(SIGPIPE, SIG_IGN);
	nagios_mode = wants_nagios(argc, argv);
	if (nagios_mode)
		i18n_english(); /* a bad argument is UNKNOWN, in English */
	refuse_password(argc, argv);
	parse_options(argc, argv, &op);
	/* what programs read speaks the contract's language */
	if (op.format == FMT_JSON || op.format == FMT_NAGIOS ||
	    op.format == FMT_OPENMETRICS)
		i18n_english();
	check_modes(&op, &in);
	targets = parse_targets(&op);
	if (targets == NULL) {
		fprintf(stderr, _("smtpprobe: out of memory\n"));
		return EXIT_LOCAL;
	}
	status = run(&op, targets, &in);
	input_close(&in);
	for (i = 0; i < op.ntargets; i++)
		target_free(&targets[i]);
	free(targets);
	resolver_library_cleanup();
	return status;
}
