/* info.h: what `engine info` reports: id mapping, cgroup layout, storage
 * driver and the kernel features the engine relies on, all detected. */
#pragma once

#include <jansson.h>

#include "error.h"

int engine_info_collect(const char *root, const char *runroot, json_t **ret,
			struct engine_error **err);
