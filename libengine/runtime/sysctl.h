/* sysctl.h: --sysctl KEY=VALUE: which sysctls a container may set, and
 * setting them in its namespaces. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Check "KEY=VALUE": KEY must belong to a namespace the container owns
 * (IPC, UTS, and net.* only with a private network namespace). */
int engine_sysctl_check(const char *kv, bool private_netns, struct engine_error **err);

/* Write each "KEY=VALUE" to /proc/sys (the container's own /proc). */
int engine_sysctls_apply(char *const *list, size_t n, struct engine_error **err);
