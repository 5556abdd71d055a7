/*
 * script - the step language of hostile-server.  One step per line, run
 * from the top for every connection; blank lines and lines whose first
 * non-blank is '#' are skipped.  TEXT is the rest of the line after one
 * space, kept as is (spaces too) except for the escapes \r \n \t \\ \0
 * and \xHH, so any byte can be sent.
 *
 *   send TEXT        TEXT, nothing added
 *   sendline TEXT    TEXT and CRLF
 *   expect PREFIX    read one line; it must start with PREFIX (case
 *                    insensitive; alternatives split by '|'; none: any
 *                    line), else log FAIL and close.  Lines are read in
 *                    chunks: what follows a line waits for the next step
 *   if PREFIX STEP   STEP only if the last line read starts with PREFIX
 *                    ("if !PREFIX STEP": only if it does not, or there is
 *                    none)
 *   pipelined        take a line the client already sent after the last
 *                    one (pipelined), without waiting; none: no last line
 *   silent           the client must not have sent anything yet (else
 *                    log FAIL; the script goes on)
 *   sleep MS         wait; ends the script if the client hangs up
 *   drip MS TEXT     TEXT one byte every MS milliseconds (a tarpit)
 *   flood N TEXT     TEXT N times, as fast as the client reads
 *   tls [PRIORITY]   TLS handshake as the server (a GnuTLS priority string
 *                    narrows it, e.g. to TLS 1.0); later steps inside TLS.
 *                    Plaintext the client sent before its ClientHello and
 *                    no step read yet (pipelined after STARTTLS) is
 *                    discarded, as a sound server does since
 *                    CVE-2011-0411.  A failed handshake sends the client
 *                    the fatal alert that fits, as real servers do
 *   tls-keep [PRIORITY]
 *                    the same, but that plaintext is kept, and later
 *                    steps read it first, as if it had come inside TLS
 *                    (the server of CVE-2011-0411)
 *   hold [MS]        read and log until the client closes (or MS, 60 s)
 *   close            FIN, then wait briefly for the client's (also the
 *                    end of the script)
 *   reset            close with an RST
 */
#ifndef HOSTILE_SCRIPT_H
#define HOSTILE_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum op {
	OP_SEND, /* sendline too: the CRLF is added when parsing */
	OP_EXPECT,
	OP_SILENT,
	OP_SLEEP,
	OP_DRIP,
	OP_FLOOD,
	OP_TLS,
	OP_TLS_KEEP, /* tls, keeping plaintext read ahead (CVE-2011-0411) */
	OP_HOLD,
	OP_CLOSE,
	OP_RESET,
	OP_PIPELINED, /* a line already read ahead, else none */
};

struct step {
	enum op op;
	int line;   /* in the script file, for the log */
	char *cond; /* "if PREFIX": run only when the last line matches */
	char *text; /* decoded, may hold NULs; NUL-terminated anyway */
	size_t len;
	unsigned long long n; /* flood: count; sleep, drip, hold: ms */
};

struct script {
	struct step *steps;
	size_t n;
	bool needs_tls;
};

/* 0, or -1 with a message naming the file and line in err. */
int script_load(const char *path, struct script *sc, char *err, size_t errlen);
void script_free(struct script *sc);
/* line starts with one of the '|'-separated prefixes, case ignored. */
bool script_match(const char *line, const char *prefixes);

#endif
