/* store.h: the image and layer store on disk.
 *
 *   ROOT/                      mode 0700
 *     store.lock               fcntl lock: names and image records
 *     layers/HEX/diff/         one unpacked layer (HEX = its diff_id)
 *     layers/HEX/layer.json    written last: the layer is complete
 *     layers/.tmp-HEX-PID/     a layer being unpacked (never looks valid)
 *     images/HEX/image.json    the image record (HEX = config digest)
 *     images/HEX/manifest      the manifest as pulled
 *     images/HEX/config        the image config as pulled
 *     names.json               reference -> image id, written atomically
 *     blobs/sha256/HEX         compressed layer blobs as pulled (for save
 *                              and push: the exact bytes, so digests and
 *                              diff_ids survive a round trip)
 *     containers/ID/           per-container upper, work and merged dirs
 *                              (vfs: rootfs, a full copy of the image)
 *     driver                   the storage driver the store was first used
 *                              with (driver.h)
 *     vfs/CHAIN/               vfs only: an image's flattened root (vfs.h)
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"

struct storage_store {
	char *root;
	int rootfd;
	int lockfd; /* store.lock, open for fcntl locking */
};

int storage_store_open(const char *root, struct storage_store **ret, struct engine_error **err);
void storage_store_close(struct storage_store *store);

/* The store's directory NAME ("volumes", "vfs") as a stream in *RET, not
 * through a symlink; *RET NULL (and 0) when it does not exist yet. */
int storage_store_opendir(struct storage_store *store, const char *name, DIR **ret,
			  struct engine_error **err);

/* The store-wide lock (exclusive); nests not.  Released by unlock. */
int storage_store_lock(struct storage_store *store, struct engine_error **err);
void storage_store_unlock(struct storage_store *store);

/* Layers, keyed by diff_id ("sha256:..."). */
bool storage_layer_exists(struct storage_store *store, const char *diff_id);
/* Path of the layer's diff directory (malloc'd). */
char *storage_layer_diff_path(struct storage_store *store, const char *diff_id);
/* Create a staging directory for a layer; returns an fd of its diff/ dir. */
int storage_layer_begin(struct storage_store *store, const char *diff_id, char **ret_staging,
			int *ret_difffd, struct engine_error **err);
/* Make a staged layer visible: layer.json written, then an atomic rename.
 * When another process finished the same layer first, the staged copy is
 * removed and that one is used. */
int storage_layer_commit(struct storage_store *store, const char *diff_id, const char *staging,
			 const char *compressed_digest, uint64_t size, struct engine_error **err);
void storage_layer_abort(struct storage_store *store, const char *staging);
/* Remove staging directories whose owner process is gone. */
void storage_layer_cleanup_stale(struct storage_store *store);
/* Uncompressed size recorded for a complete layer, 0 when unknown. */
int64_t storage_layer_size(struct storage_store *store, const char *diff_id);
int storage_layer_remove(struct storage_store *store, const char *diff_id, struct engine_error **err);

/* Compressed blobs.  begin returns a writable fd on a temp file; commit
 * renames it to blobs/ALG/HEX (the caller has verified the digest). */
int storage_blob_begin(struct storage_store *store, const char *digest, char **ret_tmp,
		       struct engine_error **err);
int storage_blob_commit(struct storage_store *store, const char *digest, const char *tmp,
			struct engine_error **err);
void storage_blob_abort(struct storage_store *store, const char *tmp);
bool storage_blob_exists(struct storage_store *store, const char *digest);
/* Open a stored blob for reading. */
int storage_blob_open(struct storage_store *store, const char *digest, struct engine_error **err);
/* Compressed digest recorded for a layer ("" when unknown). */
int storage_layer_digest(struct storage_store *store, const char *diff_id, char *out, size_t size);
/* A temp file among the blobs whose digest is not known yet (an archive
 * member being spooled by load, a layer being compressed by import):
 * blobs/sha256/.tmp-N-PID, so storage_layer_cleanup_stale removes it once
 * PID is gone.  Commit it with storage_blob_commit after checking its
 * digest, or drop it with storage_blob_abort. */
int storage_blob_tmp(struct storage_store *store, char **ret_tmp, struct engine_error **err);
/* Remove a stored blob (a load that failed after committing it). */
void storage_blob_remove(struct storage_store *store, const char *digest);

/* A running container's claim on its image: containers/ID/image holds
 * "IMAGE_ID PID", PID being the engine process that runs it (until the
 * container store of records containers for good). */
int storage_container_claim(struct storage_store *store, const char *container_id,
			    const char *image_id, struct engine_error **err);
/* The same claim taken over by another process (the monitor of a recorded
 * container,), without fsync: only the PID changes, and a crash
 * kills that process anyway; the record (config.json) keeps the image. */
int storage_container_reclaim(struct storage_store *store, const char *container_id,
			      const char *image_id, struct engine_error **err);
/* Whether a container uses IMAGE_ID: 1 a running one (its claim's process
 * lives), 2 a recorded one that is not running (containers/ID/config.json),
 * 0 none; *ret_container gets its id (a running one first). */
int storage_image_in_use(struct storage_store *store, const char *image_id, char ret_container[65]);

/* Image records. */
struct storage_image {
	char id[65];           /* config digest hex */
	char *manifest_digest; /* "sha256:..." of the manifest as pulled */
	char **names;          /* references pointing at it */
	size_t n_names;
	char **diff_ids;
	size_t n_layers;
	int64_t created;       /* seconds since the epoch, from the config */
	int64_t size;          /* uncompressed bytes of all layers */
	json_t *config;        /* the parsed image config */
};
void storage_image_free(struct storage_image *image);

/* Store an image (manifest and config bytes as pulled) and point NAME at it,
 * moving NAME away from any image that had it.  Takes the store lock. */
int storage_image_put(struct storage_store *store, const char *manifest, size_t manifest_len,
		      const char *manifest_digest, const char *config, size_t config_len,
		      const char *config_digest, char **diff_ids, size_t n_layers, int64_t size,
		      const char *name, struct engine_error **err);
/* Look up by full or unique-prefix id, "sha256:ID", or a name. */
int storage_image_get(struct storage_store *store, const char *what, struct storage_image **ret,
		      struct engine_error **err);
/* All images, newest first. */
int storage_image_list(struct storage_store *store, struct storage_image ***ret, size_t *ret_n,
		       struct engine_error **err);
/* Point NAME at image ID. */
int storage_image_tag(struct storage_store *store, const char *id, const char *name,
		      struct engine_error **err);
/* How many of IMG's names are left once NAME is removed, as Docker counts
 * them: a tag takes with it its repository's digest names when no other tag
 * of that repository is left.  RET_GOES (IMG's n_names entries, or NULL)
 * says which names go. */
size_t storage_image_untag_plan(const struct storage_image *img, const char *name, bool *ret_goes);
/* Remove NAME (and the names it takes, storage_image_untag_plan); when no
 * name is left, or WHAT is the image's ID (several names then need FORCE),
 * remove the record and return the diff_ids no other image uses in
 * *ret_unused (for the caller to delete inside the user namespace). */
int storage_image_untag_or_remove(struct storage_store *store, const char *what, bool force,
				  char ***ret_untagged, size_t *ret_n_untagged, char **ret_removed_id,
				  char ***ret_unused_layers, size_t *ret_n_unused,
				  struct engine_error **err);
/* Raw bytes of an image's manifest or config ("manifest" / "config"). */
int storage_image_read_blob(struct storage_store *store, const char *id, const char *which,
			    char **ret_buf, size_t *ret_len, struct engine_error **err);
