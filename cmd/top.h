/* top.h: what cmd/top.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_top(int argc, char **argv, struct cmd_global *g);
