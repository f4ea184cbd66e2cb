/* image.h: images as the CLI uses them: look up, turn an image config
 * into a run spec, remove (pull: pull.h; push: push.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "storage/driver.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/image-archive.h"
#include "storage/registries-conf.h"
#include "libengine/runtime/spec.h"
#include "storage/store.h"

/* load and import, declared beside their file. */
#include "libengine/image/archive.h"

/* Find an image by the name the user typed (normalised as a reference) or
 * by id / id prefix. */
int engine_image_lookup(struct storage_store *store, const char *what,
			struct storage_image **ret, struct engine_error **err);

/* Fill the spec from the image config: Env (under the user's -e), Cmd and
 * Entrypoint (user's command replaces Cmd; --entrypoint replaces
 * Entrypoint and drops Cmd), WorkingDir, User. */
int engine_spec_apply_image(struct engine_run_spec *spec, const struct storage_image *image,
			    const char *entrypoint, bool entrypoint_set, char **user_cmd,
			    struct engine_error **err);

/* Remove layers (diff_ids) from the store inside the user namespace: their
 * files belong to subordinate ids the caller cannot delete from outside. */
int engine_layers_remove(const char *root, const struct engine_idmap *map, char **diff_ids,
			 size_t n, struct engine_error **err);

/* Remove a container's directory under ROOT/containers inside the user
 * namespace. */
int engine_container_dir_remove(const char *root, const struct engine_idmap *map, const char *id,
				struct engine_error **err);

/* ---- prune and disk usage (image.c) ------------------------------------ */

/* Called per name removed (UNTAGGED) and per image deleted (DELETED,
 * "sha256:HEX"); the other is NULL. */
typedef void (*engine_prune_report_fn)(void *data, const char *untagged, const char *deleted);

/* Remove dangling images (no name), or with ALL every image (no container
 * store keeps images in use yet), and the layers no other image uses.
 * *RET_RECLAIMED: bytes of the layers removed. */
int engine_image_prune(const char *root, const struct engine_idmap *map, bool all,
		       engine_prune_report_fn report, void *report_data, int64_t *ret_reclaimed,
		       struct engine_error **err);

struct engine_disk_usage {
	size_t images, active_images;
	int64_t images_size;  /* every layer once, however many images share it */
	int64_t reclaimable;  /* what removing the unused images would free */
};
int engine_image_disk_usage(const char *root, struct engine_disk_usage *ret,
			    struct engine_error **err);
