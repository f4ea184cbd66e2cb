/* containers.h: the container store, next to the image store:
 *
 *   ROOT/containers/ID/config.json   what to run (the run spec), written once
 *   ROOT/containers/ID/state.json    created/running/exited, pids, times,
 *                                    exit code; replaced atomically
 *   ROOT/containers/ID/ctr.log       output in k8s-file format (monitor.c)
 *   ROOT/containers/ID/lock          fcntl lock: one writer of the state
 *   ROOT/container-names/NAME        the ID owning NAME, created O_EXCL
 *                                    under the store lock: names are unique
 *
 * A directory under containers/ without config.json is a foreground run
 * (not recorded yet) and is not listed.  State is reconciled on every read:
 * a "running" record whose monitor is gone, or whose pid now belongs to
 * another process (start time differs), reads as exited. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "libengine/container/names.h" /* engine_container_name_check, which callers of get use */
#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "common/proc.h" /* engine_pid_alive_since, which the callers pair with a record */
#include "libengine/runtime/spec.h"
#include "storage/store.h"

/* Declared beside their own files, wanted by most callers of these. */
#include "libengine/container/size.h"
#include "libengine/monitor/monitor.h"
#include "libengine/store-reset.h"

enum engine_container_status {
	ENGINE_CONTAINER_CREATED,
	ENGINE_CONTAINER_RUNNING,
	ENGINE_CONTAINER_EXITED,
	ENGINE_CONTAINER_RESTARTING, /* exited, the restart policy starts it again soon */
};

/* exit_code of an exit nobody recorded: a running record whose monitor
 * is gone (killed, or it could not write state.json on a full store). */
#define ENGINE_EXIT_UNKNOWN (-1)

struct engine_container_state {
	enum engine_container_status status;
	pid_t pid;                  /* the container's init, host pid */
	uint64_t pid_start;         /* its start time (/proc/PID/stat field 22) */
	pid_t monitor_pid;
	uint64_t monitor_start;
	int exit_code;
	int64_t started_ns, finished_ns; /* ns since the epoch, 0 = never */
	bool removing;              /* --rm: the monitor removes it at exit */
	int restart_count;          /* restarts by the policy since the last start */
	/* the running container's cgroup ("" when none) and
	 * whether its last run ended in an OOM kill. */
	char cgroup_manager[16];
	char cgroup_path[512];
	char cgroup_unit[128];
	bool oom_killed;
};

/* A container's record (record.h): config.json's members and
 * state.json's, typed. */
struct engine_container {
	char id[65];
	char *name;
	char *image;     /* as the user named it ("" for --rootfs) */
	char *image_id;  /* config digest hex, "" for --rootfs */
	char **argv;     /* spec.argv: the command as it runs (entrypoint + cmd) */
	int64_t created_ns;
	struct engine_container_state state;
	/* What to run, as config.json's "Spec" recorded it.  A summary (the
	 * listings for ps) holds only the fields ps shows. */
	struct engine_run_spec spec;
	bool summary;
	int record_version;              /* the format it was read in */
	struct engine_error *record_error; /* a value it could not read */
};

void engine_container_free(struct engine_container *c);


/* Whether SPEC's record fits the bound every reader applies (1 MiB):
 * E2BIG with one line when it does not.  engine_container_create checks
 * it before it creates anything. */
int engine_container_record_check(const struct engine_run_spec *spec, const char *image_id,
				  struct engine_error **err);
/* Record SPEC as a new container (status created) with NAME, or a generated
 * name when NAME is NULL; *ret_name gets the name used (malloc'd).  A name
 * taken already fails with EEXIST and Docker's message. */
int engine_container_create(struct storage_store *store, const struct engine_run_spec *spec,
			    const char *name, const char *image_id, char **ret_name,
			    struct engine_error **err);

/* Find by full ID, name, or unique ID prefix: "No such container: X". */
int engine_container_get(struct storage_store *store, const char *what,
			 struct engine_container **ret, struct engine_error **err);
/* Every recorded container, newest first. */
int engine_container_list(struct storage_store *store, struct engine_container ***ret,
			  size_t *ret_n, struct engine_error **err);
/* For ps: the same; with RUNNING_ONLY the running ones, without reading
 * the others' config.json (ps without -a).  Each is a summary: c->spec
 * holds only the fields ps shows (the summary fields of the record's
 * table, record.c); engine_container_spec() needs the record
 * from engine_container_get() or engine_container_list(). */
int engine_container_list_running(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n,
				  struct engine_error **err);

/* ps -a: as engine_container_list_running, and *RET_ORPHANS counts the
 * directories of containers/ that failed to load and are orphans
 * (engine_container_orphaned, repair.h): engine_store_sweep
 * removes them. */
int engine_container_list_summary(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
				  struct engine_error **err);

/* Replace state.json (the caller holds the container lock). */
int engine_container_state_write(const char *store_root, const char *id,
				 const struct engine_container_state *state,
				 struct engine_error **err);
/* The same without fsync: for "running", which a crash
 * makes moot (reconcile() reads a record whose monitor is gone as exited;
 * an unreadable state.json reads as created). */
int engine_container_state_write_nosync(const char *store_root, const char *id,
					const struct engine_container_state *state,
					struct engine_error **err);
/* Take the container's lock (exclusive, blocking); returns the fd to close. */
int engine_container_lock(const char *store_root, const char *id, struct engine_error **err);

/* labels: SPEC's labels as a JSON object {"k":"v"} (new ref). */
json_t *engine_labels_json(const struct engine_run_spec *spec);

/* A copy of the recorded run spec, the caller's to free (for start):
 * EINVAL for a summary, or a record with a value it could not read. */
int engine_container_spec(const struct engine_container *c, struct engine_run_spec *spec,
			  struct engine_error **err);

/* Drop the record: the name, then the directory (whose writable layer the
 * caller has removed already, from inside the user namespace). */
int engine_container_forget(struct storage_store *store, const char *id, const char *name,
			    struct engine_error **err);

int64_t engine_now_ns(void);

/* rename: move the container's name to NEW_NAME under the
 * store lock (config.json replaced atomically, the old name freed).  A name
 * in use fails with EEXIST and Docker's message. */
int engine_container_rename(struct storage_store *store, const char *what, const char *new_name,
			    struct engine_error **err);

/* `update`: record SPEC's limit flags (cg_*) in C's
 * config.json (and C->spec), so that the next start keeps them. */
int engine_container_update_limits(struct storage_store *store, struct engine_container *c,
				   const struct engine_run_spec *spec, struct engine_error **err);
