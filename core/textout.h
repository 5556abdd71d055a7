/*
 * textout - text for a person's terminal, in the character set of their
 * locale.  What the program holds is UTF-8 (sanitised: core/sanitize.h);
 * when the locale's character set is UTF-8 it is written as it is, in any
 * other locale every non-ASCII byte becomes the same \xHH escape that
 * sanitize() writes, so "LANG=C" shows exactly the bytes.  JSON, HTML and
 * the monitoring formats are UTF-8 always and do not come through here.
 */
#ifndef CORE_TEXTOUT_H
#define CORE_TEXTOUT_H

#include <stdbool.h>
#include <stdio.h>

/* Reads the character set of LC_CTYPE (call after setlocale). */
void textout_init(void);
/* Whether UTF-8 reaches the reader as it is. */
bool textout_utf8(void);
/* A stream that writes to under in the locale's character set: under
 * itself in a UTF-8 locale, else an escaping stream whose fclose closes
 * under when own is true (and only flushes it otherwise).  NULL if out of
 * memory. */
FILE *textout_stream(FILE *under, bool own);
/* The columns s takes on the reader's screen once written (wcwidth of
 * each character in a UTF-8 locale, the escapes' length elsewhere). */
int textout_width(const char *s);

#endif
