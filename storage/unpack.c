/* unpack.c: the layer unpacker (see unpack.h for the contract).
 *
 * Why we do not use archive_write_disk(): it resolves paths itself and its
 * protections (ARCHIVE_EXTRACT_SECURE_*) are checks made before the syscall,
 * not properties of the syscall.  Here every path is cleaned first, the
 * parent directory is opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), and the last component is created with *at() calls
 * that never follow a symlink (O_EXCL, AT_SYMLINK_NOFOLLOW, linkat without
 * AT_SYMLINK_FOLLOW).  So a layer cannot reach outside the target even when
 * an earlier entry planted a symlink or a hardlink for a later one to use.
 *
 * The diff_id is the digest of the uncompressed tar, so two libarchive
 * readers are chained in one thread: the outer one (format "raw", gzip and
 * zstd filters) decompresses; the inner one (tar formats, no filters) reads
 * through a callback that pulls the outer one's blocks, hashes and counts
 * them.  After the tar's end we keep reading the outer one to EOF, so the
 * digest covers every byte (trailing zero blocks included) and the gzip
 * trailer's CRC is checked. */
#include "storage/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/fs.h"
#include "storage/unpack-paths.h"

/* The outer reader's block size: bounded memory whatever the layer holds. */
#define READ_BLOCK (128 * 1024)
/* Every lookup below the target: no "..", no symlink, no /proc magic link. */
#define RESOLVE_CONFINED                                                                  \
	(ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS | ENGINE_RESOLVE_NO_MAGICLINKS)

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* ---- the unpacker's state ---- */

/* A directory's mode and times are applied after its contents: creating
 * an entry changes the parent's mtime, and a read-only mode would stop us
 * creating the entries at all. */
struct deferred_dir {
	char *path; /* cleaned, "" for the target itself */
	size_t depth;
	size_t index; /* creation order, so that a later entry wins */
	mode_t mode;
	struct timespec times[2];
};

struct unpacker {
	int target;
	const struct storage_unpack_options *opts;
	uint64_t max_bytes;
	struct archive *outer; /* decompresses: format raw, gzip/zstd */
	struct archive *tar;   /* parses the tar the outer one yields */
	struct storage_hasher *hasher;
	uint64_t tar_bytes;  /* uncompressed bytes read so far */
	uint64_t file_bytes; /* regular files' sizes so far (sparse ones in full) */
	bool outer_eof;
	/* Why the outer reader stopped, kept here because the tar reader only
	 * learns "the callback failed". */
	int read_errno;
	char read_msg[256];
	struct path_set unpacked;
	struct deferred_dir *dirs;
	size_t n_dirs, cap_dirs;
};

/* Record PATH and every directory above it as unpacked by this layer. */
static int mark_unpacked(struct unpacker *u, const char *path)
{
	for (const char *p = path;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p > path && storage_path_set_add(&u->unpacked, path, (size_t)(p - path)) < 0)
				return -ENOMEM;
			if (*p == '\0')
				return 0;
		}
	}
}

/* openat2 below the target, retried on EAGAIN: RESOLVE_BENEATH refuses to
 * guess when a rename raced with the lookup. */
static int open_confined(int dir_fd, const char *path, int flags)
{
	int fd;
	for (int i = 0; i < 16; i++) {
		fd = engine_openat2(dir_fd, path, flags | O_CLOEXEC, 0, RESOLVE_CONFINED);
		if (fd != -EAGAIN)
			break;
	}
	return fd;
}

static int path_error(struct engine_error **err, int errno_value, const char *shown)
{
	switch (errno_value) {
	case ELOOP:
		return engine_error_set(err, ELOOP, "layer: entry %s goes through a symlink", shown);
	case EXDEV:
		return engine_error_set(err, EXDEV, "layer: entry %s escapes the layer", shown);
	case ENOTDIR:
		return engine_error_set(err, ENOTDIR,
					"layer: entry %s: a parent is not a directory", shown);
	default:
		return engine_error_errno(err, errno_value, "layer: entry %s", shown);
	}
}

/* Open directory PATH (cleaned, "" = the target) below the target,
 * creating missing components with mode 0755 as Docker does for a tar that
 * names a file before (or without) its directories. */
