/*
 * records - parsers for the raw DNS answers the resolver asks for: MX,
 * SRV, TXT (policy records), TLSA and the header's AD bit.  Pure functions
 * of the answer bytes, bounded by alen: every answer is hostile input.
 * c-ares 1.18 parses MX, SRV and TXT; TLSA it does not know, so that one
 * walks the message itself.
 */
#ifndef RESOLVER_RECORDS_H
#define RESOLVER_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORDS_MAX 64 /* per answer: more is noise or an attack */

struct mx_rec {
	int preference;
	char *host; /* "" for the null MX "." (RFC 7505) */
};

struct srv_rec {
	int priority, weight, port;
	char *target; /* "" for "." : service not offered (RFC 2782) */
};

struct tlsa_rec {
	uint8_t usage, selector, mtype;
	unsigned char *data;
	size_t len;
};

/* Each returns the number of records (0..RECORDS_MAX) with *out
 * allocated (free with the matching _free), or -1 on a malformed answer. */
int records_mx(const unsigned char *abuf, int alen, struct mx_rec **out);
int records_srv(const unsigned char *abuf, int alen, struct srv_rec **out);
int records_tlsa(const unsigned char *abuf, int alen, struct tlsa_rec **out);
void records_mx_free(struct mx_rec *v, int n);
void records_srv_free(struct srv_rec *v, int n);
void records_tlsa_free(struct tlsa_rec *v, int n);

/* The TXT records whose text starts with prefix (case-insensitive), each
 * record's strings joined and sanitised.  *count tells how many matched
 * (RFC 7208 4.5: more than one SPF record is an error), *out holds the
 * first.  0, or -1 on a malformed answer. */
int records_txt(const unsigned char *abuf, int alen, const char *prefix,
		char **out, int *count);

/* The header's AD bit: the resolver says it validated the answer. */
bool records_ad(const unsigned char *abuf, int alen);

#endif
