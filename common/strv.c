/* strv.c: see strv.h. */
#include "common/strv.h"

#include <stdlib.h>

void engine_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void engine_strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}
