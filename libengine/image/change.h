/* change.h: the Dockerfile instructions `import -c` and `commit -c`
 * apply to an image config. */
#pragma once

#include <jansson.h>

#include "common/error.h"

/* Apply one Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
 * USER, VOLUME, WORKDIR, STOPSIGNAL) to CONFIG, an image config's "config"
 * object.  -EINVAL naming the instruction for anything else. */
int engine_image_config_change(json_t *config, const char *change, struct engine_error **err);
