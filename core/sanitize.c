#include "core/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Non-ASCII code points that are never shown as themselves: C1 controls,
 * invisible format characters a reader cannot see (soft hyphen, zero
 * widths, BOM, tags), line and paragraph separators, noncharacters, and
 * everything that changes the direction of the text around it (the bidi
 * marks, embeddings, overrides and isolates: U+202A-U+202E and
 * U+2066-U+2069 make "moc.elpmaxe" read as something else). */
static bool hidden(uint32_t cp)
{
	return cp < 0xA0 || cp == 0xAD || cp == 0x061C ||
	       (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	       (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE ||
	       (cp >= 0xE0000 && cp <= 0xE007F);
}

size_t utf8_shown(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	if (len == 0 || s[0] < 0xC2 || s[0] > 0xF4)
		return 0; /* ASCII, a continuation byte, or overlong/too big */
	if (s[0] < 0xE0) {
		n = 2, c = s[0] & 0x1F, min = 0x80;
	} else if (s[0] < 0xF0) {
		n = 3, c = s[0] & 0x0F, min = 0x800;
	} else {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) ||
	    hidden(c))
		return 0;
	*cp = c;
	return n;
}

bool has_nonprintable(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t i, n;

	for (i = 0; i < len; i++) {
		if (printable(u[i]))
			continue;
		n = utf8_shown(u + i, len - i, &cp);
		if (n == 0)
			return true;
		i += n - 1;
	}
	return false;
}

char *sanitize(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out, *p;
	uint32_t cp;
	size_t i, n;

	if (len > ((size_t)-1 - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (out == NULL)
		return NULL;
	p = out;
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];

		if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (printable(c)) {
			*p++ = (char)c;
		} else if ((n = utf8_shown(u + i, len - i, &cp)) > 0) {
			for (; n > 0; n--)
				*p++ = (char)u[i++];
			i--;
		} else {
			p += snprintf(p, 5, "\\x%02x", c);
		}
	}
	*p = '\0';
	return out;
}

void utf8_trim_tail(char *s)
{
	size_t len = strlen(s), i, back;

	for (back = 1; back <= 4 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];
		size_t need;

		if ((c & 0xC0) == 0x80)
			continue; /* a continuation byte: look further back */
		need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		if (need > back) {
			for (i = len - back; i < len; i++)
				s[i] = '\0';
		}
		return;
	}
}
