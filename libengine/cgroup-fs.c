/* cgroup-fs.c: the cgroupfs manager: the engine already sits in a cgroup
 * v2 subtree its user owns (a Delegate=yes unit, a per-user service) and
 * makes a child cgroup per container in it, with no daemon to ask.
 *
 * cgroup v2's "no internal processes" rule: controllers can be enabled for
 * the children (cgroup.subtree_control) only while the cgroup itself holds
 * no process.  So the first container moves the processes of the delegated
 * cgroup (ours, and what else the unit started) into a leaf "engine-init"
 * child, as systemd and crun do with their "init.scope"/"supervisor"
 * leaves, then enables the controllers. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

static int move_procs(const char *from, const char *to, struct engine_error **err)
{
	char buf[65536];
	int r = engine_cgroup_read(from, "cgroup.procs", buf, sizeof(buf));
	if (r < 0)
		return engine_error_errno(err, -r, "read %s/cgroup.procs", from);
	for (char *p = buf; *p; ) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		char v[32];
		snprintf(v, sizeof(v), "%ld", pid);
		cleanup_error struct engine_error *e = NULL;
		/* A process that exited meanwhile (ESRCH) is not an error. */
		if (engine_cgroup_write(to, "cgroup.procs", v, &e) < 0 && e->status != ESRCH)
			return engine_error_set(err, e->status, "%s", e->msg);
		p = end;
		while (*p == '\n')
			p++;
	}
	return 0;
}

/* Enable in BASE's subtree_control the controllers the limits need (and
 * all delegated ones: stats read them), emptying BASE first if needed. */
static int enable_controllers(const char *base, unsigned available, struct engine_error **err)
{
	char buf[256];
	if (engine_cgroup_read(base, "cgroup.subtree_control", buf, sizeof(buf)) < 0)
		return engine_error_errno(err, errno, "read %s/cgroup.subtree_control", base);
	unsigned enabled = engine_cgroup_parse_controllers(buf);
	if ((available & ~enabled) == 0)
		return 0;

	char leaf[PATH_MAX];
	snprintf(leaf, sizeof(leaf), "%s/engine-init", base);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "mkdir %s", leaf);
	if (move_procs(base, leaf, err) < 0)
		return -1;

	static const struct {
		unsigned bit;
		const char *text;
	} ctl[] = {
		{ ENGINE_CGROUP_CPU, "+cpu" },       { ENGINE_CGROUP_CPUSET, "+cpuset" },
		{ ENGINE_CGROUP_IO, "+io" },         { ENGINE_CGROUP_MEMORY, "+memory" },
		{ ENGINE_CGROUP_PIDS, "+pids" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ctl); i++)
		if ((available & ctl[i].bit) && !(enabled & ctl[i].bit) &&
		    engine_cgroup_write(base, "cgroup.subtree_control", ctl[i].text, err) < 0)
			return -1;
	return 0;
}

static int fs_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
		     const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
		     struct engine_error **err)
{
	char base[PATH_MAX], path[PATH_MAX];
	snprintf(base, sizeof(base), "%s%s", det->mountpoint,
		 strcmp(det->own_path, "/") == 0 ? "" : det->own_path);
	/* Our own cgroup may be engine-init already (a second container from
	 * the same process): the containers are its siblings. */
	size_t bl = strlen(base);
	if (bl > 12 && strcmp(base + bl - 12, "/engine-init") == 0)
		base[bl - 12] = '\0';
	if (strchr(id, '/') != NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return engine_error_set(err, EINVAL, "bad container id '%s'", id);
	if (snprintf(path, sizeof(path), "%s/engine-%s", base, id) >= (int)sizeof(path))
		return engine_error_set(err, ENAMETOOLONG, "cgroup path for %s", id);

	if (enable_controllers(base, det->controllers, err) < 0)
		return -1;
	if (mkdir(path, 0755) < 0)
		return engine_error_errno(err, errno, "mkdir %s", path);
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	if (engine_cgroup_write_limits(path, limits, err) < 0 ||
	    engine_cgroup_write(path, "cgroup.procs", v, err) < 0) {
		rmdir(path);
		return -1;
	}
	ret->path = strdup(path);
	if (ret->path == NULL) {
		rmdir(path);
		return engine_error_set(err, ENOMEM, "cgroup");
	}
	ret->ops = &engine_cgroup_fs_ops;
	if (engine_cgroup_verify_limits(ret, limits, err) < 0) {
		engine_cgroup_release(ret);
		return -1;
	}
	return 0;
}

static int fs_destroy(struct engine_cgroup *cg, struct engine_error **err)
{
	if (rmdir(cg->path) < 0 && errno != ENOENT)
		return engine_error_errno(err, errno, "rmdir %s", cg->path);
	return 0;
}

const struct engine_cgroup_ops engine_cgroup_fs_ops = {
	.name = "cgroupfs",
	.create = fs_create,
	.destroy = fs_destroy,
};
