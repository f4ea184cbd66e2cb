/* gotemplate-parse.h: Go's text/template syntax into the tree of
 * gotemplate.h (gotemplate-parse.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "cmd/gotemplate.h"

/* Parse TEXT (Go's text/template syntax). */
int gotemplate_parse(const char *text, struct gotemplate **ret, struct engine_error **err);
void gotemplate_free(struct gotemplate *t);
