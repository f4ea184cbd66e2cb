/* test-lifecycle-create.c: create and remove through the handle of
 * engine.h, in a scratch store: a recorded container can be found and
 * removed, and a create that fails (its name is taken) leaves nothing of
 * itself in the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libengine/engine.h"
#include "libengine/container/lifecycle-create.h"
#include "cmd/run-args.h"
#include "storage/store.h"
#include "fixtures.h"
#include "tap.h"

static void parse(struct engine_run_spec *spec, const char *id)
{
	char *argv[] = { "run", "--name", "web", "--rootfs", "/", "true", NULL };
	struct engine_error *err = NULL;
	int help = 0;
	memset(spec, 0, sizeof(*spec));
	ok(cmd_run_parse(6, argv, spec, &help, &err) == 0, "parse %s", err ? err->msg : "");
	engine_error_free(&err);
	snprintf(spec->id, sizeof(spec->id), "%s", id);
}

static bool container_dir_exists(const char *root, const char *id)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/containers/%s", root, id);
	return stat(path, &st) == 0;
}

int main(void)
{
	char root[] = "/var/tmp/test-lifecycle-create-XXXXXX";
	ok(mkdtemp(root) != NULL, "store dir");
	struct engine *e = NULL;
	struct engine_error *err = NULL;
	ok(engine_open(&(struct engine_options){ .root = root }, &e, &err) == 0, "open %s",
	   err ? err->msg : "");
	static struct engine_idmap map;
	ok(engine_idmap_detect(&map, &err) == 0, "id mapping %s", err ? err->msg : "");
	engine_error_free(&err);

	const char *id1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *id2 = "2222222222222222222222222222222222222222222222222222222222222222";
	struct engine_run_spec spec;
	parse(&spec, id1);
	ok(!engine_container_new_needs_store(&spec, false), "an unrecorded --rootfs run needs no store");
	ok(engine_container_new_needs_store(&spec, true), "a recorded one does");
	struct engine_create_options o = { .map = &map, .record = true };
	char *name = NULL;
	ok(engine_container_new(e, &spec, &o, &name, &err) == 0, "create %s", err ? err->msg : "");
	ok(name != NULL && strcmp(name, "web") == 0, "named web");
	ok(spec.recorded_name != NULL && strcmp(spec.recorded_name, "web") == 0, "recorded as web");
	ok(spec.store_root != NULL && strcmp(spec.store_root, root) == 0, "in the handle's store");
	free(name);
	engine_run_spec_free(&spec);

	struct engine_container *c = NULL;
	ok(engine_container_find(e, "web", &c, &err) == 0 && strcmp(c->id, id1) == 0, "found by name");
	ok(c != NULL && c->state.status == ENGINE_CONTAINER_CREATED, "created");
	ok(c != NULL && !engine_container_interactive(c), "not interactive");
	engine_container_free(c);

	/* The name is taken: the second create fails and its directory goes. */
	parse(&spec, id2);
	name = NULL;
	ok(engine_container_new(e, &spec, &o, &name, &err) < 0 && err != NULL && err->status == EEXIST,
	   "a taken name fails with EEXIST");
	ok(name == NULL, "and returns no name");
	ok(!container_dir_exists(root, id2), "nothing of the failed create stays");
	engine_error_free(&err);
	engine_run_spec_free(&spec);

	char *what[] = { "web", "web" };
	struct engine_remove_result results[2] = { 0 };
	struct engine_remove_options ro = { .map = &map };
	engine_container_remove(e, what, 2, &ro, results, &err);
	engine_error_free(&err);
	ok(results[0].err == NULL && strcmp(results[0].id, id1) == 0, "removed");
	ok(results[1].err != NULL && results[1].err->status == ENOENT, "named twice: removed once");
	engine_remove_results_free(results, 2);
	ok(!container_dir_exists(root, id1), "its directory went");
	ok(engine_container_find(e, id1, &c, &err) < 0 && err->status == ENOENT, "no longer found");
	engine_error_free(&err);

	engine_close(e);
	clean_up_tree(root);
	return done_testing();
}
