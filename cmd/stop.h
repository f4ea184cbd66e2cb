/* stop.h: what cmd/stop.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_stop(int argc, char **argv, struct cmd_global *g);
int cmd_kill(int argc, char **argv, struct cmd_global *g);
int cmd_restart(int argc, char **argv, struct cmd_global *g);
