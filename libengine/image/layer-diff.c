/* layer-diff.c: a container's changes to its image, as `docker diff`
 * prints them (see layer-diff.h).
 *
 * overlay and fuse-overlayfs: everything in the upper directory is an
 * addition or a change (a directory copied up because something below
 * changed is a change, as in Docker), a whiteout is a deletion.  Kernel
 * overlay whiteouts are 0/0 character devices, opaque directories carry
 * trusted.overlay.opaque (root) or user.overlay.opaque (rootless);
 * fuse-overlayfs, unable to mknod in a user namespace, writes ".wh.NAME"
 * files and ".wh..opq" (or ".wh..wh..opq") instead: both are read.  Added or changed is
 * decided by looking the path up in the image's layers, top first.
 *
 * vfs has no upper directory: the container's copy is compared with the
 * image's flattened root (type, mode, owner, size, mtime, link target),
 * which is what Docker's naive differ does too. */
#include "libengine/image/layer-diff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/fs.h"
#include "libengine/runtime/mounts.h"
#include "libengine/userns/userns.h"
#include "storage/vfs.h"

void engine_changes_clear(struct engine_changes *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		free(ch->v[i].path);
	free(ch->v);
	free(ch->source_dir);
	memset(ch, 0, sizeof(*ch));
}

