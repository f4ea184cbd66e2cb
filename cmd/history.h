/* history.h: what cmd/history.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_history(int argc, char **argv, struct cmd_global *g);
