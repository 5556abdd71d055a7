#include "probe/auth.h"

#include <gsasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct auth {
	Gsasl_session *s;
	bool client_first;
};

static Gsasl *ctx;

/* Strongest first.  No -PLUS (channel binding is not wired up), no
 * CRAM-MD5 or DIGEST-MD5 (RFC 6331: historic), and only inside TLS. */
static const char *const preferred[] = {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN",
					"LOGIN"};

int auth_global_init(char *err, size_t errlen)
{
	int rc;

	if (ctx != NULL)
		return 0;
	rc = gsasl_init(&ctx);
	if (rc != GSASL_OK) {
		snprintf(err, errlen, "GNU SASL: %s", gsasl_strerror(rc));
		ctx = NULL;
		return -1;
	}
	return 0;
}

void auth_global_done(void)
{
	if (ctx != NULL)
		gsasl_done(ctx);
	ctx = NULL;
}

const char *auth_choose(const struct strlist *offered)
{
	size_t i, j;

	if (ctx == NULL)
		return NULL;
	for (i = 0; i < sizeof(preferred) / sizeof(preferred[0]); i++)
		for (j = 0; j < offered->n; j++)
			if (strcmp(offered->v[j], preferred[i]) == 0 &&
			    gsasl_client_support_p(ctx, preferred[i]))
				return preferred[i];
	return NULL;
}

struct auth *auth_new(const char *mech, const struct credentials *c)
{
	struct auth *a;

	if (ctx == NULL || mech == NULL)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	if (gsasl_client_start(ctx, mech, &a->s) != GSASL_OK) {
		free(a);
		return NULL;
	}
	a->client_first = strcmp(mech, "LOGIN") != 0;
	if (gsasl_property_set(a->s, GSASL_AUTHID, c->user) != GSASL_OK ||
	    gsasl_property_set(a->s, GSASL_PASSWORD, c->password) != GSASL_OK) {
		auth_free(a);
		return NULL;
	}
	return a;
}

bool auth_client_first(const struct auth *a)
{
	return a->client_first;
}

int auth_step(struct auth *a, const char *in, char **out)
{
	int rc = gsasl_step64(a->s, in ? in : "", out);

	if (rc == GSASL_OK || rc == GSASL_NEEDS_MORE)
		return 0;
	*out = NULL;
	return -1;
}

void auth_free_out(char *out)
{
	if (out == NULL)
		return;
	explicit_bzero(out, strlen(out));
	gsasl_free(out);
}

/* The library frees its copies without wiping them: wipe them first. */
static void wipe_property(Gsasl_session *s, Gsasl_property prop)
{
	const char *v = gsasl_property_fast(s, prop);

	if (v != NULL)
		explicit_bzero((char *)v, strlen(v));
}

void auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	wipe_property(a->s, GSASL_PASSWORD);
	wipe_property(a->s, GSASL_SCRAM_SALTED_PASSWORD);
	gsasl_finish(a->s);
	free(a);
}
