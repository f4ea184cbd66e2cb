/* wait.h: what cmd/wait.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_wait(int argc, char **argv, struct cmd_global *g);
