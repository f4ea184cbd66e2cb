/* import.h: what cmd/import.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_import(int argc, char **argv, struct cmd_global *g);
