/* rmi.h: what cmd/rmi.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_rmi(int argc, char **argv, struct cmd_global *g);
