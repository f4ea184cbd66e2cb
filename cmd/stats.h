/* stats.h: what cmd/stats.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* cgroups */
int cmd_stats(int argc, char **argv, struct cmd_global *g);
