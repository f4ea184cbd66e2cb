/* storage-driver.h: which storage driver a command uses for a store, and
 * the vfs driver's one step that needs the user namespace at run time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "storage/driver.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"

/* What this host offers, found by trying. */
struct engine_storage_detection {
	bool overlay_in_userns;     /* a kernel overlay mounted in our kind of namespace */
	const char *fuse_overlayfs; /* its path, or NULL */
	bool dev_fuse;              /* /dev/fuse opens */
	enum storage_driver driver; /* overlay, else fuse-overlayfs, else vfs */
};

/* Try a kernel overlay mount (in a user namespace like the containers',
 * with probe directories below PROBE_PARENT), look for fuse-overlayfs and
 * /dev/fuse, and pick in that order. */
void engine_storage_detect(const char *probe_parent, const struct engine_idmap *map,
			   struct engine_storage_detection *ret);

enum {
	/* Write the choice into a store that has no record yet. */
	ENGINE_STORAGE_RECORD = 1 << 0,
};

/* The driver for the store at ROOT, first found of: REQUESTED
 * (--storage-driver, already checked, may be NULL), $STORAGE_DRIVER (as
 * Podman reads it: empty means unset), storage.conf, the store's record,
 * detection (DETECTED when the caller has it, else done here, probing in
 * ROOT).  A store recorded with another family of driver (vfs against
 * overlay or fuse-overlayfs) is refused with one line saying so.
 * *RET_SOURCE (may be NULL) names where the choice came from. */
int engine_storage_driver_resolve(const char *root, const char *requested,
				  const struct engine_idmap *map, unsigned flags,
				  const struct engine_storage_detection *detected,
				  enum storage_driver *ret, const char **ret_source,
				  struct engine_error **err);

/* vfs: build the flattened root of these layers unless it exists (an
 * image stored before the store used vfs, or loaded rather than pulled).
 * Runs the build in the user-namespace helper. */
int engine_vfs_prepare(const char *root, const struct engine_idmap *map, char *const *diff_ids,
		       size_t n, struct engine_error **err);
