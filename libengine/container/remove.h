/* remove.h: removing a set of containers in one call (rm, rm -a,
 * container prune, system prune and reset), see remove.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/store.h"

struct engine_remove_options {
	/* A running (or restarting) container is killed, its monitor waited
	 * for; without it such a container fails with EBUSY and stays. */
	bool force;
	/* Each removed container's anonymous volumes go too, unless a
	 * container that stays uses them (named volumes always stay). */
	bool volumes;
	/* Prune: only what is readable and stopped goes; a running one fails
	 * with EBUSY, a damaged record with the error reading it gave. */
	bool stopped_only;
	/* The run root of damaged records (their own is unreadable); NULL or
	 * "": the default. */
	const char *run_root;
	/* The id mapping whose user namespace the trees of subordinate ids
	 * are removed in; NULL: the user's (engine_idmap_detect). */
	const struct engine_idmap *map;
};

struct engine_remove_result {
	char id[65];              /* the container's full ID; "" when WHAT named none */
	struct engine_error *err; /* NULL: removed */
};

/* Remove the containers WHAT[0..N) names (full ID, name or unique ID
 * prefix each, as engine_container_get finds them; a damaged record as
 * engine_container_resolve_any does, with force or when it is an orphan).
 * RESULTS[i] tells how WHAT[i] went: each failure is its own and the
 * others still go.  A container named twice goes once; the later WHAT
 * gets ENOENT ("No such container").  Every tree whose files belong to
 * subordinate ids goes inside one user-namespace helper for the whole
 * set.  Returns 0, or -1 with ERR when some could not be tried (out of
 * memory, no id mapping): their RESULTS[i].err say so too.  RESULTS[i].err
 * are freed by engine_remove_results_free. */
int engine_containers_remove(struct storage_store *store, char *const *what, size_t n,
			     const struct engine_remove_options *opts,
			     struct engine_remove_result *results, struct engine_error **err);

/* The same for every recorded container, newest first (as ps -a lists
 * them): *RET_RESULTS (N of them, malloc'd) in that order.  Returns -1
 * with ERR and no results when the store cannot be listed. */
int engine_containers_remove_all(struct storage_store *store, const struct engine_remove_options *opts,
				 struct engine_remove_result **ret_results, size_t *ret_n,
				 struct engine_error **err);

void engine_remove_results_free(struct engine_remove_result *results, size_t n);
