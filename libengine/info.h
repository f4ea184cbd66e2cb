/* info.h: what `engine info` reports: id mapping, cgroup layout, storage
 * driver and the kernel features the engine relies on, all detected. */
#pragma once

#include <jansson.h>

#include "common/error.h"

/* STORAGE_DRIVER: --storage-driver, or NULL.  Creates nothing on disk. */
int engine_info_collect(const char *root, const char *runroot, const char *storage_driver,
			json_t **ret, struct engine_error **err);