static int open_dir(struct unpacker *u, const char *path, const char *shown, int *ret_fd,
		    struct engine_error **err)
{
	int fd = open_confined(u->target, path[0] ? path : ".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (fd != -ENOENT)
		return path_error(err, -fd, shown);

	cleanup_close int cur = open_confined(u->target, ".", O_RDONLY | O_DIRECTORY);
	if (cur < 0)
		return engine_error_errno(err, -cur, "layer: open the target directory");
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (char *comp = copy, *slash; comp != NULL; comp = slash) {
		slash = strchr(comp, '/');
		if (slash != NULL)
			*slash++ = '\0';
		int next = open_confined(cur, comp, O_RDONLY | O_DIRECTORY);
		if (next == -ENOENT) {
			if (mkdirat(cur, comp, 0700) < 0 && errno != EEXIST)
				return engine_error_errno(err, errno, "layer: entry %s: mkdir %s", shown,
							  comp);
			next = open_confined(cur, comp, O_RDONLY | O_DIRECTORY);
			/* mkdir's mode went through the umask: say exactly 0755. */
			if (next >= 0 && fchmod(next, 0755) < 0) {
				close(next);
				return engine_error_errno(err, errno, "layer: entry %s: chmod %s",
							  shown, comp);
			}
		}
		if (next < 0)
			return path_error(err, -next, shown);
		close(cur);
		cur = next;
	}
	*ret_fd = take_fd(&cur);
	return 0;
}

/* The object an entry becomes: an fd when we hold one (files, directories),
 * else its name in the parent (symlinks, fifos, devices). */
struct node {
	int parent;
	const char *base;
	int fd;
};

static int node_chown(const struct node *n, uid_t uid, gid_t gid)
{
	if (n->fd >= 0)
		return fchown(n->fd, uid, gid);
	return fchownat(n->parent, n->base, uid, gid, AT_SYMLINK_NOFOLLOW);
}

static int node_setxattr(const struct node *n, const char *name, const void *value, size_t size)
{
	if (n->fd >= 0)
		return fsetxattr(n->fd, name, value, size, 0);
	/* There is no lsetxattrat() in glibc: name the node through the
	 * parent's fd; lsetxattr does not follow the last component. */
	char path[64 + NAME_MAX];
	if (snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", n->parent, n->base) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return lsetxattr(path, name, value, size, 0);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Xattrs through which a layer could steer the overlay (fake opaque
 * directories, redirects, metacopy) are not the image's to set. */
static bool is_overlay_xattr(const char *name)
{
	return has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay.") ||
	       has_prefix(name, "user.fuseoverlayfs.") || has_prefix(name, "trusted.fuseoverlayfs.");
}

static int check_xattrs(struct archive_entry *e, const char *shown, struct engine_error **err)
{
	const char *name;
	const void *value;
	size_t size;
	char shown_name[SHOWN_MAX];
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (name == NULL || name[0] == '\0')
			return engine_error_set(err, EINVAL, "layer: entry %s: xattr with no name",
						shown);
		if (is_overlay_xattr(name))
			return engine_error_set(err, EPERM,
						"layer: entry %s: xattr %s controls the overlay and is "
						"refused",
						shown, storage_unpack_show(name, shown_name));
	}
	return 0;
}

static int apply_xattrs(struct unpacker *u, const struct node *n, struct archive_entry *e,
			const char *shown, struct engine_error **err)
{
	const char *name;
	const void *value;
	size_t size;
	char shown_name[SHOWN_MAX];
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		/* The build host's SELinux label means nothing here. */
		if (strcmp(name, "security.selinux") == 0)
			continue;
		if (node_setxattr(n, name, value, size) == 0)
			continue;
		/* Not every file system takes every namespace, and a user
		 * namespace may not set trusted.* or user.* on a symlink:
		 * Podman skips those too rather than refuse the image. */
		if (errno == ENOTSUP || (errno == EPERM && u->opts->rootless)) {
			engine_debug("layer: entry %s: xattr %s skipped: %s", shown,
				     storage_unpack_show(name, shown_name), strerror(errno));
			continue;
		}
		return engine_error_errno(err, errno, "layer: entry %s: set xattr %s", shown,
					  storage_unpack_show(name, shown_name));
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec times[2])
{
	long mnsec = archive_entry_mtime_nsec(e);
	times[1].tv_sec = (time_t)archive_entry_mtime(e);
	times[1].tv_nsec = (mnsec >= 0 && mnsec < 1000000000L) ? mnsec : 0;
	times[0] = times[1];
	if (archive_entry_atime_is_set(e)) {
		long ansec = archive_entry_atime_nsec(e);
		times[0].tv_sec = (time_t)archive_entry_atime(e);
		times[0].tv_nsec = (ansec >= 0 && ansec < 1000000000L) ? ansec : 0;
	}
}

/* Owner, xattrs, mode, times, in the order the kernel needs: chown clears
 * setuid/setgid and security.capability, so it goes first; the mode goes
 * after the xattrs; times last, as every change above touches ctime only.
 * Symlinks get no mode; a directory gets u+rwx now (so that we can fill it)
 * and its real mode and times later. */
static int apply_metadata(struct unpacker *u, const struct node *n, struct archive_entry *e,
			  const char *shown, struct engine_error **err)
{
	mode_t type = archive_entry_filetype(e);
	mode_t mode = archive_entry_perm(e) & 07777;
	if (!u->opts->ignore_chown_errors &&
	    node_chown(n, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
		return engine_error_errno(err, errno, "layer: entry %s: chown %lld:%lld", shown,
					  (long long)archive_entry_uid(e),
					  (long long)archive_entry_gid(e));
	if (apply_xattrs(u, n, e, shown, err) < 0)
		return -1;
	if (type == AE_IFLNK) {
		struct timespec times[2];
		entry_times(e, times);
		if (utimensat(n->parent, n->base, times, AT_SYMLINK_NOFOLLOW) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: set times", shown);
		return 0;
	}
	if (type == AE_IFDIR)
		mode |= S_IRWXU;
	int r = n->fd >= 0 ? fchmod(n->fd, mode) : fchmodat(n->parent, n->base, mode, 0);
	if (r < 0)
		return engine_error_errno(err, errno, "layer: entry %s: chmod %04o", shown,
					  (unsigned)mode);
	if (type == AE_IFDIR)
		return 0;
	struct timespec times[2];
	entry_times(e, times);
	r = n->fd >= 0 ? futimens(n->fd, times)
		       : utimensat(n->parent, n->base, times, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return engine_error_errno(err, errno, "layer: entry %s: set times", shown);
	return 0;
}

static int defer_dir(struct unpacker *u, const char *path, struct archive_entry *e)
{
	if (u->n_dirs == u->cap_dirs) {
		size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
		struct deferred_dir *d = realloc(u->dirs, cap * sizeof(*d));
		if (d == NULL)
			return -ENOMEM;
		u->dirs = d;
		u->cap_dirs = cap;
	}
	struct deferred_dir *d = &u->dirs[u->n_dirs];
	d->path = strdup(path);
	if (d->path == NULL)
		return -ENOMEM;
	d->depth = storage_unpack_path_depth(path);
	d->index = u->n_dirs;
	d->mode = archive_entry_perm(e) & 07777;
	entry_times(e, d->times);
	u->n_dirs++;
	return 0;
}

/* Deepest first, so that a parent's read-only mode is set after its
 * children are done; among equals, in tar order, so a later entry wins. */
static int compare_deferred(const void *a, const void *b)
{
	const struct deferred_dir *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

static int finish_dirs(struct unpacker *u, struct engine_error **err)
{
	char shown[SHOWN_MAX];
	if (u->n_dirs > 1)
		qsort(u->dirs, u->n_dirs, sizeof(*u->dirs), compare_deferred);
	for (size_t i = 0; i < u->n_dirs; i++) {
		const struct deferred_dir *d = &u->dirs[i];
		cleanup_close int fd =
			open_confined(u->target, d->path[0] ? d->path : ".", O_RDONLY | O_DIRECTORY);
		/* A later entry replaced the directory: its metadata went with it. */
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
			continue;
		if (fd < 0)
			return path_error(err, -fd, storage_unpack_show(d->path[0] ? d->path : ".", shown));
		if (fchmod(fd, d->mode) < 0 || futimens(fd, d->times) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: set mode and times",
						  storage_unpack_show(d->path[0] ? d->path : ".", shown));
	}
	return 0;
}

/* ---- reading: outer (decompression) feeding inner (tar) ---- */

__attribute__((format(printf, 3, 4))) static int read_failed(struct unpacker *u, int errno_value,
							     const char *fmt, ...)
{
	va_list ap;
	u->read_errno = errno_value > 0 ? errno_value : EIO;
	va_start(ap, fmt);
	vsnprintf(u->read_msg, sizeof(u->read_msg), fmt, ap);
	va_end(ap);
	return -u->read_errno;
}

/* The next block of uncompressed bytes: 1 with the block in *RET, 0 at EOF,
 * -errno with u->read_msg set. */
static int pull_block(struct unpacker *u, const void **ret, size_t *ret_size)
{
	if (u->read_errno != 0)
		return -u->read_errno;
	while (!u->outer_eof) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		int r = archive_read_data_block(u->outer, &buf, &size, &offset);
		if (r == ARCHIVE_EOF) {
			u->outer_eof = true;
			break;
		}
		if (r != ARCHIVE_OK) {
			const char *why = archive_error_string(u->outer);
			return read_failed(u, archive_errno(u->outer), "%s",
					   why ? why : "decompression failed");
		}
		if (size == 0)
			continue;
		if (size > u->max_bytes - u->tar_bytes)
			return read_failed(u, EFBIG, "uncompressed size exceeds %llu bytes",
					   (unsigned long long)u->max_bytes);
		u->tar_bytes += size;
		if (storage_hasher_update(u->hasher, buf, size) < 0)
			return read_failed(u, EIO, "%s", "hashing failed");
		*ret = buf;
		*ret_size = size;
		return 1;
	}
	return 0;
}

/* The tar reader's read callback.  The block stays valid until the next
 * call, which is what libarchive asks of a callback. */
static la_ssize_t tar_read(struct archive *a, void *data, const void **buf)
{
	struct unpacker *u = data;
	size_t size = 0;
	int r = pull_block(u, buf, &size);
	if (r < 0) {
		archive_set_error(a, -r, "%s", u->read_msg);
		return -1;
	}
	return r == 0 ? 0 : (la_ssize_t)size;
}

/* The error of a failed tar read, preferring the outer reader's cause. */
static int tar_error(struct unpacker *u, const char *shown, struct engine_error **err)
{
	if (u->read_errno != 0) {
		if (shown != NULL)
			return engine_error_set(err, u->read_errno, "layer: %s (in entry %s)",
						u->read_msg, shown);
		return engine_error_set(err, u->read_errno, "layer: %s", u->read_msg);
	}
	int e = archive_errno(u->tar);
	const char *why = archive_error_string(u->tar);
	if (why == NULL)
		why = "unreadable tar stream";
	if (shown != NULL)
		return engine_error_set(err, e > 0 ? e : EINVAL, "layer: entry %s: %s", shown, why);
	return engine_error_set(err, e > 0 ? e : EINVAL, "layer: %s", why);
}

/* ---- entries ---- */

/* Make room for an entry named BASE in PARENT: remove what is there unless
 * it is a directory and KEEP_DIR (a directory over a directory merges).
 * Returns 1 when a directory was kept, 0 otherwise. */
static int make_room(int parent, const char *base, bool keep_dir, const char *shown,
		     struct engine_error **err)
{
	struct stat st;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return engine_error_errno(err, errno, "layer: entry %s: stat", shown);
	}
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		if (storage_remove_tree(parent, base, err) < 0)
			return engine_error_prefix(err, "layer: entry %s: replace a directory", shown);
		return 0;
	}
	if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
		return engine_error_errno(err, errno, "layer: entry %s: replace", shown);
	return 0;
}

static int write_contents(struct unpacker *u, int fd, struct archive_entry *e, const char *shown,
			  struct engine_error **err)
{
	la_int64_t size = archive_entry_size(e), end = 0;
	if (size < 0)
		size = 0;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t offset;
		int r = archive_read_data_block(u->tar, &buf, &len, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return tar_error(u, shown, err);
		if (offset < 0 || (la_int64_t)len > size || offset > size - (la_int64_t)len)
			return engine_error_set(err, EINVAL, "layer: entry %s: data beyond its size",
						shown);
		const char *p = buf;
		while (len > 0) {
			ssize_t w = pwrite(fd, p, len, (off_t)offset);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return engine_error_errno(err, errno, "layer: entry %s: write", shown);
			}
			p += w;
			len -= (size_t)w;
			offset += w;
		}
		if (offset > end)
			end = offset;
	}
	/* A sparse file's last hole has no block: the size says where it ends. */
	if (end < size && ftruncate(fd, (off_t)size) < 0)
		return engine_error_errno(err, errno, "layer: entry %s: truncate", shown);
	return 0;
}

/* ".wh.NAME" in PARENT: NAME is deleted from the layers below. */
static int whiteout(struct unpacker *u, int parent, const char *name, const char *shown,
		    struct engine_error **err)
{
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return engine_error_set(err, EINVAL, "layer: entry %s is an invalid whiteout",
					shown);
	if (make_room(parent, name, false, shown, err) < 0)
		return -1;
	if (u->opts->whiteouts == STORAGE_WHITEOUT_KEEP)
		return 0; /* deleting it was the whole job */
	/* The overlay's own whiteout: a 0/0 character device, which a user
	 * namespace may create since Linux 5.8. */
	if (mknodat(parent, name, S_IFCHR | 0, makedev(0, 0)) < 0)
		return engine_error_errno(err, errno, "layer: entry %s: create the whiteout", shown);
	return 0;
}

/* vfs: an opaque directory keeps only what this layer put there.  PATH is
 * the directory's cleaned path in a buffer of PATH_MAX + NAME_MAX + 2. */
static int prune_lower(struct unpacker *u, int dir_fd, char *path, const char *shown,
		       struct engine_error **err)
{
	cleanup_dir DIR *dir = engine_opendir_dup(dir_fd);
	if (dir == NULL)
		return engine_error_errno(err, errno, "layer: entry %s: opaque directory", shown);
	size_t len = strlen(path);
	int r = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = engine_readdir(dir);
		if (de == NULL) {
			if (errno != 0)
				r = engine_error_errno(err, errno, "layer: entry %s: read directory",
						       shown);
			break;
		}
		size_t n = strlen(de->d_name);
		if (len + 1 + n > PATH_MAX + NAME_MAX) {
			r = engine_error_set(err, ENAMETOOLONG, "layer: entry %s: path too long",
					     shown);
			break;
		}
		snprintf(path + len, PATH_MAX + NAME_MAX + 2 - len, "%s%s", len ? "/" : "",
			 de->d_name);
		if (!storage_path_set_has(&u->unpacked, path)) {
			r = storage_remove_tree(dir_fd, de->d_name, err);
			if (r < 0)
				engine_error_prefix(err, "layer: entry %s", shown);
		} else if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
			int child = openat(dir_fd, de->d_name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child >= 0) {
				r = prune_lower(u, child, path, shown, err);
				close(child);
			} else if (errno != ENOTDIR && errno != ELOOP) {
				r = engine_error_errno(err, errno, "layer: entry %s: open", shown);
			}
		}
		path[len] = '\0';
		if (r < 0)
			break;
	}
	return r;
}

