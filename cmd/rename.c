/* rename.c: `engine rename CONTAINER NEW_NAME`: the name moves under the
 * store lock (libengine/container/containers.c, engine_container_rename). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/rename.h"
#include "cmd/report.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

int cmd_rename(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	int r = engine_container_rename(e->store, argv[optind], argv[optind + 1], &err);
	if (r < 0) {
		/* A bad new name is a bad argument (125); what the daemon would
		 * refuse (no such container, a name in use) is 1, as Docker. */
		if (err->status == EINVAL && err->exit_code == 0 &&
		    engine_container_name_check(argv[optind + 1], NULL) < 0)
			return cmd_report(err);
		return cmd_report_1(&err);
	}
	return 0;
}
