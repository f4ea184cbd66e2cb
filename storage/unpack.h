/* unpack.h: turn one image layer (a tar stream, uncompressed, gzip or zstd)
 * into a directory that the kernel overlay, fuse-overlayfs or the vfs driver
 * can use as a layer, computing its diff_id on the way.
 *
 * The layer is untrusted input: nothing it says may create, change or read a
 * file outside the target directory (no "..", no absolute paths, no path
 * through a symlink, no hardlink out of the layer, no overlay control
 * xattrs), and its size is bounded.  Unpacking runs in the calling process:
 * for rootless users that is a process inside the user namespace, so owners
 * land on subordinate ids; storage never enters a namespace itself. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "storage/digest.h"
#include "common/error.h"
#include "storage/remove.h"

/* How whiteouts (".wh.NAME") and opaque markers (".wh..wh..opq") in the tar
 * become something the mount driver understands. */
enum storage_whiteout_format {
	/* Rootless kernel overlay (mounted with userxattr) and fuse-overlayfs:
	 * a whiteout is a 0/0 character device named NAME; an opaque directory
	 * carries user.overlay.opaque=y and user.fuseoverlayfs.opaque=y. */
	STORAGE_WHITEOUT_OVERLAY_USER,
	/* Kernel overlay as real root: 0/0 character devices, and
	 * trusted.overlay.opaque=y on opaque directories. */
	STORAGE_WHITEOUT_OVERLAY_TRUSTED,
	/* vfs: every layer is unpacked into the same directory, so whiteouts are
	 * applied by deleting: ".wh.NAME" removes NAME, ".wh..wh..opq" removes
	 * whatever the directory held that this layer did not put there. */
	STORAGE_WHITEOUT_KEEP,
};

struct storage_unpack_options {
	enum storage_whiteout_format whiteouts;
	/* Device nodes are refused (0/0 whiteout devices excepted): a user
	 * namespace cannot create them, and an image asking for them is
	 * better refused by name than half unpacked. */
	bool rootless;
	/* Bound on the uncompressed tar and on the files' total size (sparse
	 * files count at their full size), 0 = 64 GiB: gzip bombs fail. */
	uint64_t max_bytes;
	/* Container ids 0..mapped_ids-1 exist: an owner outside fails, naming
	 * the entry and the id.  0 = no check. */
	uint64_t mapped_ids;
	/* Single-id mapping: do not chown, everything stays owned by the
	 * caller (container root). */
	bool ignore_chown_errors;
};

#define STORAGE_UNPACK_DEFAULT_MAX_BYTES (64ULL << 30)

/* Unpack the layer read from INPUT_FD (read to its end) into TARGET_DIRFD,
 * an empty directory for the overlay formats, the directory holding the
 * layers below for STORAGE_WHITEOUT_KEEP.  On success fills DIFF_ID with
 * "sha256:<hex>" of the uncompressed tar (every byte, trailing blocks
 * included) and *RET_SIZE (may be NULL) with its length, and returns 0.
 *
 * On failure returns a negative errno with *ERR set to one line naming the
 * entry at fault ("layer: entry ../x escapes the layer"), and the target is
 * left half-written: the caller removes it (storage_remove_tree). */
int storage_unpack_layer(int target_dirfd, int input_fd, const struct storage_unpack_options *opts,
			 char diff_id[STORAGE_DIGEST_MAX], uint64_t *ret_size,
			 struct engine_error **err);

