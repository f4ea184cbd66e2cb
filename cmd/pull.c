/* pull.c: `engine pull [-q] [--platform P] [--tls-verify=false] IMAGE`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "libengine/image/image.h"
#include "libengine/image/pull.h"
#include "libengine/runtime/storage-driver.h"

int cmd_pull(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "platform", required_argument, NULL, 'p' },
		{ "tls-verify", optional_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_progress progress = { .out = stderr };
	struct engine_pull_options po = { .tls_verify = true, .registries = g->registries,
					  .progress = cmd_pull_progress, .progress_data = &progress };
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "q", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'q':
			progress.quiet = true;
			break;
		case 'p':
			po.platform = optarg;
			break;
		case 't':
			if (cmd_parse_bool("tls-verify", optarg, &po.tls_verify, &err) < 0)
				return cmd_report(err);
			break;
		case 'h':
			return cmd_help("pull");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind + 1 != argc) {
		engine_error_set(&err, EINVAL, "\"engine pull\" requires exactly 1 argument");
		return cmd_report(err);
	}
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, &err) < 0)
		return cmd_report(err);
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	cleanup_free char *root = NULL;
	cleanup_free char *name = NULL;
	if (cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	if (engine_storage_driver_resolve(root, g->storage_driver, &map, ENGINE_STORAGE_RECORD, NULL,
					  &po.driver, NULL, &err) < 0)
		return cmd_report(err);
	if (engine_image_pull(root, &map, argv[optind], &po, &name, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = NULL;
	struct storage_image *img = NULL;
	if (storage_store_open(root, &store, &err) < 0 || storage_image_get(store, name, &img, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	/* Podman prints the image id last: scripts capture it. */
	printf("%s\n", img->id);
	storage_image_free(img);
	storage_store_close(store);
	return 0;
}
