/* driver.c: the store's mount driver: names, the ROOT/driver record, and the
 * detection by trying, not by kernel version: distributions backport
 * overlay-in-userns (and some disable it), so only a real mount attempt
 * tells the truth. */
#include "storage/driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

static const char *const names[] = {
	[STORAGE_DRIVER_NONE] = "",
	[STORAGE_DRIVER_OVERLAY] = "overlay",
	[STORAGE_DRIVER_FUSE_OVERLAYFS] = "fuse-overlayfs",
	[STORAGE_DRIVER_VFS] = "vfs",
};

const char *storage_driver_name(enum storage_driver driver)
{
	return (size_t)driver < ARRAY_SIZE(names) ? names[driver] : "";
}

enum storage_driver storage_driver_from_name(const char *name)
{
	for (size_t i = 1; name != NULL && i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return (enum storage_driver)i;
	return STORAGE_DRIVER_NONE;
}

bool storage_driver_compatible(enum storage_driver a, enum storage_driver b)
{
	bool a_vfs = a == STORAGE_DRIVER_VFS, b_vfs = b == STORAGE_DRIVER_VFS;
	return a_vfs == b_vfs;
}

int storage_driver_read(const char *root, enum storage_driver *ret, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *buf = NULL;
	if (asprintf(&path, "%s/driver", root) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	struct engine_error *local = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 64, &buf, NULL, &local) < 0) {
		if (local->status == ENOENT) {
			engine_error_free(&local);
			*ret = STORAGE_DRIVER_NONE;
			return 0;
		}
		*err = local;
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	enum storage_driver d = storage_driver_from_name(buf);
	if (d == STORAGE_DRIVER_NONE)
		return engine_error_set(err, EINVAL, "%s: unknown storage driver \"%s\"", path, buf);
	*ret = d;
	return 0;
}

int storage_driver_record(const char *root, enum storage_driver driver,
			  enum storage_driver *ret_recorded, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *tmp = NULL;
	if (asprintf(&path, "%s/driver", root) < 0 || asprintf(&tmp, "%s/.driver-XXXXXX", root) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "create %s", tmp);
	char line[32];
	int len = snprintf(line, sizeof(line), "%s\n", storage_driver_name(driver));
	int r = 0;
	errno = EIO; /* a short write sets none */
	if (fchmod(fd, 0600) < 0 || write(fd, line, (size_t)len) != len || fsync(fd) < 0)
		r = -errno;
	/* link(2), not rename(2): it fails when a record exists, so the first
	 * process to record wins and nobody overwrites a store's driver. */
	if (r == 0 && link(tmp, path) < 0 && errno != EEXIST)
		r = -errno;
	unlink(tmp);
	if (r < 0)
		return engine_error_errno(err, -r, "record the storage driver in %s", path);
	return storage_driver_read(root, ret_recorded, err);
}

int storage_probe_overlay(const char *dir, int userxattr, struct engine_error **err)
{
	static const char *const parts[] = { "lower", "upper", "work", "merged" };
	char p[4][4096];
	for (int i = 0; i < 4; i++) {
		snprintf(p[i], sizeof(p[i]), "%s/%s", dir, parts[i]);
		if (mkdir(p[i], 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "mkdir %s", p[i]);
	}
	char opts[4096 * 3 + 64];
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s%s", p[0], p[1], p[2],
		 userxattr ? ",userxattr" : "");
	int r = mount("overlay", p[3], "overlay", 0, opts);
	int e = errno;
	if (r == 0)
		umount2(p[3], MNT_DETACH);
	/* The kernel leaves work/work behind with mode 000. */
	char ww[4200];
	snprintf(ww, sizeof(ww), "%s/work", p[2]);
	chmod(ww, 0700);
	rmdir(ww);
	for (int i = 3; i >= 0; i--)
		rmdir(p[i]);
	if (r < 0)
		return engine_error_errno(err, e, "overlay mount");
	return 0;
}

const char *storage_fuse_overlayfs_path(void)
{
	static const char *const candidates[] = { "/usr/bin/fuse-overlayfs",
						  "/usr/local/bin/fuse-overlayfs" };
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

bool storage_dev_fuse_usable(void)
{
	/* Opening is the test: the mode may allow it while a device cgroup or
	 * a missing module does not.  An open fd with no mount does nothing. */
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}
