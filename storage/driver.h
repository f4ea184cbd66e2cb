/* driver.h: which mount driver the layer store uses: the names, the record
 * a store keeps of its driver, and the probe that detects kernel overlay. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum storage_driver {
	STORAGE_DRIVER_NONE = 0,
	STORAGE_DRIVER_OVERLAY,        /* kernel overlay (userxattr rootless) */
	STORAGE_DRIVER_FUSE_OVERLAYFS, /* the same layers, mounted by fuse-overlayfs */
	STORAGE_DRIVER_VFS,            /* no mount: a full copy of the image per container */
};

/* "overlay", "fuse-overlayfs", "vfs" ("" for NONE). */
const char *storage_driver_name(enum storage_driver driver);
/* The driver NAME names, or STORAGE_DRIVER_NONE when it names none. */
enum storage_driver storage_driver_from_name(const char *name);
/* overlay and fuse-overlayfs read the same layers and container
 * directories; vfs keeps full copies.  A store may switch only within one
 * family. */
bool storage_driver_compatible(enum storage_driver a, enum storage_driver b);

/* ROOT/driver: the driver a store was first used with.  read: *ret is NONE
 * when the store has no record yet; a record naming no driver is an error.
 * record: written to a temp file and linked into place, so that of two
 * processes recording at once the first wins; *ret_recorded gets the
 * driver the store holds afterwards (the other one's, when it won). */
int storage_driver_read(const char *root, enum storage_driver *ret, struct engine_error **err);
int storage_driver_record(const char *root, enum storage_driver driver,
			  enum storage_driver *ret_recorded, struct engine_error **err);

/* Try a kernel overlay mount (with userxattr, as rootless needs) of fresh
 * directories below DIR, then undo it.  Must run where the mount would be
 * made: for a rootless user, inside its user and mount namespace.  0 when
 * it works, -1 with *err saying why not. */
int storage_probe_overlay(const char *dir, int userxattr, struct engine_error **err);

/* fuse-overlayfs as we run it: /usr/bin or /usr/local/bin only (never
 * $PATH: the binary runs with the container's ids and capabilities).
 * NULL when neither exists. */
const char *storage_fuse_overlayfs_path(void);
/* /dev/fuse opens read-write here. */
bool storage_dev_fuse_usable(void);
