/* inspect.h: what cmd/inspect.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_inspect(int argc, char **argv, struct cmd_global *g);
/* inspect looking only for containers or only for images (ONLY), as
 * `container inspect` and `image inspect` do; --type can still say. */
int cmd_inspect_as(int argc, char **argv, struct cmd_global *g, const char *only);
