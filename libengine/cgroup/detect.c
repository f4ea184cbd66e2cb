/* detect.c: which cgroup manager a container gets, and where
 * --cgroup-parent puts it.
 *
 * Detection reads the kernel's own files, never the distribution: the
 * layout from /proc/self/mountinfo (cgroup2 at /sys/fs/cgroup is v2; v1
 * hierarchies with a cgroup2 mount beside them are the hybrid layout, where
 * every controller is bound to v1 and the v2 tree has none to give), our
 * own cgroup from /proc/self/cgroup, and the controllers delegated to us
 * from cgroup.controllers. */
#include "libengine/cgroup/detect.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

/* ------------------------------------------------------------ detection */

const char *engine_cgroup_layout_name(enum engine_cgroup_layout layout)
{
	switch (layout) {
	case ENGINE_CGROUP_LAYOUT_V1: return "v1";
	case ENGINE_CGROUP_LAYOUT_HYBRID: return "hybrid";
	case ENGINE_CGROUP_LAYOUT_V2: return "v2";
	default: return "unknown";
	}
}

const char *engine_cgroup_manager_name(enum engine_cgroup_manager manager)
{
	return engine_cgroup_manager_ops(manager)->name;
}

const struct engine_cgroup_ops *engine_cgroup_manager_ops(enum engine_cgroup_manager manager)
{
	switch (manager) {
	case ENGINE_CGROUP_MANAGER_SYSTEMD: return &engine_cgroup_systemd_ops;
	case ENGINE_CGROUP_MANAGER_CGROUPFS: return &engine_cgroup_fs_ops;
	default: return &engine_cgroup_disabled_ops;
	}
}

