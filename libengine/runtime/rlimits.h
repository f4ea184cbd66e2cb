/* rlimits.h: --ulimit TYPE=SOFT[:HARD], checked by the CLI and applied in
 * the container process before exec. */
#pragma once

#include <stddef.h>
#include <sys/resource.h>

#include "common/error.h"

/* Parse "nofile=1024:2048" (a value may be "unlimited" or -1).  Returns 0
 * with the resource and limits set, or -1 naming the value at fault. */
int engine_ulimit_parse(const char *s, int *ret_resource, struct rlimit *ret_limit,
			struct engine_error **err);

/* Parse and setrlimit() each of LIST in the calling process. */
int engine_ulimits_apply(char *const *list, size_t n, struct engine_error **err);
