/* unshare.h: what cmd/unshare.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_unshare(int argc, char **argv, struct cmd_global *g);
