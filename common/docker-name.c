/* docker-name.c: see docker-name.h. */
#include "common/docker-name.h"

#include <string.h>

bool engine_docker_name_valid(const char *name, size_t max)
{
	size_t len = strlen(name);
	bool ok = len > 0 && len <= max;
	for (size_t i = 0; ok && i < len; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		ok = alnum || (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
	}
	return ok;
}
