/* image.h: what cmd/image.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_image(int argc, char **argv, struct cmd_global *g);
int cmd_image_inspect(int argc, char **argv, struct cmd_global *g);
