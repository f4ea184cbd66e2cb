/* cp-tar.h: what cmd/cp-tar.c gives the other commands. */
#pragma once

#include <stdbool.h>

#include "cmd/cmd.h"

struct engine_idmap;
struct engine_cp_options;
struct engine_container;

/* cp with "-": engine-image's (cp-tar.c); in engine, exec engine-image. */
int cmd_cp_tar(const struct engine_idmap *map, const struct engine_container *ctr,
	       const char *ctr_path, bool out, const struct engine_cp_options *o);
