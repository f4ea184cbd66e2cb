/* pause.c: `engine pause` / `engine unpause CONTAINER...` through the
 * cgroup v2 freezer (libengine/cgroup-freeze.c).  Without a delegated
 * cgroup of the container's own there is nothing we may freeze: one line
 * says so, exit 125. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-freeze.h"
#include "cleanup.h"
#include "cmd.h"
#include "containers.h"
#include "ctr-common.h"

static int pause_main(int argc, char **argv, struct cmd_global *g, bool freeze)
{
	const char *name = freeze ? "pause" : "unpause";
	char usage[80];
	snprintf(usage, sizeof(usage), "Usage: engine %s CONTAINER [CONTAINER...]", name);
	int rc;
	if (!cmd_args_simple(argc, argv, usage, 1, -1, &rc))
		return rc;
	cleanup_error struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	rc = 0;
	for (int i = optind; i < argc; i++) {
		struct engine_container *ctr = NULL;
		if (engine_container_get(store, argv[i], &ctr, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		if (ctr->state.status != ENGINE_CONTAINER_RUNNING) {
			engine_error_set(&err, EINVAL, "Container %s is not running", argv[i]);
			rc = cmd_report_1(&err);
		} else if (engine_cgroup_freeze_pid(ctr->state.pid, ctr->state.monitor_pid, freeze, &err) < 0) {
			engine_error_prefix(&err, "%s %s", name, argv[i]);
			rc = cmd_report(err);
			engine_error_free(&err);
		} else {
			puts(argv[i]);
		}
		engine_container_free(ctr);
	}
	storage_store_close(store);
	return rc;
}

int cmd_pause(int argc, char **argv, struct cmd_global *g)
{
	return pause_main(argc, argv, g, true);
}

int cmd_unpause(int argc, char **argv, struct cmd_global *g)
{
	return pause_main(argc, argv, g, false);
}
