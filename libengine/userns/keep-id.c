/* keep-id.c: --userns=keep-id for an image, as Podman's keep-id.
 *
 * keep-id's namespace maps the user's uid U to itself, container 0..U-1
 * to the first U subordinate ids and U+1.. to the rest (idmap.c).  The
 * store's layers are unpacked under the default mapping (0 = the user,
 * 1.. = the subordinate ids), so read as they are under keep-id they are
 * shifted: the image's root shows as U, its 1..U as 0..U-1, and the
 * container's user could rewrite its /etc/shadow and /bin.  The kernel
 * offers no way to show them otherwise to a rootless user: idmapped mounts
 * need CAP_SYS_ADMIN in the user namespace that owns the file system's
 * superblock, the initial one for ext4 or xfs (mount_setattr gives EPERM;
 * overlay's layers would have to be idmapped first).  Two ways remain,
 * the two containers/storage takes:
 *   - fuse-overlayfs's uidmapping=/gidmapping=: the daemon presents each
 *     owner translated and translates back what it writes, so the
 *     writable layer keeps the default mapping's owners (diff, commit, cp
 *     and a later run see them as any container's).  No copy, no first-
 *     run cost; each file access goes through the daemon.  An overlay
 *     store records such a container as fuse-overlayfs: the two drivers
 *     share layers and container directories.
 *   - a copy of the image per container with owners moved (as
 *     --userns=auto's), for vfs, which copies per container anyway, and
 *     for an overlay store where fuse-overlayfs cannot run.
 * Measured in docs/performance.md: fuse-overlayfs costs a daemon start
 * at every run (~0.15 s) and slower file access (9x to read all of
 * debian's /usr); the copy costs the whole image at create (busybox
 * 0.4 s, debian 18 s) and moves the owners that diff and commit read,
 * which is why it is only the fallback.
 *
 * Without subordinate ids keep-id maps the user alone (U -> U): the store
 * holds every file as the user (a single-id namespace cannot chown), so
 * every file of the image shows as U:G inside, as before; nothing to
 * translate. */
#include "libengine/userns/keep-id.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/userns/auto.h"

static bool needs_mapping(const struct engine_run_spec *spec, const struct engine_idmap *map)
{
	return map->mode == ENGINE_IDMAP_SUBID && spec->n_layers > 0 && spec->store_root != NULL &&
	       spec->userns != NULL && strcmp(spec->userns, "keep-id") == 0;
}

int engine_userns_keep_id_prepare(struct engine_run_spec *spec, const struct engine_idmap *map,
				  struct engine_error **err)
{
	if (!needs_mapping(spec, map))
		return 0;
	if (spec->storage_driver == STORAGE_DRIVER_FUSE_OVERLAYFS)
		return 0;
	if (spec->storage_driver == STORAGE_DRIVER_OVERLAY && storage_fuse_overlayfs_path() != NULL &&
	    storage_dev_fuse_usable()) {
		spec->storage_driver = STORAGE_DRIVER_FUSE_OVERLAYFS;
		return 0;
	}
	static struct engine_idmap keep; /* large: off the stack */
	keep = *map;
	if (engine_idmap_keep_id(&keep, err) < 0)
		return -1;
	struct engine_idmap_range uids[ENGINE_IDMAP_MAX], gids[ENGINE_IDMAP_MAX];
	struct engine_userns_copy how = {
		.uids = uids,
		.n_uids = engine_idmap_compose(keep.uids, keep.n_uids, map->uids, map->n_uids, uids,
					       ENGINE_IDMAP_MAX),
		.gids = gids,
		.n_gids = engine_idmap_compose(keep.gids, keep.n_gids, map->gids, map->n_gids, gids,
					       ENGINE_IDMAP_MAX),
		.what = "userns=keep-id",
		.unmapped = "which keep-id's mapping lacks",
	};
	return engine_userns_copy_image(spec, map, &how, err);
}

enum storage_driver engine_userns_keep_id_driver(const struct engine_run_spec *spec)
{
	if (spec->n_layers == 0 || spec->store_root == NULL)
		return spec->storage_driver;
	cleanup_free char *done = NULL;
	if (asprintf(&done, "%s/containers/%s/rootfs.done", spec->store_root, spec->id) < 0)
		return spec->storage_driver;
	return access(done, F_OK) == 0 ? STORAGE_DRIVER_VFS : spec->storage_driver;
}

/* "A:B:N:A:B:N..." as fuse-overlayfs 1.10 reads a mapping: A the id the
 * daemon sees on disk (in its own namespace), B the id it shows. */
static int append_lines(char **s, size_t *len, const char *key,
			const struct engine_idmap_range *r, size_t n)
{
	size_t cap = *len + strlen(key) + 3 + n * 36;
	char *p = realloc(*s, cap);
	if (p == NULL)
		return -ENOMEM;
	*s = p;
	*len += (size_t)snprintf(p + *len, cap - *len, "%s%s=", *len ? "," : "", key);
	for (size_t i = 0; i < n; i++)
		*len += (size_t)snprintf(p + *len, cap - *len, "%s%u:%u:%u", i ? ":" : "",
					 r[i].container, r[i].host, r[i].count);
	return 0;
}

int engine_userns_keep_id_fuse_options(const struct engine_idmap *map,
				       const struct engine_idmap *keep, char **ret,
				       struct engine_error **err)
{
	*ret = NULL;
	if (map->mode != ENGINE_IDMAP_SUBID)
		return 0;
	/* On disk: the id of keep-id's namespace (the daemon's) for a host
	 * id; shown: the default mapping's id for it, the image's own. */
	struct engine_idmap_range uids[ENGINE_IDMAP_MAX], gids[ENGINE_IDMAP_MAX];
	size_t nu = engine_idmap_compose(keep->uids, keep->n_uids, map->uids, map->n_uids, uids,
					 ENGINE_IDMAP_MAX);
	size_t ng = engine_idmap_compose(keep->gids, keep->n_gids, map->gids, map->n_gids, gids,
					 ENGINE_IDMAP_MAX);
	char *s = NULL;
	size_t len = 0;
	if (append_lines(&s, &len, "uidmapping", uids, nu) < 0 ||
	    append_lines(&s, &len, "gidmapping", gids, ng) < 0) {
		free(s);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = s;
	return 0;
}
