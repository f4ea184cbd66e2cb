/* remove.c: rm -rf below a directory fd, for trees the engine made:
 * unpacked layers, container upper and work dirs (whose overlay workdir
 * leaves mode-000 directories behind), staging leftovers.  Symlinks are never
 * followed and other mounts never entered.  Kept apart from the unpacker so
 * that commands which only delete (and the container start-up path) do not
 * pull in libarchive. */
#include "storage/remove.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"

/* Directories held open while descending; deeper ones are closed and found
 * again through ".." (checked by device and inode), so that a tree deeper
 * than the fd limit can still be removed. */
#define REMOVE_OPEN_LEVELS 64

struct remove_level {
	DIR *dir; /* NULL while closed */
	dev_t dev;
	ino_t ino;
	char *name; /* in the parent level */
};

static int stat_nofollow(int parent_fd, const char *name, struct statx *stx)
{
	return statx(parent_fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		     STATX_TYPE | STATX_MODE | STATX_INO, stx);
}

static dev_t statx_dev(const struct statx *stx)
{
	return makedev(stx->stx_dev_major, stx->stx_dev_minor);
}

/* A bind mount of the same file system keeps st_dev: ask statx. */
static bool is_mount_root(const struct statx *stx)
{
	return (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Open directory NAME for removal, giving it u+rwx when it lacks it. */
static DIR *open_for_removal(int parent_fd, const char *name, const struct statx *stx)
{
	mode_t mode = (stx->stx_mode & 07777) | S_IRWXU;
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* Mode 000 (an overlay workdir's) and we are not root: only a chmod
	 * by name can open it; statx just said it is a directory. */
	if (fd < 0 && errno == EACCES && fchmodat(parent_fd, name, mode, 0) == 0)
		fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((stx->stx_mode & S_IRWXU) != S_IRWXU && fchmod(fd, mode) < 0) {
		close(fd);
		return NULL;
	}
	return engine_fdopendir(fd);
}

/* Reopen a closed level from its child (the level below it, still open). */
static int reopen_level(struct remove_level *level, DIR *child)
{
	int fd = openat(dirfd(child), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_dev != level->dev || st.st_ino != level->ino) {
		close(fd);
		return -ESTALE; /* the tree moved under us */
	}
	level->dir = engine_fdopendir(fd);
	return level->dir == NULL ? -errno : 0;
}

int storage_remove_tree(int parent_fd, const char *name, struct engine_error **err)
{
	struct statx stx;
	if (stat_nofollow(parent_fd, name, &stx) < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "remove %s", name);
	if (!S_ISDIR(stx.stx_mode)) {
		if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
			return engine_error_errno(err, errno, "remove %s", name);
		return 0;
	}
	if (is_mount_root(&stx))
		return engine_error_set(err, EBUSY, "remove %s: it is a mount point", name);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return engine_error_errno(err, errno, "remove %s", name);

	const dev_t top_dev = statx_dev(&stx);
	struct remove_level *levels = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	DIR *top = open_for_removal(parent_fd, name, &stx);
	if (top == NULL)
		return engine_error_errno(err, errno, "remove %s", name);
	levels = calloc(cap = 16, sizeof(*levels));
	if (levels == NULL) {
		closedir(top);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	levels[n++] = (struct remove_level){ top, top_dev, stx.stx_ino, NULL };

	while (n > 0) {
		struct remove_level *cur = &levels[n - 1];
		errno = 0;
		struct dirent *de = engine_readdir(cur->dir);
		if (de == NULL) {
			if (errno != 0) {
				r = engine_error_errno(err, errno, "remove %s: read directory", name);
				break;
			}
			if (n == 1) {
				closedir(cur->dir);
				cur->dir = NULL;
				n--;
				if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
					r = engine_error_errno(err, errno, "remove %s", name);
				break;
			}
			struct remove_level *parent = &levels[n - 2];
			if (parent->dir == NULL) {
				int e = reopen_level(parent, cur->dir);
				if (e < 0) {
					r = engine_error_errno(err, -e, "remove %s: go back up", name);
					break;
				}
			}
			closedir(cur->dir);
			cur->dir = NULL;
			if (unlinkat(dirfd(parent->dir), cur->name, AT_REMOVEDIR) < 0 &&
			    errno != ENOENT) {
				r = engine_error_errno(err, errno, "remove %s: %s", name, cur->name);
				free(cur->name);
				n--;
				break;
			}
			free(cur->name);
			n--;
			continue;
		}
		int fd = dirfd(cur->dir);
		if (stat_nofollow(fd, de->d_name, &stx) < 0) {
			if (errno == ENOENT)
				continue;
			r = engine_error_errno(err, errno, "remove %s: %s", name, de->d_name);
			break;
		}
		if (!S_ISDIR(stx.stx_mode)) {
			if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT) {
				r = engine_error_errno(err, errno, "remove %s: %s", name, de->d_name);
				break;
			}
			continue;
		}
		/* Never delete what another file system mounted in the tree. */
		if (statx_dev(&stx) != top_dev || is_mount_root(&stx)) {
			r = engine_error_set(err, EBUSY, "remove %s: %s is a mount point", name,
					     de->d_name);
			break;
		}
		if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			continue;
		if (errno != ENOTEMPTY && errno != EEXIST) {
			r = engine_error_errno(err, errno, "remove %s: %s", name, de->d_name);
			break;
		}
		if (n == cap) {
			struct remove_level *grown = realloc(levels, 2 * cap * sizeof(*levels));
			if (grown == NULL) {
				r = engine_error_set(err, ENOMEM, "out of memory");
				break;
			}
			levels = grown;
			cap *= 2;
			cur = &levels[n - 1];
		}
		char *child_name = strdup(de->d_name);
		DIR *child = child_name ? open_for_removal(fd, de->d_name, &stx) : NULL;
		if (child == NULL) {
			r = engine_error_errno(err, child_name ? errno : ENOMEM, "remove %s: %s",
					       name, de->d_name);
			free(child_name);
			break;
		}
		levels[n++] = (struct remove_level){ child, statx_dev(&stx), stx.stx_ino,
						     child_name };
		if (n > REMOVE_OPEN_LEVELS) {
			struct remove_level *old = &levels[n - 1 - REMOVE_OPEN_LEVELS];
			if (old->dir != NULL) {
				closedir(old->dir);
				old->dir = NULL;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (levels[i].dir != NULL)
			closedir(levels[i].dir);
		free(levels[i].name);
	}
	free(levels);
	return r;
}
