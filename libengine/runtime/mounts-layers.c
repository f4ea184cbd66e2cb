/* mounts-layers.c: the root of a container made of its image's layers and
 * its writable layer, one way per storage driver: a kernel overlay mount,
 * fuse-overlayfs (its daemon outside the container), or a vfs copy.  Used
 * by the container's own mounts (mounts.c) and by cp and export of a
 * stopped container (ctr-root.c). */
#include "libengine/runtime/mounts-layers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/copy.h"
#include "common/fs.h"
#include "libengine/runtime/fuse-overlayfs.h"
#include "storage/vfs.h"

/* The mode of the image's root directory, as Docker and Podman give it
 * (`stat -c %a /`): that of the top-most layer with a "./" entry.  The
 * unpacker applies that entry to the layer's diff directory, which is
 * otherwise made 0755; a layer whose root is not 0755 therefore had one.
 * (A top layer whose "./" says 0755 over a lower one that says otherwise
 * is taken as having none: the store does not record the entry itself.) */
static mode_t image_root_mode(const struct engine_mounts_config *cfg)
{
	for (size_t i = cfg->n_layers; i-- > 0;) {
		const char *hex = strchr(cfg->layers[i], ':');
		char diff[4400];
		struct stat st;
		snprintf(diff, sizeof(diff), "%s/layers/%s/diff", cfg->store_root,
			 hex ? hex + 1 : cfg->layers[i]);
		if (stat(diff, &st) == 0 && (st.st_mode & 07777) != 0755)
			return st.st_mode & 07777;
	}
	return 0755;
}

/* The image's layers as a kernel overlay: lower layers from the store, the
 * container's own upper and work directories.  Lower paths are given
 * relative to the store's layers/ directory (we chdir there) because the
 * mount data is limited to one page: absolute paths would cap an image at
 * a few dozen layers.  Rootless mounts need userxattr (overlay keeps its
 * whiteout and opaque marks in user.overlay.* inside a user namespace). */
