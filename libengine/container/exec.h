/* exec.h: run another process in a running container (`engine exec`). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libengine/container/containers.h"
#include "common/error.h"

struct engine_exec_options {
	char **argv;       /* the command, NULL-terminated, at least one entry */
	char **env;        /* -e/--env-file entries, "KEY=VALUE", over the container's */
	size_t n_env;
	const char *user;  /* -u; NULL: the container's user */
	const char *workdir; /* -w; NULL: the container's */
	bool interactive;  /* -i: stdin relayed (a pipe, or the pty with -t) */
	bool tty;          /* -t: a pty from the container's devpts */
	bool detach;       /* -d: return once the command runs; no stdio */
	bool privileged;   /* every capability */
};

/* Start OPTS->argv in container C (which must be running: "container NAME
 * is not running", exit code 125 otherwise) with the container's
 * namespaces, capabilities, seccomp filter, no_new_privs, user, env and
 * workdir, as changed by OPTS.  Blocks until the command exits (unless
 * detached); *ret_exit_code is its status, 128+N when killed by signal N.
 * Errors before the command runs carry exit code 125, 126 or 127. */
int engine_exec(const struct engine_container *c, const struct engine_exec_options *opts,
		int *ret_exit_code, struct engine_error **err);
