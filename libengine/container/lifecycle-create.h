/* lifecycle-create.h: the creating half of a container's life, as a face
 * of the product (the CLI, an API server, a unit generator) drives it:
 * create (the image looked up, pulled through the face, claimed and
 * prepared; the container recorded), start, remove.  Each call takes the
 * handle of engine.h and an options struct; none prints.  The stopping
 * half (stop, kill, restart, wait, pause) is lifecycle.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libengine/container/remove.h"
#include "libengine/container/containers.h"
#include "libengine/engine.h"
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"

/* How a face pulls an image that a new container needs: the CLI runs its
 * own helper process, an API server would stream progress.  Pull
 * SPEC->image (for SPEC's platform and TLS settings) into the store at
 * ROOT; 0 when the image is there now, else -1 with ERR. */
typedef int (*engine_pull_fn)(void *data, const char *root, const struct engine_run_spec *spec,
			      struct engine_error **err);

struct engine_create_options {
	/* The user's id mapping (engine_idmap_detect): the trees of
	 * subordinate ids are prepared and removed in its namespace. */
	const struct engine_idmap *map;
	/* Pulls SPEC->image when SPEC->pull_policy asks ("always", or
	 * "missing", the default, and the store lacks it); NULL: a missing
	 * image is an error. */
	engine_pull_fn pull;
	void *pull_data;
	/* Record the container (status created) under SPEC->name or a
	 * generated name.  False: a foreground run that nobody can name,
	 * whose writable layer goes with it. */
	bool record;
};

/* Whether creating SPEC needs the store (an image, a volume, a record, a
 * container whose network it joins), so that the handle of engine.h must
 * be open: a run of a root file system that is not recorded does not
 * touch it. */
bool engine_container_new_needs_store(const struct engine_run_spec *spec, bool record);

/* Create the container SPEC describes: its image looked up (pulled per
 * SPEC->pull_policy through O->pull), its defaults applied to SPEC, its
 * layers claimed so that rmi leaves them; an auto or keep-id user
 * namespace's copy of the image; the published ports chosen; its volumes
 * named and created; then, with O->record, the record, whose name goes in
 * *RET_NAME (malloc'd; may be NULL) and SPEC->recorded_name.  On failure
 * nothing of it stays in the store.  E may be NULL only where
 * engine_container_new_needs_store says so. */
int engine_container_new(struct engine *e, struct engine_run_spec *spec,
			 const struct engine_create_options *o, char **ret_name,
			 struct engine_error **err);

/* Run SPEC, created without a record, in the foreground (the caller is
 * its monitor): its exit code in *RET_EXIT_CODE.  With SPEC->remove its
 * anonymous volumes go after it, as nobody can name it to remove them. */
int engine_container_run_unrecorded(struct engine *e, const struct engine_run_spec *spec,
				    const struct engine_idmap *map, int *ret_exit_code,
				    struct engine_error **err);

/* Find a container by full ID, name or unique ID prefix ("No such
 * container: X"). */
int engine_container_find(struct engine *e, const char *what, struct engine_container **ret,
			  struct engine_error **err);

/* Whether the container was created to read its standard input (its
 * stdin is attached by start -a). */
bool engine_container_interactive(const struct engine_container *c);

struct engine_start_options {
	/* Start with an attach client connected before the command runs, so
	 * that none of its output is missed: its socket in *ret_attach_fd. */
	bool attach;
	/* The size of the face's terminal, for a container with a tty; 0:
	 * none known. */
	unsigned short console_rows, console_cols;
};

/* Start the container WHAT names under a new monitor, as it was recorded;
 * one that runs already is left alone (0).  With O->attach, *RET_ATTACH_FD
 * gets the attach socket (the caller closes it), or -1 when the container
 * runs already (the caller attaches to it as to any running one). */
int engine_container_start(struct engine *e, const char *what,
			   const struct engine_start_options *o, int *ret_attach_fd,
			   struct engine_error **err);

/* Remove the containers WHAT[0..N) names, as engine_containers_remove
 * (remove.h) does: one result each in RESULTS. */
int engine_container_remove(struct engine *e, char *const *what, size_t n,
			    const struct engine_remove_options *o,
			    struct engine_remove_result *results, struct engine_error **err);
/* The same for every recorded container (engine_containers_remove_all). */
int engine_container_remove_all(struct engine *e, const struct engine_remove_options *o,
				struct engine_remove_result **ret_results, size_t *ret_n,
				struct engine_error **err);

/* The monitor of a container with a restart policy watched its run to an
 * exit (engine-monitor, RESUME) and exec'd its face: carry on as the
 * monitor of the container ID in the store O names, from that exit, in
 * this process.  Returns the monitor's exit status (125: the record could
 * not be read). */
int engine_container_resume(const struct engine_options *o, const char *id,
			    const struct engine_monitor_resume *resume);
