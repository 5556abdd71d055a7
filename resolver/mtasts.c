#include "resolver/mtasts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sanitize.h"

static int fail(char *err, size_t errlen, const char *what, const char *s,
		size_t n)
{
	char *c = sanitize(s, n > 60 ? 60 : n);

	snprintf(err, errlen, "%s%s%s%s", what, c ? ": '" : "", c ? c : "",
		 c ? "'" : "");
	free(c);
	return -1;
}

static const char *trim(const char *s, const char *end, size_t *n)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*n = (size_t)(end - s);
	return s;
}

static bool is_key(const char *k, size_t n, const char *want)
{
	return n == strlen(want) && strncmp(k, want, n) == 0;
}

/* A pattern is a host name, or "*." and one; lower-cased on the way. */
static int add_mx(struct mtasts_policy *p, const char *v, size_t n)
{
	char buf[260];
	size_t i, start = 0;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_' &&
		    !(c == '*' && i == 0))
			return -1;
		buf[i] = (char)tolower(c);
	}
	buf[n] = '\0';
	if (buf[0] == '*' && (n < 3 || buf[1] != '.'))
		return -1;
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	if (n == 0 || buf[n - 1] == '.')
		return -1;
	start = buf[0] == '*' ? 2 : 0;
	if (n <= start || strstr(buf + start, "..") != NULL ||
	    buf[start] == '.')
		return -1;
	return strlist_add(&p->mx, buf);
}

int mtasts_parse(const char *body, size_t len, struct mtasts_policy *p,
		 char *err, size_t errlen)
{
	const char *s = body, *end = body + len;
	bool version = false, mode = false, max_age = false;

	memset(p, 0, sizeof(*p));
	if (len > MTASTS_MAX_BYTES)
		return fail(err, errlen, "policy larger than 64 KiB", NULL, 0);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end, *colon, *k, *v;
		size_t kn, vn;

		if (eol > s && eol[-1] == '\r')
			eol--;
		if (eol == s) {
			/* RFC 8461 3.2's grammar: fields separated by single
			 * line ends; an empty line may only end the policy */
			const char *rest = nl ? nl + 1 : end;

			while (rest < end && (*rest == '\r' || *rest == '\n'))
				rest++;
			if (rest < end) {
				mtasts_free(p);
				return fail(err, errlen,
					    "an empty line inside the policy",
					    NULL, 0);
			}
			break;
		}
		colon = memchr(s, ':', (size_t)(eol - s));
		if (colon == NULL) {
			mtasts_free(p);
			return fail(err, errlen, "a line without 'key: value'",
				    s, (size_t)(eol - s));
		}
		k = trim(s, colon, &kn);
		v = trim(colon + 1, eol, &vn);
		if (is_key(k, kn, "version")) {
			if (version ||
			    !(vn == 5 && strncmp(v, "STSv1", 5) == 0)) {
				mtasts_free(p);
				return fail(err, errlen,
					    "version must be STSv1, once", v,
					    vn);
			}
			version = true;
		} else if (is_key(k, kn, "mode")) {
			if (mode) {
				mtasts_free(p);
				return fail(err, errlen, "mode given twice",
					    NULL, 0);
			}
			mode = true;
			if (vn == 7 && strncmp(v, "enforce", 7) == 0)
				p->mode = MTASTS_ENFORCE;
			else if (vn == 7 && strncmp(v, "testing", 7) == 0)
				p->mode = MTASTS_TESTING;
			else if (vn == 4 && strncmp(v, "none", 4) == 0)
				p->mode = MTASTS_NONE;
			else {
				mtasts_free(p);
				return fail(err, errlen, "unknown mode", v, vn);
			}
		} else if (is_key(k, kn, "max_age")) {
			char num[16];
			char *e;

			if (max_age || vn == 0 || vn > 10) {
				mtasts_free(p);
				return fail(err, errlen, "bad max_age", v, vn);
			}
			memcpy(num, v, vn);
			num[vn] = '\0';
			p->max_age = strtol(num, &e, 10);
			/* RFC 8461 3.2: 0 to 31557600 seconds */
			if (*e != '\0' || !isdigit((unsigned char)num[0]) ||
			    p->max_age > 31557600) {
				mtasts_free(p);
				return fail(err, errlen, "bad max_age", v, vn);
			}
			max_age = true;
		} else if (is_key(k, kn, "mx")) {
			if (add_mx(p, v, vn) < 0) {
				mtasts_free(p);
				return fail(err, errlen, "bad mx pattern", v,
					    vn);
			}
		}
		/* other keys: ignored, for extensions (3.2) */
		s = nl ? nl + 1 : end;
	}
	if (!version || !mode || !max_age) {
		mtasts_free(p);
		return fail(err, errlen,
			    !version ? "no version"
			    : !mode  ? "no mode"
				     : "no max_age",
			    NULL, 0);
	}
	if (p->mode != MTASTS_NONE && p->mx.n == 0) {
		mtasts_free(p);
		return fail(err, errlen, "no mx pattern", NULL, 0);
	}
	return 0;
}

bool mtasts_match(const struct mtasts_policy *p, const char *host)
{
	char h[260];
	size_t i, n = strlen(host);

	if (n == 0 || n >= sizeof(h))
		return false;
	for (i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	h[n] = '\0';
	if (h[n - 1] == '.')
		h[--n] = '\0';
	for (i = 0; i < p->mx.n; i++) {
		const char *pat = p->mx.v[i];

		if (pat[0] == '*') {
			/* "*.example.com": exactly one more label in front */
			const char *dot = strchr(h, '.');

			if (dot != NULL && dot != h &&
			    strcmp(dot + 1, pat + 2) == 0)
				return true;
		} else if (strcmp(h, pat) == 0) {
			return true;
		}
	}
	return false;
}

const char *mtasts_mode_name(enum mtasts_mode m)
{
	return m == MTASTS_ENFORCE   ? "enforce"
	       : m == MTASTS_TESTING ? "testing"
				     : "none";
}

void mtasts_free(struct mtasts_policy *p)
{
	strlist_free(&p->mx);
}
