/* container.h: what cmd/container.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_container(int argc, char **argv, struct cmd_global *g);
/* The subcommands of the groups that have no top-level spelling
 * (container.c, image.c, volume.c, system.c), and the files the command
 * table generates (completion.c, manpage.c). */
int cmd_container_inspect(int argc, char **argv, struct cmd_global *g);
