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

static int freeze(struct engine *e, const char *name, void *data, struct engine_error **err)
{
	return *(bool *)data ? engine_container_pause(e, name, err)
			     : engine_container_unpause(e, name, err);
}

static int pause_main(int argc, char **argv, struct cmd_global *g, bool frozen)
{
	return cmd_each_container(g, argc - optind, argv + optind, freeze, &frozen);
}

int cmd_pause(int argc, char **argv, struct cmd_global *g)
{
	return pause_main(argc, argv, g, true);
}

int cmd_unpause(int argc, char **argv, struct cmd_global *g)
{
	return pause_main(argc, argv, g, false);
}
