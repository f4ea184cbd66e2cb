/* cp.c: copy files between the host and a container.
 *
 * The copy runs in a child inside the container's user namespace
 * (ctr-root.c), so files keep the ids the container sees.  Host paths
 * are opened here, by the CLI, as the user, before the child starts:
 * after it joins the container's mount namespace the host is out of
 * sight and only those fds reach it.  Container paths are resolved from
 * the container's root with openat2(RESOLVE_IN_ROOT): a symlink to "/"
 * or ".." in the container stays in the container.  Below the resolved
 * start every step is an *at() call on one name with O_NOFOLLOW or
 * AT_SYMLINK_NOFOLLOW, and an existing non-directory is unlinked before
 * we create ours (O_EXCL; a regular file: a temp file renamed over it),
 * so nothing in the tree we copy into can send a write elsewhere.
 *
 * A host destination is taken as Docker's cp takes it: a symlink named
 * as DEST is followed (the link stays, its target gets the file), and a
 * device, FIFO or one of our own fds (/dev/stdout) is opened and
 * written, never replaced. */
#include "libengine/container/cp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "libengine/userns/ctr-root.h"
#include "common/fs.h"

/* Where a copy comes from: an fd of the thing itself (-L, or a resolved
 * container path), or a directory and a name in it (not followed). */
struct src {
	int fd;        /* the node itself (O_RDONLY), or -1 */
	int dirfd;     /* its directory, with NAME */
	const char *name;
	bool contents; /* SRC/. : the directory's contents, not itself */
};

/* Where it goes. */
enum dest_kind {
	DEST_INTO,   /* an existing directory: NAME is the source's base name */
	DEST_AS,     /* DIRFD/NAME, replaced or created */
	DEST_STREAM, /* FD, opened for writing: a file's bytes are written to it */
};

struct dest {
	enum dest_kind kind;
	int dirfd;
	int fd; /* DEST_STREAM */
	char name[NAME_MAX + 1];
	bool must_be_dir; /* DEST/ that does not exist */
	const char *shown; /* the path as the user typed it, for messages */
};

struct cp_job {
	const struct engine_container *c;
	const struct engine_cp_options *o;
	const char *src_path, *dest_path; /* as typed */
	bool stopped; /* its tmpfs are empty and read-only here */
	/* from the host: */
	struct src host_src;
	/* to the host: */
	struct dest host_dest;
};

static const char *base_name(const char *path, char *out, size_t size)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && path[start - 1] != '/')
		start--;
	snprintf(out, size, "%.*s", (int)(len - start), path + start);
	return out;
}

static char *dir_name(const char *path)
{
	char *d = strdup(path);
	if (d == NULL)
		return NULL;
	size_t len = strlen(d);
	while (len > 1 && d[len - 1] == '/')
		d[--len] = '\0';
	char *slash = strrchr(d, '/');
	if (slash == NULL)
		strcpy(d, ".");
	else if (slash == d)
		d[1] = '\0';
	else
		*slash = '\0';
	return d;
}

static bool ends_with_dot(const char *p)
{
	size_t n = strlen(p);
	return (n == 1 && p[0] == '.') || (n >= 2 && strcmp(p + n - 2, "/.") == 0);
}

static bool ends_with_slash(const char *p)
{
	size_t n = strlen(p);
	return n > 0 && p[n - 1] == '/';
}

/* ---- the copy itself ----------------------------------------------------- */

static int copy_node(const struct engine_cp_options *o, int src_fd, int src_dir, const char *src_name,
		     const struct stat *st, int dst_dir, const char *dst_name, struct engine_error **err);

/* Make room for a non-directory DST_DIR/NAME: whatever non-directory is
 * there goes (a symlink is replaced, never followed). */
