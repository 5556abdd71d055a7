/*
 * secret - the user's password, read without ever passing the command
 * line: from the environment variable SMTPPROBE_PASSWORD (wiped from the
 * environment once read), the first line of a file, or a prompt without
 * echo when standard input is a terminal.  Held in locked memory and
 * wiped when freed; the process is made non-dumpable while it holds one.
 */
#ifndef CORE_SECRET_H
#define CORE_SECRET_H

#include <stddef.h>

#define SECRET_MAX 1024
#define SECRET_ENV "SMTPPROBE_PASSWORD"

/* The password from file when given, else the environment, else the
 * terminal (prompt on standard error).  NULL with a message in err
 * that never contains the password. */
char *secret_read(const char *file, const char *prompt, char *err,
		  size_t errlen);
/* Wipes and frees; NULL is fine. */
void secret_free(char *s);

#endif
