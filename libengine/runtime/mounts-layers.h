/* mounts-layers.h: the root of a container from its image's layers
 * (mounts-layers.c). */
#pragma once

#include "common/error.h"
#include "libengine/runtime/mounts.h"

/* The image's layers and the writable layer as the storage driver makes
 * the root (an overlay mount, fuse-overlayfs, or the vfs copy), without
 * the rest of engine_mounts_setup: for cp and export of a stopped
 * container (libengine/userns/ctr-root.c).  *ret_rootfs gets the root's path. */
int engine_mounts_layers(const struct engine_mounts_config *cfg, char **ret_rootfs,
			 struct engine_error **err);
