/*
 * replay - a harness's LLVMFuzzerTestOneInput on the files named, without
 * libFuzzer: make check replays the committed corpora and crash
 * reproducers (tests/fuzz/crashes/<harness>-*) through every harness with
 * the normal compiler, and make sanitize under ASan and UBSan.  A broken
 * invariant aborts, a sanitizer report exits non-zero.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

#define REPLAY_MAX (1u << 20) /* the fuzzers' -max_len is far below */

int main(int argc, char **argv)
{
	static uint8_t data[REPLAY_MAX];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		n = fread(data, 1, sizeof(data), f);
		fclose(f);
		LLVMFuzzerTestOneInput(data, n);
	}
	printf("%s: %d inputs replayed\n", argv[0], argc - 1);
	return 0;
}
