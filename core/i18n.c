#include "core/i18n.h"

#include <locale.h>
#include <stdio.h>

#include "core/textout.h"

void i18n_init(void)
{
	FILE *err;

	setlocale(LC_ALL, "");
	textout_init();
	if (!textout_utf8() && (err = textout_stream(stderr, false)) != NULL) {
		setvbuf(err, NULL, _IONBF, 0);
		stderr = err;
	}
}
