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

#include "cleanup.h"
#include "cmd.h"
#include "containers.h"
#include "ctr-common.h"

int cmd_wait(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	int rc;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	rc = 0;
	for (int i = optind; i < argc; i++) {
		struct engine_container *c = NULL;
		if (engine_container_get(store, argv[i], &c, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		/* The monitor records the exit before it exits. */
		cmd_wait_monitor(c, -1);
		char id[65];
		snprintf(id, sizeof(id), "%s", c->id);
		engine_container_free(c);
		c = NULL;
		if (engine_container_get(store, id, &c, &err) < 0) {
			/* Removed at exit (--rm): the code went with it. */
			engine_error_free(&err);
			puts("0");
			continue;
		}
		if (c->state.exit_code == ENGINE_EXIT_UNKNOWN)
			cmd_warn("container %s: its exit was not recorded (its monitor was killed, or could "
				 "not write state.json: is the store full?): the exit code is unknown",
				 argv[i]);
		printf("%d\n", c->state.exit_code);
		engine_container_free(c);
	}
	storage_store_close(store);
	return rc;
}