static int clear_slot(int dst_dir, const char *name, struct engine_error **err)
{
	struct stat st;
	if (fstatat(dst_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "stat %s", name);
	if (S_ISDIR(st.st_mode))
		return engine_error_set(err, EISDIR, "cannot overwrite directory \"%s\" with non-directory", name);
	if (unlinkat(dst_dir, name, 0) < 0)
		return engine_error_errno(err, errno, "replace %s", name);
	return 0;
}

/* Owner, mode and times: through FD (what we created and opened) where
 * there is one, so a node swapped meanwhile is never what we change;
 * symlinks and special files (FD -1) get no chmod: mknod gave the mode,
 * and the umask is 0 in the copying child. */
static int set_meta(const struct engine_cp_options *o, const struct stat *st, int fd, int dst_dir,
		    const char *name, struct engine_error **err)
{
	if (o->archive && (fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
				   : fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW)) < 0)
		return engine_error_errno(err, errno, "chown %s to %u:%u", name, (unsigned)st->st_uid,
					  (unsigned)st->st_gid);
	if (fd >= 0 && fchmod(fd, st->st_mode & 07777) < 0)
		return engine_error_errno(err, errno, "chmod %s", name);
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fd >= 0)
		futimens(fd, times);
	else
		utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int copy_data(int in, int out, const char *name, struct engine_error **err)
{
	char buf[65536];
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n > 0)
			continue;
		if (n == 0)
			return 0;
		/* EBADF: an O_APPEND destination (`>> log` as /dev/stdout). */
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP &&
		    errno != EPERM && errno != EBADF)
			return engine_error_errno(err, errno, "copy %s", name);
		break;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return engine_error_errno(err, errno, "read %s", name);
		if (n == 0)
			return 0;
		int r = engine_write_all(out, buf, (size_t)n);
		if (r < 0)
			return engine_error_errno(err, -r, "write %s", name);
	}
}

/* A regular file: written to a temp file in DST_DIR, renamed over
 * NAME once complete (a reader never sees half of it; a symlink or
 * anything else at NAME is replaced, never written through). */
static int copy_file(const struct engine_cp_options *o, int src_fd, const struct stat *st,
		     int dst_dir, const char *name, struct engine_error **err)
{
	struct stat existing;
	if (fstatat(dst_dir, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(existing.st_mode))
		return engine_error_set(err, EISDIR, "cannot overwrite directory \"%s\" with non-directory",
					name);
	static unsigned counter;
	char tmp[NAME_MAX + 1];
	cleanup_close int out = -1;
	for (int tries = 0; out < 0 && tries < 100; tries++) {
		snprintf(tmp, sizeof(tmp), ".%.200s.cp-%d-%u", name, (int)getpid(), counter++);
		out = openat(dst_dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", name);
	}
	if (out < 0)
		return engine_error_errno(err, EEXIST, "create %s", name);
	if (copy_data(src_fd, out, name, err) < 0 || set_meta(o, st, out, dst_dir, tmp, err) < 0) {
		unlinkat(dst_dir, tmp, 0);
		return -1;
	}
	if (renameat(dst_dir, tmp, dst_dir, name) < 0) {
		int e = errno;
		unlinkat(dst_dir, tmp, 0);
		return engine_error_errno(err, e, "replace %s", name);
	}
	return 0;
}

static int copy_dir_contents(const struct engine_cp_options *o, int src, int dst,
			     struct engine_error **err)
{
	cleanup_dir DIR *d = engine_opendir_dup(src);
	if (d == NULL)
		return engine_error_errno(err, errno, "read a directory");
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = engine_readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = engine_error_errno(err, errno, "stat %s", e->d_name);
			break;
		}
		r = copy_node(o, -1, src, e->d_name, &st, dst, e->d_name, err);
	}
	if (r == 0 && e == NULL && errno != 0)
		r = engine_error_errno(err, errno, "read a directory");
	return r;
}

