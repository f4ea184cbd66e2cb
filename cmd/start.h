/* start.h: what cmd/start.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_start(int argc, char **argv, struct cmd_global *g);
int cmd_monitor_resume(int argc, char **argv, struct cmd_global *g); /* cmd/start.c */
struct engine_container;
