/* rename.h: what cmd/rename.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* cp, diff, commit, export, rename, pause/unpause. */
int cmd_rename(int argc, char **argv, struct cmd_global *g);
