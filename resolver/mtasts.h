/*
 * mtasts - the MTA-STS policy (RFC 8461 3.2): a strict parser and the MX
 * pattern match (4.1).  Pure functions: the fetch is resolver/https.
 */
#ifndef RESOLVER_MTASTS_H
#define RESOLVER_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define MTASTS_MAX_BYTES 65536 /* RFC 8461 3.3 suggests 64 KiB */

enum mtasts_mode { MTASTS_NONE, MTASTS_TESTING, MTASTS_ENFORCE };

struct mtasts_policy {
	enum mtasts_mode mode;
	long max_age;
	struct strlist mx; /* patterns, lower case */
};

/* 0, or -1 with the reason in err (sanitised). */
int mtasts_parse(const char *body, size_t len, struct mtasts_policy *p,
		 char *err, size_t errlen);
/* Whether host (lower or mixed case, trailing dot or not) matches one of
 * the policy's mx patterns. */
bool mtasts_match(const struct mtasts_policy *p, const char *host);
const char *mtasts_mode_name(enum mtasts_mode m);
void mtasts_free(struct mtasts_policy *p);

#endif
