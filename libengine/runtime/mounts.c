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
 * For an image the root itself comes from its layers, made by the store's
 * storage driver (kernel overlay, fuse-overlayfs, or a vfs copy): see
 * mounts-layers.c.
 * Then the user's mounts (-v, --mount, --tmpfs, --device; apply_mounts),
 * shallowest target first, each target made inside the root component by
 * component (make_target), before pivot_root, so that a bind source on the
 * host is still reachable; with --read-only, tmpfs on /tmp, /var/tmp and
 * /run as Podman's --read-only-tmpfs.
 * pivot_root rather than chroot: chroot leaves the old root reachable
 * (fchdir to an fd opened before, or a second chroot) and breaks the
 * kernel's "fully visible" check for mounting proc in nested namespaces. */
#include "libengine/runtime/mounts.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "storage/copy.h"
#include "common/fs.h"
#include "libengine/runtime/fuse-overlayfs.h"
#include "libengine/runtime/mounts-layers.h"
#include "libengine/runtime/sysctl.h"
#include "libengine/runtime/passwd.h"
#include "storage/remove.h"
#include "storage/vfs.h"
#include "libengine/container/volume-options.h"

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
	char shm_opts[64];
	snprintf(shm_opts, sizeof(shm_opts), "mode=1777,size=%llu",
		 (unsigned long long)(cfg->shm_size ? cfg->shm_size : 64ull << 20));
	if (mount_below(rootfd, "dev/shm", true, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			shm_opts, err) < 0)
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

/* ----: --init, --userns=keep-id, --sysctl ----------- */

/* True when an /etc/passwd or /etc/group text has an entry whose third
 * field is ID. */
static bool has_id(const char *text, unsigned id)
{
	for (const char *line = text; *line;) {
		const char *nl = strchrnul(line, '\n');
		const char *p = line;
		for (int field = 0; field < 2 && p < nl; field++) {
			p = memchr(p, ':', (size_t)(nl - p));
			p = p ? p + 1 : nl;
		}
		char *end;
		if (p < nl && *p >= '0' && *p <= '9' && strtoul(p, &end, 10) == id &&
		    (*end == ':' || end == nl))
			return true;
		line = *nl ? nl + 1 : nl;
	}
	return false;
}

/* keep-id: the container's /etc/passwd (or /etc/group) with LINE added
 * when nothing has ID yet.  Neither the image's layers nor a --rootfs
 * directory is written: the new file is made in our /dev tmpfs, bound
 * over the old one, and unlinked from /dev (the mount keeps it). */
static int add_id_entry(int rootfd, int devfd, const char *rel, const char *line, unsigned id,
			struct engine_error **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct engine_error *local = NULL;
	if (engine_read_file(rootfd, rel, ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS,
			     4 << 20, &text, &len, &local) < 0) {
		/* No file to extend: the ids still work by number. */
		engine_debug("keep-id: /%s not extended: %s", rel, local->msg);
		engine_error_free(&local);
		return 0;
	}
	if (has_id(text, id))
		return 0;
	const char *tmp = ".engine-keep-id";
	cleanup_close int fd = openat(devfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return engine_error_errno(err, errno, "keep-id: create /dev/%s", tmp);
	bool nl = len > 0 && text[len - 1] != '\n';
	if (engine_write_all(fd, text, len) < 0 || (nl && engine_write_all(fd, "\n", 1) < 0) ||
	    engine_write_all(fd, line, strlen(line)) < 0)
		return engine_error_errno(err, errno, "keep-id: write /%s", rel);
	char src[64];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	cleanup_close int target = engine_openat2(rootfd, rel, O_PATH | O_CLOEXEC, 0,
						  ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS);
	if (target < 0)
		return engine_error_errno(err, -target, "keep-id: open /%s", rel);
	/* The copy is the replaced file's in owner and mode (the image's
	 * root's), not the user's, who must not be able to rewrite it.  An
	 * owner this namespace does not map (EINVAL) cannot be given. */
	struct stat st;
	if (fstat(target, &st) < 0)
		return engine_error_errno(err, errno, "keep-id: stat /%s", rel);
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EINVAL)
		return engine_error_errno(err, errno, "keep-id: chown /dev/%s", tmp);
	if (fchmod(fd, st.st_mode & 0777) < 0)
		return engine_error_errno(err, errno, "keep-id: chmod /dev/%s", tmp);
	if (mount_on_fd(src, target, NULL, MS_BIND, NULL, rel, err) < 0)
		return -1;
	if (unlinkat(devfd, tmp, 0) < 0)
		return engine_error_errno(err, errno, "keep-id: unlink /dev/%s", tmp);
	return 0;
}

