/* userns-auto.h: --userns=auto: a slice of the user's subordinate ids per
 * container, and the container's root copied onto it. */
#pragma once

#include <stdint.h>

#include "error.h"
#include "idmap.h"
#include "spec.h"

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
