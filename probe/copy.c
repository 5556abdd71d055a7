/*
 * copy - what a probe observed, copied into another: a bulk run probes an
 * (address, port, name) once and reports it for every target that has it
 * (sharing.c, core/share.h).  Deep: the copy owns all its memory.
 */
#include "probe/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst != NULL ? 0 : -1;
}

static int dup_list(struct strlist *dst, const struct strlist *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		if (strlist_add(dst, src->v[i]) < 0)
			return -1;
	return 0;
}

static int tls_info_copy(struct tls_info *dst, const struct tls_info *src)
{
	unsigned i;
	int r = 0;

	*dst = *src;
	dst->nchain = 0;
	r |= dup_str(&dst->error, src->error);
	r |= dup_str(&dst->verify_error, src->verify_error);
	r |= dup_str(&dst->issuer, src->issuer);
	r |= dup_str(&dst->subject, src->subject);
	r |= dup_list(&dst->names, &src->names);
	for (i = 0; i < src->nchain; i++) {
		dst->chain[i].data =
			malloc(src->chain[i].size ? src->chain[i].size : 1);
		if (dst->chain[i].data == NULL) {
			r = -1;
			break;
		}
		memcpy(dst->chain[i].data, src->chain[i].data,
		       src->chain[i].size);
		dst->chain[i].size = src->chain[i].size;
		dst->nchain = i + 1;
	}
	return r;
}

int probe_copy(struct probe *dst, const struct probe *src)
{
	struct probe keep = *dst;
	int r = 0;

	*dst = *src;
	/* the caller's fields stay the caller's */
	dst->host = keep.host;
	dst->role = keep.role;
	dst->session = NULL;
	dst->tls_done = NULL;
	dst->tls_arg = NULL;
	dst->target_start = NULL; /* the other target's clock */
	r |= dup_str(&dst->detail, src->detail);
	r |= dup_str(&dst->banner, src->banner);
	r |= dup_str(&dst->starttls_reply, src->starttls_reply);
	r |= dup_str(&dst->sniff, src->sniff);
	r |= dup_str(&dst->mail_reply, src->mail_reply);
	r |= dup_str(&dst->enforce_reply, src->enforce_reply);
	r |= dup_str(&dst->auth_reply, src->auth_reply);
	r |= dup_list(&dst->ehlo, &src->ehlo);
	r |= dup_list(&dst->ehlo_tls, &src->ehlo_tls);
	r |= tls_info_copy(&dst->tls, &src->tls);
	return r < 0 ? -1 : 0;
}

void probe_key(const struct probe *p, char *key, size_t len)
{
	snprintf(key, len, "%s|%d|%s|%d|%d", p->address, p->port,
		 p->host ? p->host : "", (int)p->expect, (int)p->connect_only);
}
