/* rm.h: what cmd/rm.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_rm(int argc, char **argv, struct cmd_global *g);
int cmd_container_prune(int argc, char **argv, struct cmd_global *g);
