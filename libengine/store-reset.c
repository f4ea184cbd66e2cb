/* store-reset.c: `system reset`: remove the whole store and run root.  In
 * rootless mode the layers, writable layers and vfs copies hold files of
 * subordinate ids that the user cannot unlink, so the removal runs inside
 * the user namespace (as its root, which owns every id the store can
 * hold); as root it runs in the caller.  The containers must be gone
 * first (the caller stops and forgets them): a live overlay mount stops
 * the removal with EBUSY rather than reaching into it. */
#include "libengine/container/containers.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/remove.h"
#include "libengine/userns/userns.h"

struct reset_job {
	const char *const *dirs;
	size_t n;
};

static int remove_dir(const char *dir, struct engine_error **err)
{
	/* "/" or a relative path is never a store to remove. */
	if (dir == NULL || dir[0] != '/' || dir[1] == '\0')
		return engine_error_set(err, EINVAL, "refusing to remove \"%s\"", dir ? dir : "");
	cleanup_free char *parent_copy = strdup(dir), *base_copy = strdup(dir);
	if (parent_copy == NULL || base_copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *parent = dirname(parent_copy), *base = basename(base_copy);
	cleanup_close int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "open %s", parent);
	if (storage_remove_tree(fd, base, err) < 0)
		return engine_error_prefix(err, "remove %s", dir);
	return 0;
}

static int reset_child(void *data, int sock)
{
	struct reset_job *job = data;
	struct engine_error *err = NULL;
	for (size_t i = 0; i < job->n; i++) {
		if (remove_dir(job->dirs[i], &err) < 0) {
			engine_userns_report(sock, err);
			engine_error_free(&err);
			return 1;
		}
	}
	return 0;
}

int engine_store_reset(const struct engine_idmap *map, const char *const *dirs, size_t n,
		       struct engine_error **err)
{
	struct reset_job job = { .dirs = dirs, .n = n };
	if (map->mode == ENGINE_IDMAP_ROOT) {
		for (size_t i = 0; i < n; i++)
			if (remove_dir(dirs[i], err) < 0)
				return -1;
		return 0;
	}
	return engine_userns_run(map, reset_child, &job, err);
}
