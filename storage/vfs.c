/* vfs.c: flattened image roots for the vfs driver (layout and costs in
 * vfs.h).  Every layer is already in the store, unpacked in the overlay
 * format; a root is built by applying them one by one
 * (STORAGE_COPY_APPLY_LAYER), so no layer is downloaded or decompressed
 * twice and images keep sharing layers. */
#include "storage/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "storage/copy.h"
#include "storage/remove.h"
#include "common/sha256.h"

static const char *hex_of(const char *digest)
{
	const char *colon = strchr(digest, ':');
	return colon ? colon + 1 : digest;
}

int storage_vfs_chain_id(char *const *diff_ids, size_t n, char out[STORAGE_DIGEST_MAX])
{
	if (n == 0)
		return -EINVAL;
	/* ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)) */
	snprintf(out, STORAGE_DIGEST_MAX, "%s", diff_ids[0]);
	for (size_t i = 1; i < n; i++) {
		char buf[2 * STORAGE_DIGEST_MAX + 2];
		int len = snprintf(buf, sizeof(buf), "%s %s", out, diff_ids[i]);
		if (len < 0 || (size_t)len >= sizeof(buf))
			return -EINVAL;
		/* Our own SHA-256: this runs when `engine run` builds a missing
		 * vfs root, and `engine` links no crypto library. */
		char hex[65];
		engine_sha256_hex(buf, (size_t)len, hex);
		snprintf(out, STORAGE_DIGEST_MAX, "sha256:%s", hex);
	}
	return 0;
}

char *storage_vfs_root_path(const char *root, char *const *diff_ids, size_t n)
{
	char chain[STORAGE_DIGEST_MAX];
	char *p = NULL;
	if (storage_vfs_chain_id(diff_ids, n, chain) < 0 ||
	    asprintf(&p, "%s/vfs/%s", root, hex_of(chain)) < 0)
		return NULL;
	return p;
}

bool storage_vfs_exists(const char *root, char *const *diff_ids, size_t n)
{
	cleanup_free char *p = storage_vfs_root_path(root, diff_ids, n);
	return p != NULL && access(p, F_OK) == 0;
}

/* NAME is ".tmp-HEX-PID" or ".tmp-rm-HEX-PID": is PID still running? */
static bool owner_alive(const char *name)
{
	const char *dash = strrchr(name, '-');
	int pid = dash ? atoi(dash + 1) : 0;
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Builds and removals whose process is gone (a killed pull). */
static void remove_stale(struct storage_store *store)
{
	int fd = openat(store->rootfd, "vfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_dir DIR *d = engine_fdopendir(fd);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".tmp-", 5) == 0 && !owner_alive(e->d_name))
			(void)storage_remove_tree(dirfd(d), e->d_name, NULL);
}

static int apply_layers(struct storage_store *store, int dst, char *const *diff_ids, size_t n,
			struct engine_error **err)
{
	for (size_t i = 0; i < n; i++) {
		if (!storage_layer_exists(store, diff_ids[i]))
			return engine_error_set(err, ENOENT, "layer %s is not in the store", diff_ids[i]);
		char rel[256];
		snprintf(rel, sizeof(rel), "layers/%s/diff", hex_of(diff_ids[i]));
		cleanup_close int src =
			openat(store->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			return engine_error_errno(err, errno, "open %s/%s", store->root, rel);
		if (storage_copy_tree(src, dst, STORAGE_COPY_APPLY_LAYER, err) < 0)
			return engine_error_prefix(err, "apply layer %s", diff_ids[i]);
	}
	return 0;
}

int storage_vfs_build(struct storage_store *store, char *const *diff_ids, size_t n,
		      struct engine_error **err)
{
	char chain[STORAGE_DIGEST_MAX];
	if (storage_vfs_chain_id(diff_ids, n, chain) < 0)
		return engine_error_set(err, EINVAL, "an image without layers has no vfs root");
	char final[STORAGE_DIGEST_MAX + 8], staging[STORAGE_DIGEST_MAX + 32];
	snprintf(final, sizeof(final), "vfs/%s", hex_of(chain));
	snprintf(staging, sizeof(staging), "vfs/.tmp-%s-%d", hex_of(chain), (int)getpid());
	if (mkdirat(store->rootfd, "vfs", 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/vfs", store->root);
	if (faccessat(store->rootfd, final, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	remove_stale(store);
	/* A leftover of this very pid (pid reuse after a crash). */
	if (storage_remove_tree(store->rootfd, staging, err) < 0)
		return -1;
	if (mkdirat(store->rootfd, staging, 0700) < 0)
		return engine_error_errno(err, errno, "create %s/%s", store->root, staging);
	int r;
	{
		cleanup_close int dst =
			openat(store->rootfd, staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dst < 0)
			r = engine_error_errno(err, errno, "open %s/%s", store->root, staging);
		else
			r = apply_layers(store, dst, diff_ids, n, err);
	}
	if (r == 0 && renameat(store->rootfd, staging, store->rootfd, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			r = engine_error_errno(err, errno, "commit %s/%s", store->root, final);
		/* else another build of the same chain finished first */
	}
	if (r < 0 || faccessat(store->rootfd, staging, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		(void)storage_remove_tree(store->rootfd, staging, NULL);
	return r < 0 ? engine_error_prefix(err, "vfs root of %s", chain) : 0;
}

int storage_vfs_prune(struct storage_store *store, struct engine_error **err)
{
	cleanup_dir DIR *d = NULL;
	int r = storage_store_opendir(store, "vfs", &d, err);
	if (r < 0 || d == NULL)
		return r;
	struct storage_image **images = NULL;
	size_t n_images = 0;
	if (storage_image_list(store, &images, &n_images, err) < 0)
		return -1;
	char (*used)[STORAGE_DIGEST_MAX] = calloc(n_images + 1, sizeof(*used));
	for (size_t i = 0; used != NULL && i < n_images; i++)
		if (storage_vfs_chain_id(images[i]->diff_ids, images[i]->n_layers, used[i]) < 0)
			used[i][0] = '\0';
	for (size_t i = 0; i < n_images; i++)
		storage_image_free(images[i]);
	free(images);
	if (used == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* builds and removals: remove_stale's */
		bool keep = false;
		for (size_t i = 0; i < n_images && !keep; i++)
			keep = strcmp(hex_of(used[i]), e->d_name) == 0;
		if (keep)
			continue;
		/* Renamed first: a half-removed root must not look complete. */
		char tmp[160];
		snprintf(tmp, sizeof(tmp), ".tmp-rm-%.100s-%d", e->d_name, (int)getpid());
		if (renameat(dirfd(d), e->d_name, dirfd(d), tmp) < 0) {
			if (errno != ENOENT)
				r = engine_error_errno(err, errno, "remove %s/vfs/%s", store->root, e->d_name);
			continue;
		}
		if (storage_remove_tree(dirfd(d), tmp, r == 0 ? err : NULL) < 0)
			r = -1;
	}
	free(used);
	remove_stale(store);
	return r;
}
