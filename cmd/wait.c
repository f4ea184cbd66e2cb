/* wait.c: `engine wait`: block until containers exit, print their codes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/wait.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/container/lifecycle.h"

int cmd_wait(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	int rc;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	rc = 0;
	for (int i = optind; i < argc; i++) {
		int code;
		if (engine_container_wait(e, argv[i], NULL, &code, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		if (code == ENGINE_EXIT_UNKNOWN)
			cmd_warn("container %s: its exit was not recorded (its monitor was killed, or could "
				 "not write state.json: is the store full?): the exit code is unknown",
				 argv[i]);
		printf("%d\n", code);
	}
	return rc;
}
