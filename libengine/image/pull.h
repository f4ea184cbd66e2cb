/* pull.h: pull an image from a registry into the store (pull.c), its
 * layers unpacked in the user namespace helper, with progress events for
 * the face to show. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/driver.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/registries-conf.h"

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
	enum storage_driver driver; /* vfs: also build the image's flattened root */
	/* registries.conf (NULL: none): mirrors tried first, blocked
	 * registries refused, insecure ones allowed plain HTTP. */
	const struct storage_registries_conf *registries;
	engine_pull_progress_fn progress;
	void *progress_data;
};

/* Pull REFERENCE into the store at ROOT, working inside a user namespace
 * mapped by MAP.  *ret_name (optional) gets the normalised name. */
int engine_image_pull(const char *root, const struct engine_idmap *map, const char *reference,
		      const struct engine_pull_options *opts, char **ret_name,
		      struct engine_error **err);
