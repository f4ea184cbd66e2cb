/* names.h: a container's name (names.c).  A name is
 * the file container-names/NAME of the store holding its owner's ID,
 * linked into place so that a create killed at any moment leaves either
 * no name or a whole one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "storage/store.h"

/* Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 253 bytes. */
int engine_container_name_check(const char *name, struct engine_error **err);
/* "adjective_noun" as Docker generates them; RANDOM picks the words. */
void engine_container_name_generate(uint32_t random, char *out, size_t size);

/* Make NAME ID's (the caller holds the store lock): 0, -EEXIST when the
 * name is taken (*err untouched), or -1 with *err. */
int engine_container_name_reserve(struct storage_store *store, const char *name, const char *id,
				  struct engine_error **err);
/* The ID that owns NAME: 0, or -1 when none does. */
int engine_container_name_owner(struct storage_store *store, const char *name, char id[65]);
/* Whether NAME is left by a create that died before its record (seen
 * under the store lock): nobody owns it. */
bool engine_container_name_stale(struct storage_store *store, const char *name);
