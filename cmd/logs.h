/* logs.h: what cmd/logs.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_logs(int argc, char **argv, struct cmd_global *g);
