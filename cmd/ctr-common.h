/* ctr-common.h: helpers of the container commands (cmd/ctr-common.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/cmd.h"
#include "libengine/container/containers.h"
#include "libengine/engine.h"
#include "cmd/flags.h"

struct storage_store *cmd_open_store(const struct cmd_global *g, struct engine_error **err);
/* The container NAME names (a name, an ID or its prefix), read from the
 * store and the store closed again; NULL with its error printed and the
 * exit code in *RET_RC (1 for no such container, as Docker's). */
struct engine_container *cmd_container_lookup(const struct cmd_global *g, const char *name,
					      int *ret_rc);
/* What the commands that write images (pull, load, import) need first:
 * the id map the store's files are owned through (its warning printed,
 * when it has one) and the store's location. */
struct engine_idmap;
int cmd_image_writer(const struct cmd_global *g, struct engine_idmap *map, char **ret_root,
		     struct engine_error **err);
/* The image reference TEXT in its full form ("docker.io/library/x:latest"),
 * or with NAME_ONLY its repository alone (malloc'd in *RET). */
int cmd_reference_full(const char *text, bool name_only, char **ret, struct engine_error **err);
/* The library's handle on the store --root names, with the global settings
 * (--cgroup-manager) that its calls honour. */
struct engine *cmd_open_engine(const struct cmd_global *g, struct engine_error **err);
/* Report ERR and return 1: Docker's CLI exits 1 for what its daemon
 * refused (no such container, not running); scripts test for it. */
int cmd_report_1(struct engine_error **err);
void cmd_sleep_ms(int ms);
/* engine_container_monitor_alive and engine_container_signal (lifecycle.h),
 * for attach and logs. */
bool cmd_monitor_alive(const struct engine_container *c);
int cmd_signal_container(const struct engine_container *c, int sig);
/* RFC 3339 with nanoseconds, as Docker's JSON shows times. */
void cmd_time_nano(int64_t ns, char *out, size_t size);
/* argv joined with spaces (malloc'd). */
char *cmd_join_command(char *const *argv);
/* For each container named in ARGV[0..ARGC): FN(engine, name, data);
 * print the name when FN succeeds, report the error (exit code 1) when it
 * fails, as Docker's stop, kill and pause do.  Returns 0 when every one
 * succeeded, else 1 (or 125 when the store cannot be opened). */
int cmd_each_container(const struct cmd_global *g, int argc, char **argv,
		       int (*fn)(struct engine *e, const char *name, void *data,
				 struct engine_error **err),
		       void *data);

/* Remove what killed commands left in STORE (engine_store_sweep); a
 * failure is a warning: the command goes on. */
void cmd_sweep_store(struct storage_store *store);

