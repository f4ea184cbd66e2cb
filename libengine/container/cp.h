/* cp.h: `engine cp` between the host and a container's root, running or
 * stopped, with Docker's rules for where things land. */
#pragma once

#include <stdbool.h>

#include "libengine/container/containers.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"

struct engine_cp_options {
	bool archive; /* -a: keep uid/gid (as the copying side sees them) */
	bool follow;  /* -L: follow a symlink given as the source */
};

/* CONTAINER:SRC -> host DEST (files become the user's). */
int engine_cp_from_container(const struct engine_container *c, const struct engine_idmap *map,
			     const char *src, const char *dest, const struct engine_cp_options *o,
			     struct engine_error **err);
/* host SRC -> CONTAINER:DEST (files become the container's root's). */
int engine_cp_to_container(const struct engine_container *c, const struct engine_idmap *map,
			   const char *src, const char *dest, const struct engine_cp_options *o,
			   struct engine_error **err);
