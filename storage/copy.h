/* copy.h: cp -a for the vfs driver, and applying an unpacked layer onto a
 * flattened root.  Runs in the calling process: for rootless users that is
 * a process inside the user namespace, so owners (subordinate ids) can be
 * set; storage never enters a namespace itself. */
#pragma once

#include "common/error.h"

enum storage_copy_mode {
	/* DST is empty: copy everything (cp -a). */
	STORAGE_COPY_TREE,
	/* SRC is an unpacked layer in the overlay format (0/0 character
	 * device whiteouts, opaque directories marked by user.overlay.opaque,
	 * trusted.overlay.opaque or user.fuseoverlayfs.opaque) and DST the
	 * root built from the layers below: whiteouts delete, an opaque
	 * directory replaces, a directory over a directory merges, anything
	 * else replaces.  What overlay shows, made real. */
	STORAGE_COPY_APPLY_LAYER,
};

/* Copy the tree below SRC_DIRFD into DST_DIRFD, and the root directory's
 * owner, mode, times and xattrs onto DST_DIRFD.  Preserves owners, modes
 * (setuid included), times, xattrs (not overlay control ones), hardlinks
 * within the tree, symlinks, fifos and sockets; device nodes only where
 * mknod is allowed (real root).  File data is reflinked when the file
 * system can (FICLONE), else copied in the kernel (copy_file_range), else
 * read and written.  Never follows a symlink; at most
 * STORAGE_COPY_MAX_DEPTH levels (two fds are open per level).  On failure
 * DST is left half-written: the caller removes it. */
#define STORAGE_COPY_MAX_DEPTH 400
int storage_copy_tree(int src_dirfd, int dst_dirfd, enum storage_copy_mode mode,
		      struct engine_error **err);
