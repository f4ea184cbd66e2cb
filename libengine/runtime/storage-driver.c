/* storage-driver.c: choosing the storage driver for a store.
 *
 * Kernel overlay in the user namespace (userxattr) where the kernel allows
 * it, fuse-overlayfs where it does not (or when asked), vfs as the last
 * resort.  The kernel is asked by trying a mount, never by its version:
 * distributions backport overlay-in-userns and some disable it.  Detection
 * runs once per store: its result is recorded in ROOT/driver, and so is an
 * explicit choice the first time a store is used.  overlay and
 * fuse-overlayfs read the same layers and container directories, so a
 * store moves freely between them; vfs keeps full copies, so a store made
 * with it refuses the others and the other way round. */
#include "libengine/runtime/storage-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/storage-conf.h"
#include "common/fs.h"
#include "storage/store.h"
#include "libengine/userns/store-job.h"
#include "storage/vfs.h"

/* The overlay probe must run where the layer mounts will be made: for a
 * rootless user that is a user namespace of its own.  A single-id map is
 * enough for a mount test, so no newuidmap round trip. */
static int probe_overlay_in_userns(const char *dir, const struct engine_idmap *map)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (map->mode != ENGINE_IDMAP_ROOT) {
			char buf[64];
			if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
				_exit(2);
			int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				(void)!write(fd, "deny", 4);
				close(fd);
			}
			snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)map->uid);
			fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
				_exit(2);
			close(fd);
			snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)map->gid);
			fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
				_exit(2);
			close(fd);
		} else if (unshare(CLONE_NEWNS) < 0) {
			_exit(2);
		}
		/* Never let the probe's mount propagate to the host's namespace
		 * (root's "/" is often shared). */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			_exit(2);
		struct engine_error *err = NULL;
		_exit(storage_probe_overlay(dir, map->mode != ENGINE_IDMAP_ROOT, &err) == 0 ? 0 : 1);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void engine_storage_detect(const char *probe_parent, const struct engine_idmap *map,
			   struct engine_storage_detection *ret)
{
	memset(ret, 0, sizeof(*ret));
	cleanup_free char *probe = NULL;
	if (asprintf(&probe, "%s/.overlay-probe-XXXXXX", probe_parent) >= 0 &&
	    engine_mkdir_p(probe_parent, 0700, NULL) == 0 && mkdtemp(probe) != NULL) {
		ret->overlay_in_userns = probe_overlay_in_userns(probe, map) == 0;
		rmdir(probe);
	}
	ret->fuse_overlayfs = storage_fuse_overlayfs_path();
	ret->dev_fuse = storage_dev_fuse_usable();
	if (ret->overlay_in_userns)
		ret->driver = STORAGE_DRIVER_OVERLAY;
	else if (ret->fuse_overlayfs != NULL && ret->dev_fuse)
		ret->driver = STORAGE_DRIVER_FUSE_OVERLAYFS;
	else
		ret->driver = STORAGE_DRIVER_VFS;
	engine_debug("storage driver detection: overlay in a user namespace %s, fuse-overlayfs %s, "
		     "/dev/fuse %s: %s",
		     ret->overlay_in_userns ? "works" : "fails",
		     ret->fuse_overlayfs ? ret->fuse_overlayfs : "missing",
		     ret->dev_fuse ? "usable" : "unusable", storage_driver_name(ret->driver));
}

/* What the user asked for, if anything: the flag, else $STORAGE_DRIVER,
 * else storage.conf. */
