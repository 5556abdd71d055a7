#include "core/i18n.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/textout.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static FILE *plain_stderr; /* stderr before the escaping stream */

/* The escaping stream is memory of ours: closed at exit, stderr back. */
static void escaped_stderr_close(void)
{
	FILE *err = stderr;

	stderr = plain_stderr;
	fclose(err);
}

void i18n_init(void)
{
	const char *dir = getenv("SMTPPROBE_LOCALEDIR");
	FILE *err;

	setlocale(LC_ALL, "");
	textout_init();
	if (!textout_utf8()) {
		setlocale(LC_MESSAGES, "C");
		if ((err = textout_stream(stderr, false)) != NULL) {
			setvbuf(err, NULL, _IONBF, 0);
			plain_stderr = stderr;
			stderr = err;
			atexit(escaped_stderr_close);
		}
	}
	/* SMTPPROBE_LOCALEDIR: the catalogs of a build tree, for its tests */
	bindtextdomain("smtpprobe",
		       dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
	bind_textdomain_codeset("smtpprobe", "UTF-8");
	textdomain("smtpprobe");
}

void i18n_english(void)
{
	setlocale(LC_MESSAGES, "C");
}
