/* store-root.c: where the store and the run root are. */
#include "cmd/store-root.h"

#include "libengine/engine.h"

/* The locations of the store and of the run root (the library's order:
 * --root/--runroot, storage.conf, the default), which every command and
 * the engine-image helper share. */
int cmd_store_root(const struct cmd_global *g, char **ret, struct engine_error **err)
{
	return engine_store_location(g->root, false, ret, err);
}

int cmd_store_runroot(const struct cmd_global *g, char **ret, struct engine_error **err)
{
	return engine_store_location(g->runroot, true, ret, err);
}
