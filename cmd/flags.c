/* flags.c: flag values that several commands take (see flags.h). */
#include "flags.h"

#include <errno.h>
#include <string.h>

int cmd_parse_bool(const char *flag, const char *value, bool *ret, struct engine_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*ret = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*ret = false;
	else
		return engine_error_set(err, EINVAL,
					"invalid argument \"%s\" for \"--%s\" flag: expected true or false",
					value, flag);
	return 0;
}
