/* commit.c: tar streams of a container's files (see commit.h).
 *
 * Both are written inside the container's user namespace, so a file's
 * owner in the tar is its owner as the container sees it, not a
 * subordinate id.  `commit` writes its layer into an unlinked temp file
 * in the store first and hands it to import's path (archive.c)
 * only when the tar is complete: a failure half way leaves no image.
 * Hardlinked files are written once and linked after, as docker does,
 * which matters for images like busybox (hundreds of links to one
 * binary). */
#include "libengine/image/commit.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libengine/cgroup/freeze.h"
#include "common/cleanup.h"
#include "common/dir.h"
#include "libengine/userns/ctr-root.h"
#include "common/fs.h"
#include "libengine/image/change.h"
#include "libengine/image/layer-diff.h"
#include "libengine/runtime/mounts.h"
#include "storage/unpack.h"
#include "libengine/userns/userns.h"

struct link {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct tar {
	struct archive *a;
	struct link *links;
	size_t n_links, cap_links;
	char buf[65536];
};

static int tar_open(struct tar *t, int out_fd, struct engine_error **err)
{
	memset(t, 0, sizeof(*t));
	t->a = archive_write_new();
	if (t->a == NULL || archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t->a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(t->a, out_fd) != ARCHIVE_OK)
		return engine_error_set(err, EIO, "tar: %s", t->a ? archive_error_string(t->a) : "out of memory");
	return 0;
}

static int tar_close(struct tar *t, struct engine_error **err)
{
	int r = 0;
	if (t->a != NULL && archive_write_close(t->a) != ARCHIVE_OK)
		r = engine_error_set(err, EIO, "tar: %s", archive_error_string(t->a));
	if (t->a != NULL)
		archive_write_free(t->a);
	for (size_t i = 0; i < t->n_links; i++)
		free(t->links[i].name);
	free(t->links);
	t->a = NULL;
	return r;
}

/* The name a hardlinked inode was first written under, or NULL (and it
 * is remembered under NAME). */
static const char *seen_link(struct tar *t, const struct stat *st, const char *name)
{
	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
			return t->links[i].name;
	if (t->n_links == t->cap_links) {
		size_t cap = t->cap_links ? t->cap_links * 2 : 64;
		struct link *l = realloc(t->links, cap * sizeof(*l));
		if (l == NULL)
			return NULL;
		t->links = l;
		t->cap_links = cap;
	}
	char *copy = strdup(name);
	if (copy != NULL)
		t->links[t->n_links++] = (struct link){ st->st_dev, st->st_ino, copy };
	return NULL;
}

static int write_header(struct tar *t, struct archive_entry *e, const char *name,
			struct engine_error **err)
{
	if (archive_write_header(t->a, e) != ARCHIVE_OK)
		return engine_error_set(err, EIO, "tar %s: %s", name, archive_error_string(t->a));
	return 0;
}

/* One entry of stat ST written as TARNAME: a regular file's content from
 * FD, else from DIRFD/NAME (opened not followed); a symlink's target from
 * DIRFD/NAME. */
static int tar_entry(struct tar *t, const struct stat *stp, int fd_in, int dirfd, const char *name,
		     const char *tarname, struct engine_error **err)
{
	struct stat st = *stp;
	if (S_ISSOCK(st.st_mode))
		return 0; /* tar has no sockets; docker skips them too */
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	int r = 0;
	char dirname_buf[PATH_MAX + 2];
	if (S_ISDIR(st.st_mode)) {
		snprintf(dirname_buf, sizeof(dirname_buf), "%s/", tarname);
		archive_entry_set_pathname(e, dirname_buf);
	} else {
		archive_entry_set_pathname(e, tarname);
	}
	archive_entry_copy_stat(e, &st);
	const char *first = NULL;
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1)
		first = seen_link(t, &st, tarname);
	if (first != NULL) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		r = write_header(t, e, tarname, err);
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			r = engine_error_errno(err, errno, "readlink %s", tarname);
		else {
			target[n] = '\0';
			archive_entry_set_symlink(e, target);
			r = write_header(t, e, tarname, err);
		}
	} else if (S_ISREG(st.st_mode)) {
		int fd = fd_in >= 0 ? fcntl(fd_in, F_DUPFD_CLOEXEC, 3)
				    : openat(dirfd, name,
					     O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			r = engine_error_errno(err, errno, "open %s", tarname);
		} else {
			r = write_header(t, e, tarname, err);
			off_t left = st.st_size;
			while (r == 0 && left > 0) {
				ssize_t n = read(fd, t->buf, sizeof(t->buf) < (size_t)left ? sizeof(t->buf) : (size_t)left);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					/* Shrunk under us (a running container): pad with
					 * zeros, the header promised the size. */
					memset(t->buf, 0, sizeof(t->buf));
					n = sizeof(t->buf) < (size_t)left ? (ssize_t)sizeof(t->buf) : (ssize_t)left;
				}
				if (archive_write_data(t->a, t->buf, (size_t)n) < 0)
					r = engine_error_set(err, EIO, "tar %s: %s", tarname, archive_error_string(t->a));
				left -= n;
			}
			close(fd);
		}
	} else {
		r = write_header(t, e, tarname, err);
	}
	archive_entry_free(e);
	return r;
}

