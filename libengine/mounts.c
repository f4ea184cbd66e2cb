/* mounts.c: /proc, /sys, /dev, pivot_root, masked and read-only paths.
 *
 * Every target below the rootfs is opened with openat2(RESOLVE_IN_ROOT) and
 * mounted on through /proc/self/fd/N, as crun does: the image may contain a
 * symlink /proc -> /etc or /dev -> /host-something, and a plain path would
 * follow it out of the rootfs.
 *
 * What we mount mirrors Podman/crun's defaults:
 *   /proc      proc, nosuid,noexec,nodev
 *   /sys       sysfs ro (a recursive ro bind of the host's when the network
 *              namespace is the host's: the kernel lets us mount sysfs only
 *              for a network namespace our user namespace owns)
 *   /dev       tmpfs (mode 755, 64 MiB) with null zero full random urandom
 *              tty bind-mounted from the host (mknod is refused in a user
 *              namespace), devpts newinstance, shm, mqueue, and symlinks
 *   masked     /dev/null over files, an empty ro tmpfs over directories
 *   read-only  bind + remount ro
 * pivot_root rather than chroot: chroot leaves the old root reachable
 * (fchdir to an fd opened before, or a second chroot) and breaks the
 * kernel's "fully visible" check for mounting proc in nested namespaces. */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"

static const char *const masked_paths[] = {
	"/proc/acpi",        "/proc/kcore",         "/proc/keys",      "/proc/latency_stats",
	"/proc/timer_list",  "/proc/timer_stats",   "/proc/sched_debug", "/proc/scsi",
	"/proc/interrupts",  "/sys/firmware",       "/sys/fs/selinux", "/sys/dev/block",
	"/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
	"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const char *const host_devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

/* Open (creating when missing) a mount point below rootfd, confined to it. */
static int open_target(int rootfd, const char *rel, bool dir, struct engine_error **err)
{
	unsigned long long resolve = ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS;
	int fd = engine_openat2(rootfd, rel, O_PATH | O_CLOEXEC, 0, resolve);
	if (fd == -ENOENT) {
		if (dir) {
			/* Only the last component may be missing: mkdirat on a path
			 * opened in-root, never a path string that could escape. */
			if (mkdirat(rootfd, rel, 0755) < 0 && errno != EEXIST)
				return engine_error_errno(err, errno, "create mount point /%s", rel);
		} else {
			int f = engine_openat2(rootfd, rel, O_CREAT | O_WRONLY | O_CLOEXEC | O_EXCL, 0644,
					       resolve);
			if (f < 0 && f != -EEXIST)
				return engine_error_errno(err, -f, "create mount point /%s", rel);
			if (f >= 0)
				close(f);
		}
		fd = engine_openat2(rootfd, rel, O_PATH | O_CLOEXEC, 0, resolve);
	}
	if (fd < 0)
		return engine_error_errno(err, -fd, "open mount point /%s", rel);
	return fd;
}

static int mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags,
		       const char *data, const char *what, struct engine_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mount(source, path, fstype, flags, data) < 0)
		return engine_error_errno(err, errno, "mount %s", what);
	return 0;
}

static int mount_below(int rootfd, const char *rel, bool dir, const char *source,
		       const char *fstype, unsigned long flags, const char *data,
		       struct engine_error **err)
{
	cleanup_close int fd = open_target(rootfd, rel, dir, err);
	if (fd < 0)
		return -1;
	char what[128];
	snprintf(what, sizeof(what), "%s on /%s", fstype ? fstype : source, rel);
	return mount_on_fd(source, fd, fstype, flags, data, what, err);
}

