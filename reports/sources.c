/*
 * sources - the source addresses a target's report names: every one
 * its connections left from, per family (a dual-stack run leaves from
 * an IPv4 and an IPv6 address, and naming one of them would tell the
 * reader's network admin only half of where to look).
 */
#include "reports/report.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/i18n.h"

/* Adds p's source address to the list of its family, once. */
static void add_source(const struct probe *p, struct strlist v[2])
{
	struct strlist *l = &v[p->addr.ss_family == AF_INET6];
	size_t i;

	if (p->source[0] == '\0')
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], p->source) == 0)
			return;
	strlist_add(l, p->source); /* out of memory: one fewer named */
}

/* The addresses of l joined with ", " into buf. */
static void join(const struct strlist *l, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 i > 0 ? ", " : "", l->v[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

bool report_source_words(const struct report *r, char *buf, size_t len)
{
	struct strlist v[2] = {{0}}; /* IPv4, IPv6 */
	char a[2][300];
	size_t i, n;

	for (i = 0; i < r->nprobes; i++)
		add_source(r->probes[i], v);
	for (i = 0; i < r->ncontrols; i++)
		add_source(r->controls[i], v);
	n = v[0].n + v[1].n;
	join(&v[0], a[0], sizeof(a[0]));
	join(&v[1], a[1], sizeof(a[1]));
	if (len > 0)
		buf[0] = '\0';
	if (v[0].n > 0 && v[1].n > 0)
		snprintf(buf, len,
			 _("source addresses %s (IPv4) and %s (IPv6)"), a[0],
			 a[1]);
	else if (n > 1)
		snprintf(buf, len, _("source addresses %s"), a[v[0].n == 0]);
	else if (n == 1)
		snprintf(buf, len, _("source address %s"), a[v[0].n == 0]);
	strlist_free(&v[0]);
	strlist_free(&v[1]);
	return n > 0;
}