/* One entry: DIRFD/NAME (not followed), written as TARNAME. */
static int tar_add(struct tar *t, int dirfd, const char *name, const char *tarname,
		   struct engine_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "stat %s", tarname);
	return tar_entry(t, &st, -1, dirfd, name, tarname, err);
}

/* A marker with no content: ".wh.NAME" or ".wh..wh..opq". */
static int tar_marker(struct tar *t, const char *tarname, struct engine_error **err)
{
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, tarname);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, time(NULL), 0);
	int r = write_header(t, e, tarname, err);
	archive_entry_free(e);
	return r;
}

/* ---- export ------------------------------------------------------------------ */

/* The empty file the container's setup made to bind a marker on
 * (/.dockerenv, /run/.containerenv: mounts.c) when the image lacks it:
 * not the container's content, as diff and commit leave it out too. */
static bool marker_mount_point(int dirfd, const char *name, const char *path)
{
	for (size_t k = ENGINE_ETC_FILES; k < ENGINE_BOUND_FILES; k++) {
		struct stat st;
		if (strcmp(path, engine_bound_file_targets[k] + 1) == 0 &&
		    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0)
			return true;
	}
	return false;
}

static int tar_tree(struct tar *t, int dirfd, const char *rel, struct engine_error **err)
{
	cleanup_dir DIR *d = engine_opendir_dup(dirfd);
	if (d == NULL)
		return engine_error_errno(err, errno, "read /%s", rel);
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = engine_readdir(d)) != NULL) {
		char path[PATH_MAX];
		int w = snprintf(path, sizeof(path), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			r = engine_error_set(err, ENAMETOOLONG, "path too long below /%s", rel);
			break;
		}
		if (marker_mount_point(dirfd, e->d_name, path))
			continue;
		r = tar_add(t, dirfd, e->d_name, path, err);
		struct stat st;
		bool dir = e->d_type == DT_DIR ||
			   (e->d_type == DT_UNKNOWN && fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode));
		if (r == 0 && dir) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				r = tar_tree(t, sub, path, err);
				close(sub);
			}
		}
	}
	if (r == 0 && e == NULL && errno != 0)
		r = engine_error_errno(err, errno, "read a directory");
	return r;
}

