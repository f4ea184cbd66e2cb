/* ctr-common.c: what the container commands share: the store, the exit
 * code Docker's CLI gives for a refused container, waiting on a monitor,
 * signalling a container, and the loop over CONTAINER arguments. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "container-repair.h"
#include "idmap.h"
#include "cmd.h"
#include "flags.h"
#include "containers.h"
#include "ctr-common.h"
#include "timefmt.h"

struct storage_store *cmd_open_store(const struct cmd_global *g, struct engine_error **err)
{
	cleanup_free char *root = NULL;
	struct storage_store *store = NULL;
	if (cmd_store_root(g, &root, err) < 0 || storage_store_open(root, &store, err) < 0)
		return NULL;
	return store;
}

struct engine *cmd_open_engine(const struct cmd_global *g, struct engine_error **err)
{
	cleanup_free char *root = NULL;
	struct engine *e = NULL;
	if (cmd_store_root(g, &root, err) < 0)
		return NULL;
	struct engine_options o = { .root = root,
				    .cgroup_manager = g->cgroup_manager,
				    .storage_driver = g->storage_driver };
	if (engine_open(&o, &e, err) < 0)
		return NULL;
	return e;
}

/* Docker's CLI exits 1 for what its daemon refused (no such container, not
 * running): scripts test for it. */
int cmd_report_1(struct engine_error **err)
{
	if (*err != NULL && (*err)->exit_code == 0)
		(*err)->exit_code = 1;
	int r = cmd_report(*err);
	engine_error_free(err);
	return r;
}

void cmd_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

bool cmd_monitor_alive(const struct engine_container *c)
{
	return engine_pid_alive_since(c->state.monitor_pid, c->state.monitor_start);
}

/* Wait up to TIMEOUT_MS for the monitor to finish (it records the exit
 * before it exits); true when it has. */
bool cmd_wait_monitor(const struct engine_container *c, int timeout_ms)
{
	for (int t = 0; cmd_monitor_alive(c); t += 20) {
		if (timeout_ms >= 0 && t >= timeout_ms)
			return false;
		cmd_sleep_ms(20);
	}
	return true;
}

/* Signal the container's init.  Where we may not (it runs as a
 * subordinate uid), the monitor forwards what it can; SIGKILL to the
 * monitor takes the container with it (PR_SET_PDEATHSIG). */
int cmd_signal_container(const struct engine_container *c, int sig)
{
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return -ESRCH;
	if (engine_pid_alive_since(c->state.pid, c->state.pid_start) && kill(c->state.pid, sig) == 0)
		return 0;
	if (cmd_monitor_alive(c) && kill(c->state.monitor_pid, sig) == 0)
		return 0;
	return -errno;
}

void cmd_time_nano(int64_t ns, char *out, size_t size)
{
	if (ns <= 0) {
		snprintf(out, size, "0001-01-01T00:00:00Z");
		return;
	}
	engine_format_rfc3339(ns / 1000000000, (long)(ns % 1000000000), ENGINE_TIME_NANOSECONDS, out,
			      size);
}

char *cmd_join_command(char *const *argv)
{
	size_t len = 1;
	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; s && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cmd_each_container(const struct cmd_global *g, int argc, char **argv,
		       int (*fn)(struct storage_store *store, const char *what, void *data,
				 struct engine_error **err),
		       void *data)
{
	cleanup_error struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		if (fn(store, argv[i], data, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

bool cmd_args_simple_ordered(int argc, char **argv, const char *usage, int min, int max,
			     enum cmd_flag_order order, int *ret_rc)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "h", opts, order)) != -1) {
		if (c == 'h') {
			puts(usage);
			*ret_rc = 0;
		} else {
			*ret_rc = cmd_bad_flag(c, argv);
		}
		return false;
	}
	int n = argc - optind;
	if (n >= min && (max < 0 || n <= max))
		return true;
	cleanup_error struct engine_error *err = NULL;
	if (min == max)
		engine_error_set(&err, EINVAL, "\"engine %s\" requires exactly %d argument%s", argv[0], min,
				 min == 1 ? "" : "s");
	else if (max < 0)
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least %d argument%s", argv[0],
				 min, min == 1 ? "" : "s");
	else if (min == 0)
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at most %d argument%s", argv[0],
				 max, max == 1 ? "" : "s");
	else
		engine_error_set(&err, EINVAL,
				 "\"engine %s\" requires at least %d and at most %d arguments", argv[0],
				 min, max);
	*ret_rc = cmd_report(err);
	return false;
}

bool cmd_args_simple(int argc, char **argv, const char *usage, int min, int max, int *ret_rc)
{
	return cmd_args_simple_ordered(argc, argv, usage, min, max, CMD_FLAGS_ANYWHERE, ret_rc);
}

void cmd_sweep_store(struct storage_store *store)
{
	static struct engine_idmap map;
	static bool mapped;
	struct engine_error *err = NULL;
	if ((!mapped && engine_idmap_detect(&map, &err) < 0) ||
	    (mapped = true, engine_store_sweep(store, &map, &err) < 0))
		cmd_warn("%s", err != NULL ? err->msg : "clean up the store: failed");
	engine_error_free(&err);
}