static int setup_run_options(int rootfd, const struct engine_mounts_config *cfg,
			     struct engine_error **err)
{
	if (cfg->init_path == NULL && cfg->keep_id_name == NULL)
		return 0;
	cleanup_close int devfd = open_target(rootfd, "dev", true, err);
	if (devfd < 0)
		return -1;
	if (cfg->init_path != NULL && cfg->init_fd >= 0) {
		/* A copy, the container's own, not a bind of the host's file:
		 * a --privileged container could remount a bind read-write and
		 * write engine-init on the host. */
		cleanup_close int fd = openat(devfd, &ENGINE_INIT_PATH[5],
					      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
		if (fd < 0)
			return engine_error_errno(err, errno, "create %s", ENGINE_INIT_PATH);
		struct stat st;
		if (fstat(cfg->init_fd, &st) < 0)
			return engine_error_errno(err, errno, "stat engine-init");
		off_t off = 0;
		while (off < st.st_size) {
			ssize_t n = sendfile(fd, cfg->init_fd, &off, (size_t)(st.st_size - off));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return engine_error_errno(err, n < 0 ? errno : EIO, "copy %s",
							  ENGINE_INIT_PATH);
		}
	}
	if (cfg->keep_id_name != NULL) {
		cleanup_free char *pw = NULL;
		cleanup_free char *gr = NULL;
		if (asprintf(&pw, "%s:*:%u:%u:%s:%s:/bin/sh\n", cfg->keep_id_name,
			     (unsigned)cfg->keep_id_uid, (unsigned)cfg->keep_id_gid, cfg->keep_id_name,
			     cfg->keep_id_home) < 0 ||
		    asprintf(&gr, "%s:x:%u:\n", cfg->keep_id_name, (unsigned)cfg->keep_id_gid) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		if (add_id_entry(rootfd, devfd, "etc/passwd", pw, cfg->keep_id_uid, err) < 0 ||
		    add_id_entry(rootfd, devfd, "etc/group", gr, cfg->keep_id_gid, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the user's mounts: -v, --mount, --tmpfs, --device ------------ */

/* Open TARGET below the root, creating what is missing one component at a
 * time: each prefix is resolved inside the root (a symlink in the image,
 * /data -> /, stays in it), and only a single name is ever created in a
 * directory so resolved.  The last component is a directory, or an empty
 * file when DIR is false (a file bind). */
static int make_target(int rootfd, const char *target, bool dir, struct engine_error **err)
{
	unsigned long long resolve = ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS;
	const char *rel = target + 1;
	int fd = engine_openat2(rootfd, rel, O_PATH | O_CLOEXEC, 0, resolve);
	if (fd >= 0)
		return fd;
	if (fd != -ENOENT)
		return engine_error_errno(err, -fd, "open mount point %s", target);
	size_t len = strlen(rel);
	cleanup_free char *prefix = malloc(len + 1);
	if (prefix == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (parent < 0)
		return engine_error_errno(err, errno, "dup");
	for (size_t i = 0; i <= len; i++) {
		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		memcpy(prefix, rel, i);
		prefix[i] = '\0';
		const char *name = strrchr(prefix, '/');
		name = name ? name + 1 : prefix;
		bool last = rel[i] == '\0';
		int next = engine_openat2(rootfd, prefix, O_PATH | O_CLOEXEC, 0, resolve);
		if (next == -ENOENT) {
			int r;
			if (!last || dir) {
				r = mkdirat(parent, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
			} else {
				int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					       0644);
				r = f < 0 && errno != EEXIST ? -errno : 0;
				if (f >= 0)
					close(f);
			}
			if (r < 0)
				return engine_error_errno(err, -r, "create mount point %s (at /%s)", target,
							  prefix);
			next = engine_openat2(rootfd, prefix, O_PATH | O_CLOEXEC, 0, resolve);
		}
		if (next < 0)
			return engine_error_errno(err, -next, "open mount point %s (at /%s)", target, prefix);
		close(parent);
		parent = next;
	}
	return take_fd(&parent);
}

static size_t depth(const char *path)
{
	size_t n = 0;
	for (const char *p = path; *p; p++)
		n += *p == '/';
	return n;
}

/* lchown -R below the mount, for U: the source then belongs to the
 * container's user (subordinate ids on the host when rootless). */
static uid_t chown_uid;
static gid_t chown_gid;
static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid) < 0 ? -1 : 0;
}

/* A mount target that resolves to the container's root itself (an image's
 * /data -> /, kept inside the root by RESOLVE_IN_ROOT) would put the mount
 * over the whole tree, and a copy-up would copy the live root, our /proc,
 * /sys and /dev included: refused. */
static int refuse_root_target(int rootfd, int fd, const char *target, struct engine_error **err)
{
	struct stat root, st;
	if (fstat(rootfd, &root) < 0 || fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "stat mount point %s", target);
	if (st.st_dev == root.st_dev && st.st_ino == root.st_ino)
		return engine_error_set(err, EINVAL,
					"mount point %s resolves to the container's root (a symlink "
					"in the image): refused",
					target);
	return 0;
}

/* Empty the volume again after a failed copy-up: the next container then
 * finds it new and copies again, instead of a half-filled volume. */
static void empty_volume(int datafd)
{
	cleanup_dir DIR *d = engine_opendir_dup(datafd);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = engine_readdir(d)) != NULL) {
		struct engine_error *ignored = NULL;
		if (storage_remove_tree(datafd, e->d_name, &ignored) < 0)
			engine_debug("copy-up cleanup: %s", ignored->msg);
		engine_error_free(&ignored);
	}
}

/* Docker's copy-up: a new (empty) volume gets what the image has at its
 * target, owners, modes, symlinks and xattrs kept.  Done here, in the
 * container's user namespace, so the image's owners can be set.  The
 * image's content is what lies on the root's own file system: a target
 * that resolves onto another mount (our /proc, /sys, /dev, or a mount of
 * the user's) has nothing of the image to copy. */
static int copy_up(int rootfd, const struct engine_mount *m, int datafd, struct engine_error **err)
{
	unsigned long long resolve = ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS;
	int src = engine_openat2(rootfd, m->target + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, resolve);
	if (src < 0)
		return 0; /* nothing (or not a directory) there in the image */
	cleanup_close int srcfd = src;
	if (refuse_root_target(rootfd, srcfd, m->target, err) < 0)
		return -1;
	struct stat root_st, src_st;
	if (fstat(rootfd, &root_st) < 0 || fstat(srcfd, &src_st) < 0)
		return engine_error_errno(err, errno, "stat %s", m->target);
	if (src_st.st_dev != root_st.st_dev)
		return 0;
	/* Two containers starting on one new volume: one copies, the other
	 * then finds it full.  The lock is held until the caller closes
	 * DATAFD, after its mount. */
	if (flock(datafd, LOCK_EX) < 0)
		return engine_error_errno(err, errno, "lock volume %s", m->source);
	bool empty;
	{
		cleanup_dir DIR *d = engine_opendir_dup(datafd);
		if (d == NULL)
			return engine_error_errno(err, errno, "read volume %s", m->source);
		empty = engine_readdir(d) == NULL;
	}
	if (!empty)
		return 0;
	if (storage_copy_tree(srcfd, datafd, STORAGE_COPY_TREE, err) < 0) {
		empty_volume(datafd);
		return engine_error_prefix(err, "copy %s of the image into volume %s", m->target,
					   m->source);
	}
	return 0;
}

static int apply_mount(int rootfd, const struct engine_mounts_config *cfg,
		       const struct engine_mount *m, struct engine_error **err)
{
	cleanup_close int srcfd = -1;
	bool dir = true, readonly = m->readonly;
	if (m->type == ENGINE_MOUNT_VOLUME) {
		struct engine_volume_source vs;
		if (engine_volume_source_open(cfg->volumes_root, m, &vs, err) < 0)
			return -1;
		if (vs.fstype != NULL) { /* a file system of its own (volume-options.c) */
			cleanup_close int fd = make_target(rootfd, m->target, true, err);
			int r = fd < 0 || refuse_root_target(rootfd, fd, m->target, err) < 0
				? -1 : engine_volume_mount_fs(&vs, m, fd, err);
			engine_volume_source_clear(&vs);
			return r;
		}
		srcfd = take_fd(&vs.fd);
		readonly = readonly || (vs.flags & MS_RDONLY);
		engine_volume_source_clear(&vs);
		if (!m->nocopy && copy_up(rootfd, m, srcfd, err) < 0)
			return -1;
	} else if (m->type == ENGINE_MOUNT_BIND || m->type == ENGINE_MOUNT_DEVICE) {
		srcfd = open(m->source, O_PATH | O_CLOEXEC);
		struct stat st;
		if (srcfd < 0 || fstat(srcfd, &st) < 0)
			return engine_error_errno(err, errno, "%s %s",
						  m->type == ENGINE_MOUNT_DEVICE ? "device" : "bind source",
						  m->source);
		dir = S_ISDIR(st.st_mode);
		if (m->type == ENGINE_MOUNT_DEVICE && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return engine_error_set(err, EINVAL, "device %s is not a device node", m->source);
	}
	cleanup_close int fd = make_target(rootfd, m->target, dir, err);
	if (fd < 0 || refuse_root_target(rootfd, fd, m->target, err) < 0)
		return -1;
	char what[4200];
	snprintf(what, sizeof(what), "%s on %s", m->type == ENGINE_MOUNT_TMPFS ? "tmpfs" : m->source,
		 m->target);
	if (m->type == ENGINE_MOUNT_TMPFS) {
		char data[96];
		int n = snprintf(data, sizeof(data), "mode=%o", m->tmpfs_mode ? m->tmpfs_mode : 01777);
		if (m->tmpfs_size)
			snprintf(data + n, sizeof(data) - (size_t)n, ",size=%llu",
				 (unsigned long long)m->tmpfs_size);
		return mount_on_fd("tmpfs", fd, "tmpfs",
				   m->flags | (cfg->tmpfs_read_only ? MS_RDONLY : 0), data, what, err);
	}
	char src[64];
	snprintf(src, sizeof(src), "/proc/self/fd/%d", srcfd);
	if (mount_on_fd(src, fd, NULL, MS_BIND | MS_REC, NULL, what, err) < 0)
		return -1;
	/* The fd names the directory underneath: reopen to reach the mount. */
	cleanup_close int mnt = make_target(rootfd, m->target, dir, err);
	if (mnt < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mnt);
	unsigned long prop = m->propagation ? m->propagation : MS_PRIVATE | MS_REC;
	if (mount(NULL, path, NULL, prop, NULL) < 0)
		return engine_error_errno(err, errno, "set propagation %s of %s",
					  engine_mount_propagation_name(m), m->target);
	if (readonly && remount_ro(path, err) < 0)
		return -1;
	if (m->chown) {
		struct engine_creds creds;
		if (engine_creds_from_root(rootfd, cfg->user, &creds, err) < 0)
			return -1;
		chown_uid = creds.uid;
		chown_gid = creds.gid;
		/* The trailing "/." makes nftw's lstat follow the magic link to
		 * the mount instead of chowning the link in /proc. */
		char dir_path[72];
		snprintf(dir_path, sizeof(dir_path), "%s/.", path);
		if (nftw(dir_path, chown_one, 16, FTW_PHYS | FTW_MOUNT) != 0)
			return engine_error_errno(err, errno, "chown %s (U)", m->target);
	}
	return 0;
}

static bool has_target(const struct engine_mounts_config *cfg, const char *target)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].target, target) == 0)
			return true;
	return false;
}

