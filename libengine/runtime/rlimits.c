/* rlimits.c: --ulimit, spelled as Docker spells it (the names of
 * docker/go-units' ulimit table, "TYPE=SOFT[:HARD]", a lone value meaning
 * both).  The CLI parses every entry before anything starts, so a typo is
 * one error line and no container; the container process applies them with
 * setrlimit() just before exec, where they are inherited by the command.
 * A hard limit above the one the user already has cannot be raised without
 * CAP_SYS_RESOURCE in the initial namespace: that is reported as such,
 * rather than as a bare EPERM. */
#include "libengine/runtime/rlimits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
	{ "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },       { "as", RLIMIT_AS },
};

static const char *resource_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(ulimit_names); i++)
		if (ulimit_names[i].resource == resource)
			return ulimit_names[i].name;
	return "?";
}

static int parse_value(const char *s, size_t len, rlim_t *ret)
{
	if ((len == 9 && strncmp(s, "unlimited", 9) == 0) || (len == 2 && strncmp(s, "-1", 2) == 0)) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	if (len == 0 || len > 20)
		return -1;
	rlim_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		rlim_t d = (rlim_t)(s[i] - '0');
		if (v > (RLIM_INFINITY - 1 - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int engine_ulimit_parse(const char *s, int *ret_resource, struct rlimit *ret_limit,
			struct engine_error **err)
{
	const char *eq = strchr(s, '=');
	if (eq == NULL)
		return engine_error_set(err, EINVAL, "invalid ulimit argument: %s (expected TYPE=SOFT[:HARD])", s);
	size_t nl = (size_t)(eq - s);
	int resource = -1;
	for (size_t i = 0; i < ARRAY_SIZE(ulimit_names); i++)
		if (strlen(ulimit_names[i].name) == nl && strncmp(ulimit_names[i].name, s, nl) == 0)
			resource = ulimit_names[i].resource;
	if (resource < 0)
		return engine_error_set(err, EINVAL, "invalid ulimit type: %.*s", (int)nl, s);
	const char *v = eq + 1;
	const char *colon = strchr(v, ':');
	struct rlimit rl;
	if (parse_value(v, colon ? (size_t)(colon - v) : strlen(v), &rl.rlim_cur) < 0 ||
	    (colon != NULL && parse_value(colon + 1, strlen(colon + 1), &rl.rlim_max) < 0))
		return engine_error_set(err, EINVAL, "invalid ulimit value: %s (expected a number or unlimited)", s);
	if (colon == NULL)
		rl.rlim_max = rl.rlim_cur;
	if (rl.rlim_cur > rl.rlim_max)
		return engine_error_set(err, EINVAL,
					"ulimit soft limit must be less than or equal to hard limit: %s", s);
	*ret_resource = resource;
	*ret_limit = rl;
	return 0;
}

int engine_ulimits_apply(char *const *list, size_t n, struct engine_error **err)
{
	for (size_t i = 0; i < n; i++) {
		int resource;
		struct rlimit rl;
		if (engine_ulimit_parse(list[i], &resource, &rl, err) < 0)
			return -1;
		if (setrlimit(resource, &rl) == 0)
			continue;
		int e = errno;
		struct rlimit cur;
		if (e == EPERM && getrlimit(resource, &cur) == 0 && rl.rlim_max > cur.rlim_max) {
			char have[24];
			if (cur.rlim_max == RLIM_INFINITY)
				snprintf(have, sizeof(have), "unlimited");
			else
				snprintf(have, sizeof(have), "%llu", (unsigned long long)cur.rlim_max);
			return engine_error_setting(err, "ulimit", e,
						"ulimit %s: cannot raise the hard %s limit above %s "
						"(the user's own hard limit)",
						list[i], resource_name(resource), have);
		}
		return engine_error_setting_errno(err, "ulimit", e, "ulimit %s: setrlimit", list[i]);
	}
	return 0;
}
