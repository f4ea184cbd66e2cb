/* cmd.h: the subcommands and the CLI's shared printing helpers. */
#pragma once

#include "error.h"

struct cmd_global {
	const char *root;    /* --root */
	const char *runroot; /* --runroot */
};

int cmd_run(int argc, char **argv, struct cmd_global *g);
int cmd_info(int argc, char **argv, struct cmd_global *g);
int cmd_version(int argc, char **argv, struct cmd_global *g);

/* Print "Error: MESSAGE" on one line and return the exit code for it. */
int cmd_report(struct engine_error *err);
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
