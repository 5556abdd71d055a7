/*
 * fuzz_records - resolver/records: the input is a raw DNS answer, given
 * to every parser: MX, SRV, TXT with each policy prefix, TLSA, the AD bit.
 * Results are checked for their documented shape and freed.
 */
#include <string.h>
#include <strings.h>

#include "resolver/records.h"
#include "tests/fuzz/fuzz.h"

/* The prefixes the pipeline asks for, and the degenerate empty one
 * (tests/fuzz/crashes/records-txt-empty-prefix: an answer whose TXT
 * record is empty must not reach strncasecmp(NULL, "", 0)). */
static const char *const prefixes[] = {
    "",
    "v=spf1",
    "v=DMARC1",
    "v=STSv1",
    "v=TLSRPTv1",
};

static void check_mx(const unsigned char *a, int alen)
{
	struct mx_rec *v = (struct mx_rec *)&v;
	int i, n = records_mx(a, alen, &v);

	CHECK(n >= -1 && n <= RECORDS_MAX);
	if (n < 0) {
		CHECK(v == NULL);
		return;
	}
	CHECK(v != NULL);
	for (i = 0; i < n; i++) {
		CHECK(v[i].host != NULL && fuzz_printable(v[i].host));
		CHECK(v[i].preference >= 0 && v[i].preference <= 65535);
		CHECK(i == 0 || v[i - 1].preference <= v[i].preference);
	}
	records_mx_free(v, n);
}

static void check_srv(const unsigned char *a, int alen)
{
	struct srv_rec *v = (struct srv_rec *)&v;
	int i, n = records_srv(a, alen, &v);

	CHECK(n >= -1 && n <= RECORDS_MAX);
	if (n < 0) {
		CHECK(v == NULL);
		return;
	}
	CHECK(v != NULL);
	for (i = 0; i < n; i++) {
		CHECK(v[i].target != NULL && fuzz_printable(v[i].target));
		CHECK(v[i].priority >= 0 && v[i].priority <= 65535);
		CHECK(v[i].weight >= 0 && v[i].weight <= 65535);
		CHECK(v[i].port >= 0 && v[i].port <= 65535);
		CHECK(i == 0 || v[i - 1].priority < v[i].priority ||
		      (v[i - 1].priority == v[i].priority &&
		       v[i - 1].weight >= v[i].weight));
	}
	records_srv_free(v, n);
}

static void check_txt(const unsigned char *a, int alen, const char *prefix)
{
	char *out = (char *)&out;
	int count = -1;
	int rc = records_txt(a, alen, prefix, &out, &count);
	size_t plen = strlen(prefix);

	CHECK(rc == 0 || rc == -1);
	CHECK(count >= 0 && count <= RECORDS_MAX);
	if (rc < 0 || count == 0) {
		CHECK(out == NULL);
		CHECK(count == 0);
		return;
	}
	CHECK(out != NULL && fuzz_printable(out));
	/* the prefixes are plain text: sanitising keeps them as they are */
	CHECK(strncasecmp(out, prefix, plen) == 0);
	CHECK(out[plen] == '\0' || out[plen] == ' ' || out[plen] == ';' ||
	      plen == 0);
	free(out);
}

static void check_tlsa(const unsigned char *a, int alen)
{
	struct tlsa_rec *v = (struct tlsa_rec *)&v;
	int i, n = records_tlsa(a, alen, &v);

	CHECK(n >= -1 && n <= RECORDS_MAX);
	if (n < 0) {
		CHECK(v == NULL);
		return;
	}
	CHECK(v != NULL);
	for (i = 0; i < n; i++) {
		CHECK(v[i].data != NULL);
		/* the header, a name and the fixed RR part come first */
		CHECK(v[i].len + 3 + 12 + 1 + 10 <= (size_t)alen);
		/* the data is a copy of bytes of the answer */
		CHECK(v[i].len == 0 ||
		      memmem(a, (size_t)alen, v[i].data, v[i].len) != NULL);
	}
	records_tlsa_free(v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libFuzzer passes an exact-size heap copy: a read past alen is an
	 * ASan report, as in tests/unit/test_records.c */
	const unsigned char *a = data;
	int alen;
	size_t i;

	if (size > 65535)
		return 0;
	alen = (int)size;
	check_mx(a, alen);
	check_srv(a, alen);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		check_txt(a, alen, prefixes[i]);
	check_tlsa(a, alen);
	CHECK(records_ad(a, alen) == (size >= 12 && (a[3] & 0x20) != 0));
	return 0;
}
