/*
 * resolver - discovery and planning for one target: what to probe and
 * where.  A domain is asked for its MX, RFC 6186 SRV, policy TXT records
 * and MTA-STS policy; the plan (RFC 5321 5.1 and RFC 6186) names the
 * hosts and ports; every host's A and AAAA follow, with TLSA for DANE.
 * Each address found is handed to the caller as soon as it is known, so
 * probing starts before discovery has ended.
 *
 * The output types below are what the reports read (the JSON "dns"
 * section).  c-ares and its status codes stay inside resolver/.
 */
#ifndef RESOLVER_RESOLVER_H
#define RESOLVER_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "core/buf.h"
#include "core/loop.h"
#include "resolver/mtasts.h"
#include "resolver/records.h"
#include "resolver/target.h"

/* A name with a label put in front ("_submission._tcp." + domain), as
 * text: a DNS name is at most 253 characters. */
#define DNS_NAME_TEXT_MAX 300

struct dns_error {
	char *name;
	const char *type; /* "A", "AAAA" */
	const char *error;
};

/* One host of the plan: what it is probed for and where it lives. */
struct plan_host {
	char *name;
	char *roles; /* "mx:25 guess:587,465,2525" */
	char *cname; /* "a -> b" when an alias, else NULL */
	struct strlist addresses;
	const char *error; /* the lookup failed: "NXDOMAIN", ... */
	/* its A and AAAA answers were DNSSEC-validated (AD from a trusted
	 * resolver); asked only for a host with validated TLSA records */
	bool addr_ad;
};

/* plan_host.error when --public-only refused every address it had */
#define PLAN_ERR_NOT_PUBLIC "not public (--public-only)"

struct tlsa_set {
	char *name; /* _25._tcp.mx1.example.test */
	bool ad;    /* the answer was DNSSEC-validated */
	struct tlsa_rec *recs;
	int n;
};

/* The policy and routing records of a domain (the JSON "dns" section). */
struct dns_info {
	bool domain;	  /* MX, SRV and policies were asked for */
	bool null_mx;	  /* "0 ." : the domain accepts no mail */
	bool implicit_mx; /* no MX: the name itself receives mail */
	/* The AD bit counts only from a resolver the user trusts: every
	 * server on loopback, or named with --dns-server (dns_ad_trusted);
	 * the *_ad flags here and tlsa[].ad are false when it does not. */
	bool ad_trusted;
	bool mx_ad;	      /* the MX answer was DNSSEC-validated */
	bool sub_ad, subs_ad; /* the two SRV answers were */
	struct mx_rec *mx;
	int nmx;
	struct srv_rec *sub, *subs; /* _submission / _submissions */
	int nsub, nsubs;
	char *mta_sts, *tls_rpt, *spf, *dmarc;
	int nspf, ndmarc, nmta_sts, ntls_rpt; /* how many records matched */
	struct tlsa_set *tlsa;
	size_t ntlsa;
	/* the MTA-STS policy at https://mta-sts.DOMAIN/ (RFC 8461 3.3) */
	bool sts_tried;	      /* mta-sts.DOMAIN resolved: fetched */
	bool sts_valid;	      /* fetched, 200, text/plain, parsed */
	long sts_status;      /* HTTP status, 0 if none */
	char *sts_error;      /* why not valid, sanitised */
	time_t sts_not_after; /* the policy host's certificate, 0: unseen */
	time_t sts_seen;      /* wall clock of the fetch */
	struct mtasts_policy sts;
	unsigned answered; /* DNS replies of any kind for this target */
};

/* What the planner noticed on the way (RFC 7505 null MX, SRV outside
 * the domain, no SRV at all): findings about the target, in order. */
struct plan_note {
	const char *id;
	bool warning; /* else informational */
	char *message;
};

/* Everything discovery found about one target; the caller takes it. */
struct resolution {
	struct dns_info dns;
	struct plan_host *hosts;
	size_t nhosts;
	struct dns_error *errors;
	size_t nerrors;
	struct plan_note *notes;
	size_t nnotes;
};

/* Releases what a resolution holds (not r itself). */
void resolution_free(struct resolution *r);

/* A port to probe on a host, and why. */
struct plan_port {
	int port;
	const char *role; /* "mx", "submission", "guess", "given", ... */
	bool tls;	  /* implicit TLS from the first byte */
};

/* One address of a planned host, with the ports to probe there. */
struct resolved_addr {
	const char *host; /* NULL when the target is an address */
	const struct sockaddr *sa;
	socklen_t len;
	const char *text; /* the address, printable */
	const struct plan_port *ports;
	size_t nports;
};

struct resolver_opts {
	const int *ports; /* the ports asked, in order */
	size_t nports;
	bool ports_given; /* --ports: SRV ports outside it are skipped too */
	const int *tls_ports; /* implicit TLS from the first byte */
	size_t ntls_ports;
	bool v4, v6;	 /* address families to resolve */
	bool hosts_only; /* a name is a host: no MX, SRV or policies */
	bool bulk; /* --input: no lookup of a name's own addresses ahead */
	bool public_only;    /* --public-only: no non-public address probed */
	unsigned timeout_ms; /* the MTA-STS fetch gets twice this */
	unsigned dns_timeout_ms; /* per try */
	unsigned dns_tries;
	const char *dns_servers; /* c-ares CSV; NULL: the system's */
	const char *ca_file;	 /* NULL: the system trust store */
};

/* Called for each address found; may start work at once. */
typedef void (*resolver_addr_cb)(void *arg, const struct resolved_addr *a);
/* Called once, from the loop or from resolver_start, when every query of
 * the target has answered; the callee takes what res holds (and frees it
 * with resolution_free, or hands it on). */
typedef void (*resolver_done_cb)(void *arg, struct resolution *res);

struct resolver;

/* NULL with a message in err. */
struct resolver *resolver_new(struct loop *loop,
			      const struct resolver_opts *opts, char *err,
			      size_t errlen);
void resolver_free(struct resolver *rs);

/* Starts discovery of t.  addr runs for every address (for a literal
 * address, before resolver_start returns); done runs once at the end.
 * 0, or -1 if nothing could start (no callback runs then). */
int resolver_start(struct resolver *rs, const struct target *t,
		   resolver_addr_cb addr, resolver_done_cb done, void *arg);

/* "smtpprobe ... c-ares 1.18.1": the library's version. */
const char *resolver_library_version(void);
/* Releases the DNS library's global state; once, at exit. */
void resolver_library_cleanup(void);

#endif
