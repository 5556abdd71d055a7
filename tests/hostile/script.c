#include "tests/hostile/script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_MS    (10ULL * 60 * 1000)
#define MAX_FLOOD (1ULL << 32)

struct parser {
	const char *path;
	int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps,
                                                      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->path, ps->line, msg);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes the escapes of s into a new buffer with room for a CRLF. */
static int decode(struct parser *ps, const char *s, char **out, size_t *len)
{
	char *buf = malloc(strlen(s) + 3);
	size_t n = 0;

	if (buf == NULL)
		return fail(ps, "out of memory");
	while (*s != '\0') {
		int hi, lo;

		if (*s != '\\') {
			buf[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r':
			buf[n++] = '\r';
			break;
		case 'n':
			buf[n++] = '\n';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case '0':
			buf[n++] = '\0';
			break;
		case '\\':
			buf[n++] = '\\';
			break;
		case 'x':
			hi = s[1] ? hexval(s[1]) : -1;
			lo = hi >= 0 && s[2] ? hexval(s[2]) : -1;
			if (lo < 0) {
				free(buf);
				return fail(ps, "\\x wants two hex digits");
			}
			buf[n++] = (char)(hi * 16 + lo);
			s += 2;
			break;
		default:
			free(buf);
			return fail(ps, "unknown escape '\\%c'", *s ? *s : ' ');
		}
		s++;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* A decimal number up to max, then the end or one space; *rest is what
 * follows the space. */
static int number(struct parser *ps, const char *s, unsigned long long max,
                  unsigned long long *v, const char **rest)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return fail(ps, "a number is missing");
	*v = strtoull(s, &end, 10);
	if (errno != 0 || *v > max)
		return fail(ps, "number out of range (at most %llu)", max);
	if (*end != '\0' && *end != ' ')
		return fail(ps, "junk after the number: '%s'", end);
	*rest = *end == ' ' ? end + 1 : NULL;
	return 0;
}

static const struct {
	const char *name;
	enum op op;
} ops[] = {
    {"send", OP_SEND},     {"sendline", OP_SEND}, {"expect", OP_EXPECT},
    {"silent", OP_SILENT}, {"sleep", OP_SLEEP},   {"drip", OP_DRIP},
    {"flood", OP_FLOOD},   {"tls", OP_TLS},       {"tls-keep", OP_TLS_KEEP},
    {"hold", OP_HOLD},     {"close", OP_CLOSE},   {"reset", OP_RESET},
    {"pipelined", OP_PIPELINED},
};

/* One step from s (the line from its keyword on) into st. */
static int parse_step(struct parser *ps, const char *s, struct step *st,
                      bool nested)
{
	size_t kl = strcspn(s, " "), i;
	const char *arg = s[kl] == ' ' ? s + kl + 1 : NULL;
	const char *text = NULL;

	if (kl == 2 && strncmp(s, "if", 2) == 0) {
		size_t cl;

		if (nested || arg == NULL || *arg == ' ' || *arg == '\0')
			return fail(ps, "want: if PREFIX STEP");
		cl = strcspn(arg, " ");
		if (arg[cl] == '\0')
			return fail(ps, "want: if PREFIX STEP");
		st->cond = strndup(arg, cl);
		if (st->cond == NULL)
			return fail(ps, "out of memory");
		return parse_step(ps, arg + cl + 1, st, true);
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].name) == kl &&
		    strncmp(s, ops[i].name, kl) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return fail(ps, "unknown step '%.*s'", (int)kl, s);
	st->op = ops[i].op;
	switch (st->op) {
	case OP_SEND:
		if (kl == 4 && (arg == NULL || *arg == '\0'))
			return fail(ps, "send wants TEXT");
		text = arg ? arg : "";
		break;
	case OP_EXPECT:
		text = arg ? arg : "";
		break;
	case OP_TLS:
	case OP_TLS_KEEP:
		/* optional: a GnuTLS priority string, e.g. only TLS 1.0 */
		text = arg;
		break;
	case OP_SLEEP:
		if (number(ps, arg ? arg : "", MAX_MS, &st->n, &text) < 0)
			return -1;
		if (text != NULL)
			return fail(ps, "sleep wants only MS");
		break;
	case OP_HOLD:
		st->n = 60000;
		if (arg != NULL && number(ps, arg, MAX_MS, &st->n, &text) < 0)
			return -1;
		if (text != NULL)
			return fail(ps, "hold wants at most MS");
		break;
	case OP_DRIP:
	case OP_FLOOD:
		if (number(ps, arg ? arg : "",
		           st->op == OP_DRIP ? MAX_MS : MAX_FLOOD, &st->n,
		           &text) < 0)
			return -1;
		if (text == NULL || *text == '\0')
			return fail(ps, "%s wants a number and TEXT",
			            ops[i].name);
		break;
	default:
		if (arg != NULL)
			return fail(ps, "%s takes no argument", ops[i].name);
		break;
	}
	if (text != NULL && decode(ps, text, &st->text, &st->len) < 0)
		return -1;
	if (st->op == OP_SEND && kl == 8) {
		st->text[st->len++] = '\r';
		st->text[st->len++] = '\n';
		st->text[st->len] = '\0';
	}
	return 0;
}

int script_load(const char *path, struct script *sc, char *err, size_t errlen)
{
	struct parser ps = {.path = path, .err = err, .errlen = errlen};
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, room = 0;
	ssize_t n;
	int rc = 0;

	memset(sc, 0, sizeof(*sc));
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		char *s = line;
		struct step *st;

		ps.line++;
		/* a script saved with CRLF still means the same */
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (sc->n == room) {
			size_t nroom = room ? room * 2 : 16;
			struct step *v = realloc(sc->steps, nroom * sizeof(*v));

			if (v == NULL) {
				rc = fail(&ps, "out of memory");
				break;
			}
			sc->steps = v;
			room = nroom;
		}
		st = &sc->steps[sc->n++];
		memset(st, 0, sizeof(*st));
		st->line = ps.line;
		rc = parse_step(&ps, s, st, false);
		if (st->op == OP_TLS || st->op == OP_TLS_KEEP)
			sc->needs_tls = true;
	}
	if (rc == 0 && ferror(f))
		rc = fail(&ps, "read error");
	if (rc == 0 && sc->n == 0)
		rc = fail(&ps, "no steps");
	free(line);
	fclose(f);
	if (rc < 0)
		script_free(sc);
	return rc;
}

void script_free(struct script *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->steps[i].cond);
		free(sc->steps[i].text);
	}
	free(sc->steps);
	memset(sc, 0, sizeof(*sc));
}

bool script_match(const char *line, const char *prefixes)
{
	const char *p = prefixes;

	for (;;) {
		size_t n = strcspn(p, "|");

		if (strncasecmp(line, p, n) == 0)
			return true;
		if (p[n] == '\0')
			return false;
		p += n + 1;
	}
}
