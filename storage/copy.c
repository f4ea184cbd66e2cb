/* copy.c: cp -a with *at() calls, and layer application, for the vfs
 * driver (see copy.h).
 *
 * Order matters for metadata: chown first (the kernel clears setuid,
 * setgid and security.capability on chown), then xattrs, then the mode,
 * then the times (every change above bumps them); a directory's metadata
 * is set after its contents, so a read-only or mode-000 directory can
 * still be filled and its mtime is the image's.
 *
 * Entries of a directory are listed before any is copied, so only two fds
 * (source and destination directory) stay open per level. */
#include "storage/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "storage/remove.h"

struct link_entry {
	dev_t dev;
	ino_t ino;
	char *path; /* below the destination root */
};

struct copier {
	enum storage_copy_mode mode;
	int dst_root;
	void *links; /* tsearch tree of struct link_entry, files with st_nlink > 1 */
	char path[PATH_MAX];
	size_t path_len;
	unsigned depth;
	bool try_clone;
	bool try_copy_range;
	/* One scratch buffer for xattr values and file data: never on the
	 * stack, where the recursion (400 levels allowed) would multiply it. */
	char buf[65536];
};

static int link_cmp(const void *a, const void *b)
{
	const struct link_entry *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void link_free(void *p)
{
	struct link_entry *e = p;
	free(e->path);
	free(e);
}

static const char *shown(const struct copier *c)
{
	return c->path_len ? c->path : ".";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The overlay's own bookkeeping is not part of the image. */
static bool skip_xattr(const char *name)
{
	return has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay.") ||
	       has_prefix(name, "user.fuseoverlayfs.") || has_prefix(name, "trusted.fuseoverlayfs.") ||
	       strcmp(name, "security.selinux") == 0;
}

static int copy_xattrs(struct copier *c, int src, int dst, struct engine_error **err)
{
	ssize_t size = flistxattr(src, NULL, 0);
	if (size < 0)
		return errno == ENOTSUP ? 0 : engine_error_errno(err, errno, "%s: list xattrs", shown(c));
	if (size == 0)
		return 0;
	cleanup_free char *names = malloc((size_t)size);
	if (names == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	size = flistxattr(src, names, (size_t)size);
	if (size < 0)
		return engine_error_errno(err, errno, "%s: list xattrs", shown(c));
	for (char *name = names; name < names + size; name += strlen(name) + 1) {
		if (skip_xattr(name))
			continue;
		char *value = c->buf;
		ssize_t len = fgetxattr(src, name, value, sizeof(c->buf));
		if (len < 0) {
			if (errno == ENODATA)
				continue; /* removed meanwhile */
			return engine_error_errno(err, errno, "%s: read xattr %s", shown(c), name);
		}
		if (fsetxattr(dst, name, value, (size_t)len, 0) == 0)
			continue;
		/* A user namespace may not set trusted.*, and not every file
		 * system takes every namespace: skipped, as the unpacker does. */
		if (errno == ENOTSUP || errno == EPERM) {
			engine_debug("%s: xattr %s not copied: %s", shown(c), name, strerror(errno));
			continue;
		}
		return engine_error_errno(err, errno, "%s: set xattr %s", shown(c), name);
	}
	return 0;
}

/* Owner, xattrs, mode, times of an open file or directory. */
static int set_meta(struct copier *c, int src, int dst, const struct stat *st,
		    struct engine_error **err)
{
	if (fchown(dst, st->st_uid, st->st_gid) < 0)
		return engine_error_errno(err, errno, "%s: chown %u:%u", shown(c),
					  (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (copy_xattrs(c, src, dst, err) < 0)
		return -1;
	if (fchmod(dst, st->st_mode & 07777) < 0)
		return engine_error_errno(err, errno, "%s: chmod", shown(c));
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (futimens(dst, times) < 0)
		return engine_error_errno(err, errno, "%s: set times", shown(c));
	return 0;
}

/* The same for what cannot be opened (symlinks, fifos, devices): no
 * xattrs, and no chmod for a symlink (Linux has no lchmod). */
static int set_meta_by_name(struct copier *c, int dstdir, const char *name, const struct stat *st,
			    struct engine_error **err)
{
	if (fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return engine_error_errno(err, errno, "%s: chown %u:%u", shown(c),
					  (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (!S_ISLNK(st->st_mode) && fchmodat(dstdir, name, st->st_mode & 07777, 0) < 0)
		return engine_error_errno(err, errno, "%s: chmod", shown(c));
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (utimensat(dstdir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return engine_error_errno(err, errno, "%s: set times", shown(c));
	return 0;
}

static int copy_data(struct copier *c, int in, int out, off_t size, struct engine_error **err)
{
	/* A reflink shares the blocks: instant, and no space until written. */
	if (c->try_clone) {
		if (ioctl(out, FICLONE, in) == 0)
			return 0;
		c->try_clone = false; /* this file system cannot: stop asking */
	}
	off_t done = 0;
	while (c->try_copy_range && done < size) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)(size - done), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && done == 0 &&
		    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			c->try_copy_range = false;
			break;
		}
		if (n < 0)
			return engine_error_errno(err, errno, "%s: copy", shown(c));
		if (n == 0)
			return 0; /* the file shrank under us */
		done += n;
	}
	if (done >= size && c->try_copy_range)
		return 0;
	char *buf = c->buf;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(c->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return engine_error_errno(err, errno, "%s: read", shown(c));
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return engine_error_errno(err, errno, "%s: write", shown(c));
			off += w;
		}
	}
}

static int copy_regular(struct copier *c, int srcdir, int dstdir, const char *name,
			const struct stat *st, struct engine_error **err)
{
	/* O_NONBLOCK: a file swapped for a FIFO since the lstat must not
	 * block the copy (regular files ignore the flag). */
	cleanup_close int in =
		openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return engine_error_errno(err, errno, "%s: open", shown(c));
	cleanup_close int out =
		openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return engine_error_errno(err, errno, "%s: create", shown(c));
	if (copy_data(c, in, out, st->st_size, err) < 0)
		return -1;
	return set_meta(c, in, out, st, err);
}

/* Kept out of copy_entry so that the recursion's frames stay small. */
static int copy_symlink(struct copier *c, int srcdir, int dstdir, const char *name,
			const struct stat *st, struct engine_error **err)
{
	char target[PATH_MAX];
	ssize_t len = readlinkat(srcdir, name, target, sizeof(target) - 1);
	if (len < 0)
		return engine_error_errno(err, errno, "%s: readlink", shown(c));
	target[len] = '\0';
	if (symlinkat(target, dstdir, name) < 0)
		return engine_error_errno(err, errno, "%s: symlink", shown(c));
	return set_meta_by_name(c, dstdir, name, st, err);
}

/* A second name of an inode already copied: link it, and say so (1). */
static int link_if_seen(struct copier *c, int dstdir, const char *name, const struct stat *st,
			struct engine_error **err)
{
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	struct link_entry key = { .dev = st->st_dev, .ino = st->st_ino };
	struct link_entry **found = tfind(&key, &c->links, link_cmp);
	if (found != NULL) {
		if (linkat(c->dst_root, (*found)->path, dstdir, name, 0) < 0)
			return engine_error_errno(err, errno, "%s: hardlink to %s", shown(c),
						  (*found)->path);
		return 1;
	}
	return 0;
}

static void remember_link(struct copier *c, const struct stat *st)
{
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return;
	struct link_entry *e = calloc(1, sizeof(*e));
	if (e == NULL || (e->path = strdup(c->path)) == NULL) {
		free(e);
		return; /* only a lost hardlink: the data is still copied */
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	struct link_entry **slot = tsearch(e, &c->links, link_cmp);
	if (slot == NULL || *slot != e)
		link_free(e);
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

static bool is_opaque(int dirfd)
{
	static const char *const names[] = { "user.overlay.opaque", "trusted.overlay.opaque",
					     "user.fuseoverlayfs.opaque" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char v[2];
		if (fgetxattr(dirfd, names[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	}
	return false;
}

static int list_names(struct copier *c, int dirfd, char ***ret, size_t *ret_n,
		      struct engine_error **err)
{
	cleanup_dir DIR *d = engine_opendir_at(dirfd, ".");
	if (d == NULL)
		return engine_error_errno(err, errno, "%s: read directory", shown(c));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof(char *));
			if (nn == NULL) {
				r = engine_error_set(err, ENOMEM, "out of memory");
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			r = engine_error_set(err, ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	if (r == 0 && errno != 0)
		r = engine_error_errno(err, errno, "%s: read directory", shown(c));
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

static int clear_directory(struct copier *c, int dirfd, struct engine_error **err)
{
	char **names = NULL;
	size_t n = 0;
	if (list_names(c, dirfd, &names, &n, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && storage_remove_tree(dirfd, names[i], err) < 0)
			r = -1;
		free(names[i]);
	}
	free(names);
	return r;
}

static int copy_contents(struct copier *c, int src, int dst, struct engine_error **err);

static int copy_directory(struct copier *c, int srcdir, int dstdir, const char *name,
			  const struct stat *st, bool merge, struct engine_error **err)
{
	if (!merge && mkdirat(dstdir, name, 0700) < 0)
		return engine_error_errno(err, errno, "%s: mkdir", shown(c));
	cleanup_close int src = openat(srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return engine_error_errno(err, errno, "%s: open", shown(c));
	cleanup_close int dst = openat(dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return engine_error_errno(err, errno, "%s: open", shown(c));
	/* Opaque: what the layers below had here is hidden, so it goes. */
	if (merge && is_opaque(src) && clear_directory(c, dst, err) < 0)
		return -1;
	if (copy_contents(c, src, dst, err) < 0)
		return -1;
	return set_meta(c, src, dst, st, err);
}

static int copy_entry(struct copier *c, int srcdir, int dstdir, const char *name,
		      struct engine_error **err)
{
	struct stat st;
	if (fstatat(srcdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return engine_error_errno(err, errno, "%s: stat", shown(c));
	if (c->mode == STORAGE_COPY_APPLY_LAYER) {
		struct stat old;
		bool exists = fstatat(dstdir, name, &old, AT_SYMLINK_NOFOLLOW) == 0;
		if (is_whiteout(&st))
			return exists ? storage_remove_tree(dstdir, name, err) : 0;
		if (exists && S_ISDIR(st.st_mode) && S_ISDIR(old.st_mode))
			return copy_directory(c, srcdir, dstdir, name, &st, true, err);
		if (exists && storage_remove_tree(dstdir, name, err) < 0)
			return -1;
	}
	int r = link_if_seen(c, dstdir, name, &st, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_directory(c, srcdir, dstdir, name, &st, false, err);
	case S_IFREG:
		r = copy_regular(c, srcdir, dstdir, name, &st, err);
		break;
	case S_IFLNK:
		r = copy_symlink(c, srcdir, dstdir, name, &st, err);
		break;
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		if (mknodat(dstdir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
			return engine_error_errno(err, errno, "%s: mknod", shown(c));
		r = set_meta_by_name(c, dstdir, name, &st, err);
		break;
	default:
		return engine_error_set(err, EINVAL, "%s: unknown file type %o", shown(c),
					(unsigned)(st.st_mode & S_IFMT));
	}
	if (r == 0)
		remember_link(c, &st);
	return r;
}

static int copy_contents(struct copier *c, int src, int dst, struct engine_error **err)
{
	if (++c->depth > STORAGE_COPY_MAX_DEPTH)
		return engine_error_set(err, ELOOP, "%s: deeper than %d levels", shown(c),
					STORAGE_COPY_MAX_DEPTH);
	char **names = NULL;
	size_t n = 0;
	if (list_names(c, src, &names, &n, err) < 0)
		return -1;
	int r = 0;
	size_t saved = c->path_len;
	for (size_t i = 0; i < n; i++) {
		if (r == 0) {
			int w = snprintf(c->path + saved, sizeof(c->path) - saved, "%s%s",
					 saved ? "/" : "", names[i]);
			if (w < 0 || (size_t)w >= sizeof(c->path) - saved) {
				c->path[saved] = '\0';
				r = engine_error_set(err, ENAMETOOLONG, "%s/%s: path too long",
						     shown(c), names[i]);
			} else {
				c->path_len = saved + (size_t)w;
				r = copy_entry(c, src, dst, names[i], err);
			}
			c->path_len = saved;
			c->path[saved] = '\0';
		}
		free(names[i]);
	}
	free(names);
	c->depth--;
	return r;
}

int storage_copy_tree(int src_dirfd, int dst_dirfd, enum storage_copy_mode mode,
		      struct engine_error **err)
{
	struct copier c = { .mode = mode, .dst_root = dst_dirfd, .try_clone = true,
			    .try_copy_range = true };
	struct stat st;
	int r = -1;
	if (fstat(src_dirfd, &st) < 0) {
		engine_error_errno(err, errno, "stat the source directory");
		goto out;
	}
	if (mode == STORAGE_COPY_APPLY_LAYER && is_opaque(src_dirfd) &&
	    clear_directory(&c, dst_dirfd, err) < 0)
		goto out;
	if (copy_contents(&c, src_dirfd, dst_dirfd, err) < 0)
		goto out;
	r = set_meta(&c, src_dirfd, dst_dirfd, &st, err);
out:
	tdestroy(c.links, link_free);
	return r;
}
