/* timefmt.c: see timefmt.h. */
#include "common/timefmt.h"

#include <stdio.h>
#include <time.h>

size_t engine_format_rfc3339(int64_t seconds, long nanoseconds, enum engine_time_precision precision,
			     char *out, size_t size)
{
	time_t t = (time_t)seconds;
	struct tm tm;
	if (size == 0 || gmtime_r(&t, &tm) == NULL)
		return 0;
	int n;
	if (precision == ENGINE_TIME_NANOSECONDS)
		n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nanoseconds);
	else
		n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t engine_format_rfc3339_now(enum engine_time_precision precision, char *out, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return engine_format_rfc3339(ts.tv_sec, ts.tv_nsec, precision, out, size);
}
