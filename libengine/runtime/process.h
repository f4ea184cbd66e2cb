/* process.h: what every process we start inside a container shares,
 * whether it is the container's command (container.c) or one started in a
 * running container by exec (exec.c): the PATH lookup that tells "not
 * found" from "cannot invoke", and the environment with its defaults.
 * And the processes a running container has (`top`). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "libengine/runtime/passwd.h"
#include "libengine/runtime/spec.h"

/* Search PATH_ENV (NULL: the default PATH) for NAME the way execvp would,
 * in the caller's root, and write the path to OUT.  Fails with exit code
 * 127 (not found) or 126 (found, but a directory or not executable), as
 * Docker tells them apart. */
int engine_process_find_executable(const char *name, const char *path_env, char *out, size_t size,
				   struct engine_error **err);

/* SPEC's environment with the defaults Docker adds: PATH when unset,
 * HOSTNAME, HOME from CREDS when unset, TERM=xterm with a tty, and
 * container=engine.  NULL-terminated; the array is malloc'd (free it, not
 * its strings: some point into SPEC); NULL when out of memory. */
char **engine_process_build_env(const struct engine_run_spec *spec, const struct engine_creds *creds,
				const char *hostname);

/* The value of PATH in ENV ("KEY=VALUE" strings), NULL when unset. */
const char *engine_process_env_path(char *const *env);
/* Every signal back to its default disposition and an empty mask, as a
 * process starting in a container must have them, whatever the CLI had. */
void engine_process_reset_signals(void);

/* A wait status as the exit code Docker reports: the code, or 128+N for
 * signal N. */
int engine_process_exit_code(int status);
/* Copy what one read() of FROM gives to TO (waiting while TO is full);
 * false at EOF or a read error.  A reader of TO gone away (EPIPE) is not
 * the end of FROM: its output is dropped. */
bool engine_fd_relay(int from, int to);

/* One process of a running container, as `top` shows it (host view). */
struct engine_process_info {
	pid_t pid, ppid;     /* host pids */
	uid_t uid;           /* effective uid, host */
	unsigned int tty_nr; /* /proc/PID/stat's, 0 = none */
	unsigned long long start_ticks; /* since boot, in clock ticks */
	unsigned long long cpu_ticks;   /* user + system */
	char *cmd;           /* the command line, or "[comm]" for a kernel-made one */
};

/* The processes whose PID namespace is that of INIT (started at
 * INIT_START: checked, so a reused pid lists nothing of another's), by
 * scanning /proc, sorted by pid.  Processes that end during the scan are
 * left out. */
int engine_process_list(pid_t init, unsigned long long init_start,
			struct engine_process_info **ret, size_t *ret_n, struct engine_error **err);
void engine_process_list_free(struct engine_process_info *list, size_t n);
