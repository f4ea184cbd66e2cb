/* pull.h: what cmd/pull.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_pull(int argc, char **argv, struct cmd_global *g);