const char *const engine_bound_file_names[ENGINE_BOUND_FILES] = {
	"hosts", "resolv.conf", "hostname", "dockerenv", "containerenv",
};
const char *const engine_bound_file_targets[ENGINE_BOUND_FILES] = {
	"/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/.dockerenv", "/run/.containerenv",
};

/* Whether a user's bind or volume mount holds TARGET (is on it or on a
 * directory above it): creating a mount point there would write into the
 * user's directory or volume. */
static bool under_user_mount(const struct engine_mounts_config *cfg, const char *target)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct engine_mount *m = &cfg->mounts[i];
		size_t len = strlen(m->target);
		if (m->type != ENGINE_MOUNT_BIND && m->type != ENGINE_MOUNT_VOLUME)
			continue;
		if (strncmp(target, m->target, len) == 0 && (target[len] == '\0' || target[len] == '/'))
			return true;
	}
	return false;
}

/* The files of engine_bound_file_targets from FIRST to LAST (exclusive),
 * bound from the container's directory (its own copies: edits stay
 * there).  A user's mount on one of them wins.  In an image's root a
 * missing file is created (in the writable layer; /run with it, as Podman
 * creates it, when the image lacks it); a --rootfs directory is the
 * user's, and is not written to: a file it lacks is not bound. */