static int copy_node(const struct engine_cp_options *o, int src_fd, int src_dir, const char *src_name,
		     const struct stat *st, int dst_dir, const char *dst_name, struct engine_error **err)
{
	cleanup_close int own = -1;
	if (S_ISDIR(st->st_mode)) {
		if (src_fd < 0) {
			own = openat(src_dir, src_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (own < 0)
				return engine_error_errno(err, errno, "open %s", src_name);
			src_fd = own;
		}
		if (mkdirat(dst_dir, dst_name, 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", dst_name);
		cleanup_close int dst = openat(dst_dir, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dst < 0) {
			if (errno == ENOTDIR || errno == ELOOP)
				return engine_error_set(err, ENOTDIR,
							"cannot overwrite non-directory \"%s\" with directory",
							dst_name);
			return engine_error_errno(err, errno, "open %s", dst_name);
		}
		if (copy_dir_contents(o, src_fd, dst, err) < 0)
			return -1;
		return set_meta(o, st, dst, dst_dir, dst_name, err);
	}
	if (S_ISREG(st->st_mode)) {
		if (src_fd < 0) {
			own = openat(src_dir, src_name,
				     O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (own < 0)
				return engine_error_errno(err, errno, "open %s", src_name);
			src_fd = own;
		}
		return copy_file(o, src_fd, st, dst_dir, dst_name, err);
	}
	if (clear_slot(dst_dir, dst_name, err) < 0)
		return -1;
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(src_dir, src_name, target, sizeof(target) - 1);
		if (n < 0)
			return engine_error_errno(err, errno, "readlink %s", src_name);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, dst_name) < 0)
			return engine_error_errno(err, errno, "create the symlink %s", dst_name);
	} else if (mknodat(dst_dir, dst_name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
		return engine_error_errno(err, errno, "create the special file %s", dst_name);
	}
	return set_meta(o, st, -1, dst_dir, dst_name, err);
}

/* Copy SRC (stat ST) per Docker's rules to DEST. */
static int copy_to(const struct engine_cp_options *o, const struct src *s, const struct stat *st,
		   const struct dest *d, const char *src_shown, struct engine_error **err)
{
	char name[NAME_MAX + 1];
	if (d->kind == DEST_STREAM) {
		if (S_ISDIR(st->st_mode))
			return engine_error_set(err, EISDIR, "cannot copy the directory %s to %s: not a directory",
						src_shown, d->shown);
		if (!S_ISREG(st->st_mode) || s->fd < 0)
			return engine_error_set(err, EINVAL, "cannot copy %s to %s: not a regular file",
						src_shown, d->shown);
		return copy_data(s->fd, d->fd, d->shown, err);
	}
	if (d->kind == DEST_INTO) {
		if (s->contents && S_ISDIR(st->st_mode)) {
			cleanup_close int own = -1;
			int fd = s->fd;
			if (fd < 0) {
				fd = own = openat(s->dirfd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0)
					return engine_error_errno(err, errno, "open %s", src_shown);
			}
			return copy_dir_contents(o, fd, d->dirfd, err);
		}
		base_name(src_shown, name, sizeof(name));
		if (name[0] == '\0' || strcmp(name, "/") == 0 || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0) {
			return engine_error_set(err, EINVAL, "cannot copy %s: give a name (or use %s/.)",
						src_shown, src_shown);
		}
		return copy_node(o, s->fd, s->dirfd, s->name, st, d->dirfd, name, err);
	}
	if (d->must_be_dir && !S_ISDIR(st->st_mode))
		return engine_error_set(err, ENOENT, "destination directory %s does not exist", d->shown);
	struct stat existing;
	if (fstatat(d->dirfd, d->name, &existing, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st->st_mode) &&
	    !S_ISDIR(existing.st_mode))
		return engine_error_set(err, ENOTDIR, "cannot copy a directory to a file: %s", d->shown);
	return copy_node(o, s->fd, s->dirfd, s->name, st, d->dirfd, d->name, err);
}

static int not_found(const struct engine_container *c, const char *path, struct engine_error **err)
{
	engine_error_set(err, ENOENT, "Could not find the file %s in container %s", path, c->name);
	(*err)->exit_code = 1;
	return -1;
}

/* ---- from the container --------------------------------------------------- */

int engine_cp_open_checked(int rootfd, const char *path, const struct stat *st,
			   struct engine_error **err)
{
	struct stat again;
	int fd = engine_open_in_root(rootfd, path,
				     O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC |
					     (S_ISDIR(st->st_mode) ? O_DIRECTORY : 0),
				     0);
	if (fd < 0 || fstat(fd, &again) < 0 || again.st_dev != st->st_dev || again.st_ino != st->st_ino) {
		if (fd >= 0)
			close(fd);
		return engine_error_set(err, EAGAIN, "%s changed while it was copied", path);
	}
	return fd;
}

static int from_child(void *data, int rootfd, struct engine_error **err)
{
	struct cp_job *j = data;
	struct src s = { .fd = -1, .dirfd = -1, .contents = ends_with_dot(j->src_path) };
	struct stat st;
	cleanup_close int fd = -1, dirfd = -1;
	char name[NAME_MAX + 1];
	umask(0);
	/* Bytes to a stream: a source symlink is followed (in the root). */
	if (j->o->follow || j->host_dest.kind == DEST_STREAM) {
		/* Looked at before it is opened: a device node or a FIFO is
		 * recreated from its stat, never opened. */
		cleanup_close int path = engine_open_in_root(rootfd, j->src_path, O_PATH | O_CLOEXEC, 0);
		if (path < 0)
			return -path == ENOENT || -path == ENOTDIR
				       ? not_found(j->c, j->src_path, err)
				       : engine_error_errno(err, -path, "open %s", j->src_path);
		if (fstat(path, &st) < 0)
			return engine_error_errno(err, errno, "stat %s", j->src_path);
		if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
			fd = engine_cp_open_checked(rootfd, j->src_path, &st, err);
			if (fd < 0)
				return fd;
			s.fd = fd;
			s.dirfd = fd;
			s.name = ".";
		} else {
			s.dirfd = path;
			s.name = "";
		}
		return copy_to(j->o, &s, &st, &j->host_dest, j->src_path, err);
	} else {
		cleanup_free char *parent = dir_name(j->src_path);
		if (parent == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		dirfd = engine_open_in_root(rootfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (dirfd < 0)
			return -dirfd == ENOENT || -dirfd == ENOTDIR ? not_found(j->c, j->src_path, err)
					     : engine_error_errno(err, -dirfd, "open %s", parent);
		base_name(j->src_path, name, sizeof(name));
		if (strcmp(name, "/") == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			/* "/", "DIR/." or "DIR/..": the directory itself, resolved. */
			fd = engine_open_in_root(rootfd, j->src_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
			if (fd < 0)
				return not_found(j->c, j->src_path, err);
			if (fstat(fd, &st) < 0)
				return engine_error_errno(err, errno, "stat %s", j->src_path);
			s.fd = fd;
			s.dirfd = fd;
			s.name = ".";
		} else {
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return errno == ENOENT ? not_found(j->c, j->src_path, err)
						       : engine_error_errno(err, errno, "stat %s", j->src_path);
			s.dirfd = dirfd;
			s.name = name;
		}
		if (ends_with_slash(j->src_path) && !S_ISDIR(st.st_mode))
			return engine_error_set(err, ENOTDIR, "%s: not a directory", j->src_path);
	}
	return copy_to(j->o, &s, &st, &j->host_dest, j->src_path, err);
}

/* /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: our own fd N,
 * written where it stands (a `>> log` keeps appending), or -1. */
static int own_fd(const char *dest)
{
	if (strcmp(dest, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(dest, "/dev/stderr") == 0)
		return STDERR_FILENO;
	const char *n = strncmp(dest, "/dev/fd/", 8) == 0	  ? dest + 8
			: strncmp(dest, "/proc/self/fd/", 14) == 0 ? dest + 14
								   : NULL;
	if (n == NULL || *n < '0' || *n > '9')
		return -1;
	char *end;
	long fd = strtol(n, &end, 10);
	return *end == '\0' && fd <= INT_MAX ? (int)fd : -1;
}

/* Docker's CopyInfoDestinationPath: while DEST names a symlink, the copy
 * goes to its target (a relative one from the link's directory), at
 * most 10 links; a dangling one names the file to create. */
static char *follow_dest(const char *dest, struct engine_error **err)
{
	char *path = strdup(dest);
	for (int n = 0; path != NULL; n++) {
		struct stat st;
		if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
			return path;
		if (n == 10) {
			free(path);
			engine_error_set(err, ELOOP, "too many symlinks in %s", dest);
			return NULL;
		}
		char target[PATH_MAX];
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len < 0) {
			engine_error_errno(err, errno, "readlink %s", path);
			free(path);
			return NULL;
		}
		target[len] = '\0';
		char *next = NULL;
		if (target[0] == '/') {
			next = strdup(target);
		} else {
			cleanup_free char *parent = dir_name(path);
			if (parent == NULL || asprintf(&next, "%s/%s", parent, target) < 0)
				next = NULL;
		}
		free(path);
		path = next;
	}
	engine_error_set(err, ENOMEM, "out of memory");
	return NULL;
}

/* Where DEST is on the host, opened here as the user: an existing
 * directory (into it), something to write to (a device, a FIFO, our own
 * stdout), or a directory and the name to create or replace in it. */
static int host_dest(const char *dest, struct dest *d, struct engine_error **err)
{
	int fd = own_fd(dest);
	if (fd >= 0) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
			return engine_error_errno(err, fl < 0 ? errno : EBADF, "%s", dest);
		d->kind = DEST_STREAM;
		d->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return d->fd < 0 ? engine_error_errno(err, errno, "%s", dest) : 0;
	}
	struct stat st;
	int sr = stat(dest, &st);
	if (sr < 0 && errno != ENOENT)
		return engine_error_errno(err, errno, "%s", dest);
	if (sr == 0 && S_ISDIR(st.st_mode)) {
		d->kind = DEST_INTO;
		d->dirfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return d->dirfd < 0 ? engine_error_errno(err, errno, "open %s", dest) : 0;
	}
	/* Not a file we could rename over: written where it is.  Through a
	 * magic link (/proc/PID/fd/N) a regular file is such a thing too:
	 * the "path" readlink gives there is not where it lives. */
	bool magic = sr == 0 && S_ISREG(st.st_mode) &&
		     engine_openat2(AT_FDCWD, dest, O_PATH | O_CLOEXEC, 0, ENGINE_RESOLVE_NO_MAGICLINKS) ==
			     -ELOOP;
	if (sr == 0 && (!S_ISREG(st.st_mode) || magic)) {
		d->kind = DEST_STREAM;
		d->fd = open(dest, O_WRONLY | O_NOCTTY | O_CLOEXEC | (magic ? O_TRUNC : 0));
		return d->fd < 0 ? engine_error_errno(err, errno, "open %s", dest) : 0;
	}
	cleanup_free char *path = follow_dest(dest, err);
	if (path == NULL)
		return -1;
	d->kind = DEST_AS;
	d->must_be_dir = sr < 0 && ends_with_slash(dest);
	cleanup_free char *parent = dir_name(path);
	if (parent == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	d->dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0)
		return engine_error_errno(err, errno, "%s", parent);
	base_name(path, d->name, sizeof(d->name));
	return 0;
}

int engine_cp_from_container(const struct engine_container *c, const struct engine_idmap *map,
			     const char *src, const char *dest, const struct engine_cp_options *o,
			     struct engine_error **err)
{
	struct cp_job j = { .c = c, .o = o, .src_path = src, .dest_path = dest };
	struct dest *d = &j.host_dest;
	d->shown = dest;
	d->dirfd = -1;
	d->fd = -1;
	int r = host_dest(dest, d, err);
	if (r == 0)
		r = engine_container_with_view(c, map, from_child, &j, err);
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (d->fd >= 0)
		close(d->fd);
	return r;
}

/* ---- into the container --------------------------------------------------- */

static int to_child(void *data, int rootfd, struct engine_error **err)
{
	struct cp_job j = *(struct cp_job *)data;
	struct stat st;
	umask(0);
	if (j.host_src.fd >= 0 ? fstat(j.host_src.fd, &st) < 0
			       : fstatat(j.host_src.dirfd, j.host_src.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return engine_error_errno(err, errno, "stat %s", j.src_path);
	struct dest d = { .shown = j.dest_path };
	cleanup_close int dirfd = engine_open_in_root(rootfd, j.dest_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dirfd >= 0) {
		d.kind = DEST_INTO;
	} else {
		if (-dirfd != ENOENT && -dirfd != ENOTDIR)
			return engine_error_errno(err, -dirfd, "open %s in container %s", j.dest_path, j.c->name);
		bool missing = -dirfd == ENOENT;
		cleanup_free char *parent = dir_name(j.dest_path);
		if (parent == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		dirfd = engine_open_in_root(rootfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (dirfd < 0)
			return not_found(j.c, parent, err);
		d.kind = DEST_AS;
		d.must_be_dir = missing && ends_with_slash(j.dest_path);
		if (d.must_be_dir)
			return not_found(j.c, j.dest_path, err);
		base_name(j.dest_path, d.name, sizeof(d.name));
	}
	d.dirfd = dirfd;
	struct statfs sfs;
	if (j.stopped && fstatfs(dirfd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC &&
	    (sfs.f_flags & ST_RDONLY))
		return engine_error_set(err, EROFS,
					"%s is on a tmpfs of container %s, which is not running: "
					"a tmpfs holds files only while the container runs",
					j.dest_path, j.c->name);
	return copy_to(j.o, &j.host_src, &st, &d, j.src_path, err);
}

int engine_cp_to_container(const struct engine_container *c, const struct engine_idmap *map,
			   const char *src, const char *dest, const struct engine_cp_options *o,
			   struct engine_error **err)
{
	struct cp_job j = { .c = c, .o = o, .src_path = src, .dest_path = dest };
	j.stopped = c->state.status != ENGINE_CONTAINER_RUNNING ||
		    !engine_pid_alive_since(c->state.pid, c->state.pid_start);
	struct src *s = &j.host_src;
	s->fd = -1;
	s->dirfd = -1;
	s->contents = ends_with_dot(src);
	cleanup_close int fd = -1, dirfd = -1;
	char name[NAME_MAX + 1];
	base_name(src, name, sizeof(name));
	if (o->follow || s->contents || strcmp(name, "/") == 0 || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		fd = open(src, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return engine_error_errno(err, errno, "%s", src);
		s->fd = fd;
		s->dirfd = fd;
		s->name = ".";
	} else {
		cleanup_free char *parent = dir_name(src);
		if (parent == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return engine_error_errno(err, errno, "%s", src);
		s->dirfd = dirfd;
		s->name = name;
		if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
			/* Opened here: the child may no longer see the host. */
			fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				return engine_error_errno(err, errno, "%s", src);
			s->fd = fd;
		}
	}
	return engine_container_with_view(c, map, to_child, &j, err);
}
