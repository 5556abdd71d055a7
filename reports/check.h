/*
 * check - "do these exact settings work from here?": the user's host,
 * port and encryption against what the probes saw on that port, and the
 * reason in the words of the error their mail client shows.
 */
#ifndef REPORTS_CHECK_H
#define REPORTS_CHECK_H

#include <stdbool.h>

struct report;

enum encryption { ENC_NONE, ENC_STARTTLS, ENC_IMPLICIT };

struct check_request {
	int port;
	enum encryption enc;
};

struct check_result {
	bool works;	/* the client would get through */
	bool safe;	/* ... encrypted, with a verified certificate */
	char why[1536]; /* room for a translation */
};

/* "none", "tls", "starttls", "ssl", "implicit" -> 0, or -1. */
int encryption_parse(const char *s, enum encryption *enc);
const char *encryption_label(enum encryption enc);
/* The JSON words: "none", "starttls", "implicit-tls". */
const char *encryption_token(enum encryption enc);

void check_judge(const struct report *r, const struct check_request *req,
		 struct check_result *res);

#endif
