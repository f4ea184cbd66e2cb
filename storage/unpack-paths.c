/* unpack-paths.c: the paths of a layer's entries, for the unpacker:
 * cleaned (no ".", no "..", no absolute path), shown in one-line error
 * messages, and the set of those this layer unpacked. */
#include "storage/unpack-paths.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"



static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static char **path_set_slot(const struct path_set *s, const char *p, size_t n)
{
	size_t i = (size_t)hash_bytes(p, n) & (s->cap - 1);
	while (s->slots[i] != NULL) {
		if (strlen(s->slots[i]) == n && memcmp(s->slots[i], p, n) == 0)
			break;
		i = (i + 1) & (s->cap - 1);
	}
	return &s->slots[i];
}

bool storage_path_set_has(const struct path_set *s, const char *p)
{
	return s->cap != 0 && *path_set_slot(s, p, strlen(p)) != NULL;
}

/* Adds the first N bytes of P; 0 or -ENOMEM. */
int storage_path_set_add(struct path_set *s, const char *p, size_t n)
{
	if ((s->len + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **slots = calloc(cap, sizeof(*slots));
		if (slots == NULL)
			return -ENOMEM;
		struct path_set grown = { slots, cap, s->len };
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i] != NULL)
				*path_set_slot(&grown, s->slots[i], strlen(s->slots[i])) = s->slots[i];
		free(s->slots);
		*s = grown;
	}
	char **slot = path_set_slot(s, p, n);
	if (*slot != NULL)
		return 0;
	*slot = strndup(p, n);
	if (*slot == NULL)
		return -ENOMEM;
	s->len++;
	return 0;
}

void storage_path_set_free(struct path_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	s->slots = NULL;
	s->cap = s->len = 0;
}

/* Copies NAME for an error message: control characters become '?', and a
 * long name is cut, so that every error stays one readable line. */
const char *storage_unpack_show(const char *name, char out[SHOWN_MAX])
{
	size_t i = 0;
	if (name == NULL)
		name = "(no name)";
	for (; name[i] != '\0' && i < SHOWN_MAX - 4; i++) {
		unsigned char c = (unsigned char)name[i];
		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (name[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* Clean an entry's path: drop "." components and repeated slashes.  Returns
 * 0 with *RET (possibly "", the target itself), -EXDEV for an absolute path
 * or a ".." component, -EINVAL for an empty name. */
int storage_unpack_clean_path(const char *raw, char **ret)
{
	if (raw == NULL || raw[0] == '\0')
		return -EINVAL;
	if (raw[0] == '/')
		return -EXDEV;
	cleanup_free char *out = malloc(strlen(raw) + 1);
	if (out == NULL)
		return -ENOMEM;
	size_t len = 0;
	for (const char *p = raw; *p != '\0';) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p != '\0' && *p != '/')
			p++;
		size_t n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.')
			return -EXDEV;
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, start, n);
		len += n;
	}
	out[len] = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

size_t storage_unpack_path_depth(const char *path)
{
	size_t depth = path[0] != '\0';
	for (const char *p = path; *p != '\0'; p++)
		depth += *p == '/';
	return depth;
}
