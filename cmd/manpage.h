/* manpage.h: what cmd/manpage.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_man(int argc, char **argv, struct cmd_global *g);
