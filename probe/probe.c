/*
 * probe - the record of one session: its address, port and role, and
 * what the session observed (see probe.h).  The session machine itself
 * is probe/session.c.
 */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

void probe_init(struct probe *p)
{
	int i;

	for (i = 0; i < PH_COUNT; i++)
		p->ms[i] = -1;
	p->total_ms = -1;
	p->legacy_accepted = -1;
	p->command_injection = -1;
	p->enforce_code = -1;
}

/* Sets the port of p's address, and the printable address. */
static void set_port(struct probe *p, int port)
{
	if (p->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&p->addr;

		s6->sin6_port = htons((uint16_t)port);
		inet_ntop(AF_INET6, &s6->sin6_addr, p->address,
		          sizeof(p->address));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&p->addr;

		s4->sin_port = htons((uint16_t)port);
		inet_ntop(AF_INET, &s4->sin_addr, p->address,
		          sizeof(p->address));
	}
	p->port = port;
}

struct probe *probe_new(const struct sockaddr *sa, socklen_t len, int port,
                        const char *host, const char *role)
{
	struct probe *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	probe_init(p);
	memcpy(&p->addr, sa, len);
	p->addrlen = len;
	set_port(p, port);
	p->host = host ? strdup(host) : NULL;
	p->role = strdup(role);
	return p;
}

void probe_free(struct probe *p)
{
	free(p->host);
	free(p->role);
	free(p->detail);
	free(p->banner);
	free(p->starttls_reply);
	free(p->sniff);
	free(p->mail_reply);
	free(p->enforce_reply);
	free(p->auth_reply);
	strlist_free(&p->ehlo);
	strlist_free(&p->ehlo_tls);
	tls_info_free(&p->tls);
}

const char *probe_phase_name(enum probe_phase ph)
{
	static const char *const names[PH_COUNT] = {
		"connect",  "handshake", "greeting", "ehlo", "helo",
		"starttls", "handshake", "ehlo_tls", "mail", "auth",
		"quit"};

	return ph < PH_COUNT ? names[ph] : "?";
}

const char *probe_end_name(enum probe_end e)
{
	static const char *const names[] = {
		"none",	   "done",	    "timeout",	  "deadline",
		"refused", "unreachable", "connect-error", "closed",
		"protocol", "tls-failed",  "injection",	  "local"};

	return (size_t)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}
