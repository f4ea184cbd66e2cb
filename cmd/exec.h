/* exec.h: what cmd/exec.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* exec and top */
int cmd_exec(int argc, char **argv, struct cmd_global *g);
