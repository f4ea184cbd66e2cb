/* auto.h: --userns=auto: a slice of the user's subordinate ids per
 * container, and the container's root copied onto it. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"

/* The default slice: 1024 ids, container 0..1023. */
#define ENGINE_USERNS_AUTO_SIZE 1024

/* For SPEC (an image's layers, SPEC->userns_auto_size ids, 0 = the
 * default): choose a slice no other container of the store holds, record
 * it in STORE_ROOT/containers/ID/userns-auto, and build the container's
 * root there (containers/ID/rootfs) from the layers with every owner moved
 * into the slice.  Sets spec->userns_auto_start and _size.  MAP is the
 * default (subordinate) mapping. */
int engine_userns_auto_prepare(struct engine_run_spec *spec, const struct engine_idmap *map,
			       struct engine_error **err);

/* How engine_userns_copy_image moves owners: an owner X of the image (an
 * id of the default mapping, as the layers hold it) becomes the .host of
 * the line whose .container range holds X (both in the default mapping's
 * ids); an owner no line holds fails with "WHAT: the image has a file
 * owned by U:G, UNMAPPED". */
struct engine_userns_copy {
	const struct engine_idmap_range *uids, *gids;
	size_t n_uids, n_gids;
	const char *what, *unmapped;
};

/* The container's own copy of SPEC's image: its layers applied into
 * STORE_ROOT/containers/ID/rootfs (as vfs applies them), owners moved as
 * HOW says, then rootfs.done, which makes mounts.c use it as a vfs root.
 * Runs in a helper with MAP, the default mapping.  --userns=auto and
 * keep-id (without fuse-overlayfs) use it. */
int engine_userns_copy_image(const struct engine_run_spec *spec, const struct engine_idmap *map,
			     const struct engine_userns_copy *how, struct engine_error **err);
