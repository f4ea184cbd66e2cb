/* cp.h: what cmd/cp.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_cp(int argc, char **argv, struct cmd_global *g);
