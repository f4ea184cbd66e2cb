/* image.h: images as the CLI uses them: pull (in the user namespace
 * helper), look up, turn an image config into a run spec, remove. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "idmap.h"
#include "spec.h"
#include "store.h"

enum engine_pull_event {
	ENGINE_PULL_RESOLVED,   /* manifest chosen: detail = its digest */
	ENGINE_PULL_LAYER_SKIP, /* layer already in the store */
	ENGINE_PULL_LAYER_PROGRESS,
	ENGINE_PULL_LAYER_DONE,
	ENGINE_PULL_STORED, /* image record written: detail = image id */
};

/* Called from the pull's threads (serialise inside when printing). */
typedef void (*engine_pull_progress_fn)(void *userdata, enum engine_pull_event event,
					size_t layer, size_t n_layers, const char *detail,
					uint64_t done, uint64_t total);

struct engine_pull_options {
	const char *platform; /* "os/arch[/variant]", NULL = this machine */
	bool tls_verify;      /* false: --tls-verify=false */
	unsigned parallel;    /* concurrent layer downloads, 0 = 3 */
	engine_pull_progress_fn progress;
	void *progress_data;
};

/* Pull REFERENCE into the store at ROOT, working inside a user namespace
 * mapped by MAP.  *ret_name (optional) gets the normalised name. */
int engine_image_pull(const char *root, const struct engine_idmap *map, const char *reference,
		      const struct engine_pull_options *opts, char **ret_name,
		      struct engine_error **err);

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
