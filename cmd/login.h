/* login.h: what cmd/login.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_login(int argc, char **argv, struct cmd_global *g);
int cmd_logout(int argc, char **argv, struct cmd_global *g);
