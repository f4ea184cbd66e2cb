/* run-parse.h: `engine run FLAGS...` through cmd_run_parse, the CLI's own
 * parser, for the unit tests of the run flags. */
#pragma once

#include <stdarg.h>
#include <stdlib.h>

#include "cmd/run-args.h"

/* run_parse(SPEC, ERR, TAIL, FLAG..., NULL): parses "run FLAG... TAIL..."
 * into SPEC (TAIL a NULL-terminated list, or NULL for none).  SPEC and ERR
 * are freed first, so that a test parses again into the same ones: SPEC
 * starts zeroed. */
static inline int run_parse(struct engine_run_spec *spec, struct engine_error **err,
			    char *const *tail, ...)
{
	char *argv[64];
	int argc = 0, help = 0;
	va_list ap;

	argv[argc++] = "run";
	va_start(ap, tail);
	for (char *a; (a = va_arg(ap, char *)) != NULL; argv[argc++] = a)
		if (argc >= 48)
			abort();
	va_end(ap);
	for (; tail != NULL && *tail != NULL; argv[argc++] = *tail++)
		if (argc >= 63)
			abort();
	argv[argc] = NULL;
	engine_run_spec_free(spec);
	engine_error_free(err);
	return cmd_run_parse(argc, argv, spec, &help, err);
}
