/* layer-diff.h: what a container changed in its image (`diff`, `commit`):
 * Docker's A/C/D list, from the overlay upper directory (kernel overlay
 * or fuse-overlayfs whiteouts and opaque markers) or, with vfs, by
 * comparing the container's copy with the image's flattened root. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libengine/container/containers.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"

struct engine_change {
	char kind;    /* 'A' added, 'C' changed, 'D' deleted */
	bool opaque;  /* a directory whose lower contents are hidden */
	char *path;   /* "/etc/x" */
};

struct engine_changes {
	struct engine_change *v;
	size_t n, cap;
	/* Where the container's version of a path is (an 'A' or 'C'):
	 * the upper directory, or the vfs copy; relative paths below it. */
	char *source_dir;
};

void engine_changes_clear(struct engine_changes *ch);

/* In the caller's process, which must see the files as the container
 * does (inside its user namespace): the changes of the container SPEC
 * recorded in the store, sorted by path. */
int engine_layer_changes(const struct engine_run_spec *spec, struct engine_changes *ret,
			 struct engine_error **err);

/* What a caller does with the changes inside the user-namespace helper
 * (they are freed when it returns). */
typedef int (*engine_changes_fn)(const struct engine_changes *ch, void *data,
				 struct engine_error **err);

/* Runs FN on container C's changes in the user-namespace helper: the
 * files are read as the container's owners see them. */
int engine_container_with_changes(const struct engine_container *c, const struct engine_idmap *map,
				  engine_changes_fn fn, void *data, struct engine_error **err);

/* The same for the CLI: runs the walk in the user-namespace helper. */
int engine_container_changes(const struct engine_container *c, const struct engine_idmap *map,
			     struct engine_changes *ret, struct engine_error **err);
