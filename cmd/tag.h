/* tag.h: what cmd/tag.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_tag(int argc, char **argv, struct cmd_global *g);
