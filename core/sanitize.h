/*
 * sanitize - make peer-supplied bytes safe to print anywhere: text on a
 * terminal, JSON, Markdown.  Printable ASCII and valid UTF-8 of printable
 * characters pass (an SMTPUTF8 banner, a U-label, a name the user typed);
 * every other byte (control codes, ESC, NUL, DEL, C1 controls, invalid,
 * overlong or surrogate sequences, the bidirectional overrides, isolates
 * and marks that reorder what the reader sees, other invisible format
 * characters) and the backslash become a visible escape, so the output
 * never carries what a server wanted a terminal to see and can always be
 * told apart from the escapes.  The result does not depend on the locale:
 * whether UTF-8 may reach the reader's screen is decided when the text is
 * written (core/textout.h).
 */
#ifndef CORE_SANITIZE_H
#define CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new NUL-terminated string (caller frees), or NULL if out of memory. */
char *sanitize(const char *s, size_t len);
/* Whether any byte of s would be escaped (the backslash aside). */
bool has_nonprintable(const char *s, size_t len);
/* The length of the UTF-8 sequence at s (at most len bytes) when it is
 * one that sanitize() keeps (a printable non-ASCII character), else 0;
 * its code point in *cp. */
size_t utf8_shown(const unsigned char *s, size_t len, uint32_t *cp);
/* Cuts a UTF-8 sequence left incomplete at the end of s (snprintf into a
 * buffer too small for a sanitised text stops anywhere). */
void utf8_trim_tail(char *s);

#endif
