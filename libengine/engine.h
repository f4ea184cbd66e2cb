/* engine.h: the handle each face of the product (the CLI, an API server,
 * a unit generator, build) opens first: one user's store and the settings
 * that hold for every call made on it.  The container lifecycle calls take
 * it, so that a face never reaches into storage itself. */
#pragma once

#include <stddef.h>
#include <stdbool.h>

#include "common/error.h"

struct storage_store;

struct engine_options {
	const char *root;           /* the store's directory; never NULL */
	const char *cgroup_manager; /* "systemd", "cgroupfs", or NULL: detect */
	const char *storage_driver; /* for new containers; NULL: the store's or detected */
};

struct engine {
	struct storage_store *store;
	char *cgroup_manager; /* NULL: detect */
	char *storage_driver; /* NULL: the store's, configured or detected */
};

int engine_open(const struct engine_options *o, struct engine **ret, struct engine_error **err);
void engine_close(struct engine *e);

static inline void engine_closep(struct engine **e)
{
	if (*e != NULL)
		engine_close(*e);
}
#define cleanup_engine __attribute__((cleanup(engine_closep)))

/* Where the store (RUNROOT false) or the run root (true) is: FLAG when
 * the face was given one, else storage.conf's setting, else the default;
 * one order for both, so that every face and helper agrees.  The run root
 * is checked before anything is written there. */
int engine_store_location(const char *flag, bool runroot, char **ret, struct engine_error **err);
