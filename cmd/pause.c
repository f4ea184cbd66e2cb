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
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("Usage: engine %s CONTAINER [CONTAINER...]\n", name);
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least 1 argument", name);
		return cmd_report(err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
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
