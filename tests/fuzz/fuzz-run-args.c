/* fuzz-run-args.c: libFuzzer harness for `engine run` argument parsing: the
 * input is split on NUL bytes into argv. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"
#include "cmd/run-args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_input_string(data, size, 4096);
	if (copy == NULL)
		return 0;
	char *argv[66];
	int argc = 0;
	argv[argc++] = "run";
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;
	struct engine_run_spec spec;
	memset(&spec, 0, sizeof(spec));
	struct engine_error *err = NULL;
	int help;
	cmd_run_parse(argc, argv, &spec, &help, &err);
	engine_error_free(&err);
	engine_run_spec_free(&spec);
	free(copy);
	return 0;
}
