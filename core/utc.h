/*
 * utc - wall-clock times as the reports write them: certificate dates,
 * when a test ran.  Always UTC, so a report reads the same anywhere.
 */
#ifndef CORE_UTC_H
#define CORE_UTC_H

#include <stddef.h>
#include <time.h>

#define UTC_DAY "%Y-%m-%d"
#define UTC_MINUTE "%Y-%m-%d %H:%M UTC"
#define UTC_SECOND "%Y-%m-%d %H:%M:%S UTC"
#define UTC_ISO8601 "%Y-%m-%dT%H:%M:%SZ" /* the JSON's dates */
#define UTC_TEXT_MAX 32

/* t in fmt (strftime) into buf, which it returns; buf is left as it was
 * when t has no calendar date. */
__attribute__((format(strftime, 2, 0))) const char *
utc_format(time_t t, const char *fmt, char *buf, size_t len);

#endif
