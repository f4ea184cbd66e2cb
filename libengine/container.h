/* container.h: run a container process in the foreground. */
#pragma once

#include "error.h"
#include "idmap.h"
#include "spec.h"

/* Create the namespaces, map ids, set up the rootfs and run spec->argv.
 * Blocks until the container's init exits; *ret_exit_code is its status
 * (128+N when killed by signal N).  Errors before the command starts come
 * back in *err with exit_code 125 (engine), 126 (cannot invoke) or 127
 * (not found). */
int engine_container_run(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 int *ret_exit_code, struct engine_error **err);
