#include "resolver/records.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/sanitize.h"

static int cmp_mx(const void *a, const void *b)
{
	const struct mx_rec *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->host, y->host);
}

/* A name from the wire, made printable; "." becomes "". */
static char *clean_name(const char *s)
{
	if (strcmp(s, ".") == 0 || *s == '\0')
		return strdup("");
	return sanitize(s, strlen(s));
}

int records_mx(const unsigned char *abuf, int alen, struct mx_rec **out)
{
	struct ares_mx_reply *head = NULL, *r;
	struct mx_rec *v;
	int n = 0;

	*out = NULL;
	if (ares_parse_mx_reply(abuf, alen, &head) != ARES_SUCCESS)
		return -1;
	v = calloc(RECORDS_MAX, sizeof(*v));
	for (r = head; v != NULL && r != NULL && n < RECORDS_MAX; r = r->next) {
		v[n].preference = r->priority;
		v[n].host = clean_name(r->host);
		if (v[n].host == NULL)
			break;
		n++;
	}
	ares_free_data(head);
	if (v == NULL)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_mx);
	*out = v;
	return n;
}

/* RFC 2782: lowest priority first; within one, heavier weight first. */
static int cmp_srv(const void *a, const void *b)
{
	const struct srv_rec *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->target, y->target);
}

int records_srv(const unsigned char *abuf, int alen, struct srv_rec **out)
{
	struct ares_srv_reply *head = NULL, *r;
	struct srv_rec *v;
	int n = 0;

	*out = NULL;
	if (ares_parse_srv_reply(abuf, alen, &head) != ARES_SUCCESS)
		return -1;
	v = calloc(RECORDS_MAX, sizeof(*v));
	for (r = head; v != NULL && r != NULL && n < RECORDS_MAX; r = r->next) {
		v[n].priority = r->priority;
		v[n].weight = r->weight;
		v[n].port = r->port;
		v[n].target = clean_name(r->host);
		if (v[n].target == NULL)
			break;
		n++;
	}
	ares_free_data(head);
	if (v == NULL)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_srv);
	*out = v;
	return n;
}

/* "v=spf1" matches "v=spf1 -all" but not "v=spf10" (RFC 7208 4.5): the
 * version tag ends at a space, a ';' or the end. */
static bool has_prefix(const struct buf *rec, const char *prefix, size_t plen)
{
	return rec->data != NULL && rec->len >= plen &&
	       strncasecmp(rec->data, prefix, plen) == 0 &&
	       (rec->len == plen || rec->data[plen] == ' ' ||
		rec->data[plen] == ';');
}

int records_txt(const unsigned char *abuf, int alen, const char *prefix,
		char **out, int *count)
{
	struct ares_txt_ext *head = NULL, *r;
	struct buf rec = {.limit = 8192};
	size_t plen = strlen(prefix);
	int records = 0;

	*out = NULL;
	*count = 0;
	if (ares_parse_txt_reply_ext(abuf, alen, &head) != ARES_SUCCESS)
		return -1;
	/* a record is its strings concatenated (RFC 7208 3.3) */
	for (r = head; r != NULL; r = r->next) {
		if (r->record_start && rec.len > 0) {
			if (has_prefix(&rec, prefix, plen)) {
				if (++*count == 1)
					*out = sanitize(rec.data, rec.len);
			}
			rec.len = 0;
		}
		if (r->record_start && ++records > RECORDS_MAX)
			break;
		buf_append(&rec, r->txt, r->length);
	}
	if (records > 0 && has_prefix(&rec, prefix, plen) &&
	    records <= RECORDS_MAX) {
		if (++*count == 1)
			*out = sanitize(rec.data, rec.len);
	}
	buf_free(&rec);
	ares_free_data(head);
	return 0;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Skips a possibly compressed name at p; its length on the wire, or -1. */
static long skip_name(const unsigned char *abuf, int alen,
		      const unsigned char *p)
{
	char *name = NULL;
	long enclen = 0;

	if (ares_expand_name(p, abuf, alen, &name, &enclen) != ARES_SUCCESS)
		return -1;
	ares_free_string(name);
	return enclen;
}

int records_tlsa(const unsigned char *abuf, int alen, struct tlsa_rec **out)
{
	const unsigned char *p, *end;
	struct tlsa_rec *v;
	unsigned qd, an, i;
	int n = 0;

	*out = NULL;
	if (abuf == NULL || alen < HFIXEDSZ)
		return -1;
	end = abuf + alen;
	qd = get16(abuf + 4);
	an = get16(abuf + 6);
	p = abuf + HFIXEDSZ;
	for (i = 0; i < qd; i++) {
		long len = skip_name(abuf, alen, p);

		if (len < 0 || end - p < len + QFIXEDSZ)
			return -1;
		p += len + QFIXEDSZ;
	}
	v = calloc(RECORDS_MAX, sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < an; i++) {
		long len = skip_name(abuf, alen, p);
		unsigned type, rdlen;

		if (len < 0 || end - p < len + RRFIXEDSZ)
			goto bad;
		p += len;
		type = get16(p);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if (end - p < (long)rdlen)
			goto bad;
		/* CNAMEs and RRSIGs ride along; only TLSA counts */
		if (type == 52 && n < RECORDS_MAX) {
			if (rdlen < 3)
				goto bad;
			v[n].usage = p[0];
			v[n].selector = p[1];
			v[n].mtype = p[2];
			v[n].len = rdlen - 3;
			v[n].data = malloc(v[n].len ? v[n].len : 1);
			if (v[n].data == NULL)
				goto bad;
			memcpy(v[n].data, p + 3, v[n].len);
			n++;
		}
		p += rdlen;
	}
	*out = v;
	return n;
bad:
	records_tlsa_free(v, n);
	return -1;
}

bool records_ad(const unsigned char *abuf, int alen)
{
	return abuf != NULL && alen >= HFIXEDSZ && (abuf[3] & 0x20) != 0;
}

void records_mx_free(struct mx_rec *v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].host);
	free(v);
}

void records_srv_free(struct srv_rec *v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].target);
	free(v);
}

void records_tlsa_free(struct tlsa_rec *v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].data);
	free(v);
}
