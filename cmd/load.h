/* load.h: what cmd/load.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_load(int argc, char **argv, struct cmd_global *g);
