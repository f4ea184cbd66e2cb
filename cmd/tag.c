/* tag.c: `engine tag SOURCE TARGET` / `engine image tag`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/ctr-common.h"
#include "libengine/image/image.h"
#include "storage/reference.h"

int cmd_tag(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	const char *source = argv[optind], *target_arg = argv[optind + 1];
	struct storage_reference ref;
	if (storage_reference_parse(target_arg, &ref, &err) < 0)
		return cmd_report(err);
	cleanup_free char *target = NULL;
	int r = storage_reference_format(&ref, &target);
	storage_reference_clear(&ref);
	if (r < 0) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	cleanup_free char *root = NULL;
	if (cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = NULL;
	struct storage_image *img = NULL;
	if (storage_store_open(root, &store, &err) < 0 ||
	    engine_image_lookup(store, source, &img, &err) < 0 ||
	    storage_image_tag(store, img->id, target, &err) < 0) {
		storage_image_free(img);
		storage_store_close(store);
		return cmd_report(err);
	}
	storage_image_free(img);
	storage_store_close(store);
	return 0;
}
