/* paths.h: where the user's storage and run state live. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* Storage root: --root if given, else $XDG_DATA_HOME/engine, else
 * ~/.local/share/engine; /var/lib/engine for real root. */
int storage_default_root(char **ret, struct engine_error **err);
/* A per-user config file: $XDG_CONFIG_HOME/engine/NAME, else
 * ~/.config/engine/NAME.  *ret is NULL (and 0 returned) when no home
 * directory can be found. */
int storage_user_config_path(const char *name, char **ret, struct engine_error **err);
/* Run state: $XDG_RUNTIME_DIR/engine, else /run/engine for root, else
 * $TMPDIR/engine-UID (/tmp/engine-UID without TMPDIR). */
int storage_default_runroot(char **ret, struct engine_error **err);
/* Check the run directory DIR before anything in it is trusted: a
 * directory (not a symlink), owned by the calling user, writable by nobody
 * else; the $TMPDIR/engine-UID fallback exactly 0700.  With CREATE it is
 * made first (0700); without, a missing DIR passes (nothing to trust). */
int storage_runroot_check(const char *dir, bool create, struct engine_error **err);