static int read_small(const char *path, char *buf, size_t size)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	ssize_t n;
	while (off + 1 < size && (n = read(fd, buf + off, size - 1 - off)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
	return 0;
}

static const char delegation_hint[] =
	"give the user's systemd manager the controllers: mkdir -p "
	"/etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory "
	"pids\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload, "
	"then log in again (or loginctl enable-linger USER)";

int engine_cgroup_detect(const char *override, struct engine_cgroup_detection *d,
			 struct engine_error **err)
{
	memset(d, 0, sizeof(*d));
	if (override != NULL && strcmp(override, "systemd") != 0 &&
	    strcmp(override, "cgroupfs") != 0 && strcmp(override, "disabled") != 0)
		return engine_error_set(err, EINVAL,
					"cgroup manager '%s': expected systemd, cgroupfs or disabled",
					override);

	/* mountinfo is the size of the mount table: read it whole. */
	cleanup_free char *mi = NULL;
	size_t cap = 0, len = 0;
	{
		cleanup_close int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		ssize_t n = 0;
		if (fd >= 0) {
			do {
				if (len + 4096 + 1 > cap) {
					char *p = realloc(mi, cap = cap ? cap * 2 : 16384);
					if (p == NULL)
						return engine_error_set(err, ENOMEM, "read mountinfo");
					mi = p;
				}
				n = read(fd, mi + len, cap - len - 1);
				if (n > 0)
					len += (size_t)n;
			} while (n > 0);
			mi[len] = '\0';
		}
	}
	d->layout = mi ? engine_cgroup_parse_mountinfo(mi, d->mountpoint, sizeof(d->mountpoint))
		       : ENGINE_CGROUP_LAYOUT_UNKNOWN;

	char buf[4096];
	uid_t uid = geteuid();
	if (d->mountpoint[0] && read_small("/proc/self/cgroup", buf, sizeof(buf)) == 0)
		engine_cgroup_parse_proc_cgroup(buf, d->own_path, sizeof(d->own_path));

	/* The systemd manager: the user's session bus, or the system's for root. */
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char bus[PATH_MAX];
	if (uid == 0) /* sd_bus_open_system()'s default address */
		snprintf(bus, sizeof(bus), "/run/dbus/system_bus_socket");
	else
		snprintf(bus, sizeof(bus), "%s/bus", xdg && *xdg ? xdg : "/nonexistent");
	struct stat st;
	d->systemd_bus = stat(bus, &st) == 0 && S_ISSOCK(st.st_mode) &&
			 access("/run/systemd/system", F_OK) == 0;

	unsigned systemd_ctl = 0, own_ctl = 0;
	if (d->layout == ENGINE_CGROUP_LAYOUT_V2) {
		char dir[PATH_MAX];
		/* What the user's manager got: user@UID.service's cgroup.controllers
		 * (root: the root cgroup's). */
		if (uid == 0)
			snprintf(dir, sizeof(dir), "%s", d->mountpoint);
		else
			snprintf(dir, sizeof(dir), "%s/user.slice/user-%u.slice/user@%u.service",
				 d->mountpoint, (unsigned)uid, (unsigned)uid);
		if (engine_cgroup_read(dir, "cgroup.controllers", buf, sizeof(buf)) == 0)
			systemd_ctl = engine_cgroup_parse_controllers(buf);
		/* Our own cgroup: delegated when we may create children and move
		 * processes in it (owned by us, or root). */
		if (d->own_path[0]) {
			snprintf(dir, sizeof(dir), "%s%s", d->mountpoint,
				 strcmp(d->own_path, "/") == 0 ? "" : d->own_path);
			if (stat(dir, &st) == 0 && (uid == 0 || st.st_uid == uid) &&
			    access(dir, W_OK) == 0) {
				char procs[PATH_MAX + 16];
				snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
				d->own_delegated = access(procs, W_OK) == 0;
			}
			if (d->own_delegated &&
			    engine_cgroup_read(dir, "cgroup.controllers", buf, sizeof(buf)) == 0)
				own_ctl = engine_cgroup_parse_controllers(buf);
		}
	}

	bool v2 = d->layout == ENGINE_CGROUP_LAYOUT_V2;
	/* systemd first, as Podman does: the scope survives us and systemd
	 * knows about it; cgroupfs only where we already own a subtree. */
	const struct {
		const char *name;
		bool usable;
		const char *why_not; /* on cgroup v2 */
		enum engine_cgroup_manager manager;
		unsigned controllers;
	} managers[] = {
		{ "systemd", v2 && d->systemd_bus, "no systemd manager reachable (no $XDG_RUNTIME_DIR/bus)",
		  ENGINE_CGROUP_MANAGER_SYSTEMD, systemd_ctl },
		{ "cgroupfs", v2 && d->own_delegated, "the current cgroup is not delegated to this user",
		  ENGINE_CGROUP_MANAGER_CGROUPFS, own_ctl },
	};
	const char *want = override;
	/* A manager without any controller is no better than none. */
	for (size_t i = 0; want == NULL && i < ARRAY_SIZE(managers); i++)
		if (managers[i].usable && managers[i].controllers != 0)
			want = managers[i].name;
	d->manager = ENGINE_CGROUP_MANAGER_DISABLED;
	for (size_t i = 0; want != NULL && i < ARRAY_SIZE(managers); i++) {
		if (strcmp(want, managers[i].name) != 0)
			continue;
		if (!managers[i].usable)
			return engine_error_set(err, ENOTSUP, "cgroup manager %s: %s", managers[i].name,
						v2 ? managers[i].why_not : "needs cgroup v2");
		d->manager = managers[i].manager;
		d->controllers = managers[i].controllers;
	}
	engine_cgroup_format_controllers(d->controllers, d->controllers_text, sizeof(d->controllers_text));

	if (d->manager == ENGINE_CGROUP_MANAGER_DISABLED) {
		switch (d->layout) {
		case ENGINE_CGROUP_LAYOUT_HYBRID:
			snprintf(d->reason, sizeof(d->reason),
				 "cgroup v1 hybrid hierarchy: no cgroup v2 controllers; limits need a "
				 "cgroup v2 host with systemd user delegation");
			snprintf(d->hint, sizeof(d->hint),
				 "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only), then %s",
				 delegation_hint);
			break;
		case ENGINE_CGROUP_LAYOUT_V1:
		case ENGINE_CGROUP_LAYOUT_UNKNOWN:
			snprintf(d->reason, sizeof(d->reason),
				 "cgroup %s hierarchy: limits need a cgroup v2 host with systemd user "
				 "delegation",
				 d->layout == ENGINE_CGROUP_LAYOUT_V1 ? "v1" : "(no cgroup mount)");
			snprintf(d->hint, sizeof(d->hint),
				 "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2 only), then %s",
				 delegation_hint);
			break;
		case ENGINE_CGROUP_LAYOUT_V2:
			if (override != NULL)
				snprintf(d->reason, sizeof(d->reason), "cgroups disabled on request");
			else if (d->systemd_bus)
				snprintf(d->reason, sizeof(d->reason),
					 "cgroup v2: no controllers delegated to user@%u.service",
					 (unsigned)uid);
			else
				snprintf(d->reason, sizeof(d->reason),
					 "cgroup v2: no systemd user manager (%.160s missing) and cgroup "
					 "%.160s is not delegated to uid %u",
					 bus, d->own_path[0] ? d->own_path : "?", (unsigned)uid);
			if (override == NULL)
				snprintf(d->hint, sizeof(d->hint), "%s", delegation_hint);
			break;
		}
	}
	return 0;
}


/* ------------------------------------------------------------ --cgroup-parent */

/* systemd's rules for a slice's name (unit_name_is_valid and
 * slice_name_is_valid): unit-name characters, ".slice" at the end, and
 * dashes that only separate the levels ("a-b.slice" is in "a.slice"). */
static const char *slice_name_problem(const char *name)
{
	size_t n = strlen(name);
	if (n >= 256)
		return "longer than systemd's 255 characters";
	if (n <= 6 || strcmp(name + n - 6, ".slice") != 0)
		return "the systemd cgroup manager takes a slice name ending in .slice (like my.slice)";
	for (size_t i = 0; i < n - 6; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ':' || c == '-' || c == '_' || c == '.' || c == '\\'))
			return "a slice name has only letters, digits and : - _ . \\";
	}
	if (name[0] == '-' || name[n - 7] == '-' || strstr(name, "--") != NULL)
		return "a dash in a slice name separates two levels (a-b.slice), it cannot lead, "
		       "trail or repeat";
	return NULL;
}

