/* hex.h: the one check for the lowercase hex that ids and digests are made
 * of.  Uppercase is refused: the store names directories by the digest as
 * written, and "ABC" would name another directory than "abc". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* S, a NUL-terminated string, is MIN to MAX characters of [0-9a-f]. */
bool engine_is_hex(const char *s, size_t min, size_t max);
