/* gotemplate-funcs.h: the template functions Docker adds and Go's own
 * (gotemplate-funcs.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "cmd/gotemplate.h"

/* fmt's %v (and %g) of a float64: the shortest digits that read back the
 * same, with an exponent below 1e-4 and from 1e6 on. */
void gt_format_float_shortest(char *out, size_t size, double d);

/* Functions: call NAME with ARGV (already evaluated; NULL entries are
 * invalid values).  Returns a new reference or NULL with *MSG set to Go's
 * text (malloc'd).  "and", "or" are evaluated by the executor itself. */
bool gt_function_exists(const char *name);
int gt_call_function(const char *name, json_t **argv, size_t argc, json_t **ret, char **msg);