static int add(struct engine_changes *ch, char kind, const char *path, bool opaque,
	       struct engine_error **err)
{
	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? ch->cap * 2 : 64;
		struct engine_change *v = realloc(ch->v, cap * sizeof(*v));
		if (v == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		ch->v = v;
		ch->cap = cap;
	}
	char *p = strdup(path);
	if (p == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	ch->v[ch->n++] = (struct engine_change){ .kind = kind, .opaque = opaque, .path = p };
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct engine_change *)a)->path, ((const struct engine_change *)b)->path);
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool has_opaque_xattr(int dirfd, const char *name)
{
	static const char *const keys[] = { "trusted.overlay.opaque", "user.overlay.opaque",
					    "user.fuseoverlayfs.opaque" };
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char v[4] = "";
		if (fgetxattr(fd, keys[i], v, sizeof(v)) >= 1 && v[0] == 'y')
			return true;
	}
	return faccessat(fd, ".wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	       faccessat(fd, ".wh..opq", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- overlay --------------------------------------------------------------- */

struct lower {
	int *fds; /* layers' diff dirs, top first */
	size_t n;
};

/* Whether PATH (relative, "etc/x") is in the image: the topmost layer
 * that says anything about it decides (a whiteout or an opaque parent
 * there hides what lies below). */
static bool in_image(const struct lower *lo, const char *path)
{
	char parent[PATH_MAX], wh[PATH_MAX * 2 + 8];
	const char *slash = strrchr(path, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	snprintf(wh, sizeof(wh), "%s%s.wh.%s", slash ? parent : "", slash ? "/" : "",
		 slash ? slash + 1 : path);
	for (size_t i = 0; i < lo->n; i++) {
		struct stat st;
		if (fstatat(lo->fds[i], path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return !is_whiteout(&st);
		if (fstatat(lo->fds[i], wh, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return false;
		if (has_opaque_xattr(lo->fds[i], parent))
			return false;
	}
	return false;
}

static int walk_upper(int dirfd, const char *rel, const struct lower *lo, struct engine_changes *ch,
		      struct engine_error **err)
{
	cleanup_dir DIR *d = engine_opendir_dup(dirfd);
	if (d == NULL)
		return engine_error_errno(err, errno, "read /%s", rel);
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = engine_readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (strcmp(name, ".wh..wh..opq") == 0 || strcmp(name, ".wh..opq") == 0)
			continue;
		char path[PATH_MAX];
		bool fuse_wh = strncmp(name, ".wh.", 4) == 0;
		int w = snprintf(path, sizeof(path), "%s%s%s", rel, rel[0] ? "/" : "", fuse_wh ? name + 4 : name);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			r = engine_error_set(err, ENAMETOOLONG, "path too long below /%s", rel);
			break;
		}
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* gone meanwhile (a running container) */
			r = engine_error_errno(err, errno, "stat /%s", path);
			break;
		}
		char shown[PATH_MAX + 1];
		snprintf(shown, sizeof(shown), "/%s", path);
		if (fuse_wh || is_whiteout(&st)) {
			r = add(ch, 'D', shown, false, err);
			continue;
		}
		bool existed = in_image(lo, path);
		if (!S_ISDIR(st.st_mode)) {
			r = add(ch, existed ? 'C' : 'A', shown, false, err);
			continue;
		}
		bool opaque = existed && has_opaque_xattr(dirfd, name);
		r = add(ch, existed ? 'C' : 'A', shown, opaque, err);
		int sub = r < 0 ? -1 : openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r == 0 && sub < 0) {
			if (errno == ENOENT)
				continue;
			r = engine_error_errno(err, errno, "open /%s", path);
			break;
		}
		if (r == 0) {
			r = walk_upper(sub, path, lo, ch, err);
			close(sub);
		}
	}
	if (r == 0 && e == NULL && errno != 0)
		r = engine_error_errno(err, errno, "read a directory");
	return r;
}

static int overlay_changes(const struct engine_run_spec *spec, struct engine_changes *ch,
			   struct engine_error **err)
{
	struct lower lo = { .fds = calloc(spec->n_layers + 1, sizeof(int)) };
	if (lo.fds == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	int r = 0;
	for (size_t i = spec->n_layers; r == 0 && i-- > 0;) {
		const char *hex = strchr(spec->layers[i], ':');
		char p[4200];
		snprintf(p, sizeof(p), "%s/layers/%s/diff", spec->store_root, hex ? hex + 1 : spec->layers[i]);
		int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			r = engine_error_errno(err, errno, "open the image layer %s", p);
		else
			lo.fds[lo.n++] = fd;
	}
	if (r == 0 && asprintf(&ch->source_dir, "%s/containers/%s/upper", spec->store_root, spec->id) < 0) {
		ch->source_dir = NULL;
		r = engine_error_set(err, ENOMEM, "out of memory");
	}
	int upper = r < 0 ? -1 : open(ch->source_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r == 0 && upper < 0 && errno != ENOENT)
		r = engine_error_errno(err, errno, "open %s", ch->source_dir);
	if (r == 0 && upper >= 0)
		r = walk_upper(upper, "", &lo, ch, err);
	if (upper >= 0)
		close(upper);
	for (size_t i = 0; i < lo.n; i++)
		close(lo.fds[i]);
	free(lo.fds);
	return r;
}

/* ---- vfs ------------------------------------------------------------------- */

static bool same(int newdir, const char *name, const struct stat *a, int olddir, const struct stat *b)
{
	if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT) || a->st_mode != b->st_mode ||
	    a->st_uid != b->st_uid || a->st_gid != b->st_gid || a->st_rdev != b->st_rdev)
		return false;
	if (S_ISDIR(a->st_mode))
		return a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
	if (a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	    a->st_mtim.tv_nsec != b->st_mtim.tv_nsec)
		return false;
	if (S_ISLNK(a->st_mode)) {
		char x[PATH_MAX], y[PATH_MAX];
		ssize_t nx = readlinkat(newdir, name, x, sizeof(x));
		ssize_t ny = readlinkat(olddir, name, y, sizeof(y));
		return nx == ny && nx >= 0 && memcmp(x, y, (size_t)nx) == 0;
	}
	return true;
}

/* OLDDIR < 0: everything below NEWDIR is new. */
static int walk_vfs(int newdir, int olddir, const char *rel, struct engine_changes *ch,
		    struct engine_error **err)
{
	cleanup_dir DIR *d = engine_opendir_dup(newdir);
	if (d == NULL)
		return engine_error_errno(err, errno, "read /%s", rel);
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = engine_readdir(d)) != NULL) {
		const char *name = e->d_name;
		char path[PATH_MAX];
		int w = snprintf(path, sizeof(path), "%s/%s", rel, name);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			r = engine_error_set(err, ENAMETOOLONG, "path too long below %s", rel);
			break;
		}
		struct stat a, b;
		if (fstatat(newdir, name, &a, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		bool old = olddir >= 0 && fstatat(olddir, name, &b, AT_SYMLINK_NOFOLLOW) == 0;
		if (!old)
			r = add(ch, 'A', path, false, err);
		else if (!same(newdir, name, &a, olddir, &b))
			r = add(ch, 'C', path, false, err);
		if (r == 0 && S_ISDIR(a.st_mode)) {
			cleanup_close int sub = openat(newdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			cleanup_close int osub = old && S_ISDIR(b.st_mode)
				? openat(olddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
			if (sub >= 0)
				r = walk_vfs(sub, osub, path, ch, err);
		}
	}
	if (r == 0 && e == NULL && errno != 0)
		r = engine_error_errno(err, errno, "read a directory");
	if (r < 0 || olddir < 0)
		return r;
	/* What the image had and the container has not. */
	cleanup_dir DIR *image = engine_opendir_dup(olddir);
	if (image == NULL)
		return engine_error_errno(err, errno, "read the image's /%s", rel);
	while (r == 0 && (errno = 0, e = engine_readdir(image)) != NULL) {
		struct stat st;
		if (fstatat(newdir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
			char path[PATH_MAX];
			int w = snprintf(path, sizeof(path), "%s/%s", rel, e->d_name);
			r = w < 0 || (size_t)w >= sizeof(path)
				    ? engine_error_set(err, ENAMETOOLONG, "path too long below %s", rel)
				    : add(ch, 'D', path, false, err);
		}
	}
	if (r == 0 && e == NULL && errno != 0)
		r = engine_error_errno(err, errno, "read a directory");
	return r;
}

static int vfs_changes(const struct engine_run_spec *spec, struct engine_changes *ch,
		       struct engine_error **err)
{
	cleanup_free char *image_root = storage_vfs_root_path(spec->store_root, spec->layers, spec->n_layers);
	if (image_root == NULL ||
	    asprintf(&ch->source_dir, "%s/containers/%s/rootfs", spec->store_root, spec->id) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int oldfd = open(image_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldfd < 0)
		return engine_error_errno(err, errno, "open the image's root %s", image_root);
	char done[4200];
	snprintf(done, sizeof(done), "%s/containers/%s/rootfs.done", spec->store_root, spec->id);
	if (access(done, F_OK) < 0)
		return 0; /* never started: no copy yet, nothing changed */
	cleanup_close int newfd = open(ch->source_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newfd < 0)
		return engine_error_errno(err, errno, "open %s", ch->source_dir);
	return walk_vfs(newfd, oldfd, "", ch, err);
}

/* Drop DIR's own entry when nothing below it is a change any more: the
 * copy-up (or, for /run, the creation) that a hidden mount point caused. */
static void hide_parent(struct engine_changes *ch, const char *dir)
{
	size_t len = strlen(dir), found = ch->n;
	for (size_t i = 0; i < ch->n; i++) {
		if (strncmp(ch->v[i].path, dir, len) == 0 && ch->v[i].path[len] == '/')
			return;
		if (strcmp(ch->v[i].path, dir) == 0 &&
		    ((ch->v[i].kind == 'C' && !ch->v[i].opaque) || ch->v[i].kind == 'A'))
			found = i;
	}
	if (found < ch->n) {
		free(ch->v[found].path);
		ch->v[found] = ch->v[--ch->n];
	}
}

/* The files of engine_bound_file_targets ('s /etc/hosts,
 * /etc/resolv.conf, /etc/hostname; the markers /.dockerenv and
 * /run/.containerenv) are bound over empty files that the container's
 * setup creates when the image lacks them (a write goes to the bound file,
 * never to these): they are not the container's changes, as Docker's init
 * layer keeps them out of diff and commit; nor is their directory's
 * copy-up when nothing else changed there, nor a /run the setup made. */
static void hide_mount_points(struct engine_changes *ch)
{
	bool removed[ENGINE_BOUND_FILES] = { false };
	size_t out = 0;
	for (size_t i = 0; i < ch->n; i++) {
		bool hide = false;
		for (size_t k = 0; k < ENGINE_BOUND_FILES && !hide; k++)
			if (ch->v[i].kind == 'A' &&
			    strcmp(ch->v[i].path, engine_bound_file_targets[k]) == 0)
				hide = removed[k] = true;
		if (hide)
			free(ch->v[i].path);
		else
			ch->v[out++] = ch->v[i];
	}
	ch->n = out;
	for (size_t k = 0; k < ENGINE_BOUND_FILES; k++) {
		char dir[64];
		snprintf(dir, sizeof(dir), "%s", engine_bound_file_targets[k]);
		*strrchr(dir, '/') = '\0';
		if (removed[k] && dir[0] != '\0')
			hide_parent(ch, dir);
	}
}

int engine_layer_changes(const struct engine_run_spec *spec, struct engine_changes *ret,
			 struct engine_error **err)
{
	struct engine_changes ch = { 0 };
	if (spec->n_layers == 0)
		return engine_error_setting(err, "rootfs", EINVAL, "container %s runs a rootfs directory, not an image: "
					"it has no layer of its own", spec->id);
	int r = spec->storage_driver == STORAGE_DRIVER_VFS ? vfs_changes(spec, &ch, err)
							   : overlay_changes(spec, &ch, err);
	if (r < 0) {
		engine_changes_clear(&ch);
		return -1;
	}
	hide_mount_points(&ch);
	if (ch.n > 1)
		qsort(ch.v, ch.n, sizeof(*ch.v), by_path);
	*ret = ch;
	return 0;
}

/* ---- through the user-namespace helper ------------------------------------ */

struct changes_job {
	const struct engine_container *c;
	engine_changes_fn fn;
	void *data;
};

static int changes_child(void *data, int sock)
{
	struct changes_job *j = data;
	struct engine_error *err = NULL;
	struct engine_run_spec spec;
	memset(&spec, 0, sizeof(spec));
	struct engine_changes ch = { 0 };
	int r = engine_container_spec(j->c, &spec, &err);
	if (r == 0)
		r = engine_layer_changes(&spec, &ch, &err);
	if (r == 0)
		r = j->fn(&ch, j->data, &err);
	engine_changes_clear(&ch);
	engine_run_spec_free(&spec);
	if (r < 0) {
		engine_userns_report(sock, err);
		engine_error_free(&err);
		return ENGINE_EXIT_ENGINE;
	}
	return 0;
}

int engine_container_with_changes(const struct engine_container *c, const struct engine_idmap *map,
				  engine_changes_fn fn, void *data, struct engine_error **err)
{
	struct changes_job j = { .c = c, .fn = fn, .data = data };
	return engine_userns_run(map, changes_child, &j, err);
}

/* To the parent through the memfd *DATA: "K" or "O" (opaque C) + path +
 * NUL, per change. */
static int write_changes(const struct engine_changes *ch, void *data, struct engine_error **err)
{
	int out = *(const int *)data;
	for (size_t i = 0; i < ch->n; i++) {
		char k = ch->v[i].opaque ? 'O' : ch->v[i].kind;
		if (engine_write_all(out, &k, 1) < 0 ||
		    engine_write_all(out, ch->v[i].path, strlen(ch->v[i].path) + 1) < 0)
			return engine_error_errno(err, errno, "write the changes");
	}
	return 0;
}

int engine_container_changes(const struct engine_container *c, const struct engine_idmap *map,
			     struct engine_changes *ret, struct engine_error **err)
{
	cleanup_close int fd = memfd_create("engine-diff", MFD_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "memfd_create");
	if (engine_container_with_changes(c, map, write_changes, &fd, err) < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "read the changes");
	struct engine_changes ch = { 0 };
	if (st.st_size == 0) {
		*ret = ch;
		return 0;
	}
	char *buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf == MAP_FAILED)
		return engine_error_errno(err, errno, "read the changes");
	int r = 0;
	for (size_t off = 0; r == 0 && off < (size_t)st.st_size;) {
		const char *rec = buf + off;
		size_t len = strnlen(rec, (size_t)st.st_size - off);
		if (len < 2 || off + len >= (size_t)st.st_size) {
			r = engine_error_set(err, EPROTO, "malformed change list");
			break;
		}
		r = add(&ch, rec[0] == 'O' ? 'C' : rec[0], rec + 1, rec[0] == 'O', err);
		off += len + 1;
	}
	munmap(buf, (size_t)st.st_size);
	if (r < 0) {
		engine_changes_clear(&ch);
		return -1;
	}
	*ret = ch;
	return 0;
}
