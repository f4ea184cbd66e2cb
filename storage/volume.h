/* volume.h: named volumes in the store, next to images and containers:
 *
 *   ROOT/volumes/NAME/volume.json   the record (Docker's inspect fields),
 *                                   written atomically, last
 *   ROOT/volumes/NAME/_data/        what the container sees
 *
 * A volume exists when its volume.json does.  Creation happens under the
 * store lock, so two concurrent creates of one name make one volume (and
 * both succeed, as Docker's create is idempotent).  Removal is the
 * caller's: _data holds files of subordinate ids, which only a process in
 * the user namespace can delete (libengine/container/volumes.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/error.h"
#include "storage/store.h"

struct storage_volume {
	char *name;
	char *mountpoint; /* ROOT/volumes/NAME/_data */
	char *created_at; /* RFC 3339, UTC */
	json_t *labels;   /* object of strings */
	json_t *options;  /* object of strings: the local driver's type, device, o */
	bool anonymous;   /* made for -v /dst: rm -v removes it */
};

void storage_volume_free(struct storage_volume *v);

/* Create NAME (already checked by engine_volume_name_check) unless it
 * exists; *ret_created (may be NULL) says which.  LABELS and OPTIONS (may
 * be NULL) are objects of strings, copied; the options were checked by
 * the caller (libengine/container/volume-options.c). */
int storage_volume_create(struct storage_store *store, const char *name, json_t *labels,
			  json_t *options, bool anonymous, bool *ret_created,
			  struct engine_error **err);
/* "get NAME: no such volume" (ENOENT), as Docker says it. */
int storage_volume_get(struct storage_store *store, const char *name, struct storage_volume **ret,
		       struct engine_error **err);
/* Every volume, sorted by name. */
int storage_volume_list(struct storage_store *store, struct storage_volume ***ret, size_t *ret_n,
			struct engine_error **err);
void storage_volume_list_free(struct storage_volume **list, size_t n);
/* storage_volume_get for a reader without the store open (a container's
 * mount setup): the store directory ROOTFD, named ROOT in messages. */
int storage_volume_get_at(int rootfd, const char *root, const char *name,
			  struct storage_volume **ret, struct engine_error **err);
/* Forget NAME: volumes/NAME is renamed to volumes/.rm-NAME-PID (*RET_REL,
 * relative to the store root), so the volume is gone at once and a new one
 * of that name starts empty; the caller then removes *RET_REL with the
 * rights its files need. */
int storage_volume_unrecord(struct storage_store *store, const char *name, char **ret_rel,
			    struct engine_error **err);
/* The volume as `volume inspect` prints it (Docker's fields). */
json_t *storage_volume_json(const struct storage_volume *v);
