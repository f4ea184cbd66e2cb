/* system.h: what cmd/system.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_system(int argc, char **argv, struct cmd_global *g);
int cmd_system_df(int argc, char **argv, struct cmd_global *g);
int cmd_system_prune(int argc, char **argv, struct cmd_global *g);
int cmd_system_reset(int argc, char **argv, struct cmd_global *g);
