/* freeze.h: pause and unpause through cgroup v2's freezer, for a
 * process whose cgroup is its own and writable by us; kept
 * apart so that the cgroup manager can reuse it. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* The cgroup v2 directory of PID (under /sys/fs/cgroup, or the hybrid
 * layout's /sys/fs/cgroup/unified), malloc'd in *ret. */
int engine_cgroup_v2_path(pid_t pid, char **ret, struct engine_error **err);

/* Freeze (or thaw) the cgroup of PID, which must be a cgroup of its own:
 * not the one of OTHER (the container's monitor, which shares the user's
 * cgroup when none was delegated), and writable.  Waits for the kernel to
 * report the cgroup frozen (engine_cgroup_freeze in cgroup.c). */
int engine_cgroup_freeze_pid(pid_t pid, pid_t other, bool freeze, struct engine_error **err);
