/* push.h: what cmd/push.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_push(int argc, char **argv, struct cmd_global *g);
