/* prune.h: what cmd/prune.c gives the other commands. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cmd/cmd.h"

int cmd_image_prune(int argc, char **argv, struct cmd_global *g);
/* system prune: image prune's work without its prompt and total
 * (prune.c): prints "Deleted Images:" and the lines under it, if any. */
int cmd_prune_images(const struct cmd_global *g, bool all, int64_t *ret_reclaimed,
		     bool *ret_printed, struct engine_error **err);
