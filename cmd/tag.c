/* tag.c: `engine tag SOURCE TARGET` / `engine image tag`. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "image.h"
#include "reference.h"

int cmd_tag(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		puts("Usage: engine tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]");
		return 0;
	}
	if (argc != 3) {
		engine_error_set(&err, EINVAL, "\"engine tag\" requires exactly 2 arguments");
		return cmd_report(err);
	}
	struct storage_reference ref;
	if (storage_reference_parse(argv[2], &ref, &err) < 0)
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
	    engine_image_lookup(store, argv[1], &img, &err) < 0 ||
	    storage_image_tag(store, img->id, target, &err) < 0) {
		storage_image_free(img);
		storage_store_close(store);
		return cmd_report(err);
	}
	storage_image_free(img);
	storage_store_close(store);
	return 0;
}
