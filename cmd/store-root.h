/* store-root.h: what cmd/store-root.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* The storage root: --root, else storage.conf's root, else the default for
 * this user; likewise the run state directory with --runroot and runroot. */
int cmd_store_root(const struct cmd_global *g, char **ret, struct engine_error **err);
int cmd_store_runroot(const struct cmd_global *g, char **ret, struct engine_error **err);
