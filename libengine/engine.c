/* engine.c: open and close the handle of engine.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "store.h"

int engine_open(const struct engine_options *o, struct engine **ret, struct engine_error **err)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (o->cgroup_manager != NULL && (e->cgroup_manager = strdup(o->cgroup_manager)) == NULL) {
		free(e);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	if (storage_store_open(o->root, &e->store, err) < 0) {
		free(e->cgroup_manager);
		free(e);
		return -1;
	}
	*ret = e;
	return 0;
}

void engine_close(struct engine *e)
{
	if (e == NULL)
		return;
	storage_store_close(e->store);
	free(e->cgroup_manager);
	free(e);
}
