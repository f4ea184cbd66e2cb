/* run.h: what cmd/run.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_run(int argc, char **argv, struct cmd_global *g);
int cmd_create(int argc, char **argv, struct cmd_global *g);
