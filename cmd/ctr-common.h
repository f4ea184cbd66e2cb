/* ctr-common.h: helpers of the container commands (cmd/ctr-common.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "containers.h"
#include "engine.h"
#include "flags.h"

struct storage_store *cmd_open_store(const struct cmd_global *g, struct engine_error **err);
/* The library's handle on the store --root names, with the global settings
 * (--cgroup-manager) that its calls honour. */
struct engine *cmd_open_engine(const struct cmd_global *g, struct engine_error **err);
/* Report ERR and return 1: Docker's CLI exits 1 for what its daemon
 * refused (no such container, not running); scripts test for it. */
int cmd_report_1(struct engine_error **err);
void cmd_sleep_ms(int ms);
bool cmd_monitor_alive(const struct engine_container *c);
/* Wait up to TIMEOUT_MS (-1: forever) for the monitor to exit; true if it did. */
bool cmd_wait_monitor(const struct engine_container *c, int timeout_ms);
/* Signal the container's init (or its monitor); -errno when neither can be. */
int cmd_signal_container(const struct engine_container *c, int sig);
/* RFC 3339 with nanoseconds, as Docker's JSON shows times. */
void cmd_time_nano(int64_t ns, char *out, size_t size);
/* argv joined with spaces (malloc'd). */
char *cmd_join_command(char *const *argv);
/* For each of ARGV[0..ARGC): FN(store, arg); print the argument when FN
 * succeeds, report the error (exit code 1) when it fails.  Returns 0 when
 * every one succeeded, else 1 (or 125 when the store cannot be opened). */
int cmd_each_container(const struct cmd_global *g, int argc, char **argv,
		       int (*fn)(struct storage_store *store, const char *what, void *data,
				 struct engine_error **err),
		       void *data);

/* Remove what killed commands left in STORE (engine_store_sweep); a
 * failure is a warning: the command goes on. */
void cmd_sweep_store(struct storage_store *store);

/* Shared between the commands: stop (stop.c), restart. */
int cmd_stop_one(struct storage_store *store, const char *what, int sig, int timeout,
		 struct engine_error **err);

/* For commands whose only flag is -h/--help: print USAGE for it, refuse
 * any other flag, and check that MIN..MAX arguments follow (MAX < 0: no
 * limit), with Docker's message ("engine diff" requires exactly 1
 * argument).  True when the command goes on with argv[optind..]; false
 * when it is done, with its exit code in *ret_rc.  Flags may follow the
 * arguments... */
bool cmd_args_simple(int argc, char **argv, const char *usage, int min, int max, int *ret_rc);
/* ...or, with CMD_FLAGS_FIRST, the first argument ends them, for the
 * commands whose arguments end with another program's (unshare, top). */
bool cmd_args_simple_ordered(int argc, char **argv, const char *usage, int min, int max,
			     enum cmd_flag_order order, int *ret_rc);
