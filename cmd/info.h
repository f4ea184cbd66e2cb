/* info.h: what cmd/info.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_info(int argc, char **argv, struct cmd_global *g);
