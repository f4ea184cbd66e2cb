/* flags.h: flag values parsed the same way by every command. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "common/error.h"

/* Where a command's flags may stand, as Docker's CLI (pflag) decides it per
 * command. */
enum cmd_flag_order {
	/* Anywhere among the arguments: `rm C -f`, `inspect IMAGE --format X`
	 * (pflag's default). */
	CMD_FLAGS_ANYWHERE,
	/* Only before the first argument, which ends the flags: everything
	 * after it belongs to it (`run IMAGE CMD -x`, `exec C CMD -x`, `top C
	 * ps-options`, the top-level `engine --root R COMMAND`: Docker's
	 * SetInterspersed(false)). */
	CMD_FLAGS_FIRST,
};

/* getopt_long(3) as every command parses its flags, so that all of them
 * take Docker's grammar: bundled short flags (-itd), "--" ending the flags,
 * and flags after arguments where ORDER allows it.  SHORTOPTS is getopt's,
 * without a leading '+', '-' or ':' (a missing value always gives ':', and
 * nothing is printed: report with cmd_flag_error).  Start each parse with
 * optind = 0.  Returns getopt's value for each flag, then -1 with the
 * arguments, in their order, in ARGV[optind..ARGC): flags that followed
 * arguments are moved before them, as GNU getopt permutes, whatever
 * POSIXLY_CORRECT says (a script's environment must not change what a
 * command line means). */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       enum cmd_flag_order order);

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
