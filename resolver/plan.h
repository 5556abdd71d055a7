/*
 * plan - which hosts and ports to probe for a target: RFC 5321 5.1 (MX,
 * or the name itself as the implicit MX), RFC 6186 (submission SRV), and
 * when a domain has no SRV, the names users try.  Pure: no network, so
 * the unit tests drive it with records they make up.
 */
#ifndef RESOLVER_PLAN_H
#define RESOLVER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "resolver/resolver.h"
#include "resolver/target.h"

#define PLAN_MAX_HOSTS 32 /* per target: MX, SRV targets and guesses */
/* per host: every port --ports may name, and a few more that SRV
 * records add; never fewer than the user asked for */
#define PLAN_MAX_PORTS (TARGET_MAX_PORTS + 4)

struct plan_entry {
	char *name;
	struct plan_port ports[PLAN_MAX_PORTS];
	size_t nports;
	bool quiet; /* only guessed: a failed lookup is no error */
	/* DNS does not know the name (NXDOMAIN): looked up in the system's
	 * hosts file, as any other client here would */
	bool hosts_file;
};

struct plan {
	struct plan_entry *hosts[PLAN_MAX_HOSTS];
	size_t nhosts;
	struct plan_note *notes;
	size_t nnotes;
};

/* Whether port is among the ports asked / served with implicit TLS. */
bool plan_port_wanted(const struct resolver_opts *o, int port);
bool plan_port_tls(const struct resolver_opts *o, int port);

/* Adds (name, port) once; the first role given wins.  A host given both
 * quietly and not is not quiet. */
void plan_add(struct plan *p, const char *name, int port, const char *role,
	      bool tls, bool quiet);

/* Every port asked (port 0), or just port, on name, for role. */
void plan_given(struct plan *p, const struct resolver_opts *o, const char *name,
		int port);

/* The domain's plan from its records.  nxdomain: the name does not
 * exist (without --dns-server, the name is then planned on every port for
 * the hosts file to resolve); mx_failed: the MX answer was an error.
 * Sets d->implicit_mx. */
void plan_domain(struct plan *p, const struct resolver_opts *o,
		 const char *domain, struct dns_info *d, bool nxdomain,
		 bool mx_failed);

/* A finding about the target (info, or a warning), for the report. */
__attribute__((format(printf, 4, 5))) void
plan_note(struct plan *p, const char *id, bool warning, const char *fmt, ...);

/* "mx:25 guess:587,465": the host's roles and ports, for the report. */
void plan_roles_text(const struct plan_entry *h, char *buf, size_t len);

/* Frees the hosts and the notes still held. */
void plan_free(struct plan *p);

#endif
