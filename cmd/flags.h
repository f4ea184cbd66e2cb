/* flags.h: flag values parsed the same way by every command. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Docker's boolean flags: "--flag" alone (VALUE NULL), or "--flag=true|false"
 * (also 1|0).  Anything else is one error naming the flag: invalid argument
 * "yes" for "--tls-verify" flag: expected true or false. */
int cmd_parse_bool(const char *flag, const char *value, bool *ret, struct engine_error **err);

/* Docker's prompt: print WARNING (the lines above the question, NULL for
 * none), then "Are you sure you want to continue? [y/N] "; true only for
 * "y" or "yes" (any case) on stdin. */
bool cmd_confirm(const char *warning);

/* getopt(3) returned C, ':' (a flag without its value) or '?' (an unknown
 * flag): set Docker's message for it, naming the flag as the user typed it:
 * "unknown flag: --bogus", "unknown shorthand flag: 't' in -t0", "flag
 * needs an argument: -n".  ARGC and ARGV are what getopt parsed.  Returns
 * -1 (the error's status is EINVAL). */
int cmd_flag_error(int c, int argc, char **argv, struct engine_error **err);
