/* pause.c: `engine pause` / `engine unpause CONTAINER...` through the
 * cgroup v2 freezer (engine_container_pause, libengine/container/lifecycle.c).
 * Without a delegated cgroup of the container's own there is nothing we
 * may freeze: one line says so, exit 125. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/pause.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "libengine/container/lifecycle.h"

static int pause_main(int argc, char **argv, struct cmd_global *g, bool freeze)
{
	int rc;
	cleanup_error struct engine_error *err = NULL;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	rc = 0;
	for (int i = optind; i < argc; i++) {
		if ((freeze ? engine_container_pause : engine_container_unpause)(e, argv[i], &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
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