/* The flags a bind remount must keep: in a user namespace the kernel refuses
 * to clear nosuid/nodev/noexec/ro that a more privileged namespace locked. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	return f;
}

static int remount_ro(const char *path, struct engine_error **err)
{
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(path);
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return engine_error_errno(err, errno, "remount %s read-only", path);
	return 0;
}

static int setup_dev(int rootfd, const struct engine_mounts_config *cfg, struct engine_error **err)
{
	if (mount_below(rootfd, "dev", true, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
			"mode=755,size=65536k", err) < 0)
		return -1;
	/* Reopen: the fd we mounted on still names the directory underneath. */
	cleanup_close int devfd = open_target(rootfd, "dev", true, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(host_devices); i++) {
		const char *name = host_devices[i];
		int f = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			return engine_error_errno(err, errno, "create /dev/%s", name);
		close(f);
		char src[32], rel[32];
		snprintf(src, sizeof(src), "/dev/%s", name);
		snprintf(rel, sizeof(rel), "dev/%s", name);
		if (mount_below(rootfd, rel, false, src, NULL, MS_BIND, NULL, err) < 0)
			return -1;
	}
	static const char *const dirs[] = { "pts", "shm", "mqueue" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(devfd, dirs[i], 0755) < 0)
			return engine_error_errno(err, errno, "create /dev/%s", dirs[i]);
	/* gid=5 (tty) only when that gid exists in the namespace: the kernel
	 * rejects an unmapped gid in the mount options. */
	const char *pts_opts = cfg->map_tty_gid ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
						: "newinstance,ptmxmode=0666,mode=0620";
	if (mount_below(rootfd, "dev/pts", true, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
			pts_opts, err) < 0)
		return -1;
	if (mount_below(rootfd, "dev/shm", true, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			"mode=1777,size=65536k", err) < 0)
		return -1;
	if (mount_below(rootfd, "dev/mqueue", true, "mqueue", "mqueue",
			MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" },          { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },  { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0)
			return engine_error_errno(err, errno, "create /dev/%s", links[i][1]);
	return 0;
}

static int setup_sys(int rootfd, const struct engine_mounts_config *cfg, struct engine_error **err)
{
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (cfg->private_netns)
		return mount_below(rootfd, "sys", true, "sysfs", "sysfs", ro, NULL, err);
	/* Host network: the sysfs of a network namespace we don't own can only be
	 * bound, not mounted afresh. */
	cleanup_close int fd = open_target(rootfd, "sys", true, err);
	if (fd < 0)
		return -1;
	if (mount_on_fd("/sys", fd, NULL, MS_BIND | MS_REC, NULL, "/sys (bind)", err) < 0)
		return -1;
	cleanup_close int again = open_target(rootfd, "sys", true, err);
	if (again < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", again);
	return remount_ro(path, err);
}

/* Mount a read-only cgroup2 at /sys/fs/cgroup when the host is on the unified
 * hierarchy; on v1 or hybrid hosts there is nothing safe to show yet. */
static int setup_cgroup(int rootfd, struct engine_error **err)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	struct engine_error *local = NULL;
	if (mount_below(rootfd, "sys/fs/cgroup", true, "cgroup2", "cgroup2",
			MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &local) < 0) {
		/* Not fatal: a container runs fine without seeing its cgroup. */
		engine_debug("no cgroup2 in the container: %s", local->msg);
		engine_error_free(&local);
	}
	(void)err;
	return 0;
}

static int mask_paths(struct engine_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++) {
		const char *p = masked_paths[i];
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		int r;
		if (S_ISDIR(st.st_mode))
			r = mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  NULL);
		else
			r = mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (r < 0 && errno != ENOENT)
			return engine_error_errno(err, errno, "mask %s", p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++) {
		const char *p = readonly_paths[i];
		if (access(p, F_OK) < 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return engine_error_errno(err, errno, "bind %s", p);
		if (remount_ro(p, err) < 0)
			return -1;
	}
	return 0;
}

/* The image's layers as a kernel overlay: lower layers from the store, the
 * container's own upper and work directories.  Lower paths are given
 * relative to the store's layers/ directory (we chdir there) because the
 * mount data is limited to one page: absolute paths would cap an image at
 * a few dozen layers.  Rootless mounts need userxattr (overlay keeps its
 * whiteout and opaque marks in user.overlay.* inside a user namespace). */
static int mount_layers(const struct engine_mounts_config *cfg, char **ret_rootfs,
			struct engine_error **err)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/containers/%s", cfg->store_root, cfg->container_id);
	static const char *const subdirs[] = { "", "/upper", "/work", "/merged" };
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s%s", dir, subdirs[i]);
		if (mkdir(p, i == 0 ? 0700 : 0755) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", p);
	}
	char layers_dir[4200];
	snprintf(layers_dir, sizeof(layers_dir), "%s/layers", cfg->store_root);
	if (chdir(layers_dir) < 0)
		return engine_error_errno(err, errno, "chdir %s", layers_dir);
	size_t cap = 4096, used = 0;
	char data[4096];
	used += (size_t)snprintf(data, cap, "lowerdir=");
	for (size_t i = cfg->n_layers; i-- > 0;) {
		const char *hex = strchr(cfg->layers[i], ':');
		hex = hex ? hex + 1 : cfg->layers[i];
		int w = snprintf(data + used, cap - used, "%s%s/diff", i + 1 == cfg->n_layers ? "" : ":", hex);
		if (w < 0 || (size_t)w >= cap - used)
			return engine_error_set(err, E2BIG, "image has too many layers (%zu) for one overlay mount",
						cfg->n_layers);
		used += (size_t)w;
	}
	int w = snprintf(data + used, cap - used, ",upperdir=%s/upper,workdir=%s/work%s", dir, dir,
			 cfg->rootless ? ",userxattr" : "");
	if (w < 0 || (size_t)w >= cap - used)
		return engine_error_set(err, E2BIG, "overlay mount options too long");
	char merged[4200];
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	if (mount("overlay", merged, "overlay", 0, data) < 0)
		return engine_error_errno(err, errno, "mount the image's layers (overlay) on %s", merged);
	*ret_rootfs = strdup(merged);
	return *ret_rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

int engine_mounts_setup(const struct engine_mounts_config *cfg, struct engine_error **err)
{
	/* Nothing we mount may propagate back to the host, but host unmounts
	 * should still reach us: a recursive slave. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return engine_error_errno(err, errno, "make / a slave mount");
	cleanup_free char *layered = NULL;
	const char *rootfs = cfg->rootfs;
	if (cfg->n_layers > 0) {
		if (mount_layers(cfg, &layered, err) < 0)
			return -1;
		rootfs = layered;
	}
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return engine_error_errno(err, errno, "bind rootfs %s", rootfs);
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open rootfs %s", rootfs);

	if (mount_below(rootfd, "proc", true, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV,
			NULL, err) < 0)
		return -1;
	if (setup_sys(rootfd, cfg, err) < 0)
		return -1;
	if (setup_cgroup(rootfd, err) < 0)
		return -1;
	if (setup_dev(rootfd, cfg, err) < 0)
		return -1;

	if (fchdir(rootfd) < 0)
		return engine_error_errno(err, errno, "chdir to rootfs");
	/* pivot_root(".", ".") stacks the old root under the new one; detaching
	 * it then leaves only the container's tree, with no directory to create
	 * and remove inside the image. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return engine_error_errno(err, errno, "pivot_root into %s", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return engine_error_errno(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return engine_error_errno(err, errno, "chdir /");

	if (!cfg->privileged && mask_paths(err) < 0)
		return -1;
	if (cfg->read_only && remount_ro("/", err) < 0)
		return -1;
	return 0;
}

int engine_mounts_bind_console(const char *pts_path, struct engine_error **err)
{
	int f = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0)
		return engine_error_errno(err, errno, "create /dev/console");
	close(f);
	if (mount(pts_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return engine_error_errno(err, errno, "bind %s on /dev/console", pts_path);
	return 0;
}
