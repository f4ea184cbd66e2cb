/* fs.c: the cgroupfs manager: the engine already sits in a cgroup
 * v2 subtree its user owns (a Delegate=yes unit, a per-user service) and
 * makes a child cgroup per container in it, with no daemon to ask.
 *
 * cgroup v2's "no internal processes" rule: controllers can be enabled for
 * the children (cgroup.subtree_control) only while the cgroup itself holds
 * no process.  So the first container moves the processes of the delegated
 * cgroup (ours, and what else the unit started) into a leaf "engine-init"
 * child, as systemd and crun do with their "init.scope"/"supervisor"
 * leaves, then enables the controllers. */
#include "libengine/cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

/* What cgroup.subtree_control takes to enable each controller. */
static const struct {
	unsigned bit;
	const char *text;
} controller_names[] = {
	{ ENGINE_CGROUP_CPU, "+cpu" },       { ENGINE_CGROUP_CPUSET, "+cpuset" },
	{ ENGINE_CGROUP_IO, "+io" },         { ENGINE_CGROUP_MEMORY, "+memory" },
	{ ENGINE_CGROUP_PIDS, "+pids" },
};

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
	if (snprintf(leaf, sizeof(leaf), "%s/engine-init", base) >= (int)sizeof(leaf))
		return engine_error_set(err, ENAMETOOLONG, "cgroup path %s/engine-init", base);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "mkdir %s", leaf);
	if (move_procs(base, leaf, err) < 0)
		return -1;

	for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
		if ((available & controller_names[i].bit) && !(enabled & controller_names[i].bit) &&
		    engine_cgroup_write(base, "cgroup.subtree_control", controller_names[i].text,
					err) < 0)
			return -1;
	return 0;
}

/* --cgroup-parent (checked relative, no "." or "..": cgroup.c): mkdir -p
 * of PARENT below BASE, each level enabling for its children the
 * controllers it got, so that the container's cgroup has them all.  A new
 * level holds no process, so cgroup v2's rule does not stand in the way;
 * an existing one may (a cgroup someone else uses): then its controllers
 * are left as they are and the container gets what it gives.  The levels
 * stay when the container goes, as Podman leaves its parents: other
 * containers may share them. */
static int make_parent(const char *base, const char *parent, unsigned available,
		       struct engine_error **err)
{
	char dir[PATH_MAX];
	size_t o = (size_t)snprintf(dir, sizeof(dir), "%s", base);
	for (const char *p = parent; *p != '\0';) {
		size_t len = strcspn(p, "/");
		if (o + 1 + len >= sizeof(dir))
			return engine_error_set(err, ENAMETOOLONG, "cgroup path %s/%s", base, parent);
		dir[o++] = '/';
		memcpy(dir + o, p, len);
		o += len;
		dir[o] = '\0';
		p += len;
		while (*p == '/')
			p++;
		bool made = mkdir(dir, 0755) == 0;
		if (!made && errno != EEXIST)
			return engine_error_errno(err, errno, "mkdir %s", dir);
		char buf[256];
		int r = engine_cgroup_read(dir, "cgroup.controllers", buf, sizeof(buf));
		if (r < 0)
			return engine_error_errno(err, -r, "%s: not a cgroup", dir);
		unsigned have = engine_cgroup_parse_controllers(buf) & available;
		r = engine_cgroup_read(dir, "cgroup.subtree_control", buf, sizeof(buf));
		if (r < 0)
			return engine_error_errno(err, -r, "read %s/cgroup.subtree_control", dir);
		unsigned enabled = engine_cgroup_parse_controllers(buf);
		for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++) {
			if (!(have & controller_names[i].bit) || (enabled & controller_names[i].bit))
				continue;
			cleanup_error struct engine_error *e = NULL;
			if (engine_cgroup_write(dir, "cgroup.subtree_control", controller_names[i].text,
						&e) < 0 && made)
				return engine_error_set(err, e->status, "%s", e->msg);
		}
	}
	return 0;
}

static int fs_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
		     const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
		     struct engine_error **err)
{
	char base[PATH_MAX], path[PATH_MAX];
	engine_cgroup_fs_base(det, base, sizeof(base));
	if (strchr(id, '/') != NULL || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return engine_error_set(err, EINVAL, "bad container id '%s'", id);
	if (snprintf(path, sizeof(path), "%s%s%s/engine-%s", base, det->parent[0] ? "/" : "",
		     det->parent, id) >= (int)sizeof(path))
		return engine_error_set(err, ENAMETOOLONG, "cgroup path for %s", id);

	if (enable_controllers(base, det->controllers, err) < 0)
		return -1;
	/* --cgroup-parent */
	if (det->parent[0] != '\0' && make_parent(base, det->parent, det->controllers, err) < 0)
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
