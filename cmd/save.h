/* save.h: what cmd/save.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_save(int argc, char **argv, struct cmd_global *g);
