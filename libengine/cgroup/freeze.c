/* freeze.c: `pause`/`unpause` through cgroup v2's cgroup.freeze.
 * There is no daemon holding cgroups for us: a container can only be
 * frozen when it runs in a cgroup v2 directory of its own that the user
 * may write (a delegated subtree,).  Anything else is refused
 * with one line saying why: freezing a shared cgroup would stop the
 * user's shell too, and cgroup v1's freezer is not ours to write. */
#include "libengine/cgroup/freeze.h"

#include "libengine/cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

/* The cgroup v2 mount as cgroup.c detects it (/sys/fs/cgroup, or the
 * hybrid layout's unified/); false when there is none. */
static bool v2_mount(char *buf, size_t size)
{
	struct engine_cgroup_detection det;
	if (engine_cgroup_detect("disabled", &det, NULL) < 0 || det.mountpoint[0] == '\0')
		return false;
	snprintf(buf, size, "%s", det.mountpoint);
	return true;
}

/* The "0::PATH" line of /proc/PID/cgroup, into REL. */
static bool v2_relative(pid_t pid, char *rel, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	cleanup_free char *buf = NULL;
	return engine_read_file(AT_FDCWD, path, 0, 1 << 16, &buf, NULL, NULL) >= 0 &&
	       engine_cgroup_parse_proc_cgroup(buf, rel, size) == 0;
}

int engine_cgroup_v2_path(pid_t pid, char **ret, struct engine_error **err)
{
	char mnt[256], rel[4096];
	if (!v2_mount(mnt, sizeof(mnt)))
		return engine_error_set(err, ENOTSUP, "no cgroup v2 hierarchy is mounted");
	if (!v2_relative(pid, rel, sizeof(rel)))
		return engine_error_set(err, ENOENT, "process %d has no cgroup v2 membership", (int)pid);
	if (asprintf(ret, "%s%s", mnt, rel) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

int engine_cgroup_freeze_pid(pid_t pid, pid_t other, bool freeze, struct engine_error **err)
{
	static const char why[] = "no cgroup v2 freezer: cgroups are not delegated (see engine info)";
	char mnt[256], rel[4096], other_rel[4096];
	if (!v2_mount(mnt, sizeof(mnt)) || !v2_relative(pid, rel, sizeof(rel)))
		return engine_error_set(err, ENOTSUP, "%s", why);
	/* The root cgroup, or one shared with the monitor, holds more than
	 * the container. */
	if (strcmp(rel, "/") == 0 ||
	    (other > 0 && v2_relative(other, other_rel, sizeof(other_rel)) && strcmp(rel, other_rel) == 0))
		return engine_error_set(err, ENOTSUP, "%s", why);
	/* One we may not write is not ours to freeze either. */
	char path[4400];
	snprintf(path, sizeof(path), "%s%s/cgroup.freeze", mnt, rel);
	if (access(path, W_OK) < 0)
		return engine_error_set(err, ENOTSUP, "%s", why);
	snprintf(path, sizeof(path), "%s%s", mnt, rel);
	struct engine_cgroup cg = { .path = path };
	return engine_cgroup_freeze(&cg, freeze, 5000, err);
}
