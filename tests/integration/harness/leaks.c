/* Fixture for test_harness.sh: with argument "leak" it loses memory
 * (LeakSanitizer), with "overflow" it reads past a heap block (ASan),
 * with "ub" it overflows a signed int (UBSan); exits 0 when the
 * sanitizer says nothing. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	volatile int big = 0x7fffffff;
	char *p = malloc(8);

	if (argc < 2 || !p)
		return 2;
	memset(p, 'x', 8);
	if (strcmp(argv[1], "leak") == 0) {
		p = NULL;
		return 0;
	}
	if (strcmp(argv[1], "overflow") == 0)
		big = p[8 + argc];
	else if (strcmp(argv[1], "ub") == 0)
		big = big + argc;
	free(p);
	return big == 0x7fffffff ? 0 : 1;
}
