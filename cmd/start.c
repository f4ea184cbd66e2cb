/* start.c: `engine start`: run created or stopped containers again, each
 * under a new monitor. */
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
#include "idmap.h"

int cmd_start_one(struct storage_store *store, const char *what, struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = 0;
	if (c->state.status != ENGINE_CONTAINER_RUNNING) {
		struct engine_run_spec spec = { 0 };
		static struct engine_idmap map;
		r = engine_container_spec(c, &spec, err);
		if (r == 0 && c->image_id[0] != '\0' && (spec.image_id = strdup(c->image_id)) == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
		if (r == 0)
			r = engine_idmap_detect(&map, err);
		if (r == 0)
			r = engine_monitor_start(&spec, &map, c->name, err);
		engine_run_spec_free(&spec);
	}
	engine_container_free(c);
	return r;
}

static int start_each(struct storage_store *store, const char *what, void *data,
		      struct engine_error **err)
{
	(void)data;
	return cmd_start_one(store, what, err);
}

int cmd_start(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'h') {
			puts("Usage: engine start CONTAINER [CONTAINER...]");
			return 0;
		}
		return cmd_bad_flag(c, argv);
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine start\" requires at least 1 argument");
		return cmd_report(err);
	}
	return cmd_each_container(g, argc - optind, argv + optind, start_each, NULL);
}
