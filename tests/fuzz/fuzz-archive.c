/* fuzz-archive.c: docker-archive manifest.json parsing (load reads it from
 * untrusted archives) and the -c instructions of import. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/image-archive.h"
#include "libengine/image/change.h"
#include "libengine/image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct storage_archive_image *imgs = NULL;
	size_t n = 0;
	struct engine_error *err = NULL;
	if (storage_archive_manifest_parse((const char *)data, size, &imgs, &n, &err) == 0)
		storage_archive_images_free(imgs, n);
	engine_error_free(&err);
	/* The same bytes as one instruction. */
	char *s = strndup((const char *)data, size);
	if (s != NULL) {
		json_t *cfg = json_object();
		(void)engine_image_config_change(cfg, s, &err);
		engine_error_free(&err);
		json_decref(cfg);
		free(s);
	}
	return 0;
}
