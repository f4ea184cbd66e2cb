/* fuzz-storage-conf.c: libFuzzer harness for the storage.conf parser: any
 * bytes either parse to a known driver and absolute paths, or fail with one
 * line naming the file and line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_error *err = NULL;
	struct storage_config c;
	if (storage_config_parse((const char *)data, size, "f.conf", &c, &err) < 0) {
		if (err == NULL || strncmp(err->msg, "f.conf", 6) != 0 || strchr(err->msg, '\n') != NULL)
			abort();
		engine_error_free(&err);
		return 0;
	}
	if (c.driver != STORAGE_DRIVER_NONE && storage_driver_name(c.driver)[0] == '\0')
		abort();
	/* Paths are absolute, one line, and never hold a backslash. */
	const char *paths[] = { c.root, c.runroot };
	for (int i = 0; i < 2; i++)
		if (paths[i] != NULL &&
		    (paths[i][0] != '/' || strpbrk(paths[i], "\n\\\"") != NULL))
			abort();
	storage_config_clear(&c);
	return 0;
}