void engine_cgroup_fs_base(const struct engine_cgroup_detection *det, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", det->mountpoint,
		 strcmp(det->own_path, "/") == 0 ? "" : det->own_path);
	/* Our own cgroup may be engine-init already (a second container from
	 * the same process): the containers are its siblings. */
	size_t bl = strlen(buf);
	if (bl > 12 && strcmp(buf + bl - 12, "/engine-init") == 0)
		buf[bl - 12] = '\0';
}

/* A cgroupfs parent: the components below the delegated cgroup, joined
 * with single slashes into OUT.  An absolute path must name a cgroup
 * inside the delegated one (it is made relative); "." and ".." are
 * refused outright rather than resolved, as a path that climbs and comes
 * back down is more likely a mistake than a wish. */
static int fs_parent(const struct engine_cgroup_detection *det, const char *parent, char *out,
		     size_t size, struct engine_error **err)
{
	char base[1024];
	engine_cgroup_fs_base(det, base, sizeof(base));
	const char *own = base + strlen(det->mountpoint); /* "" for the root */
	const char *p = parent;
	if (*p == '/') {
		size_t ol = strlen(own);
		if (strncmp(p, own, ol) != 0 || (p[ol] != '/' && p[ol] != '\0'))
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: outside the delegated cgroup %s",
						parent, *own ? own : "/");
		p += ol;
	}
	size_t o = 0;
	out[0] = '\0';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: \"%.*s\" is not allowed: the parent is a "
						"path below the delegated cgroup %s",
						parent, (int)len, p, *own ? own : "/");
		/* engine-init holds the processes of the delegated cgroup:
		 * below it, no controller could be enabled. */
		if (o == 0 && len == 11 && strncmp(p, "engine-init", 11) == 0)
			return engine_error_setting(err, "cgroup parent", EINVAL,
						"cgroup parent %s: engine-init is the engine's own leaf cgroup",
						parent);
		if (o + len + 2 > size)
			return engine_error_setting(err, "cgroup parent", ENAMETOOLONG, "cgroup parent %s: too long",
						parent);
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, p, len);
		o += len;
		out[o] = '\0';
		p += len;
	}
	if (o == 0)
		return engine_error_setting(err, "cgroup parent", EINVAL,
					"cgroup parent %s: names the delegated cgroup itself, not a "
					"cgroup below it",
					parent);
	return 0;
}

int engine_cgroup_check_parent(struct engine_cgroup_detection *det, const char *parent,
			       struct engine_error **err)
{
	det->parent[0] = '\0';
	if (parent == NULL || *parent == '\0')
		return 0;
	if (strchr(parent, '\n') != NULL)
		return engine_error_setting(err, "cgroup parent", EINVAL, "cgroup parent: a newline in the name");
	switch (det->manager) {
	case ENGINE_CGROUP_MANAGER_SYSTEMD: {
		const char *why = slice_name_problem(parent);
		if (why != NULL)
			return engine_error_setting(err, "cgroup parent", EINVAL, "cgroup parent %s: %s", parent, why);
		snprintf(det->parent, sizeof(det->parent), "%s", parent);
		return 0;
	}
	case ENGINE_CGROUP_MANAGER_CGROUPFS:
		return fs_parent(det, parent, det->parent, sizeof(det->parent), err);
	case ENGINE_CGROUP_MANAGER_DISABLED:
		break;
	}
	return 0; /* disabled: ignored, the CLI says so */
}

