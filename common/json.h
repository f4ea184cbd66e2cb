/* json.h: what every module that parses a JSON document (manifests, image
 * configs, seccomp profiles) says the same way: the name of a value's type
 * in an error message. */
#pragma once

#include <jansson.h>

/* "an object", "a string", "a fractional number"...: for "expected X, got
 * Y" messages. */
const char *engine_json_type_name(json_type type);
