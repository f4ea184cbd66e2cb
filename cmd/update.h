/* update.h: what cmd/update.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_update(int argc, char **argv, struct cmd_global *g);
