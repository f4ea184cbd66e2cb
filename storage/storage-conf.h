/* storage-conf.h: storage.conf, the user's standing choice of storage driver.
 *
 * The file is optional and deliberately tiny: blank lines, "# comments",
 * an optional "[storage]" table header (so a line copied from Podman's
 * storage.conf reads the same) and one line
 *
 *     driver = "overlay"        (or "fuse-overlayfs", "vfs")
 *
 * Anything else is an error naming the file and line: a typo must not
 * silently select another driver. */
#pragma once

#include <stddef.h>

#include "driver.h"
#include "error.h"

/* Where this user's file is: /etc/engine/storage.conf for root, else
 * $XDG_CONFIG_HOME/engine/storage.conf, else ~/.config/engine/storage.conf.
 * *ret is NULL when no home directory can be found (then there is none). */
int storage_config_path(char **ret, struct engine_error **err);

/* Parse LEN bytes of TEXT; NAME (the path) prefixes errors as "NAME:LINE:".
 * *ret_driver is STORAGE_DRIVER_NONE when the text sets no driver. */
int storage_config_parse(const char *text, size_t len, const char *name,
			 enum storage_driver *ret_driver, struct engine_error **err);

/* Read and parse PATH; a missing file sets nothing (NONE) and is no error. */
int storage_config_load(const char *path, enum storage_driver *ret_driver,
			struct engine_error **err);
