/* unpack.h: the one set of layer-unpack options that every way an
 * image enters the store (pull, load, import, commit) uses. */
#pragma once

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/unpack.h"

/* Fill *RET with the options a layer of an image is unpacked with under
 * MAP: overlay whiteouts (user.* xattrs rootless), owners within the
 * mapping, and the bound on a layer's uncompressed size.  Run it in the
 * calling process, before the user-namespace helper forks: it reads
 * ENGINE_MAX_LAYER_SIZE, and a bad value fails here, by name. */
int engine_image_unpack_options(const struct engine_idmap *map, struct storage_unpack_options *ret,
				struct engine_error **err);
