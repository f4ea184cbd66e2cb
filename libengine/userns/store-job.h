/* store-job.h: work on the image store that must run inside the user
 * namespace (unpacking layers so their owners land on subordinate ids,
 * removing such trees, building vfs roots), run by the helper, which
 * opens the store there and reports what failed back to the caller. */
#pragma once

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/store.h"

/* Runs in the helper on the store it opened; 0 or -1 with *ERR set. */
typedef int (*engine_store_job_fn)(struct storage_store *store, void *data,
				   struct engine_error **err);

/* Opens the store at ROOT in MAP's user namespace and runs FN there:
 * 0 when it returned 0, -1 with its error otherwise. */
int engine_userns_store_job(const char *root, const struct engine_idmap *map,
			    engine_store_job_fn fn, void *data, struct engine_error **err);
