/*
 * utc - wall-clock times as text (see utc.h).
 */
#include "core/utc.h"

const char *utc_format(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return buf;
		/* fmt is checked where utc_format is called (the attribute) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	strftime(buf, len, fmt, &tm);
#pragma GCC diagnostic pop
	return buf;
}