static int apply_etc_files(int rootfd, const struct engine_mounts_config *cfg, const int *fds,
			   size_t first, size_t last, struct engine_error **err)
{
	for (size_t i = first; i < last; i++) {
		const char *target = engine_bound_file_targets[i];
		char source[64];
		snprintf(source, sizeof(source), "/proc/self/fd/%d", fds[i]);
		if (fds[i] < 0 || has_target(cfg, target) ||
		    (i >= ENGINE_ETC_FILES && under_user_mount(cfg, target)))
			continue;
		if (cfg->n_layers == 0) {
			int fd = engine_openat2(rootfd, target + 1, O_PATH | O_CLOEXEC, 0,
						ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS);
			if (fd < 0)
				continue;
			struct stat st;
			bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
			close(fd);
			if (!regular)
				continue;
		}
		struct engine_mount m = { .type = ENGINE_MOUNT_BIND,
					  .source = source,
					  .target = (char *)target };
		if (apply_mount(rootfd, cfg, &m, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_mounts(int rootfd, const struct engine_mounts_config *cfg,
			struct engine_error **err)
{
	if (cfg->read_only && cfg->read_only_tmpfs) {
		static const char *const dirs[] = { "/tmp", "/var/tmp", "/run" };
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			if (has_target(cfg, dirs[i]))
				continue;
			struct engine_mount m = { .type = ENGINE_MOUNT_TMPFS,
						  .target = (char *)dirs[i],
						  .flags = MS_NOSUID | MS_NODEV,
						  .tmpfs_mode = dirs[i][1] == 'r' ? 0755 : 01777 };
			if (apply_mount(rootfd, cfg, &m, err) < 0)
				return -1;
		}
	}
	/* Parents before children: -v a:/data -v b:/data/sub. */
	size_t max = 0;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (depth(cfg->mounts[i].target) > max)
			max = depth(cfg->mounts[i].target);
	for (size_t d = 1; d <= max; d++)
		for (size_t i = 0; i < cfg->n_mounts; i++)
			if (depth(cfg->mounts[i].target) == d &&
			    apply_mount(rootfd, cfg, &cfg->mounts[i], err) < 0)
				return -1;
	return 0;
}

static void close_etc_fds(int etc_fds[ENGINE_BOUND_FILES])
{
	for (size_t i = 0; i < ENGINE_BOUND_FILES; i++)
		if (etc_fds[i] >= 0)
			close(etc_fds[i]);
}

/* The /etc files bound from ETC_FDS (closed here), the user's mounts, then
 * the markers: after the mounts, which a tmpfs on /run (--tmpfs, or
 * --read-only's) would otherwise hide them under. */
static int files_and_mounts(int rootfd, const struct engine_mounts_config *cfg,
			    int etc_fds[ENGINE_BOUND_FILES], struct engine_error **err)
{
	int r = apply_etc_files(rootfd, cfg, etc_fds, 0, ENGINE_ETC_FILES, err);
	if (r == 0)
		r = apply_mounts(rootfd, cfg, err);
	if (r == 0)
		r = apply_etc_files(rootfd, cfg, etc_fds, ENGINE_ETC_FILES, ENGINE_BOUND_FILES, err);
	close_etc_fds(etc_fds);
	return r;
}

int engine_mounts_user(const struct engine_mounts_config *cfg, const char *rootfs,
		       struct engine_error **err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open rootfs %s", rootfs);
	int etc_fds[ENGINE_BOUND_FILES] = { -1, -1, -1, -1, -1 };
	int r = 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(etc_fds); i++)
		if (cfg->etc_files[i] != NULL &&
		    (etc_fds[i] = open(cfg->etc_files[i], O_PATH | O_CLOEXEC | O_NOFOLLOW)) < 0 &&
		    errno != ENOENT)
			r = engine_error_errno(err, errno, "open %s", cfg->etc_files[i]);
	if (r == 0)
		return files_and_mounts(rootfd, cfg, etc_fds, err);
	close_etc_fds(etc_fds);
	return r;
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
		if (engine_mounts_layers(cfg, &layered, err) < 0)
			return -1;
		rootfs = layered;
	}
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return engine_error_errno(err, errno, "bind rootfs %s", rootfs);
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open rootfs %s", rootfs);
	/* --userns=auto: the user's own uid, which reached the store
	 * (its directories are the user's), is not mapped, and a file cannot
	 * be created by an unmapped id: from here on the container's root
	 * creates them. */
	/* the /etc files' sources are opened while the
	 * process still has the user's own fs ids (--userns=auto drops
	 * them next; the container's directory is not searchable then). */
	int etc_fds[ENGINE_BOUND_FILES] = { -1, -1, -1, -1, -1 };
	for (size_t i = 0; i < ARRAY_SIZE(etc_fds); i++)
		if (cfg->etc_files[i] != NULL &&
		    (etc_fds[i] = open(cfg->etc_files[i], O_PATH | O_CLOEXEC | O_NOFOLLOW)) < 0)
			return engine_error_errno(err, errno, "open %s", cfg->etc_files[i]);
	if (cfg->auto_root) {
		(void)setfsgid(0);
		(void)setfsuid(0);
		if (setfsuid(0) != 0 || setfsgid(0) != 0)
			return engine_error_setting(err, "userns", EPERM, "userns=auto: cannot become the container's root");
	}

	if (mount_below(rootfd, "proc", true, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV,
			NULL, err) < 0)
		return -1;
	if (setup_sys(rootfd, cfg, err) < 0)
		return -1;
	if (setup_cgroup(rootfd, err) < 0)
		return -1;
	if (setup_dev(rootfd, cfg, err) < 0)
		return -1;
	if (setup_run_options(rootfd, cfg, err) < 0)
		return -1;
	if (files_and_mounts(rootfd, cfg, etc_fds, err) < 0)
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

	/* --sysctl, while /proc/sys is still writable. */
	if (engine_sysctls_apply(cfg->sysctls, cfg->n_sysctls, err) < 0)
		return -1;
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
