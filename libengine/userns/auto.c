/* auto.c: --userns=auto.
 *
 * Every container of a rootless user normally maps the same ids: its root
 * is the user, its uid 1000 the same subordinate id in every container, so
 * a process of one container can touch the files of another (a shared
 * volume, or through /proc once other isolation fails).  With auto, a
 * container gets a slice of the user's subordinate ids of its own
 * (ENGINE_USERNS_AUTO_SIZE, or auto:size=N): container ids 0..N-1 map onto
 * the slice, and nothing else is mapped, not even the user.
 *
 * Slices are counted in the ids of the default mapping (1..65536 for one
 * subordinate range of 65536: the ids the user's `engine unshare` sees),
 * so the slice's host ids follow from the default map.  The choice is made
 * under an fcntl lock on STORE/userns-auto.lock, by reading the slices of
 * every container directory in the store (containers/ID/userns-auto, kept
 * until the container is removed), first fit.
 *
 * The image's files belong to the default mapping's ids (its root is the
 * user), which the slice does not map: the container could not write its
 * own /etc.  Without idmapped mounts (the kernel allows them rootless only
 * on file systems mounted in the user namespace) the only way is the one
 * containers/storage takes: a copy of the image whose owners are moved
 * into the slice.  So an auto container's root is a full copy, made here
 * once, at create, in a helper with the default mapping (which maps both
 * the image's ids and the slice), and run as the vfs driver runs its
 * copies (mounts.c finds containers/ID/rootfs.done).  That costs a copy of
 * the image per container, as vfs does. */
#include "libengine/userns/auto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "storage/copy.h"
#include "common/fs.h"
#include "libengine/userns/userns.h"

struct slice {
	uint32_t start, size;
};

/* The slices recorded in the store's container directories. */
static int read_slices(int rootfd, struct slice **ret, size_t *ret_n, struct engine_error **err)
{
	*ret = NULL;
	*ret_n = 0;
	int fd = openat(rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "open containers");
	cleanup_dir DIR *d = engine_fdopendir(fd);
	if (d == NULL)
		return engine_error_errno(err, errno, "open containers");
	struct dirent *e;
	size_t n = 0, cap = 0;
	struct slice *v = NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char rel[300];
		snprintf(rel, sizeof(rel), "%s/userns-auto", e->d_name);
		cleanup_free char *text = NULL;
		size_t len;
		struct engine_error *local = NULL;
		if (engine_read_file(dirfd(d), rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, 64,
				     &text, &len, &local) < 0) {
			engine_error_free(&local);
			continue;
		}
		unsigned start, size;
		if (sscanf(text, "%u %u", &start, &size) != 2)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			struct slice *nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				return engine_error_set(err, ENOMEM, "out of memory");
			}
			v = nv;
		}
		v[n++] = (struct slice){ start, size };
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* First fit of SIZE ids in [1, LIMIT) among USED. */
static int first_fit(const struct slice *used, size_t n, uint32_t size, uint64_t limit,
		     uint32_t *ret)
{
	uint64_t start = 1;
	for (;;) {
		if (start + size > limit)
			return -1;
		bool moved = false;
		for (size_t i = 0; i < n; i++) {
			uint64_t s = used[i].start, e = s + used[i].size;
			if (start < e && s < start + size) {
				start = e;
				moved = true;
			}
		}
		if (!moved) {
			*ret = (uint32_t)start;
			return 0;
		}
	}
}

/* ---- the copy, in the helper ------------------------------------------ */

struct copy_ctx {
	const char *store_root;
	const char *id;
	char *const *layers;
	size_t n_layers;
	const struct engine_userns_copy *how;
	/* Files with more than one name already moved: a hard link's second
	 * name must not move its owner again. */
	struct { dev_t dev; ino_t ino; } *linked;
	size_t n_linked, linked_cap;
};

