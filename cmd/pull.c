/* pull.c: `engine pull [-q] [--platform P] [--tls-verify=false] IMAGE`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/progress.h"
#include "cmd/pull.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "libengine/image/image.h"
#include "libengine/image/pull.h"
#include "libengine/runtime/storage-driver.h"

int cmd_pull(int argc, char **argv, struct cmd_global *g)
{
	struct cmd_progress progress = { .out = stderr };
	struct engine_pull_options po = { .tls_verify = true, .registries = g->registries,
					  .progress = cmd_pull_progress, .progress_data = &progress };
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "platform", CMD_BIND_STRING, &po.platform },
			    { "quiet", CMD_BIND_BOOL, &progress.quiet },
			    { "tls-verify", CMD_BIND_BOOL, &po.tls_verify });
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	cleanup_free char *name = NULL;
	if (cmd_image_writer(g, &map, &root, &err) < 0)
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
