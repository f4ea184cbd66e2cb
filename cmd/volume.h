/* volume.h: what cmd/volume.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

int cmd_volume(int argc, char **argv, struct cmd_global *g);
int cmd_volume_create(int argc, char **argv, struct cmd_global *g);
int cmd_volume_ls(int argc, char **argv, struct cmd_global *g);
int cmd_volume_inspect(int argc, char **argv, struct cmd_global *g);
int cmd_volume_rm(int argc, char **argv, struct cmd_global *g);
int cmd_volume_prune(int argc, char **argv, struct cmd_global *g);
