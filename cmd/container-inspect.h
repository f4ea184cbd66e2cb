/* container-inspect.h: what cmd/container-inspect.c gives the other commands. */
#pragma once

#include <jansson.h>

#include "cmd/cmd.h"

struct engine_container;

/* A recorded container as `inspect` shows it (cmd/container-inspect.c). */
json_t *cmd_container_inspect_json(const struct engine_container *c);
