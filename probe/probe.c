/*
 * probe - the record of one session: its address, port and role, and
 * what the session observed (see probe.h).  The session machine itself
 * is probe/session.c.
 */
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

#include "core/addr.h"

void probe_init(struct probe *p)
{
	int i;

	for (i = 0; i < PH_COUNT; i++)
		p->ms[i] = -1;
	p->total_ms = -1;
	p->enforce_code = -1;
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
	addr_set_port((struct sockaddr *)&p->addr, port);
	addr_text((struct sockaddr *)&p->addr, p->address, sizeof(p->address));
	p->port = port;
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
		"connect", "handshake", "greeting",  "ehlo",
		"helo",	   "starttls",	"handshake", "ehlo_tls",
		"mail",	   "auth",	"quit"};

	return ph < PH_COUNT ? names[ph] : "?";
}

const char *probe_end_name(enum probe_end e)
{
	static const char *const names[] = {
		"none",	    "done",	   "timeout",	    "deadline",
		"refused",  "unreachable", "connect-error", "closed",
		"protocol", "tls-failed",  "injection",	    "local"};

	return (size_t)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}
