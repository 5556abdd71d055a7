/*
 * reply - incremental parser for SMTP replies (RFC 5321 4.2).
 *
 * Bytes from the server are fed as they arrive; a reply is done at its
 * final "DDD " (or bare "DDD") line.  Every reply is bounded in line
 * length, line count and bytes, so a hostile server cannot make us buffer
 * without end.  Line text is stored sanitised (see core/sanitize.h): the
 * raw bytes never leave this module.
 */
#ifndef PROBE_REPLY_H
#define PROBE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define REPLY_MAX_LINE 2048 /* RFC 5321 says 512; real servers pass it */
#define REPLY_MAX_LINES 100
#define REPLY_MAX_BYTES (32 * 1024)

enum reply_status { REPLY_MORE, REPLY_DONE, REPLY_ERROR };

enum reply_error {
	REPLY_OK,
	REPLY_MALFORMED, /* not "DDD", "DDD-..." or "DDD ..." */
	REPLY_MIXED,	 /* a continuation line with another code */
	REPLY_OVERLONG,	 /* a line longer than REPLY_MAX_LINE */
	REPLY_FLOOD,	 /* more than REPLY_MAX_LINES lines or _BYTES bytes */
};

struct reply {
	int code;	      /* 0 until the first line */
	struct strlist lines; /* text after the code, sanitised */
	size_t bytes;	      /* raw bytes of this reply so far */
	bool done;
	bool bare_lf;	   /* a line ended in LF without CR */
	bool nonprintable; /* control or 8-bit bytes were escaped */
	enum reply_error error;
	char *bad_line; /* sanitised start of the offending line */
};

/* Feed one line without its terminator. */
enum reply_status reply_feed_line(struct reply *r, const char *line, size_t len,
				  bool crlf);
/* Feed a buffer: consumes whole lines up to the end of the reply and
 * stores the bytes used in *used; what follows a done reply is left. */
enum reply_status reply_feed(struct reply *r, const char *buf, size_t len,
			     size_t *used);
/* The text of all lines joined by " / " (caller frees), or NULL. */
char *reply_join(const struct reply *r, const char *sep);
void reply_reset(struct reply *r);
const char *reply_error_name(enum reply_error e);

#endif
