/* ps.h: what cmd/ps.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_ps(int argc, char **argv, struct cmd_global *g);
