/* flags.c: flag values that several commands take (see flags.h). */
#include "flags.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>
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

bool cmd_confirm(const char *warning)
{
	if (warning != NULL)
		fputs(warning, stdout);
	printf("Are you sure you want to continue? [y/N] ");
	fflush(stdout);
	char answer[16] = "";
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	answer[strcspn(answer, "\r\n")] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}
