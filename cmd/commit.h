/* commit.h: what cmd/commit.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_commit(int argc, char **argv, struct cmd_global *g); /* engine-image */
