/* pause.c: `engine pause` / `engine unpause CONTAINER...` through the
 * cgroup v2 freezer (libengine/cgroup-freeze.c).  Without a delegated
 * cgroup of the container's own there is nothing we may freeze: one line
 * says so, exit 125. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-freeze.h"
#include "cgroup-run.h" /* cgroups (#6) */
#include "cleanup.h"
#include "cmd.h"
#include "containers.h"
#include "ctr-common.h"

/* cgroups (#6): the cgroup the container's state recorded; a container
 * started without one falls back to its init's own cgroup, which is
 * refused unless it is the container's alone. */
static int pause_one(const struct engine_container_state *st, bool freeze,
		     struct engine_error **err)
{
	if (st->cgroup_path[0] == '\0')
		return engine_cgroup_freeze_pid(st->pid, st->monitor_pid, freeze, err);
	struct engine_cgroup cg;
	if (engine_cgroup_of_state(st, &cg, err) < 0)
		return -1;
	int r = engine_cgroup_freeze(&cg, freeze, 5000, err);
	engine_cgroup_release(&cg);
	return r;
}

static int pause_main(int argc, char **argv, struct cmd_global *g, bool freeze)
{
	const char *name = freeze ? "pause" : "unpause";
	int rc;
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
		} else if (pause_one(&ctr->state, freeze, &err) < 0) {
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
