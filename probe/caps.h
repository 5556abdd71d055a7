/*
 * caps - the SMTP service extensions of an EHLO reply (RFC 5321 4.1.1.1).
 * The first reply line is the server's name, not a keyword.
 */
#ifndef PROBE_CAPS_H
#define PROBE_CAPS_H

#include <stdbool.h>

#include "core/buf.h"
#include "probe/reply.h"

struct caps {
	bool starttls;
	bool pipelining;
	bool auth;
	struct strlist auth_mechs; /* upper case, each once */
};

/* Fills c from an EHLO reply (a 250 one; other codes give no caps). */
void caps_parse(const struct reply *ehlo, struct caps *c);
/* Fills c from keyword lines (an EHLO reply without its first line). */
void caps_from_lines(const struct strlist *lines, struct caps *c);
/* Whether the keyword (case-insensitive, first word) is among lines. */
bool caps_has(const struct strlist *lines, const char *keyword);
void caps_free(struct caps *c);

#endif
