/* size.h: how much a container wrote (size.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "libengine/runtime/spec.h"
#include "libengine/userns/idmap.h"

struct engine_container;

/* ps -s: the bytes in each container's
 * writable layer (vfs: its copy's size less the image root's), measured
 * inside the user namespace. */
int engine_container_sizes(const char *store_root, const struct engine_idmap *map,
			   struct engine_container *const *containers, size_t n, int64_t *ret_sizes,
			   struct engine_error **err);
