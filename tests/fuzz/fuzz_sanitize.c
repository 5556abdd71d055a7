/*
 * fuzz_sanitize - core/sanitize: the output is printable ASCII, and it
 * decodes back to exactly the input (the escapes can always be told apart
 * from the text), and has_nonprintable agrees with the escaping.
 */
#include <string.h>

#include "core/sanitize.h"
#include "tests/fuzz/fuzz.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes sanitize() into out (at least strlen(s) bytes); the length, or
 * -1 on an escape sanitize() never writes. */
static long unsanitize(const char *s, unsigned char *out)
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
		} else {
			return -1;
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	unsigned char *back;
	size_t i, len, escaped = 0, backslashes = 0;
	char *out;

	for (i = 0; i < size; i++) {
		if (data[i] == '\\')
			backslashes++;
		else if (data[i] < 0x20 || data[i] >= 0x7f)
			escaped++;
	}
	CHECK(has_nonprintable(s, size) == (escaped > 0));

	out = sanitize(s, size);
	CHECK(out != NULL);
	CHECK(fuzz_printable(out));
	len = strlen(out);
	CHECK(len == size + backslashes + 3 * escaped);

	back = malloc(len + 1);
	CHECK(back != NULL);
	CHECK(unsanitize(out, back) == (long)size);
	CHECK(size == 0 || memcmp(back, data, size) == 0);
	free(back);

	/* a clean string is its own sanitised form */
	CHECK(has_nonprintable(out, len) == false);
	free(out);
	return 0;
}
