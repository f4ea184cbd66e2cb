/* monitor.h: start a container under its monitor, resume one, reach
 * its attach socket (monitor.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "libengine/runtime/spec.h"
#include "libengine/userns/idmap.h"

/* Start the container recorded as SPEC->id under its own monitor
 * (monitor.c): returns once its command runs (0), or with the error that
 * kept it from starting.  The monitor outlives the caller. */
int engine_monitor_start(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 const char *name, struct engine_error **err);
/* The monitor.  Before stop, kill or rm -f signal the
 * container: tell its monitor not to restart it (a marker file next to
 * state.json, removed when a new monitor starts). */
int engine_container_stop_request(const char *store_root, const char *id,
				  struct engine_error **err);
/* Start as engine_monitor_start, with ATTACH_FD (one end of a socketpair,
 * or -1) as the monitor's first attach client, connected before the
 * command runs so that none of its output is missed (start -a). */
int engine_monitor_start_attached(const struct engine_run_spec *spec,
				  const struct engine_idmap *map, const char *name, int attach_fd,
				  struct engine_error **err);
/* engine-monitor (watch.c) watched a run of a container with a
 * restart policy to its exit and exec'd `engine __monitor-resume`: carry
 * on as its monitor (same process) from that exit.  Returns the monitor's
 * exit status. */
struct engine_monitor_resume {
	int exit_code;
	int64_t started_ns, finished_ns;
	int delay_ms, restart_count;
	int adir, listen_fd; /* the attach socket's directory and socket */
	int clients[16];
	size_t n_clients;
};
int engine_monitor_resume(const struct engine_run_spec *spec, const struct engine_idmap *map,
			  const char *name, const struct engine_monitor_resume *resume);
/* The attach socket's directory (RUNROOT/containers/ID) as an O_PATH fd,
 * for connecting through /proc/self/fd/N/attach (sun_path is short). */
int engine_attach_dir_open(const char *run_root, const char *id, bool create,
			   struct engine_error **err);

/* Run the recorded container SPEC->id in the foreground (run --name): the
 * caller is its monitor; the record stays after the exit unless --rm. */
int engine_container_run_recorded(const struct engine_run_spec *spec,
				  const struct engine_idmap *map, const char *name,
				  int *ret_exit_code, struct engine_error **err);
