/* port.h: what cmd/port.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* `engine port` (port.c). */
int cmd_port(int argc, char **argv, struct cmd_global *g);
