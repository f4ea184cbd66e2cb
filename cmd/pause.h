/* pause.h: what cmd/pause.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_pause(int argc, char **argv, struct cmd_global *g);
int cmd_unpause(int argc, char **argv, struct cmd_global *g);
