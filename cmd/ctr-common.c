/* ctr-common.c: what the container commands share: the store, the exit
 * code Docker's CLI gives for a refused container, and the loop over
 * CONTAINER arguments. */
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
#include "libengine/container/repair.h"
#include "libengine/userns/idmap.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/flags.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "storage/reference.h"
#include "libengine/container/lifecycle.h"
#include "common/timefmt.h"

struct storage_store *cmd_open_store(const struct cmd_global *g, struct engine_error **err)
{
	cleanup_free char *root = NULL;
	struct storage_store *store = NULL;
	if (cmd_store_root(g, &root, err) < 0 || storage_store_open(root, &store, err) < 0)
		return NULL;
	return store;
}

struct engine_container *cmd_container_lookup(const struct cmd_global *g, const char *name,
					      int *ret_rc)
{
	cleanup_error struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL) {
		*ret_rc = cmd_report(err);
		return NULL;
	}
	struct engine_container *c = NULL;
	int r = engine_container_get(store, name, &c, &err);
	storage_store_close(store);
	if (r < 0) {
		*ret_rc = cmd_report_1(&err);
		return NULL;
	}
	return c;
}

int cmd_image_writer(const struct cmd_global *g, struct engine_idmap *map, char **ret_root,
		     struct engine_error **err)
{
	if (engine_idmap_detect(map, err) < 0)
		return -1;
	if (map->warning[0] != '\0')
		cmd_warn("%s", map->warning);
	return cmd_store_root(g, ret_root, err);
}

int cmd_reference_full(const char *text, bool name_only, char **ret, struct engine_error **err)
{
	struct storage_reference ref;
	if (storage_reference_parse(text, &ref, err) < 0)
		return -1;
	int r = name_only ? storage_reference_name(&ref, ret) : storage_reference_format(&ref, ret);
	storage_reference_clear(&ref);
	return r < 0 ? engine_error_set(err, ENOMEM, "out of memory") : 0;
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
	return engine_container_monitor_alive(c);
}

int cmd_signal_container(const struct engine_container *c, int sig)
{
	return engine_container_signal(c, sig);
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
		       int (*fn)(struct engine *e, const char *name, void *data,
				 struct engine_error **err),
		       void *data)
{
	cleanup_error struct engine_error *err = NULL;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		if (fn(e, argv[i], data, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	return rc;
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
