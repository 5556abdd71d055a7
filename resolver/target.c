#include "resolver/target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/i18n.h"
#include "core/sanitize.h"

#define HOST_MAX 253

static int port_parse(const char *s, int *port)
{
	long v = 0;
	size_t i;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static bool all_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* LDH labels (and '_', found in SRV-style names), 1-63 each. */
static const char *host_problem(const char *h)
{
	size_t label = 0, len = strlen(h);
	const char *p;

	if (len == 0)
		return _("empty host name");
	if (len > HOST_MAX + (h[len - 1] == '.'))
		return _("host name longer than 253 characters");
	for (p = h; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return _("empty label in host name");
			if (p[-1] == '-')
				return _("label ends with '-'");
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return _("character not allowed in a host name");
		if (label == 0 && *p == '-')
			return _("label starts with '-'");
		if (++label > 63)
			return _("label longer than 63 characters");
	}
	if (label > 0 && p[-1] == '-')
		return _("label ends with '-'");
	if (label == 0)
		return _("empty label in host name");
	return NULL;
}

static bool looks_numeric(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

static int fail(char *err, size_t errlen, const char *input, const char *why)
{
	char *clean = sanitize(input, strlen(input) > 80 ? 80 : strlen(input));

	snprintf(err, errlen, _("bad target '%s': %s"), clean ? clean : "?",
		 why);
	utf8_trim_tail(err);
	free(clean);
	return -1;
}

static int set_host(struct target *t, const char *in, const char *h, char *err,
		    size_t errlen)
{
	unsigned char a[16];
	const char *why;
	char *lower;
	size_t i, len = strlen(h);

	if (inet_pton(AF_INET, h, a) == 1) {
		t->family = AF_INET;
		t->host = strdup(h);
		return t->host ? 0 : fail(err, errlen, in, _("out of memory"));
	}
	if (looks_numeric(h))
		return fail(err, errlen, in, _("not a valid IPv4 address"));
	if (!all_ascii(h)) {
		char *ace = NULL;
		int rc = idn2_to_ascii_8z(
			h, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);

		if (rc != IDN2_OK)
			return fail(err, errlen, in, idn2_strerror(rc));
		t->unicode = strdup(h);
		h = ace;
		len = strlen(h);
		lower = ace;
	} else {
		lower = strdup(h);
		if (lower == NULL)
			return fail(err, errlen, in, _("out of memory"));
	}
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	if (len > 1 && lower[len - 1] == '.')
		lower[len - 1] = '\0'; /* names are absolute anyway */
	why = host_problem(lower);
	if (why != NULL) {
		free(lower);
		return fail(err, errlen, in, why);
	}
	t->host = lower;
	return 0;
}

int target_parse(const char *s, struct target *t, char *err, size_t errlen)
{
	unsigned char a[16];
	const char *colon;
	char buf[HOST_MAX + 8];
	size_t len = strlen(s);

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return fail(err, errlen, s, _("empty"));
	if (len >= sizeof(buf) * 2)
		return fail(err, errlen, s, _("too long"));
	t->input = sanitize(s, len);
	if (t->input == NULL)
		return fail(err, errlen, s, "out of memory");
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		size_t n;

		if (end == NULL)
			return target_free(t),
			       fail(err, errlen, s, _("missing ']'"));
		n = (size_t)(end - s - 1);
		if (n == 0 || n >= INET6_ADDRSTRLEN) {
			target_free(t);
			return fail(err, errlen, s, _("not an IPv6 address"));
		}
		memcpy(buf, s + 1, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, a) != 1) {
			target_free(t);
			return fail(err, errlen, s,
				    "not an IPv6 address inside [ ]");
		}
		if (end[1] != '\0' &&
		    (end[1] != ':' || port_parse(end + 2, &t->port) < 0)) {
			target_free(t);
			return fail(err, errlen, s,
				    "after ']' only ':PORT' (1-65535)");
		}
		t->family = AF_INET6;
		t->host = strdup(buf);
		return t->host ? 0 : (target_free(t), -1);
	}
	if (strstr(s, "://") != NULL) {
		/* smtp://host:587, https://host/...: the host is wanted */
		const char *h = strstr(s, "://") + 3;
		size_t n = strcspn(h, "/?#");
		char why[HOST_MAX + 80];
		char *c = sanitize(h, n > HOST_MAX ? HOST_MAX : n);

		snprintf(why, sizeof(why),
			 _("a URL, not a host: give the host name or "
			   "HOST:PORT, as in '%s'"),
			 c != NULL && *c != '\0' ? c : "mail.example.com");
		utf8_trim_tail(why);
		free(c);
		target_free(t);
		return fail(err, errlen, s, why);
	}
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		/* two colons or more: a bare IPv6 address, never a port */
		if (len >= INET6_ADDRSTRLEN || inet_pton(AF_INET6, s, a) != 1) {
			target_free(t);
			return fail(err, errlen, s,
				    "not an IPv6 address (with a port, write "
				    "[ADDRESS]:PORT)");
		}
		t->family = AF_INET6;
		t->host = strdup(s);
		return t->host ? 0 : (target_free(t), -1);
	}
	if (colon != NULL) {
		size_t n = (size_t)(colon - s);

		if (port_parse(colon + 1, &t->port) < 0) {
			target_free(t);
			return fail(err, errlen, s,
				    "port must be a number from 1 to 65535");
		}
		if (n == 0 || n >= sizeof(buf)) {
			target_free(t);
			return fail(err, errlen, s,
				    _("empty or overlong host"));
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else {
		if (len >= sizeof(buf)) {
			target_free(t);
			return fail(err, errlen, s,
				    "host name longer than 253 characters");
		}
		memcpy(buf, s, len + 1);
	}
	if (set_host(t, s, buf, err, errlen) < 0) {
		target_free(t);
		return -1;
	}
	return 0;
}

void target_free(struct target *t)
{
	free(t->input);
	free(t->host);
	free(t->unicode);
	memset(t, 0, sizeof(*t));
}

int ports_parse(const char *s, int *ports, size_t *n, char *err, size_t errlen)
{
	char tok[16];
	size_t k = 0;

	*n = 0;
	for (;;) {
		size_t len = strcspn(s, ",");
		int port;
		size_t i;

		if (len == 0 || len >= sizeof(tok)) {
			snprintf(err, errlen,
				 _("bad --ports: empty or overlong item"));
			return -1;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (port_parse(tok, &port) < 0) {
			char *c = sanitize(tok, len);

			snprintf(err, errlen,
				 _("bad --ports: '%s' is not a port from 1 to "
				   "65535"),
				 c ? c : "?");
			free(c);
			return -1;
		}
		for (i = 0; i < k; i++)
			if (ports[i] == port) {
				snprintf(err, errlen,
					 _("bad --ports: %d given twice"),
					 port);
				return -1;
			}
		if (k == TARGET_MAX_PORTS) {
			snprintf(err, errlen,
				 _("bad --ports: more than %d ports"),
				 TARGET_MAX_PORTS);
			return -1;
		}
		ports[k++] = port;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	*n = k;
	return 0;
}

int dns_server_parse(const char *s, char *csv, size_t csvlen, char *err,
		     size_t errlen)
{
	struct target t;
	char item[80];
	size_t used = strlen(csv);

	if (target_parse(s, &t, err, errlen) < 0) {
		char *c = sanitize(s, strlen(s) > 80 ? 80 : strlen(s));

		snprintf(err, errlen,
			 _("bad --dns-server '%s': want ADDRESS, ADDRESS:PORT "
			   "or [IPv6]:PORT"),
			 c ? c : "?");
		free(c);
		return -1;
	}
	if (t.family == 0) {
		snprintf(err, errlen,
			 _("bad --dns-server '%s': an IP address, not a name"),
			 t.input);
		target_free(&t);
		return -1;
	}
	snprintf(item, sizeof(item), "%s%s%s%s:%d", used ? "," : "",
		 t.family == AF_INET6 ? "[" : "", t.host,
		 t.family == AF_INET6 ? "]" : "", t.port ? t.port : 53);
	target_free(&t);
	if (used + strlen(item) + 1 > csvlen) {
		snprintf(err, errlen, _("too many --dns-server options"));
		return -1;
	}
	memcpy(csv + used, item, strlen(item) + 1);
	return 0;
}
