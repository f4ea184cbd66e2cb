/* commit.c: `engine commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE]... [-p]
 * CONTAINER [REPOSITORY[:TAG]]`: a new image of the container's image
 * plus one layer of its changes (libengine/image/commit.c).  In engine-image:
 * the layer is a tar (libarchive). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "libengine/image/commit.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

#define MAX_CHANGES 64

int cmd_commit(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "author", required_argument, NULL, 'a' },
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "pause", optional_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *changes[MAX_CHANGES];
	struct engine_commit_options o = { .changes = changes, .pause = true };
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "a:c:m:p", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'a':
			o.author = optarg;
			break;
		case 'c':
			if (o.n_changes == MAX_CHANGES) {
				engine_error_set(&err, E2BIG, "--change: more than %d", MAX_CHANGES);
				return cmd_report(err);
			}
			changes[o.n_changes++] = optarg;
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'p':
			if (optarg == NULL || strcmp(optarg, "true") == 0) {
				o.pause = true;
			} else if (strcmp(optarg, "false") == 0) {
				o.pause = false;
			} else {
				engine_error_set(&err, EINVAL, "--pause=%s: expected true or false", optarg);
				return cmd_report(err);
			}
			break;
		case 'h':
			return cmd_help("commit");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		engine_error_set(&err, EINVAL, "\"engine commit\" requires at least 1 and at most 2 arguments");
		return cmd_report(err);
	}
	o.reference = optind + 1 < argc ? argv[optind + 1] : NULL;
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (engine_idmap_detect(&map, &err) < 0 || cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container *ctr = NULL;
	int r = engine_container_get(store, argv[optind], &ctr, &err);
	storage_store_close(store);
	if (r < 0)
		return cmd_report_1(&err);
	char id[72];
	r = engine_container_commit(root, &map, ctr, &o, id, &err);
	engine_container_free(ctr);
	if (r < 0)
		return cmd_report(err);
	puts(id);
	return 0;
}
