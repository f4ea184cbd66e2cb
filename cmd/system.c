/* system.c: `engine system df [--format F]`: Docker's TYPE / TOTAL /
 * ACTIVE / SIZE / RECLAIMABLE table (volumes and build cache have no
 * store yet: zero); `system prune [-a] [-f]`: stopped
 * containers, then dangling (or unused) images, as Docker prints it;
 * `system reset [-f]`: as Podman's, every container and image and the
 * store and run root themselves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/prune.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/system.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/parse.h"
#include "libengine/container/remove.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "cmd/humanize.h"
#include "libengine/userns/idmap.h"
#include "libengine/image/image.h"
#include "cmd/template.h"

static json_t *row(const char *type, size_t total, size_t active, int64_t size, int64_t reclaimable)
{
	char s[32], r[64], t[32], a[32];
	cmd_human_size(size, s, sizeof(s));
	cmd_human_size(reclaimable, r, sizeof(r));
	if (size > 0)
		snprintf(r + strlen(r), sizeof(r) - strlen(r), " (%lld%%)",
			 (long long)(reclaimable * 100 / size));
	snprintf(t, sizeof(t), "%zu", total);
	snprintf(a, sizeof(a), "%zu", active);
	return json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type", type, "TotalCount", t, "Active", a, "Size",
			 s, "Reclaimable", r);
}

/* The Containers row: writable layers, measured as ps -s measures them;
 * what is not running is reclaimable. */
static int containers_usage(const struct cmd_global *g, const char *root, size_t *total,
			    size_t *active, int64_t *size, int64_t *reclaimable,
			    struct engine_error **err)
{
	struct storage_store *store = NULL;
	if (storage_store_open(root, &store, err) < 0)
		return -1;
	struct engine_container **list = NULL;
	size_t n = 0;
	int r = engine_container_list(store, &list, &n, err);
	storage_store_close(store);
	if (r < 0)
		return -1;
	static struct engine_idmap map;
	int64_t *sizes = calloc(n + 1, sizeof(int64_t));
	if (sizes == NULL)
		r = engine_error_set(err, ENOMEM, "out of memory");
	else if (engine_idmap_detect(&map, err) < 0 ||
		 engine_container_sizes(root, &map, list, n, sizes, err) < 0)
		r = -1;
	for (size_t i = 0; i < n; i++) {
		bool running = list[i]->state.status == ENGINE_CONTAINER_RUNNING;
		*total += 1;
		*active += running;
		*size += sizes ? sizes[i] : 0;
		*reclaimable += sizes && !running ? sizes[i] : 0;
		engine_container_free(list[i]);
	}
	free(list);
	free(sizes);
	(void)g;
	return r;
}

static const struct cmd_template_header headers[] = {
	{ "TotalCount", "TOTAL" },
	{ NULL, NULL },
};

