/* store-job.c: see store-job.h. */
#include "libengine/userns/store-job.h"

#include "libengine/userns/userns.h"

struct store_job {
	const char *root;
	engine_store_job_fn fn;
	void *data;
};

static int store_job_child(void *data, int sock)
{
	struct store_job *j = data;
	struct engine_error *err = NULL;
	struct storage_store *store = NULL;
	int r = storage_store_open(j->root, &store, &err);
	if (r == 0)
		r = j->fn(store, j->data, &err);
	storage_store_close(store);
	if (r == 0)
		return 0;
	engine_userns_report(sock, err);
	return 1;
}

int engine_userns_store_job(const char *root, const struct engine_idmap *map,
			    engine_store_job_fn fn, void *data, struct engine_error **err)
{
	struct store_job j = { .root = root, .fn = fn, .data = data };
	return engine_userns_run(map, store_job_child, &j, err);
}
