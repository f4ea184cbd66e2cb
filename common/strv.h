/* strv.h: freeing the arrays of strings the library keeps, in both the
 * forms it keeps them: NULL-terminated (argv, env) and counted (names,
 * layers, with the count beside the array). */
#pragma once

#include <stddef.h>

/* The strings of V up to its NULL, and V; V may be NULL. */
void engine_strv_free(char **v);

/* The first N strings of V, and V; V may be NULL. */
void engine_strv_free_n(char **v, size_t n);
