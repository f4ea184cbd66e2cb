/* export.h: what cmd/export.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_export(int argc, char **argv, struct cmd_global *g); /* engine-image */
