/* fuzz-input.h: the input as the harnesses whose parsers read C strings
 * take it: a NUL-terminated copy, with inputs over a bound skipped so that
 * each run stays fast. */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of DATA with a NUL after it; NULL (skip the input) when
 * SIZE is over MAX or memory is short. */
static inline char *fuzz_input_string(const uint8_t *data, size_t size, size_t max)
{
	char *copy;

	if (size > max || (copy = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(copy, data, size);
	copy[size] = '\0';
	return copy;
}
