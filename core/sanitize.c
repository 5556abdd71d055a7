#include "core/sanitize.h"

#include <stdio.h>
#include <stdlib.h>

static bool printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

bool has_nonprintable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!printable((unsigned char)s[i]))
			return true;
	return false;
}

char *sanitize(const char *s, size_t len)
{
	char *out, *p;
	size_t i;

	if (len > ((size_t)-1 - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (out == NULL)
		return NULL;
	p = out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (printable(c)) {
			*p++ = (char)c;
		} else {
			p += snprintf(p, 5, "\\x%02x", c);
		}
	}
	*p = '\0';
	return out;
}