int cmd_system_df(int argc, char **argv, struct cmd_global *g)
{
	const char *format;
	int rc;
	if (!cmd_parse_format(g, argc, argv, &format, &rc))
		return rc;
	if (format != NULL && strcmp(format, "json") == 0)
		format = "{{json .}}";
	cleanup_error struct engine_error *err = NULL;
	cleanup_free char *root = NULL;
	struct engine_disk_usage du;
	if (cmd_store_root(g, &root, &err) < 0 || engine_image_disk_usage(root, &du, &err) < 0)
		return cmd_report(err);
	cleanup_json json_t *rows = json_array();
	json_array_append_new(rows, row("Images", du.images, du.active_images, du.images_size,
					du.reclaimable));
	size_t total = 0, active = 0;
	int64_t size = 0, reclaimable = 0;
	if (containers_usage(g, root, &total, &active, &size, &reclaimable, &err) < 0)
		return cmd_report(err);
	json_array_append_new(rows, row("Containers", total, active, size, reclaimable));
	json_array_append_new(rows, row("Local Volumes", 0, 0, 0, 0));
	json_array_append_new(rows, row("Build Cache", 0, 0, 0, 0));
	if (cmd_template_print(format,
			       "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
			       rows, headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}

/* Stopped containers (exited or created), their writable layers' bytes
 * added to *reclaimed; prints "Deleted Containers:" and their IDs. */
static int prune_containers(const struct cmd_global *g, int64_t *reclaimed)
{
	cleanup_error struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cmd_sweep_store(store);
	struct engine_container **list = NULL;
	size_t n = 0;
	if (engine_container_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	cleanup_free struct engine_container **stopped = calloc(n + 1, sizeof(*stopped));
	cleanup_free int64_t *sizes = calloc(n + 1, sizeof(int64_t));
	size_t n_stopped = 0;
	for (size_t i = 0; stopped && i < n; i++)
		if (list[i]->state.status != ENGINE_CONTAINER_RUNNING)
			stopped[n_stopped++] = list[i];
	static struct engine_idmap map;
	/* The size is what Docker reports; not knowing it is no reason to
	 * keep the containers. */
	struct engine_error *ignored = NULL;
	if (stopped != NULL && sizes != NULL && engine_idmap_detect(&map, &ignored) == 0)
		engine_container_sizes(store->root, &map, stopped, n_stopped, sizes, &ignored);
	engine_error_free(&ignored);
	/* All of them in one call: one user-namespace helper for the lot. */
	cleanup_free char **ids = calloc(n_stopped + 1, sizeof(char *));
	cleanup_free struct engine_remove_result *results = calloc(n_stopped + 1, sizeof(*results));
	struct engine_remove_options ro = { .stopped_only = true };
	int rc = 0;
	bool header = false;
	if (stopped != NULL && ids != NULL && results != NULL) {
		for (size_t i = 0; i < n_stopped; i++)
			ids[i] = stopped[i]->id;
		engine_containers_remove(store, ids, n_stopped, &ro, results, &err);
		engine_error_free(&err); /* in each result too */
	}
	for (size_t i = 0; ids != NULL && results != NULL && i < n_stopped; i++) {
		if (results[i].err != NULL) {
			/* One started meanwhile stays, as Docker's. */
			if (results[i].err->status == EBUSY || results[i].err->status == ENOENT)
				engine_error_free(&results[i].err);
			else
				rc = cmd_report_1(&results[i].err);
			continue;
		}
		if (!header)
			puts("Deleted Containers:");
		header = true;
		puts(stopped[i]->id);
		if (sizes != NULL)
			*reclaimed += sizes[i];
	}
	for (size_t i = 0; i < n; i++)
		engine_container_free(list[i]);
	free(list);
	storage_store_close(store);
	if (header)
		putchar('\n');
	return rc;
}

int cmd_system_prune(int argc, char **argv, struct cmd_global *g)
{
	bool all = false, force = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_BOOL, &all },
			    { "force", CMD_BIND_BOOL, &force });
	if (!force) {
		printf("WARNING! This will remove:\n"
		       "  - all stopped containers\n"
		       "  - %s\n\n",
		       all ? "all images without at least one container associated to them"
			   : "all dangling images");
		if (!cmd_confirm(NULL))
			return 0;
	}
	int64_t reclaimed = 0, images_reclaimed = 0;
	int rc = prune_containers(g, &reclaimed);
	cleanup_error struct engine_error *err = NULL;
	bool printed = false;
	/* After the containers: the images of the ones just removed are
	 * unused now. */
	if (cmd_prune_images(g, all, &images_reclaimed, &printed, &err) < 0)
		rc = cmd_report(err);
	if (printed)
		putchar('\n');
	char size[32];
	cmd_human_size(reclaimed + images_reclaimed, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return rc;
}

int cmd_system_reset(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "force", CMD_BIND_BOOL, &force });
	cleanup_free char *root = NULL, *runroot = NULL;
	if (cmd_store_root(g, &root, &err) < 0 || cmd_store_runroot(g, &runroot, &err) < 0)
		return cmd_report(err);
	if (!force) {
		printf("WARNING! This will remove:\n"
		       "        - all containers\n"
		       "        - all images\n"
		       "        - the graphRoot directory: \"%s\"\n"
		       "        - the runRoot directory: \"%s\"\n",
		       root, runroot);
		if (!cmd_confirm(NULL))
			return 0;
	}
	/* Every container first: stopped, monitor gone, record forgotten, so
	 * that no mount or process holds the store. */
	struct storage_store *store = NULL;
	if (storage_store_open(root, &store, &err) == 0) {
		struct engine_remove_options ro = { .force = true };
		struct engine_remove_result *results = NULL;
		size_t n = 0;
		if (engine_containers_remove_all(store, &ro, &results, &n, &err) < 0 && results == NULL) {
			storage_store_close(store);
			return cmd_report(err);
		}
		engine_error_free(&err); /* in each result too */
		for (size_t i = 0; i < n; i++)
			if (results[i].err != NULL && results[i].err->status != ENOENT)
				cmd_warn("remove container %.12s: %s", results[i].id, results[i].err->msg);
		engine_remove_results_free(results, n);
		free(results);
		storage_store_close(store);
	} else {
		engine_error_free(&err); /* no store: nothing to stop */
	}
	static struct engine_idmap map;
	const char *dirs[] = { root, runroot };
	if (engine_idmap_detect(&map, &err) < 0 || engine_store_reset(&map, dirs, 2, &err) < 0)
		return cmd_report(err);
	return 0;
}

int cmd_system(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	return cmd_group(argc, argv, "system", 125);
}
