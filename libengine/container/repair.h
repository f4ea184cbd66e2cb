/* repair.h: what killed or failed commands leave in the store,
 * found and removed (repair.c). */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/store.h"

/* Whether containers/ID (below CONTAINERS_FD) is an orphan: no record
 * (config.json), and no live owner: its image claim names a process that
 * is gone, or, without a claim, nothing has touched it for a minute (a
 * create is never that slow between mkdir and its claim or record). */
bool engine_container_orphaned(int containers_fd, const char *id);

/* Kill the monitor and init that containers/ID/state.json names, if they
 * still run (the same processes: pid and start time), and wait a few
 * seconds for the monitor to be gone. */
void engine_container_kill_recorded(struct storage_store *store, const char *id);

/* rm -f of what engine_container_get cannot read: WHAT as a full ID, a
 * name (container-names/NAME, whatever it points to) or a unique ID
 * prefix of a directory under containers/, with or without a readable
 * record.  ENOENT with Docker's "No such container: X" otherwise. */
int engine_container_resolve_any(struct storage_store *store, const char *what, char ret_id[65],
				 struct engine_error **err);

/* Remove container ID however damaged its record (unreadable, truncated,
 * oversized, missing config.json, garbage state.json): a monitor that
 * state.json names and that still runs is killed first (its container
 * dies with it), then containers/ID goes (inside the user namespace MAP,
 * which its files may need), every name that points to ID, and
 * RUN_ROOT/containers/ID (NULL: the default run root).  The image claim
 * goes with the directory. */
int engine_container_remove_damaged(struct storage_store *store, const struct engine_idmap *map,
				    const char *run_root, const char *id, struct engine_error **err);

/* RUN_ROOT/containers/ID (the attach socket's directory); NULL or "": the
 * default run root.  Gone already is success. */
int engine_container_run_dir_remove(const char *run_root, const char *id, struct engine_error **err);

/* Remove what dead processes left: orphaned containers/ID directories
 * (engine_container_orphaned: a killed create or foreground run, its
 * writable layer included), names that point at no record (under the
 * store lock), and volumes/.rm-NAME-PID whose PID is gone (a killed
 * volume rm).  Removal runs inside the user namespace MAP.  Returns how
 * many went, or -1 with ERR (what could be removed is). */
int engine_store_sweep(struct storage_store *store, const struct engine_idmap *map,
		       struct engine_error **err);
