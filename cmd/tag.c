/* tag.c: `engine tag SOURCE TARGET` / `engine image tag`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/tag.h"
#include "cmd/ctr-common.h"
#include "libengine/image/image.h"

int cmd_tag(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	const char *source = argv[optind], *target_arg = argv[optind + 1];
	cleanup_free char *target = NULL;
	if (cmd_reference_full(target_arg, false, &target, &err) < 0)
		return cmd_report(err);
	struct storage_image *img = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL || engine_image_lookup(store, source, &img, &err) < 0 ||
	    storage_image_tag(store, img->id, target, &err) < 0) {
		storage_image_free(img);
		storage_store_close(store);
		return cmd_report(err);
	}
	storage_image_free(img);
	storage_store_close(store);
	return 0;
}
