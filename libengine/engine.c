/* engine.c: open and close the handle of engine.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "libengine/engine.h"
#include "storage/paths.h"
#include "storage/storage-conf.h"
#include "storage/store.h"

int engine_open(const struct engine_options *o, struct engine **ret, struct engine_error **err)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if ((o->cgroup_manager != NULL && (e->cgroup_manager = strdup(o->cgroup_manager)) == NULL) ||
	    (o->storage_driver != NULL && (e->storage_driver = strdup(o->storage_driver)) == NULL)) {
		free(e->cgroup_manager);
		free(e);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	if (storage_store_open(o->root, &e->store, err) < 0) {
		free(e->cgroup_manager);
		free(e->storage_driver);
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
	free(e->storage_driver);
	free(e);
}

static int location(const char *flag, bool runroot, char **ret, struct engine_error **err)
{
	if (flag != NULL) {
		*ret = strdup(flag);
		return *ret ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	struct storage_config config;
	if (storage_config_read(&config, NULL, err) < 0)
		return -1;
	char **from_config = runroot ? &config.runroot : &config.root;
	if (*from_config != NULL) {
		*ret = steal_pointer(from_config);
		storage_config_clear(&config);
		return 0;
	}
	storage_config_clear(&config);
	return runroot ? storage_default_runroot(ret, err) : storage_default_root(ret, err);
}

int engine_store_location(const char *flag, bool runroot, char **ret, struct engine_error **err)
{
	if (location(flag, runroot, ret, err) < 0)
		return -1;
	/* Before anything is written there or read back (paths.c). */
	if (runroot && storage_runroot_check(*ret, false, err) < 0) {
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}