static int set_opaque(struct unpacker *u, int dir_fd, const char *shown, struct engine_error **err)
{
	static const char *const user[] = { "user.overlay.opaque", "user.fuseoverlayfs.opaque" };
	static const char *const trusted[] = { "trusted.overlay.opaque" };
	const char *const *names = user;
	size_t n = ARRAY_SIZE(user);
	if (u->opts->whiteouts == STORAGE_WHITEOUT_OVERLAY_TRUSTED) {
		names = trusted;
		n = ARRAY_SIZE(trusted);
	}
	for (size_t i = 0; i < n; i++)
		if (fsetxattr(dir_fd, names[i], "y", 1, 0) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: set %s", shown,
						  names[i]);
	return 0;
}

static int opaque(struct unpacker *u, int dir_fd, const char *dir_path, const char *shown,
		  struct engine_error **err)
{
	if (u->opts->whiteouts != STORAGE_WHITEOUT_KEEP)
		return set_opaque(u, dir_fd, shown, err);
	cleanup_free char *path = malloc(PATH_MAX + NAME_MAX + 2);
	if (path == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (strlen(dir_path) > PATH_MAX)
		return engine_error_set(err, ENAMETOOLONG, "layer: entry %s: path too long", shown);
	strcpy(path, dir_path);
	return prune_lower(u, dir_fd, path, shown, err);
}

static int hardlink(struct unpacker *u, int parent, const char *base, const char *path,
		    struct archive_entry *e, const char *shown, struct engine_error **err)
{
	char shown_target[SHOWN_MAX];
	const char *raw = archive_entry_hardlink(e);
	cleanup_free char *target = NULL;
	int r = storage_unpack_clean_path(raw, &target);
	if (r == -EXDEV)
		return engine_error_set(err, EXDEV, "layer: entry %s: hardlink target %s escapes the layer",
					shown, storage_unpack_show(raw, shown_target));
	if (r < 0 || target[0] == '\0')
		return engine_error_set(err, EINVAL, "layer: entry %s: invalid hardlink target %s",
					shown, storage_unpack_show(raw, shown_target));
	if (strcmp(target, path) == 0)
		return 0; /* a link to itself: GNU tar writes these; nothing to do */
	if (!storage_path_set_has(&u->unpacked, target))
		return engine_error_set(err, ENOENT,
					"layer: entry %s: hardlink target %s is not in this layer",
					shown, storage_unpack_show(raw, shown_target));
	char *slash = strrchr(target, '/');
	const char *target_base = slash ? slash + 1 : target;
	if (slash != NULL)
		*slash = '\0';
	cleanup_close int target_parent =
		open_confined(u->target, slash ? target : ".", O_RDONLY | O_DIRECTORY);
	if (target_parent < 0)
		return path_error(err, -target_parent, shown);
	if (make_room(parent, base, false, shown, err) < 0)
		return -1;
	/* No AT_SYMLINK_FOLLOW: a link to a symlink is a second name for the
	 * symlink, never for what it points at. */
	if (linkat(target_parent, target_base, parent, base, 0) < 0)
		return engine_error_errno(err, errno, "layer: entry %s: hardlink to %s", shown,
					  storage_unpack_show(raw, shown_target));
	return 0;
}

static int check_owner(struct unpacker *u, struct archive_entry *e, const char *shown,
		       struct engine_error **err)
{
	if (u->opts->ignore_chown_errors)
		return 0;
	la_int64_t ids[2] = { archive_entry_uid(e), archive_entry_gid(e) };
	const char *what[2] = { "uid", "gid" };
	for (int i = 0; i < 2; i++) {
		/* (uid_t)-1 would mean "leave unchanged" to chown. */
		if (ids[i] < 0 || ids[i] >= (la_int64_t)UINT32_MAX)
			return engine_error_set(err, EINVAL, "layer: entry %s: invalid %s %lld",
						shown, what[i], (long long)ids[i]);
		if (u->opts->mapped_ids != 0 && (uint64_t)ids[i] >= u->opts->mapped_ids)
			return engine_error_set(err, EOVERFLOW,
						"layer: entry %s: %s %lld is not mapped in the user "
						"namespace (ids 0-%llu)",
						shown, what[i], (long long)ids[i],
						(unsigned long long)(u->opts->mapped_ids - 1));
	}
	return 0;
}

/* Create a regular file, a directory, a symlink or a special file named
 * BASE in PARENT, and give it the entry's metadata. */
static int create_node(struct unpacker *u, int parent, const char *base, const char *path,
		       struct archive_entry *e, const char *shown, struct engine_error **err)
{
	mode_t type = archive_entry_filetype(e);
	struct node n = { parent, base, -1 };
	cleanup_close int fd = -1;
	int r;

