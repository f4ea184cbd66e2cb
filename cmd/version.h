/* version.h: what cmd/version.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_version(int argc, char **argv, struct cmd_global *g);
