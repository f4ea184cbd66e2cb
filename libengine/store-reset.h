/* store-reset.h: `system reset` (store-reset.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "libengine/runtime/spec.h"
#include "libengine/userns/idmap.h"

/* system reset : remove the directories DIRS (the
 * store root, the run root) and all they hold, from inside the user
 * namespace when rootless.  No container may be running. */
int engine_store_reset(const struct engine_idmap *map, const char *const *dirs, size_t n,
		       struct engine_error **err);
