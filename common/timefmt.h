/* timefmt.h: the one RFC 3339 formatter.  Docker writes "created" and log
 * timestamps with nine fraction digits and some columns in whole seconds;
 * both are UTC with a "Z", so the choice is only how many digits follow. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum engine_time_precision {
	ENGINE_TIME_SECONDS,     /* 2006-01-02T15:04:05Z */
	ENGINE_TIME_NANOSECONDS, /* 2006-01-02T15:04:05.000000000Z, always nine digits */
};

/* Formats SECONDS since the epoch (plus NANOSECONDS, used only with
 * ENGINE_TIME_NANOSECONDS) into OUT, truncated to SIZE like snprintf.
 * Returns the length written, 0 when nothing could be.  Neither allocates
 * nor reads the time zone, so the monitor may call it between log lines. */
size_t engine_format_rfc3339(int64_t seconds, long nanoseconds, enum engine_time_precision precision,
			     char *out, size_t size);

/* The same for the current time (CLOCK_REALTIME). */
size_t engine_format_rfc3339_now(enum engine_time_precision precision, char *out, size_t size);
