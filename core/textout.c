#include "core/textout.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool utf8;

void textout_init(void)
{
	const char *cs = nl_langinfo(CODESET);

	utf8 = cs != NULL &&
	       (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

bool textout_utf8(void)
{
	return utf8;
}

struct escaper {
	FILE *under;
	bool own;
};

static ssize_t esc_write(void *cookie, const char *buf, size_t len)
{
	struct escaper *e = cookie;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x80)
			putc(c, e->under);
		else
			fprintf(e->under, "\\x%02x", c);
	}
	/* errors (EPIPE) show up where the caller flushes */
	if (fflush(e->under) != 0 || ferror(e->under))
		return -1;
	return (ssize_t)len;
}

static int esc_close(void *cookie)
{
	struct escaper *e = cookie;
	int rc = e->own ? fclose(e->under) : fflush(e->under);

	free(e);
	return rc;
}

FILE *textout_stream(FILE *under, bool own)
{
	static const cookie_io_functions_t io = {.write = esc_write,
						 .close = esc_close};
	struct escaper *e;
	FILE *f;

	if (utf8)
		return under;
	e = malloc(sizeof(*e));
	if (e == NULL)
		return NULL;
	e->under = under;
	e->own = own;
	f = fopencookie(e, "w", io);
	if (f == NULL)
		free(e);
	return f;
}

int textout_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s);
	mbstate_t st;
	int w = 0;

	if (!utf8) {
		for (; *u != '\0'; u++)
			w += *u < 0x80 ? 1 : 4;
		return w;
	}
	memset(&st, 0, sizeof(st));
	while (*u != '\0') {
		wchar_t wc;
		size_t n = mbrtowc(&wc, (const char *)u, left, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* not text after all: shown as one cell */
			memset(&st, 0, sizeof(st));
			w++, u++, left--;
			continue;
		}
		cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		u += n, left -= n;
	}
	return w;
}
