/*
 * sanitize - make peer-supplied bytes safe to print anywhere: text on a
 * terminal, JSON, Markdown.  Printable ASCII passes; every other byte
 * (control codes, ESC, NUL, bytes >= 0x80) and the backslash become a
 * visible escape, so the output never carries what a server wanted a
 * terminal to see and can always be told apart from the escapes.
 */
#ifndef CORE_SANITIZE_H
#define CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* A new NUL-terminated string (caller frees), or NULL if out of memory. */
char *sanitize(const char *s, size_t len);
/* Whether any byte of s would be escaped (the backslash aside). */
bool has_nonprintable(const char *s, size_t len);

#endif
