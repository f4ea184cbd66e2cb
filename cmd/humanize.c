/* humanize.c: see humanize.h.  The wording is go-units', which Docker's
 * output (and the scripts that parse it) are built on. */
#include "cmd/humanize.h"

#include <stdio.h>

void cmd_human_size(int64_t bytes, char *out, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000.0;
		u++;
	}
	snprintf(out, size, "%.3g%s", v, units[u]);
}

void cmd_human_duration(int64_t s, char *out, size_t size)
{
	/* go-units truncates minutes but rounds hours (90 minutes: "2 hours"). */
	int64_t m = s / 60, h = (s + 1800) / 3600;
	if (s < 1)
		snprintf(out, size, "Less than a second");
	else if (s == 1)
		snprintf(out, size, "1 second");
	else if (s < 60)
		snprintf(out, size, "%lld seconds", (long long)s);
	else if (m == 1)
		snprintf(out, size, "About a minute");
	else if (m < 60)
		snprintf(out, size, "%lld minutes", (long long)m);
	else if (h == 1)
		snprintf(out, size, "About an hour");
	else if (h < 48)
		snprintf(out, size, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(out, size, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(out, size, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(out, size, "%lld months", (long long)(h / 24 / 30));
	else
		snprintf(out, size, "%lld years", (long long)(h / 24 / 365));
}

void cmd_created_at(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, size, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}

void cmd_container_status(int status, int exit_code, int64_t started_ns, int64_t finished_ns,
			  int64_t now_ns, char *out, size_t size)
{
	char d[64];
	if (status == 1) {
		cmd_human_duration((now_ns - started_ns) / 1000000000, d, sizeof(d));
		snprintf(out, size, "Up %s", d);
	} else if (status == 2) {
		cmd_human_duration((now_ns - finished_ns) / 1000000000, d, sizeof(d));
		/* -1: nobody recorded the exit (ENGINE_EXIT_UNKNOWN). */
		if (exit_code == -1)
			snprintf(out, size, "Exited (unknown) %s ago", d);
		else
			snprintf(out, size, "Exited (%d) %s ago", exit_code, d);
	} else if (status == 3) {
		/* between two runs of a restart policy */
		cmd_human_duration((now_ns - finished_ns) / 1000000000, d, sizeof(d));
		snprintf(out, size, "Restarting (%d) %s ago", exit_code, d);
	} else {
		snprintf(out, size, "Created");
	}
}
