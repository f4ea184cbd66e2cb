/* diff.h: what cmd/diff.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_diff(int argc, char **argv, struct cmd_global *g);
