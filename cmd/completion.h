/* completion.h: what cmd/completion.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_completion(int argc, char **argv, struct cmd_global *g);
