/* lifecycle.h: the stopping half of a container's life, one call per
 * operation: stop, kill, restart, wait, pause and unpause.  Each takes the
 * engine handle and a container's name, ID or unique ID prefix, so that a
 * face (the CLI, an API server, a unit generator) never touches the store,
 * a pid or a cgroup file itself.  Signals and waits go through pidfds
 * (lifecycle.c says why and what happens where the kernel has none). */
#pragma once

#include <stdbool.h>
#include <stddef.h> /* engine.h uses NULL without it */

#include "libengine/engine.h"
#include "common/error.h"

struct engine_container;

struct engine_stop_options {
	int signal;    /* 0: the container's own stop signal, else SIGTERM */
	int timeout_s; /* -1: the container's own stop timeout, else 10 */
};

/* Send the stop signal, wait up to the timeout for the container to exit,
 * then SIGKILL it.  The restart policy does not undo a stop, and a stop
 * during the policy's delay ends it.  A container that is not running is
 * left as it is: that is not an error. */
int engine_container_stop(struct engine *e, const char *what, const struct engine_stop_options *o,
			  struct engine_error **err);

/* Send SIGNAL to the container's init (or through its monitor, where the
 * init is not ours to signal).  SIGKILL and SIGTERM count as a stop for
 * the restart policy, as Docker's kill.  ESRCH when it is not running. */
int engine_container_kill(struct engine *e, const char *what, int signal,
			  struct engine_error **err);

struct engine_restart_options {
	int timeout_s; /* as engine_stop_options */
};

/* engine_container_stop with O's timeout and the container's own signal,
 * then engine_container_start. */
int engine_container_restart(struct engine *e, const char *what,
			     const struct engine_restart_options *o, struct engine_error **err);

struct engine_wait_options {
	int timeout_ms; /* -1: as long as it runs */
};

/* Wait until the container's monitor has exited (it records the exit
 * first) and set *RET_EXIT_CODE to the recorded exit code:
 * ENGINE_EXIT_UNKNOWN where nobody recorded one (the monitor was killed,
 * or could not write its state), 0 where the record went with the exit
 * (--rm).  ETIMEDOUT after O->timeout_ms.  O may be NULL. */
int engine_container_wait(struct engine *e, const char *what, const struct engine_wait_options *o,
			  int *ret_exit_code, struct engine_error **err);

/* Freeze (thaw) a running container: its recorded cgroup through the
 * cgroup ops, or for a container started without one, its init's cgroup
 * v2 when that is the container's alone and writable.  A container that
 * is not running is refused with Docker's words; a freezer that cannot be
 * used fails with why, prefixed "pause WHAT" ("unpause WHAT"), with the
 * engine's exit code. */
int engine_container_pause(struct engine *e, const char *what, struct engine_error **err);
int engine_container_unpause(struct engine *e, const char *what, struct engine_error **err);

/* --- on a container already read (attach, logs) --- */

/* Its monitor runs (the same process as recorded, not a reused pid). */
bool engine_container_monitor_alive(const struct engine_container *c);
/* Wait up to TIMEOUT_MS (-1: forever) for its monitor to exit; true if it
 * has. */
bool engine_container_wait_monitor(const struct engine_container *c, int timeout_ms);
/* Signal its init, or its monitor where the init runs as a subordinate uid
 * we may not signal (the monitor forwards what it can; SIGKILL to the
 * monitor takes the container with it).  0, or -errno when neither can be
 * signalled (-ESRCH when it is not running). */
int engine_container_signal(const struct engine_container *c, int signal);
