/* cgroup-freeze.c: `pause`/`unpause` through cgroup v2's cgroup.freeze.
 * There is no daemon holding cgroups for us: a container can only be
 * frozen when it runs in a cgroup v2 directory of its own that the user
 * may write (a delegated subtree, issue #6).  Anything else is refused
 * with one line saying why: freezing a shared cgroup would stop the
 * user's shell too, and cgroup v1's freezer is not ours to write. */
#include "cgroup-freeze.h"

#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char *v2_mount(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup";
	if (statfs("/sys/fs/cgroup/unified", &sf) == 0 &&
	    (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/* The "0::PATH" line of /proc/PID/cgroup, malloc'd. */
static char *v2_relative(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	cleanup_free char *buf = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 1 << 16, &buf, NULL, NULL) < 0)
		return NULL;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		size_t n = strcspn(line + 3, "\n");
		return strndup(line + 3, n);
	}
	return NULL;
}

int engine_cgroup_v2_path(pid_t pid, char **ret, struct engine_error **err)
{
	const char *mnt = v2_mount();
	if (mnt == NULL)
		return engine_error_set(err, ENOTSUP, "no cgroup v2 hierarchy is mounted");
	cleanup_free char *rel = v2_relative(pid);
	if (rel == NULL)
		return engine_error_set(err, ENOENT, "process %d has no cgroup v2 membership", (int)pid);
	if (asprintf(ret, "%s%s", mnt, rel) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

int engine_cgroup_freeze_pid(pid_t pid, pid_t other, bool freeze, struct engine_error **err)
{
	static const char why[] = "no cgroup v2 freezer: cgroups are not delegated (see engine info)";
	const char *mnt = v2_mount();
	cleanup_free char *rel = v2_relative(pid);
	cleanup_free char *other_rel = other > 0 ? v2_relative(other) : NULL;
	if (mnt == NULL || rel == NULL)
		return engine_error_set(err, ENOTSUP, "%s", why);
	/* The root cgroup, or one shared with the monitor, holds more than
	 * the container. */
	if (strcmp(rel, "/") == 0 || (other_rel != NULL && strcmp(rel, other_rel) == 0))
		return engine_error_set(err, ENOTSUP, "%s", why);
	/* One we may not write is not ours to freeze either. */
	char path[4200];
	snprintf(path, sizeof(path), "%s%s/cgroup.freeze", mnt, rel);
	if (access(path, W_OK) < 0)
		return engine_error_set(err, ENOTSUP, "%s", why);
	snprintf(path, sizeof(path), "%s%s", mnt, rel);
	struct engine_cgroup cg = { .path = path };
	return engine_cgroup_freeze(&cg, freeze, 5000, err);
}