static int requested_driver(const char *flag, enum storage_driver *ret, const char **ret_source,
			    char *where, size_t where_size, struct engine_error **err)
{
	*ret = STORAGE_DRIVER_NONE;
	if (flag != NULL) {
		*ret = storage_driver_from_name(flag);
		*ret_source = "--storage-driver";
		if (*ret == STORAGE_DRIVER_NONE)
			return engine_error_setting(err, "storage-driver", EINVAL,
						"unknown storage driver \"%s\" (storage-driver): "
						"expected overlay, fuse-overlayfs or vfs", flag);
		return 0;
	}
	const char *env = getenv("STORAGE_DRIVER");
	if (env != NULL && env[0] != '\0') {
		*ret = storage_driver_from_name(env);
		*ret_source = "STORAGE_DRIVER";
		if (*ret == STORAGE_DRIVER_NONE)
			return engine_error_set(err, EINVAL,
						"unknown storage driver \"%s\" (STORAGE_DRIVER): "
						"expected overlay, fuse-overlayfs or vfs", env);
		return 0;
	}
	cleanup_free char *path = NULL;
	struct storage_config config;
	if (storage_config_read(&config, &path, err) < 0)
		return -1;
	*ret = config.driver;
	storage_config_clear(&config);
	*ret_source = "storage.conf";
	snprintf(where, where_size, "%s", path ? path : "storage.conf");
	return 0;
}

int engine_storage_driver_resolve(const char *root, const char *requested,
				  const struct engine_idmap *map, unsigned flags,
				  const struct engine_storage_detection *detected,
				  enum storage_driver *ret, const char **ret_source,
				  struct engine_error **err)
{
	const char *source = NULL;
	char where[4200] = "";
	enum storage_driver want, recorded = STORAGE_DRIVER_NONE;
	if (requested_driver(requested, &want, &source, where, sizeof(where), err) < 0)
		return -1;
	if (access(root, F_OK) == 0 && storage_driver_read(root, &recorded, err) < 0)
		return -1;
	if (want != STORAGE_DRIVER_NONE && recorded != STORAGE_DRIVER_NONE &&
	    !storage_driver_compatible(want, recorded))
		return engine_error_setting(err, "storage-driver,store root", EINVAL,
					"the store %s was created with the %s storage driver and cannot be "
					"used with %s (%s): vfs keeps full copies where the overlays "
					"stack layers; use storage-driver %s or another store root",
					root, storage_driver_name(recorded), storage_driver_name(want),
					where[0] ? where : source, storage_driver_name(recorded));
	if (want == STORAGE_DRIVER_NONE && recorded != STORAGE_DRIVER_NONE) {
		want = recorded;
		source = "store";
	}
	if (want == STORAGE_DRIVER_NONE) {
		struct engine_storage_detection local;
		if (detected == NULL) {
			if (engine_mkdir_p(root, 0700, err) < 0)
				return engine_error_prefix(err, "storage root");
			engine_storage_detect(root, map, &local);
			detected = &local;
		}
		want = detected->driver;
		source = "detected";
	}
	if ((flags & ENGINE_STORAGE_RECORD) && recorded == STORAGE_DRIVER_NONE) {
		if (engine_mkdir_p(root, 0700, err) < 0)
			return engine_error_prefix(err, "storage root");
		if (storage_driver_record(root, want, &recorded, err) < 0)
			return -1;
		/* Another process recorded first, with another family. */
		if (!storage_driver_compatible(want, recorded))
			return engine_error_set(err, EINVAL,
						"the store %s was just created with the %s storage driver "
						"and cannot be used with %s",
						root, storage_driver_name(recorded),
						storage_driver_name(want));
	}
	engine_debug("storage driver %s (%s)", storage_driver_name(want), source);
	*ret = want;
	if (ret_source != NULL)
		*ret_source = source;
	return 0;
}

struct vfs_ctx {
	char *const *diff_ids;
	size_t n;
};

static int vfs_build(struct storage_store *store, void *data, struct engine_error **err)
{
	struct vfs_ctx *c = data;
	return storage_vfs_build(store, c->diff_ids, c->n, err) == 0 ? 0 : -1;
}

int engine_vfs_prepare(const char *root, const struct engine_idmap *map, char *const *diff_ids,
		       size_t n, struct engine_error **err)
{
	if (storage_vfs_exists(root, diff_ids, n))
		return 0;
	struct vfs_ctx c = { .diff_ids = diff_ids, .n = n };
	return engine_userns_store_job(root, map, vfs_build, &c, err);
}