/* Whether ST was seen before under another name (and remember it). */
static int seen_link(struct copy_ctx *c, const struct stat *st, bool *ret)
{
	*ret = false;
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < c->n_linked; i++)
		if (c->linked[i].dev == st->st_dev && c->linked[i].ino == st->st_ino) {
			*ret = true;
			return 0;
		}
	if (c->n_linked == c->linked_cap) {
		size_t cap = c->linked_cap ? 2 * c->linked_cap : 64;
		void *v = realloc(c->linked, cap * sizeof(*c->linked));
		if (v == NULL)
			return -ENOMEM;
		c->linked = v;
		c->linked_cap = cap;
	}
	c->linked[c->n_linked].dev = st->st_dev;
	c->linked[c->n_linked++].ino = st->st_ino;
	return 0;
}

/* The id that ID moves to along lines R (.container -> .host). */
static bool move_id(const struct engine_idmap_range *r, size_t n, uint32_t id, uint32_t *ret)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].container && (uint64_t)id < (uint64_t)r[i].container + r[i].count) {
			*ret = r[i].host + (id - r[i].container);
			return true;
		}
	return false;
}

/* Move every owner below DIRFD (and DIRFD's own) along the copy's lines. */
static int shift_owners(int parent, const char *name, struct copy_ctx *c, int depth,
			struct engine_error **err)
{
	const struct engine_userns_copy *h = c->how;
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0)
		return engine_error_errno(err, errno, "stat %s", name);
	bool seen;
	if (seen_link(c, &st, &seen) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (seen)
		return 0;
	uint32_t uid, gid;
	if (!move_id(h->uids, h->n_uids, st.st_uid, &uid) || !move_id(h->gids, h->n_gids, st.st_gid, &gid))
		return engine_error_setting(err, "userns,userns", ERANGE, "%s: the image has a file owned by %u:%u, %s", h->what,
					(unsigned)st.st_uid, (unsigned)st.st_gid, h->unmapped);
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
	if (fchownat(parent, name, uid, gid, flags) < 0)
		return engine_error_errno(err, errno, "chown %s", name);
	/* chown clears setuid and setgid, even for root: put them back. */
	if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) &&
	    (*name ? fchmodat(parent, name, st.st_mode & 07777, 0) : fchmod(parent, st.st_mode & 07777)) < 0)
		return engine_error_errno(err, errno, "chmod %s", name);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth > STORAGE_COPY_MAX_DEPTH)
		return engine_error_setting(err, "userns", ELOOP, "%s: the image's tree is too deep", c->how->what);
	int fd = openat(parent, *name ? name : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", name);
	cleanup_dir DIR *d = engine_fdopendir(fd);
	if (d == NULL)
		return engine_error_errno(err, errno, "open %s", name);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = engine_readdir(d)) != NULL)
		r = shift_owners(dirfd(d), e->d_name, c, depth + 1, err);
	return r;
}

