/* volumes.c: the container side of volumes (see volumes.h).  The records
 * are storage/volume.c's; this file knows about containers (who uses a
 * volume) and about user namespaces (who may delete its files). */
#include "libengine/container/volumes.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/container/containers.h"
#include "storage/remove.h"
#include "libengine/userns/userns.h"
#include "storage/volume.h"

int engine_volumes_prepare(struct storage_store *store, struct engine_run_spec *spec,
			   struct engine_error **err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct engine_mount *m = &spec->mounts[i];
		if (m->type != ENGINE_MOUNT_VOLUME)
			continue;
		if (m->source == NULL) {
			char id[65];
			if (engine_generate_id(id, err) < 0)
				return -1;
			if ((m->source = strdup(id)) == NULL)
				return engine_error_set(err, ENOMEM, "out of memory");
		}
		if (storage_volume_create(store, m->source, NULL, NULL, m->anonymous, NULL, err) < 0)
			return engine_error_prefix(err, "volume %s", m->source);
	}
	return 0;
}

bool engine_volume_in_use(struct storage_store *store, const char *name, char user[65])
{
	struct engine_container **list = NULL;
	size_t n = 0;
	struct engine_error *local = NULL;
	bool found = false;
	if (engine_container_list(store, &list, &n, &local) < 0) {
		engine_error_free(&local);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; !found && k < list[i]->spec.n_mounts; k++) {
			const struct engine_mount *m = &list[i]->spec.mounts[k];
			if (m->type == ENGINE_MOUNT_VOLUME && m->source != NULL && strcmp(m->source, name) == 0) {
				snprintf(user, 65, "%s", list[i]->id);
				found = true;
			}
		}
		engine_container_free(list[i]);
	}
	free(list);
	return found;
}

struct remove_ctx {
	const char *root;
	const char *rel;
};

static int remove_child(void *data, int sock)
{
	struct remove_ctx *c = data;
	struct engine_error *err = NULL;
	int rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		engine_error_errno(&err, errno, "open %s", c->root);
	else
		storage_remove_tree(rootfd, c->rel, &err);
	if (rootfd >= 0)
		close(rootfd);
	if (err == NULL)
		return 0;
	engine_userns_report(sock, err);
	engine_error_free(&err);
	return 1;
}

int engine_volume_remove(struct storage_store *store, const struct engine_idmap *map,
			 const char *name, struct engine_error **err)
{
	cleanup_free char *rel = NULL;
	if (storage_store_lock(store, err) < 0)
		return -1;
	int r = storage_volume_unrecord(store, name, &rel, err);
	storage_store_unlock(store);
	if (r < 0)
		return -1;
	if (map->mode == ENGINE_IDMAP_ROOT)
		return storage_remove_tree(store->rootfd, rel, err);
	struct remove_ctx c = { .root = store->root, .rel = rel };
	return engine_userns_run(map, remove_child, &c, err);
}

static int64_t du_total;

static int du_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		du_total += (int64_t)st->st_blocks * 512;
	return 0;
}

int64_t engine_volume_size(struct storage_store *store, const char *name)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/volumes/%s/_data", store->root, name) < 0)
		return 0;
	du_total = 0;
	nftw(path, du_one, 32, FTW_PHYS | FTW_MOUNT);
	return du_total;
}

void engine_volumes_remove_anonymous(struct storage_store *store, const struct engine_idmap *map,
				     const struct engine_run_spec *spec)
{
	for (size_t i = 0; store != NULL && i < spec->n_mounts; i++) {
		const struct engine_mount *m = &spec->mounts[i];
		char user[65];
		if (m->type != ENGINE_MOUNT_VOLUME || !m->anonymous || m->source == NULL ||
		    engine_volume_in_use(store, m->source, user))
			continue;
		struct engine_error *err = NULL;
		if (engine_volume_remove(store, map, m->source, &err) < 0)
			engine_log(ENGINE_LOG_WARN, "remove anonymous volume %s: %s", m->source, err->msg);
		engine_error_free(&err);
	}
}