static int mount_overlay(const struct engine_mounts_config *cfg, const char *dir,
			 char **ret_rootfs, struct engine_error **err)
{
	char layers_dir[4200];
	snprintf(layers_dir, sizeof(layers_dir), "%s/layers", cfg->store_root);
	if (chdir(layers_dir) < 0)
		return engine_error_errno(err, errno, "chdir %s", layers_dir);
	size_t cap = 4096, used = 0;
	char data[4096];
	used += (size_t)snprintf(data, cap, "lowerdir=");
	for (size_t i = cfg->n_layers; i-- > 0;) {
		const char *hex = strchr(cfg->layers[i], ':');
		hex = hex ? hex + 1 : cfg->layers[i];
		int w = snprintf(data + used, cap - used, "%s%s/diff", i + 1 == cfg->n_layers ? "" : ":", hex);
		if (w < 0 || (size_t)w >= cap - used)
			return engine_error_set(err, E2BIG, "image has too many layers (%zu) for one overlay mount",
						cfg->n_layers);
		used += (size_t)w;
	}
	int w = snprintf(data + used, cap - used, ",upperdir=%s/upper,workdir=%s/work%s", dir, dir,
			 cfg->rootless ? ",userxattr" : "");
	if (w < 0 || (size_t)w >= cap - used)
		return engine_error_set(err, E2BIG, "overlay mount options too long");
	char merged[4200];
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	if (mount("overlay", merged, "overlay", 0, data) < 0)
		return engine_error_errno(err, errno, "mount the image's layers (overlay) on %s", merged);
	*ret_rootfs = strdup(merged);
	return *ret_rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

/* fuse-overlayfs, as Podman's mount_program, but never a process in the
 * container's PID namespace: the mount is made here, in the container's
 * mount namespace, and the daemon that serves it is started outside
 * (fuse-overlayfs.c says why and how it ends).  The container's setup
 * hands the fd to its parent; a helper that is PID 1 of namespaces of its
 * own (cp, export) starts the daemon itself.  The first answer through
 * the mount waits for the daemon, so a daemon that failed shows here. */
static int mount_fuse_overlayfs(const struct engine_mounts_config *cfg, const char *dir,
				char **ret_rootfs, struct engine_error **err)
{
	if (storage_fuse_overlayfs_path() == NULL)
		return engine_error_set(err, ENOENT,
					"the fuse-overlayfs storage driver needs fuse-overlayfs in "
					"/usr/bin or /usr/local/bin");
	cleanup_free char *opts = engine_fuse_overlayfs_options(cfg->store_root, dir, cfg->layers,
								cfg->n_layers,
								cfg->fuse_overlayfs_idmap, err);
	if (opts == NULL)
		return -1;
	char merged[4200];
	snprintf(merged, sizeof(merged), "%s/merged", dir);
	cleanup_close int fuse_fd = engine_fuse_overlayfs_mount(merged, err);
	if (fuse_fd < 0)
		return -1;
	struct engine_fuse_daemon daemon = { .pid = 0, .log_fd = -1 };
	if (cfg->fuse_handoff != NULL) {
		if (cfg->fuse_handoff(cfg->fuse_handoff_data, fuse_fd, err) < 0)
			return -1;
	} else if (engine_fuse_daemon_start(fuse_fd, NULL, opts, &daemon, err) < 0) {
		return -1;
	}
	/* Ours goes: the connection must end when the daemon's does. */
	close(take_fd(&fuse_fd));
	struct statfs sf;
	if (statfs(merged, &sf) < 0 || sf.f_type != FUSE_SUPER_MAGIC) {
		int e = errno;
		engine_error_errno(err, e, "fuse-overlayfs did not serve the image's layers on %s", merged);
		engine_fuse_daemon_stop(&daemon, 1000, merged, err);
		return -1;
	}
	*ret_rootfs = strdup(merged);
	return *ret_rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

/* vfs: a full copy of the image's flattened root (built at pull time) is
 * the container's writable root.  Copied here, in the container's user
 * namespace, so the subordinate owners can be kept.  This is the driver's
 * cost: the whole image is copied at every run (reflinked where the file
 * system can). */
static int copy_vfs_root(const struct engine_mounts_config *cfg, const char *dir,
			 char **ret_rootfs, struct engine_error **err)
{
	char rootfs[4200], done[4200];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	/* A recorded container started again keeps the root it has: the
	 * marker says the copy was finished (so does --userns=auto's copy,
	 * made without the image's vfs root). */
	snprintf(done, sizeof(done), "%s/rootfs.done", dir);
	if (access(done, F_OK) == 0) {
		*ret_rootfs = strdup(rootfs);
		return *ret_rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	cleanup_free char *image_root = storage_vfs_root_path(cfg->store_root, cfg->layers, cfg->n_layers);
	if (image_root == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_close int src = open(image_root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return engine_error_errno(err, errno, "open the image's vfs root %s", image_root);
	cleanup_close int dst = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return engine_error_errno(err, errno, "open %s", rootfs);
	if (storage_copy_tree(src, dst, STORAGE_COPY_TREE, err) < 0)
		return engine_error_prefix(err, "copy the image into %s", rootfs);
	if (fchmod(dst, image_root_mode(cfg)) < 0)
		return engine_error_errno(err, errno, "set the mode of %s", rootfs);
	int marker = open(done, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (marker >= 0)
		close(marker);
	*ret_rootfs = strdup(rootfs);
	return *ret_rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

/* The storage drivers' ways to make a root of an image's layers, and the
 * directories each needs under ROOT/containers/ID. */
static const struct layer_driver {
	enum storage_driver driver;
	const char *subdirs[4];
	int (*make_root)(const struct engine_mounts_config *cfg, const char *dir, char **ret_rootfs,
			 struct engine_error **err);
} layer_drivers[] = {
	{ STORAGE_DRIVER_OVERLAY, { "upper", "work", "merged", NULL }, mount_overlay },
	{ STORAGE_DRIVER_FUSE_OVERLAYFS, { "upper", "work", "merged", NULL }, mount_fuse_overlayfs },
	{ STORAGE_DRIVER_VFS, { "rootfs", NULL }, copy_vfs_root },
};

static int mount_layers(const struct engine_mounts_config *cfg, char **ret_rootfs,
			struct engine_error **err)
{
	const struct layer_driver *d = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(layer_drivers); i++)
		if (layer_drivers[i].driver == cfg->driver)
			d = &layer_drivers[i];
	if (d == NULL)
		return engine_error_set(err, EINVAL, "no storage driver chosen for the image's layers");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/containers/%s", cfg->store_root, cfg->container_id);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s", dir);
	for (size_t i = 0; i < ARRAY_SIZE(d->subdirs) && d->subdirs[i] != NULL; i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", dir, d->subdirs[i]);
		int r = mkdir(p, 0755);
		if (r < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", p);
		/* An overlay's root has its upper directory's mode: the image's,
		 * set once (a chmod of / inside the container is kept). */
		if (r == 0 && strcmp(d->subdirs[i], "upper") == 0 && chmod(p, image_root_mode(cfg)) < 0)
			return engine_error_errno(err, errno, "set the mode of %s", p);
	}
	return d->make_root(cfg, dir, ret_rootfs, err);
}

int engine_mounts_layers(const struct engine_mounts_config *cfg, char **ret_rootfs,
			 struct engine_error **err)
{
	return mount_layers(cfg, ret_rootfs, err);
}