static int copy_child_run(struct copy_ctx *c, struct engine_error **err)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/containers/%s", c->store_root, c->id);
	cleanup_close int cdir = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cdir < 0)
		return engine_error_errno(err, errno, "open %s", dir);
	if (mkdirat(cdir, "rootfs", 0755) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/rootfs", dir);
	cleanup_close int dst = openat(cdir, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return engine_error_errno(err, errno, "open %s/rootfs", dir);
	for (size_t i = 0; i < c->n_layers; i++) {
		const char *hex = strchr(c->layers[i], ':');
		hex = hex ? hex + 1 : c->layers[i];
		char src_path[4300];
		snprintf(src_path, sizeof(src_path), "%s/layers/%.80s/diff", c->store_root, hex);
		cleanup_close int src = open(src_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			return engine_error_errno(err, errno, "open %s", src_path);
		if (storage_copy_tree(src, dst, i == 0 ? STORAGE_COPY_TREE : STORAGE_COPY_APPLY_LAYER,
				      err) < 0)
			return engine_error_setting_prefix(err, "userns", "%s: copy the image", c->how->what);
	}
	int shifted = shift_owners(dst, "", c, 0, err);
	free(c->linked);
	c->linked = NULL;
	if (shifted < 0)
		return -1;
	/* What mounts.c looks for before it uses the copy as the root. */
	int marker = openat(cdir, "rootfs.done", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (marker < 0)
		return engine_error_errno(err, errno, "create %s/rootfs.done", dir);
	close(marker);
	return 0;
}

static int copy_child(void *data, int sock)
{
	struct engine_error *err = NULL;
	if (copy_child_run(data, &err) == 0)
		return 0;
	engine_userns_report(sock, err);
	engine_error_free(&err);
	return ENGINE_EXIT_ENGINE;
}

int engine_userns_auto_prepare(struct engine_run_spec *spec, const struct engine_idmap *map,
			       struct engine_error **err)
{
	if (map->mode != ENGINE_IDMAP_SUBID)
		return engine_error_setting(err, "userns", EINVAL, "%s",
					    map->mode == ENGINE_IDMAP_ROOT
						    ? "userns=auto is only supported in rootless mode"
						    : "userns=auto needs subordinate ids (/etc/subuid and "
						      "/etc/subgid ranges for the user)");
	if (spec->n_layers == 0 || spec->store_root == NULL)
		return engine_error_setting(err, "userns,rootfs", EINVAL, "userns=auto needs an image, not rootfs");
	uint32_t size = spec->userns_auto_size ? spec->userns_auto_size : ENGINE_USERNS_AUTO_SIZE;
	/* Ids 1.. of the default mapping are the subordinate ones. */
	uint64_t limit = engine_idmap_span(map->uids, map->n_uids);
	uint64_t glimit = engine_idmap_span(map->gids, map->n_gids);
	if (glimit < limit)
		limit = glimit;

	cleanup_free char *lock_path = NULL;
	if (asprintf(&lock_path, "%s/userns-auto.lock", spec->store_root) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return engine_error_errno(err, errno, "open %s", lock_path);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(lock, F_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return engine_error_errno(err, errno, "lock %s", lock_path);
	cleanup_close int rootfd = open(spec->store_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open %s", spec->store_root);
	cleanup_free struct slice *used = NULL;
	size_t n_used = 0;
	if (read_slices(rootfd, &used, &n_used, err) < 0)
		return -1;
	uint32_t start;
	if (first_fit(used, n_used, size, limit, &start) < 0)
		return engine_error_setting(err, "userns", ENOSPC,
					"userns=auto: no %u free subordinate ids left (%zu containers "
					"hold slices; remove some, or ask for a smaller size)",
					(unsigned)size, n_used);
	char rel[128], text[32];
	snprintf(rel, sizeof(rel), "containers/%s", spec->id);
	if (mkdirat(rootfd, rel, 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/%s", spec->store_root, rel);
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/%s/userns-auto", spec->store_root, rel) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int tl = snprintf(text, sizeof(text), "%u %u\n", (unsigned)start, (unsigned)size);
	if (engine_write_file_atomic(path, text, (size_t)tl, 0600, err) < 0)
		return -1;
	/* The slice is taken: the copy need not hold the lock. */
	close(lock);
	lock = -1;

	spec->userns_auto_start = start;
	spec->userns_auto_size = size;
	struct engine_idmap_range slice = { .container = 0, .host = start, .count = size };
	char unmapped[96];
	snprintf(unmapped, sizeof(unmapped),
		 "outside the container's %u ids (use userns=auto:size=N)", (unsigned)size);
	struct engine_userns_copy how = { .uids = &slice, .n_uids = 1, .gids = &slice, .n_gids = 1,
					  .what = "userns=auto", .unmapped = unmapped };
	return engine_userns_copy_image(spec, map, &how, err);
}

int engine_userns_copy_image(const struct engine_run_spec *spec, const struct engine_idmap *map,
			     const struct engine_userns_copy *how, struct engine_error **err)
{
	struct copy_ctx c = { .store_root = spec->store_root, .id = spec->id, .layers = spec->layers,
			      .n_layers = spec->n_layers, .how = how };
	return engine_userns_run(map, copy_child, &c, err);
}
