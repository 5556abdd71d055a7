/*
 * fuzz_sanitize - core/sanitize: the output is printable ASCII and UTF-8
 * of visible characters, and it decodes back to exactly the input (the
 * escapes can always be told apart from the text), and has_nonprintable
 * agrees with the escaping.  Written for a reader (core/textout) in both
 * kinds of locale: under C printable ASCII that still decodes back to
 * the input, under C.UTF-8 the sanitised text unchanged.  And
 * reports/html's html_esc, on the raw bytes and on the sanitised text:
 * no markup character and no control byte comes out, every '&' starts
 * one of its references, and what is left of 8-bit is well-formed UTF-8.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/textout.h"
#include "reports/html.h"
#include "tests/fuzz/fuzz.h"

static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;",
				   "&#39;", "&#xFFFD;"};

/* html_esc(s) is safe in HTML text and quoted attributes. */
static void check_html(const char *s)
{
	char *h = NULL;
	size_t hlen = 0, i, k;
	FILE *f = open_memstream(&h, &hlen);

	CHECK(f != NULL);
	html_esc(f, s);
	CHECK(fclose(f) == 0);
	for (i = 0; i < hlen;) {
		unsigned char c = (unsigned char)h[i];
		size_t n;

		CHECK(c >= 0x20 && c != 0x7f && strchr("<>\"'", c) == NULL);
		if (c == '&') {
			for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
				if (strncmp(h + i, refs[k], strlen(refs[k])) ==
				    0)
					break;
			CHECK(k < sizeof(refs) / sizeof(refs[0]));
			i += strlen(refs[k]);
			continue;
		}
		n = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
		CHECK(c < 0x80 || c >= 0xc2);
		CHECK(c <= 0xf4);
		for (k = 1; k <= n; k++)
			CHECK(i + k < hlen &&
			      ((unsigned char)h[i + k] & 0xc0) == 0x80);
		i += n + 1;
	}
	free(h);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes sanitize() into out (at least strlen(s) bytes); the length, or
 * -1 on an escape sanitize() never writes.  The escapes are counted in
 * *escapes. */
static long unsanitize(const char *s, unsigned char *out, size_t *escapes)
{
	long n = 0;

	while (*s != '\0') {
		if (*s != '\\') {
			out[n++] = (unsigned char)*s++;
			continue;
		}
		if (s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[1] == 'x' && hex(s[2]) >= 0 && hex(s[3]) >= 0) {
			unsigned char c =
			    (unsigned char)(hex(s[2]) * 16 + hex(s[3]));

			/* only what needs escaping is escaped */
			if (c >= 0x20 && c < 0x7f)
				return -1;
			out[n++] = c;
			s += 4;
			(*escapes)++;
		} else {
			return -1;
		}
	}
	return n;
}

/* s as written for a reader in the locale name (through textout). */
static char *written(const char *name, const char *s)
{
	char *m = NULL;
	size_t mlen = 0;
	FILE *under, *f;

	CHECK(setlocale(LC_ALL, name) != NULL);
	textout_init();
	under = open_memstream(&m, &mlen);
	CHECK(under != NULL);
	f = textout_stream(under, true);
	CHECK(f != NULL);
	fputs(s, f);
	CHECK(fclose(f) == 0);
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	unsigned char *back;
	size_t len, escaped = 0, n;
	char *out, *w;

	out = sanitize(s, size);
	CHECK(out != NULL);
	CHECK(fuzz_printable(out));
	len = strlen(out);

	back = malloc(len + 1);
	CHECK(back != NULL);
	CHECK(unsanitize(out, back, &escaped) == (long)size);
	CHECK(size == 0 || memcmp(back, data, size) == 0);
	CHECK(has_nonprintable(s, size) == (escaped > 0));

	/* a clean string is its own sanitised form */
	CHECK(has_nonprintable(out, len) == false);
	check_html(out);

	/* a C locale sees ASCII and the same bytes; a UTF-8 one the text */
	w = written("C", out);
	CHECK(fuzz_ascii(w));
	n = 0;
	CHECK(unsanitize(w, back, &n) == (long)size);
	CHECK(size == 0 || memcmp(back, data, size) == 0);
	CHECK(textout_width(out) == (int)strlen(w));
	free(w);
	w = written("C.UTF-8", out);
	CHECK(strcmp(w, out) == 0);
	CHECK(textout_width(out) >= 0);
	free(w);
	free(back);
	free(out);

	/* the raw bytes up to the first NUL, as a C string */
	out = malloc(size + 1);
	CHECK(out != NULL);
	memcpy(out, data, size);
	out[size] = '\0';
	check_html(out);
	free(out);
	return 0;
}
