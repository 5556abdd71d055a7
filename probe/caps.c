#include "probe/caps.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Length of the first word of s, which ends at a space or '='; the '='
 * form ("AUTH=LOGIN") is what pre-RFC 2554 clients were sent. */
static size_t keyword_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != ' ' && s[n] != '=')
		n++;
	return n;
}

bool caps_has(const struct strlist *lines, const char *keyword)
{
	size_t i, kl = strlen(keyword);

	for (i = 0; i < lines->n; i++) {
		const char *s = lines->v[i];

		if (keyword_len(s) == kl && strncasecmp(s, keyword, kl) == 0)
			return true;
	}
	return false;
}

static bool listed(const struct strlist *l, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == n && strncmp(l->v[i], s, n) == 0)
			return true;
	return false;
}

static void add_mechs(struct caps *c, const char *s)
{
	while (*s != '\0') {
		char mech[64];
		size_t n = 0;

		while (*s == ' ')
			s++;
		while (s[n] != '\0' && s[n] != ' ')
			n++;
		if (n > 0 && n < sizeof(mech)) {
			size_t i;

			for (i = 0; i < n; i++)
				mech[i] = (char)toupper((unsigned char)s[i]);
			if (!listed(&c->auth_mechs, mech, n))
				strlist_addn(&c->auth_mechs, mech, n);
		}
		s += n;
	}
}

static void parse_from(const struct strlist *lines, size_t first,
		       struct caps *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = first; i < lines->n; i++) {
		const char *s = lines->v[i];
		size_t kl = keyword_len(s);

		if (kl == 8 && strncasecmp(s, "STARTTLS", 8) == 0) {
			c->starttls = true;
		} else if (kl == 10 && strncasecmp(s, "PIPELINING", 10) == 0) {
			c->pipelining = true;
		} else if (kl == 4 && strncasecmp(s, "AUTH", 4) == 0) {
			c->auth = true;
			add_mechs(c, s + kl + (s[kl] != '\0'));
		}
	}
}

void caps_parse(const struct reply *ehlo, struct caps *c)
{
	if (ehlo->code == 250)
		parse_from(&ehlo->lines, 1, c);
	else
		memset(c, 0, sizeof(*c));
}

void caps_from_lines(const struct strlist *lines, struct caps *c)
{
	parse_from(lines, 0, c);
}

void caps_free(struct caps *c)
{
	strlist_free(&c->auth_mechs);
}
