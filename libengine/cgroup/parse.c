/* parse.c: the text of the kernel's cgroup files (mountinfo,
 * /proc/PID/cgroup, cgroup.controllers, io.stat, flat-keyed files) and of
 * Docker's resource flags (memory sizes, --cpus, --cpu-shares, cpusets),
 * turned into numbers.  No file is opened here: the unit tests and the
 * fuzzers feed it strings. */
#include "libengine/cgroup/parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* ------------------------------------------------------------ parsers */

enum engine_cgroup_layout engine_cgroup_parse_mountinfo(const char *mountinfo, char *mountpoint,
							 size_t size)
{
	bool v1 = false, v2_root = false;
	char v2_at[256] = "";
	const char *line = mountinfo;
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[4096];
		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* id parent major:minor root mountpoint options [optional...] - fstype source superopts */
			char *save = NULL, *f[5] = { 0 };
			char *t = strtok_r(buf, " ", &save);
			for (int i = 0; i < 5 && t; i++, t = strtok_r(NULL, " ", &save))
				f[i] = t;
			/* The separator is its own token: walk on to it. */
			while (t != NULL && strcmp(t, "-") != 0)
				t = strtok_r(NULL, " ", &save);
			char *fstype = t ? strtok_r(NULL, " ", &save) : NULL;
			if (fstype != NULL && f[4] != NULL) {
				if (strcmp(fstype, "cgroup") == 0) {
					v1 = true;
				} else if (strcmp(fstype, "cgroup2") == 0 && !v2_root) {
					/* /sys/fs/cgroup itself wins, then one below
					 * it (hybrid: unified/), then any other. */
					v2_root = strcmp(f[4], "/sys/fs/cgroup") == 0;
					if (v2_root || v2_at[0] == '\0' ||
					    strncmp(f[4], "/sys/fs/cgroup/", 15) == 0)
						snprintf(v2_at, sizeof(v2_at), "%s", f[4]);
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (mountpoint != NULL && size > 0)
		snprintf(mountpoint, size, "%s", v2_at);
	if (v2_root)
		return ENGINE_CGROUP_LAYOUT_V2;
	if (v1)
		return v2_at[0] ? ENGINE_CGROUP_LAYOUT_HYBRID : ENGINE_CGROUP_LAYOUT_V1;
	return v2_at[0] ? ENGINE_CGROUP_LAYOUT_V2 : ENGINE_CGROUP_LAYOUT_UNKNOWN;
}

int engine_cgroup_parse_proc_cgroup(const char *text, char *path, size_t size)
{
	const char *line = text;
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 3 && strncmp(line, "0::", 3) == 0) {
			if (len - 3 >= size)
				return -1;
			memcpy(path, line + 3, len - 3);
			path[len - 3] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} controller_names[] = {
	{ "cpu", ENGINE_CGROUP_CPU },       { "cpuset", ENGINE_CGROUP_CPUSET },
	{ "io", ENGINE_CGROUP_IO },         { "memory", ENGINE_CGROUP_MEMORY },
	{ "pids", ENGINE_CGROUP_PIDS },
};

unsigned engine_cgroup_parse_controllers(const char *text)
{
	unsigned mask = 0;
	const char *p = text;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		size_t n = strcspn(p, " \n\t");
		if (n == 0)
			break;
		for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
			if (strlen(controller_names[i].name) == n &&
			    strncmp(p, controller_names[i].name, n) == 0)
				mask |= controller_names[i].bit;
		p += n;
	}
	return mask;
}

void engine_cgroup_format_controllers(unsigned mask, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
		if ((mask & controller_names[i].bit) && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? " " : "",
						controller_names[i].name);
}

int engine_cgroup_cpus_to_quota(double cpus, uint64_t period, uint64_t *quota)
{
	if (period == 0)
		period = 100000;
	/* The kernel takes quotas of 1 ms and up; more CPUs than 2^20 is a typo. */
	if (!(cpus > 0) || cpus > 1048576.0 || !isfinite(cpus))
		return -1;
	double q = cpus * (double)period;
	uint64_t v = (uint64_t)(q + 0.5); /* no libm for llround */
	if (v < 1000)
		v = 1000;
	*quota = v;
	return 0;
}

void engine_cgroup_format_cpu_max(uint64_t quota, uint64_t period, char *buf, size_t size)
{
	if (period == 0)
		period = 100000;
	if (quota == 0)
		snprintf(buf, size, "max %" PRIu64, period);
	else
		snprintf(buf, size, "%" PRIu64 " %" PRIu64, quota, period);
}

int engine_parse_memory_size(const char *text, int64_t *bytes)
{
	/* go-units RAMInBytes: a number, an optional space, an optional unit
	 * letter, an optional "i", an optional "b"; units are powers of 1024. */
	const char *p = text;
	if (p == NULL || !isdigit((unsigned char)*p))
		return -1;
	char *end = NULL;
	errno = 0;
	double v = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(v) || v < 0)
		return -1;
	/* strtod takes hex, exponents and "inf": allow digits and one '.' only. */
	for (const char *q = p; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			return -1;
	p = end;
	if (*p == ' ')
		p++;
	double mult = 1;
	switch (tolower((unsigned char)*p)) {
	case 'k': mult = 1024.0; p++; break;
	case 'm': mult = 1024.0 * 1024; p++; break;
	case 'g': mult = 1024.0 * 1024 * 1024; p++; break;
	case 't': mult = 1024.0 * 1024 * 1024 * 1024; p++; break;
	case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; p++; break;
	default: break;
	}
	if (mult > 1 && tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (*p != '\0')
		return -1;
	double r = v * mult;
	if (r >= 9.2e18)
		return -1;
	*bytes = (int64_t)r;
	return 0;
}

uint64_t engine_cgroup_shares_to_weight(uint64_t shares)
{
	/* crun's and runc's mapping of [2, 262144] onto [1, 10000]. */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int engine_cgroup_parse_cpuset(const char *text, uint8_t *mask, size_t size)
{
	memset(mask, 0, size);
	int used = 0;
	const char *p = text;
	if (p == NULL || *p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned long a = strtoul(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (b < a || b / 8 >= size)
			return -1;
		for (unsigned long c = a; c <= b; c++)
			mask[c / 8] |= (uint8_t)(1u << (c % 8));
		if ((int)(b / 8) + 1 > used)
			used = (int)(b / 8) + 1;
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '\n')
			return -1;
		else if (*p == '\n')
			break;
	}
	return used;
}

void engine_cgroup_parse_io_stat(const char *text, uint64_t *read_bytes, uint64_t *write_bytes)
{
	*read_bytes = *write_bytes = 0;
	for (const char *p = text; p != NULL && *p; p = strpbrk(p, " \n")) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (strncmp(p, "rbytes=", 7) == 0)
			*read_bytes += strtoull(p + 7, NULL, 10);
		else if (strncmp(p, "wbytes=", 7) == 0)
			*write_bytes += strtoull(p + 7, NULL, 10);
		if (*p == '\0')
			break;
	}
}

int engine_cgroup_parse_keyed(const char *text, const char *key, uint64_t *value)
{
	size_t kl = strlen(key);
	for (const char *line = text; line != NULL && *line; ) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*value = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

