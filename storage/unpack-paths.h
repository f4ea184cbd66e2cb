/* unpack-paths.h: a layer entry's path cleaned and shown, and the set of
 * paths a layer unpacked (unpack-paths.c).  Internal to the unpacker. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Entry names in error messages: one line, bounded. */
#define SHOWN_MAX 320

/* A set of paths: what this layer unpacked.
 *
 * Hardlinks may only point at something this layer created, and the vfs
 * driver's opaque directories keep only what this layer put there; both ask
 * "was PATH unpacked by this layer?".  Open addressing, FNV-1a. */
struct path_set {
	char **slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

bool storage_path_set_has(const struct path_set *s, const char *p);
/* Adds the first N bytes of P; 0 or -ENOMEM. */
int storage_path_set_add(struct path_set *s, const char *p, size_t n);
void storage_path_set_free(struct path_set *s);
/* Copies NAME for an error message: control characters become '?', and a
 * long name is cut, so that every error stays one readable line. */
const char *storage_unpack_show(const char *name, char out[SHOWN_MAX]);
/* Clean an entry's path: drop "." components and repeated slashes.  Returns
 * 0 with *RET (possibly "", the target itself), -EXDEV for an absolute path
 * or a ".." component, -EINVAL for an empty name. */
int storage_unpack_clean_path(const char *raw, char **ret);
size_t storage_unpack_path_depth(const char *path);
