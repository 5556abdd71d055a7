/*
 * auth - the client side of SMTP AUTH (RFC 4954) through GNU SASL: which
 * mechanism to use of those a server offers, and each step's response.
 * The session owns the SMTP exchange; this owns the secrets: every copy
 * of the password it makes or receives back is wiped before it is freed.
 */
#ifndef PROBE_AUTH_H
#define PROBE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* The user's credentials for the whole run (the caller wipes them). */
struct credentials {
	const char *user;
	const char *password;
};

struct auth;

/* 0, or -1 when GNU SASL cannot start (the message in err). */
int auth_global_init(char *err, size_t errlen);
void auth_global_done(void);

/* The mechanism to use among the offered ones (upper case), strongest
 * first: SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN, as far as the library
 * supports them; NULL when none fits. */
const char *auth_choose(const struct strlist *offered);

/* A client exchange for mech.  NULL when it cannot start. */
struct auth *auth_new(const char *mech, const struct credentials *c);
/* Whether the mechanism sends a first response with the AUTH command
 * (RFC 4954 4); LOGIN waits for the server's first challenge. */
bool auth_client_first(const struct auth *a);
/* The base64 response to the base64 challenge in (NULL for the initial
 * response) in *out, which the caller wipes with auth_free_out.  0, or
 * -1 when the mechanism failed (the client then cancels with "*"). */
int auth_step(struct auth *a, const char *in, char **out);
void auth_free_out(char *out);
/* Wipes what the library holds of the password, then frees. */
void auth_free(struct auth *a);

#endif
