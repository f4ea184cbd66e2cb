/* setting-flags.h: the flags that set what the library's messages call a
 * setting ("user", "cgroup parent"), so that the CLI's messages name the
 * flag ("--user"), as Docker's do. */
#pragma once

#include "common/error.h"

/* The flag that sets SETTING, the library's name for it; NULL for one no
 * flag sets. */
const char *cmd_setting_flag(const char *setting);
/* ERR's message as the CLI prints it: each setting it names replaced by
 * its flag (newly allocated; NULL when out of memory). */
char *cmd_error_text(const struct engine_error *err);
