/* vfs.h: the vfs driver's images.  With no mount to stack layers, each
 * image gets one flattened root, built at pull time by applying its
 * layers in order (ROOT/vfs/CHAIN, CHAIN the OCI chain id of its
 * diff_ids, so images with the same layers share it), and each container
 * a full copy of that root (storage_copy_tree) as its writable root.
 *
 * The cost, paid for working where no overlay mounts: disk, one full
 * root per image on top of its layers, plus one per running container
 * (shared blocks where the file system reflinks: btrfs, XFS); time, a
 * copy of the whole image at every `run` (about a second per 100 MB on
 * ext4).
 *
 *   ROOT/vfs/HEX/            a complete flattened root
 *   ROOT/vfs/.tmp-HEX-PID/   one being built (renamed into place at the end)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "storage/digest.h"
#include "common/error.h"
#include "storage/store.h"

/* The chain id of N diff_ids (bottom first): sha256:... */
int storage_vfs_chain_id(char *const *diff_ids, size_t n, char out[STORAGE_DIGEST_MAX]);
/* ROOT/vfs/HEX for these layers (malloc'd), NULL when out of memory. */
char *storage_vfs_root_path(const char *root, char *const *diff_ids, size_t n);
bool storage_vfs_exists(const char *root, char *const *diff_ids, size_t n);
/* Build the flattened root of these layers unless it exists.  Concurrent
 * builds of one chain both succeed (the loser's copy is dropped). */
int storage_vfs_build(struct storage_store *store, char *const *diff_ids, size_t n,
		      struct engine_error **err);
/* Remove flattened roots no image uses any more, and builds whose process
 * is gone.  Runs after an image is removed. */
int storage_vfs_prune(struct storage_store *store, struct engine_error **err);
