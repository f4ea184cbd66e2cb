/* keep-id.h: --userns=keep-id for an image: the store's layers,
 * made under the default mapping, shown with the image's own owners in
 * keep-id's namespace. */
#pragma once

#include "storage/driver.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"

/* At create, for a keep-id SPEC of an image (MAP the default mapping):
 * with subordinate ids, an overlay store's container is recorded as
 * fuse-overlayfs (which maps owners as it reads) when fuse-overlayfs can
 * run, and otherwise (vfs, or no fuse-overlayfs) the container gets a copy
 * of the image with its owners moved.  Nothing to do without subordinate
 * ids or for --rootfs. */
int engine_userns_keep_id_prepare(struct engine_run_spec *spec, const struct engine_idmap *map,
				  struct engine_error **err);

/* How a keep-id container's layers become its root: the recorded driver,
 * or vfs when it has its own copy. */
enum storage_driver engine_userns_keep_id_driver(const struct engine_run_spec *spec);

/* fuse-overlayfs's "uidmapping=...,gidmapping=..." for a container of MAP
 * (the default mapping) run under KEEP (its keep-id mapping), in *RET
 * (malloc'd); *RET is NULL when no mapping is needed (no subordinate ids:
 * the store holds every file as the user, who is the user inside too). */
int engine_userns_keep_id_fuse_options(const struct engine_idmap *map,
				       const struct engine_idmap *keep, char **ret,
				       struct engine_error **err);
