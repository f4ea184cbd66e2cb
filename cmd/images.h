/* images.h: what cmd/images.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_images(int argc, char **argv, struct cmd_global *g);
