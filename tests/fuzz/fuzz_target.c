/*
 * fuzz_target - resolver/target: the input is split at NUL bytes into up
 * to 32 strings, as if typed on the command line, and each goes through
 * target_parse, ports_parse and dns_server_parse (the latter appending to
 * one CSV, like repeated --dns-server options).  A parsed host is an
 * address or a lower-case LDH name; ports are 1..65535; every message is
 * printable, whatever was typed.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "resolver/target.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS    32   /* enough to fill the CSV */
#define MAX_DNS_CSV 1024 /* as smtpprobe.c */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.';
}

static void check_name(const char *h)
{
	size_t i, label = 0, len = strlen(h);

	CHECK(len > 0 && len <= 253);
	for (i = 0; i < len; i++) {
		CHECK(name_char(h[i]));
		if (h[i] == '.') {
			CHECK(label > 0 && h[i - 1] != '-');
			label = 0;
		} else {
			CHECK(label > 0 || h[i] != '-');
			CHECK(++label <= 63);
		}
	}
	CHECK(label > 0 && h[len - 1] != '-');
}

static void check_target(const char *arg)
{
	struct target t;
	char err[512] = "";
	unsigned char a[16];
	const char *p;

	if (target_parse(arg, &t, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0' && fuzz_printable(err));
		/* smtpprobe.c --ehlo frees only when t.host is set */
		CHECK(t.host == NULL);
		return;
	}
	CHECK(t.input != NULL && fuzz_printable(t.input));
	CHECK(t.host != NULL);
	for (p = t.host; *p != '\0'; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	if (t.unicode != NULL)
		for (p = t.unicode; *p != '\0'; p++)
			CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	CHECK(t.port >= 0 && t.port <= 65535);
	switch (t.family) {
	case AF_INET:
		CHECK(inet_pton(AF_INET, t.host, a) == 1);
		CHECK(t.unicode == NULL);
		break;
	case AF_INET6:
		CHECK(inet_pton(AF_INET6, t.host, a) == 1);
		CHECK(t.unicode == NULL);
		break;
	case 0:
		check_name(t.host);
		break;
	default:
		CHECK(!"unknown address family");
	}
	target_free(&t);
}

static void check_ports(const char *arg)
{
	int ports[TARGET_MAX_PORTS];
	char err[512] = "";
	size_t i, j, n = (size_t)-1;

	if (ports_parse(arg, ports, &n, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0' && fuzz_printable(err));
		return;
	}
	CHECK(n >= 1 && n <= TARGET_MAX_PORTS);
	for (i = 0; i < n; i++) {
		CHECK(ports[i] >= 1 && ports[i] <= 65535);
		for (j = 0; j < i; j++)
			CHECK(ports[i] != ports[j]);
	}
}

static void check_dns_server(const char *arg, char *csv)
{
	char err[512] = "";
	size_t before = strlen(csv);
	const char *item, *colon;

	if (dns_server_parse(arg, csv, MAX_DNS_CSV, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0' && fuzz_printable(err));
		CHECK(strlen(csv) == before);
		return;
	}
	CHECK(strlen(csv) > before && strlen(csv) < MAX_DNS_CSV);
	CHECK(fuzz_printable(csv));
	item = csv + before + (before > 0);
	CHECK(before == 0 || csv[before] == ',');
	/* ADDR:PORT or [V6]:PORT, the port 1..65535 */
	colon = strrchr(item, ':');
	CHECK(colon != NULL && colon > item);
	CHECK(atoi(colon + 1) >= 1 && atoi(colon + 1) <= 65535);
	CHECK(item[0] != '[' || colon[-1] == ']');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS];
	char csv[MAX_DNS_CSV] = "";
	size_t nargs = 0, pos = 0, i;

	while (pos <= size && nargs < MAX_ARGS) {
		const uint8_t *nul = memchr(data + pos, '\0', size - pos);
		size_t len =
		    nul != NULL ? (size_t)(nul - data) - pos : size - pos;

		args[nargs] = strndup((const char *)data + pos, len);
		CHECK(args[nargs] != NULL);
		nargs++;
		pos += len + 1;
	}
	for (i = 0; i < nargs; i++) {
		check_target(args[i]);
		check_ports(args[i]);
		check_dns_server(args[i], csv);
	}
	for (i = 0; i < nargs; i++)
		free(args[i]);
	return 0;
}
