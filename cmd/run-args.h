/* run-args.h: `engine run` command-line parsing (a library so the unit tests
 * can drive it). */
#pragma once

#include "common/error.h"
#include "libengine/runtime/spec.h"

/* Parse argv (argv[0] = "run") into SPEC.  Returns 0, or -1 with *err naming
 * the flag or value at fault.  *ret_help is set for --help. */
int cmd_run_parse(int argc, char **argv, struct engine_run_spec *spec, int *ret_help,
		  struct engine_error **err);


/* Docker's --detach-keys (run, create, start, attach): KEYS gets the
 * bytes, at most 16. */
int cmd_detach_keys_parse(const char *s, unsigned char *keys, size_t *n, struct engine_error **err);
