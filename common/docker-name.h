/* docker-name.h: the one rule Docker gives the names a user chooses for
 * containers and volumes, [a-zA-Z0-9][a-zA-Z0-9_.-]*, so that both are
 * checked alike (each kind has its own length bound and message). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NAME, 1 to MAX characters, follows the rule. */
bool engine_docker_name_valid(const char *name, size_t max);