	switch (type) {
	case AE_IFDIR:
		r = make_room(parent, base, true, shown, err);
		if (r < 0)
			return -1;
		if (r == 0 && mkdirat(parent, base, 0700) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: mkdir", shown);
		fd = open_confined(parent, base, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return path_error(err, -fd, shown);
		break;
	case AE_IFREG: {
		la_int64_t size = archive_entry_size(e);
		if (size > 0 && (uint64_t)size > u->max_bytes - u->file_bytes)
			return engine_error_set(err, EFBIG,
						"layer: entry %s: files add up to more than %llu bytes",
						shown, (unsigned long long)u->max_bytes);
		if (size > 0)
			u->file_bytes += (uint64_t)size;
		if (make_room(parent, base, false, shown, err) < 0)
			return -1;
		/* O_EXCL: never opens whatever is there, a symlink least of all. */
		fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return engine_error_errno(err, errno, "layer: entry %s: create", shown);
		if (write_contents(u, fd, e, shown, err) < 0)
			return -1;
		break;
	}
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (target == NULL || target[0] == '\0')
			return engine_error_set(err, EINVAL, "layer: entry %s: symlink with no target",
						shown);
		if (make_room(parent, base, false, shown, err) < 0)
			return -1;
		/* Any target is fine: it is resolved inside the container's
		 * root at run time, and we never follow it here. */
		if (symlinkat(target, parent, base) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: symlink", shown);
		break;
	}
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK: {
		dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
		if (type != AE_IFIFO && u->opts->rootless)
			return engine_error_set(err, EPERM,
						"layer: entry %s is a device node, which a rootless "
						"user cannot create",
						shown);
		if (make_room(parent, base, false, shown, err) < 0)
			return -1;
		if (mknodat(parent, base, type | 0600, type == AE_IFIFO ? 0 : dev) < 0)
			return engine_error_errno(err, errno, "layer: entry %s: mknod", shown);
		break;
	}
	default:
		return engine_error_set(err, EINVAL, "layer: entry %s has an unsupported type 0%o",
					shown, (unsigned)type);
	}
	n.fd = fd;
	if (apply_metadata(u, &n, e, shown, err) < 0)
		return -1;
	if (type == AE_IFDIR && defer_dir(u, path, e) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int unpack_entry(struct unpacker *u, struct archive_entry *e, struct engine_error **err)
{
	char shown[SHOWN_MAX];
	const char *raw = archive_entry_pathname(e);
	storage_unpack_show(raw, shown);
	cleanup_free char *path = NULL;
	int r = storage_unpack_clean_path(raw, &path);
	if (r == -EXDEV)
		return engine_error_set(err, EXDEV, "layer: entry %s escapes the layer", shown);
	if (r == -ENOMEM)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (r < 0)
		return engine_error_set(err, EINVAL, "layer: an entry has an empty name");

	mode_t type = archive_entry_filetype(e);
	const char *link = archive_entry_hardlink(e);
	if (path[0] == '\0') {
		/* "./": the layer's root; only its metadata can change. */
		if (link != NULL || type != AE_IFDIR)
			return engine_error_set(err, EINVAL, "layer: entry %s is not a directory",
						shown);
		if (check_owner(u, e, shown, err) < 0 || check_xattrs(e, shown, err) < 0)
			return -1;
		cleanup_close int fd = open_confined(u->target, ".", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return engine_error_errno(err, -fd, "layer: open the target directory");
		struct node n = { fd, ".", fd };
		if (apply_metadata(u, &n, e, shown, err) < 0)
			return -1;
		return defer_dir(u, "", e) < 0 ? engine_error_set(err, ENOMEM, "out of memory") : 0;
	}

	char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	/* aufs keeps hardlink bookkeeping under .wh..wh.*: not image content. */
	if ((has_prefix(path, WHITEOUT_META_PREFIX) && strcmp(path, WHITEOUT_OPAQUE) != 0) ||
	    (has_prefix(base, WHITEOUT_META_PREFIX) && strcmp(base, WHITEOUT_OPAQUE) != 0)) {
		engine_debug("layer: entry %s skipped (aufs metadata)", shown);
		return 0;
	}
	bool is_whiteout = has_prefix(base, WHITEOUT_PREFIX);
	if (type == AE_IFSOCK && !is_whiteout) {
		engine_debug("layer: entry %s skipped (a socket)", shown);
		return 0;
	}
	/* Checked before anything is created, so a refused entry leaves no
	 * trace; a hardlink gets no owner of its own. */
	if (!is_whiteout && ((link == NULL && check_owner(u, e, shown, err) < 0) ||
			     check_xattrs(e, shown, err) < 0))
		return -1;

	if (slash != NULL)
		*slash = '\0';
	cleanup_close int parent = -1;
	if (open_dir(u, slash ? path : "", shown, &parent, err) < 0)
		return -1;
	if (slash != NULL && mark_unpacked(u, path) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *dir_path = slash ? path : "";

	if (strcmp(base, WHITEOUT_OPAQUE) == 0)
		return opaque(u, parent, dir_path, shown, err);
	if (is_whiteout)
		return whiteout(u, parent, base + strlen(WHITEOUT_PREFIX), shown, err);

	if (slash != NULL)
		*slash = '/';
	/* A 0/0 character device is how an overlay upper directory records a
	 * whiteout; a layer diffed from one carries them as such. */
	if (link == NULL && type == AE_IFCHR && archive_entry_rdevmajor(e) == 0 &&
	    archive_entry_rdevminor(e) == 0)
		return whiteout(u, parent, base, shown, err);

	if (link != NULL)
		r = hardlink(u, parent, base, path, e, shown, err);
	else
		r = create_node(u, parent, base, path, e, shown, err);
	if (r < 0)
		return -1;
	if (storage_path_set_add(&u->unpacked, path, strlen(path)) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

/* ---- the entry point ---- */

static void unpacker_free(struct unpacker *u)
{
	if (u->tar != NULL)
		archive_read_free(u->tar);
	if (u->outer != NULL)
		archive_read_free(u->outer);
	storage_hasher_free(u->hasher);
	storage_path_set_free(&u->unpacked);
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
}

/* Open the two readers.  Only gzip and zstd, the compressions the OCI spec
 * names for layers, and only in-process: libarchive would otherwise run
 * an external program (ARCHIVE_WARN) for a filter it lacks a library for. */
static int open_readers(struct unpacker *u, int input_fd, struct engine_error **err)
{
	u->outer = archive_read_new();
	u->tar = archive_read_new();
	if (u->outer == NULL || u->tar == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (archive_read_support_filter_gzip(u->outer) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(u->outer) != ARCHIVE_OK ||
	    archive_read_support_format_raw(u->outer) != ARCHIVE_OK)
		return engine_error_set(err, ENOTSUP,
					"layer: libarchive cannot decompress gzip and zstd in-process");
	/* Opening picks the filters and the format.  The raw format takes
	 * any byte: only an empty stream (or one that decompresses to
	 * nothing) leaves it nothing to recognise, which libarchive reports
	 * as ARCHIVE_ERRNO_FILE_FORMAT, EILSEQ on Linux. */
	struct archive_entry *e;
	int r = archive_read_open_fd(u->outer, input_fd, READ_BLOCK);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(u->outer, &e);
	if (r != ARCHIVE_OK && archive_errno(u->outer) == EILSEQ)
		return engine_error_set(err, EINVAL, "layer: the stream is empty");
	if (r != ARCHIVE_OK) {
		const char *why = archive_error_string(u->outer);
		return engine_error_set(err, EINVAL, "layer: %s", why ? why : "unreadable stream");
	}
	/* One compression around one tar, as the media types say: gzip in
	 * gzip would give a diff_id no registry would agree with. */
	if (archive_filter_count(u->outer) > 2)
		return engine_error_set(err, EINVAL, "layer: nested compression (%s in %s)",
					archive_filter_name(u->outer, 1),
					archive_filter_name(u->outer, 0));

	if (archive_read_support_format_tar(u->tar) != ARCHIVE_OK ||
	    archive_read_open(u->tar, u, NULL, tar_read, NULL) != ARCHIVE_OK)
		return tar_error(u, NULL, err);
	return 0;
}

int storage_unpack_layer(int target_dirfd, int input_fd, const struct storage_unpack_options *opts,
			 char diff_id[STORAGE_DIGEST_MAX], uint64_t *ret_size,
			 struct engine_error **err)
{
	struct unpacker u = {
		.target = target_dirfd,
		.opts = opts,
		.max_bytes = opts->max_bytes ? opts->max_bytes : STORAGE_UNPACK_DEFAULT_MAX_BYTES,
	};
	int r = -1;
	u.hasher = storage_hasher_new("sha256");
	if (u.hasher == NULL) {
		r = engine_error_set(err, ENOMEM, "layer: cannot create a sha256 hasher");
		goto out;
	}
	r = open_readers(&u, input_fd, err);
	if (r < 0)
		goto out;

	for (;;) {
		struct archive_entry *e;
		int h = archive_read_next_header(u.tar, &e);
		if (h == ARCHIVE_EOF)
			break;
		/* A warning is a name libarchive could not convert to the
		 * locale's charset: it still hands us the raw bytes, which is
		 * what a Linux file name is. */
		if (h == ARCHIVE_WARN) {
			engine_debug("layer: %s", archive_error_string(u.tar));
		} else if (h != ARCHIVE_OK) {
			if (u.tar_bytes == 0 && u.outer_eof && u.read_errno == 0)
				r = engine_error_set(err, EINVAL, "layer: the stream is empty");
			else
				r = tar_error(&u, NULL, err);
			goto out;
		}
		r = unpack_entry(&u, e, err);
		if (r < 0)
			goto out;
	}
	/* The tar ended; the stream may not have: hash it to its end. */
	for (;;) {
		const void *buf;
		size_t size;
		r = pull_block(&u, &buf, &size);
		if (r == 0)
			break;
		if (r < 0) {
			r = tar_error(&u, NULL, err);
			goto out;
		}
	}
	r = finish_dirs(&u, err);
	if (r < 0)
		goto out;

	char digest[STORAGE_DIGEST_MAX];
	if (storage_hasher_final(u.hasher, digest) < 0) {
		r = engine_error_set(err, EIO, "layer: hashing failed");
		goto out;
	}
	memcpy(diff_id, digest, STORAGE_DIGEST_MAX);
	if (ret_size != NULL)
		*ret_size = u.tar_bytes;
	r = 0;
out:
	unpacker_free(&u);
	return r < 0 ? r : 0;
}
