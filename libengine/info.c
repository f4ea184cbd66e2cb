/* info.c: detect, never assume.  Each entry comes from trying the feature or
 * reading the kernel's own files; `engine info` is what a user (or a bug
 * report) reads to learn why something falls back. */
#include "libengine/info.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libengine/cgroup/cgroup.h"
#include "common/cleanup.h"
#include "config.h"
#include "common/fs.h"
#include "libengine/userns/idmap.h"
#include "storage/paths.h"
#include "libengine/runtime/storage-driver.h"

static json_t *map_json(const struct engine_idmap_range *r, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I,s:I,s:I}", "container_id",
						   (json_int_t)r[i].container, "host_id",
						   (json_int_t)r[i].host, "size", (json_int_t)r[i].count));
	return a;
}

static const char *which(const char *name, char *buf, size_t size)
{
	static const char *const dirs[] = { "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(buf, size, "%s/%s", dirs[i], name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* The cgroup manager a container would get here, as cgroup.c detects it,
 * and, when limits cannot be applied, why and what would change that. */
static json_t *cgroup_json(struct engine_cgroup_detection *d)
{
	json_t *ctl = json_array();
	char text[256];
	/* What the cgroup2 tree offers (the hybrid layout's is empty). */
	if (d->mountpoint[0] && engine_cgroup_read(d->mountpoint, "cgroup.controllers", text,
						   sizeof(text)) == 0) {
		char *save = NULL;
		for (char *t = strtok_r(text, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
			json_array_append_new(ctl, json_string(t));
	}
	json_t *j = json_pack("{s:s,s:o,s:s,s:s}", "layout", engine_cgroup_layout_name(d->layout),
			      "controllers", ctl, "manager", engine_cgroup_manager_name(d->manager),
			      "delegatedControllers", d->controllers_text);
	if (j != NULL && d->reason[0])
		json_object_set_new(j, "reason", json_string(d->reason));
	if (j != NULL && d->hint[0])
		json_object_set_new(j, "hint", json_string(d->hint));
	return j;
}

/* Podman's names for the same facts, in "host". */
static void cgroup_host_fields(json_t *host, const struct engine_cgroup_detection *d)
{
	json_object_set_new(host, "cgroupManager",
			    json_string(engine_cgroup_manager_name(d->manager)));
	json_object_set_new(host, "cgroupVersion",
			    json_string(d->layout == ENGINE_CGROUP_LAYOUT_V2 ? "v2" : "v1"));
	json_t *ctl = json_array();
	char text[sizeof(d->controllers_text)];
	snprintf(text, sizeof(text), "%s", d->controllers_text);
	char *save = NULL;
	for (char *t = strtok_r(text, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(ctl, json_string(t));
	json_object_set_new(host, "cgroupControllers", ctl);
}

static json_t *store_json(const char *root, const char *runroot, const char *requested,
			  const struct engine_idmap *map, json_t *features, struct engine_error **err)
{
	/* Probe where the layers would live when the store exists (its file
	 * system decides as much as the kernel), else in the run directory:
	 * info creates no store. */
	struct engine_storage_detection det;
	engine_storage_detect(access(root, F_OK) == 0 ? root : runroot, map, &det);
	json_object_set_new(features, "overlayInUserNamespace", json_boolean(det.overlay_in_userns));
	json_object_set_new(features, "fuseOverlayfs",
			    det.fuse_overlayfs ? json_string(det.fuse_overlayfs) : json_null());
	json_object_set_new(features, "devFuse", json_boolean(det.dev_fuse));
	enum storage_driver driver;
	const char *source = NULL;
	if (engine_storage_driver_resolve(root, requested, map, 0, &det, &driver, &source, err) < 0)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:s}", "graphRoot", root, "runRoot", runroot, "driver",
			 storage_driver_name(driver), "driverSource", source);
}

static long read_long(const char *path)
{
	cleanup_free char *buf = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 64, &buf, NULL, NULL) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static bool syscall_exists(long nr, long a0, long a1, long a2)
{
	long r = syscall(nr, a0, a1, a2, 0, 0);
	return !(r < 0 && errno == ENOSYS);
}

static json_t *features_json(void)
{
	char buf[256];
	json_t *f = json_object();
	long max_userns = read_long("/proc/sys/user/max_user_namespaces");
	json_object_set_new(f, "maxUserNamespaces", json_integer(max_userns));
	json_object_set_new(f, "userNamespaces", json_boolean(max_userns > 0));
	const char *p = which("newuidmap", buf, sizeof(buf));
	json_object_set_new(f, "newuidmap", p ? json_string(p) : json_null());
	p = which("newgidmap", buf, sizeof(buf));
	json_object_set_new(f, "newgidmap", p ? json_string(p) : json_null());
	p = which("slirp4netns", buf, sizeof(buf));
	json_object_set_new(f, "slirp4netns", p ? json_string(p) : json_null());
	json_object_set_new(f, "devNetTun", json_boolean(access("/dev/net/tun", R_OK | W_OK) == 0));
	json_object_set_new(f, "seccomp", json_boolean(access("/proc/sys/kernel/seccomp/actions_avail", R_OK) == 0));
	/* Invalid arguments: a kernel that has the call says EBADF/EINVAL/EFAULT. */
	json_object_set_new(f, "openat2", json_boolean(syscall_exists(SYS_openat2, -1, 0, 0)));
	json_object_set_new(f, "pidfdOpen", json_boolean(syscall_exists(SYS_pidfd_open, -1, 0, 0)));
	json_object_set_new(f, "closeRange", json_boolean(syscall_exists(SYS_close_range, 1, 0, 0)));
	json_object_set_new(f, "clone3", json_boolean(syscall_exists(SYS_clone3, 0, 0, 0)));
	json_object_set_new(f, "cgroupNamespace", json_boolean(access("/proc/self/ns/cgroup", F_OK) == 0));
	return f;
}

int engine_info_collect(const char *root, const char *runroot, const char *storage_driver,
			json_t **ret, struct engine_error **err)
{
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, err) < 0)
		return -1;
	cleanup_free char *root_buf = NULL;
	cleanup_free char *runroot_buf = NULL;
	if (root == NULL) {
		if (storage_default_root(&root_buf, err) < 0)
			return -1;
		root = root_buf;
	}
	if (runroot == NULL) {
		if (storage_default_runroot(&runroot_buf, err) < 0)
			return -1;
		runroot = runroot_buf;
	}
	struct utsname u;
	uname(&u);
	struct sysinfo si;
	sysinfo(&si);
	char hostname[256] = "";
	gethostname(hostname, sizeof(hostname) - 1);

	static const char *const modes[] = { "root", "subid", "single" };
	struct engine_cgroup_detection cgroups;
	if (engine_cgroup_detect(NULL, &cgroups, err) < 0)
		return -1;
	json_t *features = features_json();
	json_t *store = store_json(root, runroot, storage_driver, &map, features, err);
	if (store == NULL) {
		json_decref(features);
		return -1;
	}
	json_t *j = json_pack(
		"{s:s,s:{s:s,s:s,s:s,s:s,s:i,s:I,s:b},s:{s:s,s:o,s:o,s:s?},s:o,s:o,s:o}", "version",
		ENGINE_VERSION, "host", "os", "linux", "arch", u.machine, "kernel", u.release,
		"hostname", hostname, "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN), "memTotal",
		(json_int_t)si.totalram * si.mem_unit, "rootless", map.mode != ENGINE_IDMAP_ROOT,
		"idmap", "mode", modes[map.mode], "uidmap", map_json(map.uids, map.n_uids), "gidmap",
		map_json(map.gids, map.n_gids), "warning", map.warning[0] ? map.warning : NULL,
		"cgroups", cgroup_json(&cgroups), "store", store, "features", features);
	if (j == NULL)
		return engine_error_set(err, ENOMEM, "could not build the info document");
	cgroup_host_fields(json_object_get(j, "host"), &cgroups);
	*ret = j;
	return 0;
}