static int export_fn(void *data, int rootfd, struct engine_error **err)
{
	int out = *(int *)data;
	struct tar t;
	if (tar_open(&t, out, err) < 0) {
		tar_close(&t, NULL);
		return -1;
	}
	int r = tar_tree(&t, rootfd, "", err);
	if (tar_close(&t, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

int engine_container_export(const struct engine_container *c, const struct engine_idmap *map,
			    int out_fd, struct engine_error **err)
{
	return engine_container_with_root(c, map, export_fn, &out_fd, err);
}

/* ---- commit ------------------------------------------------------------------ */

/* An engine_changes_fn: the changes as a layer tar, into the fd *DATA. */
static int layer_tar(const struct engine_changes *ch, void *data, struct engine_error **err)
{
	int out = *(const int *)data;
	cleanup_close int src = open(ch->source_dir ? ch->source_dir : "/nonexistent",
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0 && ch->n > 0)
		return engine_error_errno(err, errno, "open %s", ch->source_dir);
	struct tar t;
	if (tar_open(&t, out, err) < 0) {
		tar_close(&t, NULL);
		return -1;
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < ch->n; i++) {
		const struct engine_change *c = &ch->v[i];
		const char *rel = c->path + 1; /* "/etc/x" -> "etc/x" */
		char name[PATH_MAX + 16];
		if (c->kind == 'D') {
			const char *slash = strrchr(rel, '/');
			if (slash != NULL)
				snprintf(name, sizeof(name), "%.*s/.wh.%s", (int)(slash - rel), rel, slash + 1);
			else
				snprintf(name, sizeof(name), ".wh.%s", rel);
			r = tar_marker(&t, name, err);
			continue;
		}
		/* Within the source directory, never through a symlink: the
		 * container may be running and changing it. */
		cleanup_free char *parent = strdup(rel);
		if (parent == NULL) {
			r = engine_error_set(err, ENOMEM, "out of memory");
			break;
		}
		char *slash = strrchr(parent, '/');
		const char *base = slash ? slash + 1 : rel;
		if (slash != NULL)
			*slash = '\0';
		int dirfd = slash ? engine_open_in_root(src, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC,
							ENGINE_RESOLVE_NO_SYMLINKS)
				  : fcntl(src, F_DUPFD_CLOEXEC, 3);
		if (dirfd < 0)
			continue; /* gone meanwhile */
		r = tar_add(&t, dirfd, base, rel, err);
		close(dirfd);
		if (r == 0 && c->opaque) {
			snprintf(name, sizeof(name), "%s/.wh..wh..opq", rel);
			r = tar_marker(&t, name, err);
		}
	}
	if (tar_close(&t, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

/* What the container runs, as image config keys: Cmd (Entrypoint kept
 * when the command starts with it), Env, WorkingDir. */
static json_t *container_config(const struct engine_container *c, json_t *image_config)
{
	const struct engine_run_spec *spec = &c->spec;
	size_t argc = 0;
	while (spec->argv != NULL && spec->argv[argc] != NULL)
		argc++;
	json_t *ep = json_object_get(json_object_get(image_config, "config"), "Entrypoint");
	size_t skip = 0;
	if (json_is_array(ep) && json_array_size(ep) <= argc) {
		skip = json_array_size(ep);
		for (size_t i = 0; i < skip; i++) {
			const char *e = json_string_value(json_array_get(ep, i));
			if (e == NULL || strcmp(e, spec->argv[i]) != 0)
				skip = 0;
		}
	}
	json_t *cmd = json_array();
	for (size_t i = skip; i < argc; i++)
		json_array_append_new(cmd, json_string(spec->argv[i]));
	json_t *out = json_pack("{s:o}", "Cmd", cmd);
	if (skip == 0 && json_array_size(ep) > 0)
		json_object_set_new(out, "Entrypoint", json_null());
	if (spec->n_env > 0) {
		json_t *env = json_array();
		for (size_t i = 0; i < spec->n_env; i++)
			json_array_append_new(env, json_string(spec->env[i]));
		json_object_set_new(out, "Env", env);
	}
	const char *wd = spec->workdir;
	if (wd != NULL && wd[0] != '\0')
		json_object_set_new(out, "WorkingDir", json_string(wd));
	return out;
}

int engine_container_commit(const char *root, const struct engine_idmap *map,
			    const struct engine_container *c, const struct engine_commit_options *o,
			    char ret_id[72], struct engine_error **err)
{
	if (c->image_id[0] == '\0')
		return engine_error_setting(err, "rootfs", EINVAL, "container %s runs a rootfs directory: there is no "
					"image to commit onto", c->name);
	/* Bad -c values are bad flags: found before any work is done. */
	cleanup_json json_t *probe = json_object();
	for (size_t i = 0; i < o->n_changes; i++)
		if (engine_image_config_change(probe, o->changes[i], err) < 0)
			return -1;
	struct storage_store *store = NULL;
	struct storage_image *image = NULL;
	char **digests = NULL;
	json_t *ccfg = NULL;
	char *created_by = NULL;
	cleanup_close int tmp = -1;
	int rc = -1;
	bool frozen = false;
	if (storage_store_open(root, &store, err) < 0 ||
	    storage_image_get(store, c->image_id, &image, err) < 0)
		goto out;
	digests = calloc(image->n_layers + 1, sizeof(char *));
	if (digests == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < image->n_layers; i++) {
		char d[STORAGE_DIGEST_MAX] = "";
		if (storage_layer_digest(store, image->diff_ids[i], d, sizeof(d)) < 0 || d[0] == '\0' ||
		    !storage_blob_exists(store, d)) {
			engine_error_set(err, ENOENT, "image %.12s: layer %s has no stored blob", image->id,
					 image->diff_ids[i]);
			goto out;
		}
		if ((digests[i] = strdup(d)) == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	/* An unlinked temp file in the store: on the store's file system,
	 * and gone by itself whatever happens to us. */
	tmp = open(root, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (tmp < 0) {
		engine_error_errno(err, errno, "create a temp file in %s", root);
		goto out;
	}
	if (o->pause && c->state.status == ENGINE_CONTAINER_RUNNING) {
		/* Where the container has a freezer of its own; without one
		 * (no delegated cgroup) the layer is read while it runs, as
		 * `commit --pause=false` does. */
		struct engine_error *local = NULL;
		frozen = engine_cgroup_freeze_pid(c->state.pid, c->state.monitor_pid, true, &local) == 0;
		if (!frozen)
			engine_log(ENGINE_LOG_DEBUG, "commit: not paused: %s", local ? local->msg : "");
		engine_error_free(&local);
	}
	int r = engine_container_with_changes(c, map, layer_tar, &tmp, err);
	if (frozen)
		engine_cgroup_freeze_pid(c->state.pid, c->state.monitor_pid, false, NULL);
	if (r < 0)
		goto out;
	if (lseek(tmp, 0, SEEK_SET) < 0) {
		engine_error_errno(err, errno, "rewind the layer");
		goto out;
	}
	ccfg = container_config(c, image->config);
	/* Docker's history says what the container ran. */
	size_t len = 1;
	for (size_t i = 0; c->argv[i]; i++)
		len += strlen(c->argv[i]) + 1;
	created_by = calloc(1, len);
	for (size_t i = 0; created_by && c->argv[i]; i++) {
		if (i)
			strcat(created_by, " ");
		strcat(created_by, c->argv[i]);
	}
	struct engine_import_options io = {
		.changes = o->changes,
		.n_changes = o->n_changes,
		.message = o->message,
		.reference = o->reference,
		.base_config = image->config,
		.base_digests = digests,
		.n_base = image->n_layers,
		.container_config = ccfg,
		.author = o->author,
		.created_by = created_by,
	};
	rc = engine_image_import(root, map, tmp, &io, ret_id, err);
out:
	for (size_t i = 0; digests && image && i < image->n_layers; i++)
		free(digests[i]);
	free(digests);
	free(created_by);
	json_decref(ccfg);
	storage_image_free(image);
	storage_store_close(store);
	return rc;
}

/* ---- cp with a tar stream ------------------------------------------------- */

struct cp_tar_job {
	const struct engine_container *c;
	const struct engine_idmap *map;
	const struct engine_cp_options *o;
	const char *path;
	int fd;
};

static int cp_not_found(const struct engine_container *c, const char *path, struct engine_error **err)
{
	engine_error_set(err, ENOENT, "Could not find the file %s in container %s", path, c->name);
	(*err)->exit_code = 1;
	return -1;
}

static bool dot_name(const char *b)
{
	return strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strcmp(b, "/") == 0;
}

static int tar_out_fn(void *data, int rootfd, struct engine_error **err)
{
	struct cp_tar_job *j = data;
	size_t len = strlen(j->path);
	bool contents = len >= 2 && strcmp(j->path + len - 2, "/.") == 0;
	cleanup_free char *parent = strdup(j->path);
	if (parent == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	char *slash = strrchr(parent, '/');
	char base[NAME_MAX + 1];
	snprintf(base, sizeof(base), "%s", slash && slash[1] ? slash + 1 : parent);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	struct stat st;
	cleanup_close int fd = -1, dirfd = -1;
	if (contents || j->o->follow || dot_name(base)) {
		/* The node itself, followed; looked at before it is opened
		 * (a device node or FIFO is never opened). */
		cleanup_close int path = engine_open_in_root(rootfd, j->path, O_PATH | O_CLOEXEC, 0);
		if (path < 0 || fstat(path, &st) < 0)
			return cp_not_found(j->c, j->path, err);
		if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			fd = engine_cp_open_checked(rootfd, j->path, &st, err);
			if (fd < 0)
				return fd;
		}
		if (contents && !S_ISDIR(st.st_mode))
			return engine_error_set(err, ENOTDIR, "%s: not a directory", j->path);
	} else {
		dirfd = engine_open_in_root(rootfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (dirfd < 0 || fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return cp_not_found(j->c, j->path, err);
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return engine_error_errno(err, errno, "open %s", j->path);
		}
	}
	/* "DIR/.", "/", "..": the contents, at the top of the tar. */
	const char *top = contents || dot_name(base) ? "" : base;
	struct tar t;
	if (tar_open(&t, j->fd, err) < 0) {
		tar_close(&t, NULL);
		return -1;
	}
	int r = 0;
	if (top[0] != '\0')
		r = tar_entry(&t, &st, S_ISREG(st.st_mode) ? fd : -1, dirfd, base, top, err);
	if (r == 0 && S_ISDIR(st.st_mode))
		r = tar_tree(&t, fd, top, err);
	if (tar_close(&t, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

int engine_cp_tar_out(const struct engine_container *c, const struct engine_idmap *map,
		      const char *src, const struct engine_cp_options *o, int out_fd,
		      struct engine_error **err)
{
	struct cp_tar_job j = { .c = c, .map = map, .o = o, .path = src, .fd = out_fd };
	return engine_container_with_view(c, map, tar_out_fn, &j, err);
}

static int tar_in_fn(void *data, int rootfd, struct engine_error **err)
{
	struct cp_tar_job *j = data;
	cleanup_close int dirfd = engine_open_in_root(rootfd, j->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dirfd == -ENOTDIR)
		return engine_error_set(err, ENOTDIR, "extraction point is not a directory: %s", j->path);
	if (dirfd < 0)
		return cp_not_found(j->c, j->path, err);
	bool rootless = j->map->mode != ENGINE_IDMAP_ROOT;
	/* The layer unpacker's rules: nothing leaves DEST, no device nodes
	 * rootless; entries replace what is there. */
	struct storage_unpack_options uo = {
		.whiteouts = STORAGE_WHITEOUT_KEEP,
		.rootless = rootless,
		.mapped_ids = rootless ? engine_idmap_total(j->map->uids, j->map->n_uids) : 0,
		.ignore_chown_errors = !j->o->archive || j->map->mode == ENGINE_IDMAP_SINGLE,
	};
	char diff_id[STORAGE_DIGEST_MAX];
	return storage_unpack_layer(dirfd, j->fd, &uo, diff_id, NULL, err) < 0
		       ? engine_error_prefix(err, "cp into %s:%s", j->c->name, j->path)
		       : 0;
}

int engine_cp_tar_in(const struct engine_container *c, const struct engine_idmap *map, int in_fd,
		     const char *dest, const struct engine_cp_options *o, struct engine_error **err)
{
	struct cp_tar_job j = { .c = c, .map = map, .o = o, .path = dest, .fd = in_fd };
	return engine_container_with_view(c, map, tar_in_fn, &j, err);
}
