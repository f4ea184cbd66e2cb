/* storage-conf.h: storage.conf, the user's standing choice of storage driver
 * and storage locations.
 *
 * The file is optional and deliberately tiny: blank lines, "# comments",
 * an optional "[storage]" table header (so a line copied from Podman's
 * storage.conf reads the same) and at most one of each of
 *
 *     driver = "overlay"        (or "fuse-overlayfs", "vfs")
 *     root = "/PATH"            the storage root (--root wins over it)
 *     runroot = "/PATH"         the run state directory (--runroot wins)
 *
 * Paths must be absolute: "~" and variables are not expanded, and a
 * relative path would depend on where the command happens to run.
 * Anything else is an error naming the file and line: a typo must not
 * silently select another driver or another store. */
#pragma once

#include <stddef.h>

#include "storage/driver.h"
#include "common/error.h"

struct storage_config {
	enum storage_driver driver; /* STORAGE_DRIVER_NONE when not set */
	char *root;                 /* NULL when not set */
	char *runroot;              /* NULL when not set */
};

void storage_config_clear(struct storage_config *config);

/* Where this user's file is: /etc/engine/storage.conf for root, else
 * $XDG_CONFIG_HOME/engine/storage.conf, else ~/.config/engine/storage.conf.
 * *ret is NULL when no home directory can be found (then there is none). */
int storage_config_path(char **ret, struct engine_error **err);

/* Parse LEN bytes of TEXT; NAME (the path) prefixes errors as "NAME:LINE:".
 * Fills *RET (clear it with storage_config_clear) only on success. */
int storage_config_parse(const char *text, size_t len, const char *name,
			 struct storage_config *ret, struct engine_error **err);

/* Read and parse PATH; a missing file sets nothing and is no error. */
int storage_config_load(const char *path, struct storage_config *ret, struct engine_error **err);

/* This user's file (storage_config_path), read and parsed; *RET_PATH (may
 * be NULL) gets its path, NULL when there is none. */
int storage_config_read(struct storage_config *ret, char **ret_path, struct engine_error **err);
