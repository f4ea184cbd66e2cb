/* hex.c: see hex.h. */
#include "common/hex.h"

bool engine_is_hex(const char *s, size_t min, size_t max)
{
	size_t n = 0;
	/* Stop one past MAX: a longer string is refused without reading it all. */
	for (; s[n] != '\0' && n <= max; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n >= min && n <= max;
}
