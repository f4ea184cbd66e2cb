/* helper.h: what cmd/helper.c gives the other commands. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"

/* The engine-image helper (cmd/helper.c). */
void cmd_save_argv(int argc, char **argv);
int cmd_helper_path(char *out, size_t size, struct engine_error **err);
/* engine-init for --init, found as engine-image is. */
int cmd_init_path(char *out, size_t size, struct engine_error **err);
/* exec the helper with this process's command line; returns only on error */
int cmd_exec_helper(void);
/* Run `engine-image --root ROOT pull IMAGE` and wait: *ret_status is its
 * exit status (it has printed its own error when non-zero). */
int cmd_helper_pull(const struct cmd_global *g, const char *root, const char *image,
		    const char *platform, bool tls_verify_off, int *ret_status,
		    struct engine_error **err);
