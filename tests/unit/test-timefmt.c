/* test-timefmt.c: the RFC 3339 formatter against the strings Docker writes
 * (and the engine wrote before the formatters became one). */
#include <string.h>
#include <time.h>

#include "tap.h"
#include "common/timefmt.h"

int main(void)
{
	char buf[64];
	size_t n = engine_format_rfc3339(1700000000, 0, ENGINE_TIME_SECONDS, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20Z", "whole seconds");
	is_int(n, strlen("2023-11-14T22:13:20Z"), "returns the length");

	engine_format_rfc3339(1700000000, 5, ENGINE_TIME_NANOSECONDS, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20.000000005Z", "nine digits, zeros kept");
	engine_format_rfc3339(0, 123456789, ENGINE_TIME_NANOSECONDS, buf, sizeof(buf));
	is_str(buf, "1970-01-01T00:00:00.123456789Z", "the epoch");
	engine_format_rfc3339(1700000000, 999, ENGINE_TIME_SECONDS, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20Z", "nanoseconds ignored in whole seconds");

	/* The old formatters used strftime; the same instant must give the
	 * same bytes. */
	time_t t = 951782400; /* a leap day */
	struct tm tm;
	gmtime_r(&t, &tm);
	char want[64];
	strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
	engine_format_rfc3339(t, 0, ENGINE_TIME_SECONDS, buf, sizeof(buf));
	is_str(buf, want, "matches strftime on %s", want);

	char small[11];
	n = engine_format_rfc3339(1700000000, 0, ENGINE_TIME_SECONDS, small, sizeof(small));
	is_str(small, "2023-11-14", "truncated like snprintf");
	is_int(n, 10, "truncated length");
	is_int(engine_format_rfc3339(1700000000, 0, ENGINE_TIME_SECONDS, small, 0), 0, "no room");

	n = engine_format_rfc3339_now(ENGINE_TIME_NANOSECONDS, buf, sizeof(buf));
	ok(n == 30 && buf[10] == 'T' && buf[19] == '.' && buf[29] == 'Z', "now: %s", buf);
	return done_testing();
}
