/* fuzz-storage-conf.c: libFuzzer harness for the storage.conf parser: any
 * bytes either parse to a known driver or fail with one line naming the
 * file and line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_error *err = NULL;
	enum storage_driver d = STORAGE_DRIVER_NONE;
	if (storage_config_parse((const char *)data, size, "f.conf", &d, &err) < 0) {
		if (err == NULL || strncmp(err->msg, "f.conf", 6) != 0 || strchr(err->msg, '\n') != NULL)
			abort();
		engine_error_free(&err);
		return 0;
	}
	if (d != STORAGE_DRIVER_NONE && storage_driver_name(d)[0] == '\0')
		abort();
	return 0;
}
