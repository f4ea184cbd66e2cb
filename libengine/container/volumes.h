/* volumes.h: named and anonymous volumes as containers use them: giving
 * anonymous ones a name, creating named ones on first use, who uses a
 * volume, and removing one (its files may belong to subordinate ids). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"
#include "storage/store.h"

/* For each volume mount of SPEC: an anonymous one gets a 64-hex name, and
 * every named one is created unless it exists.  Run before the container
 * is recorded, so config.json names the volumes it uses. */
int engine_volumes_prepare(struct storage_store *store, struct engine_run_spec *spec,
			   struct engine_error **err);

/* A recorded container whose mounts name volume NAME: true, with its ID
 * in USER. */
bool engine_volume_in_use(struct storage_store *store, const char *name, char user[65]);

/* Remove volume NAME (already checked not in use): the record goes at
 * once, the data from inside the user namespace when MAP is rootless. */
int engine_volume_remove(struct storage_store *store, const struct engine_idmap *map,
			 const char *name, struct engine_error **err);

/* Bytes under the volume's _data that the caller can see (best effort,
 * for prune's "Total reclaimed space"). */
int64_t engine_volume_size(struct storage_store *store, const char *name);

/* --rm: the container's anonymous volumes go with it (named ones stay), as
 * Docker removes them.  Best effort: a failure is a warning in the log. */
void engine_volumes_remove_anonymous(struct storage_store *store, const struct engine_idmap *map,
				     const struct engine_run_spec *spec);
