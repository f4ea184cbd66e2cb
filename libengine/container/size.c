/* size.c: the size of containers' writable layers, for `ps -s`
 * (Docker's SizeRw).  In rootless mode the layer's files belong to
 * subordinate ids and may sit in directories only those ids can search, so
 * the walk runs inside the user namespace (engine_userns_run), once for
 * every container listed; the child writes the sizes into memory shared
 * with the parent (MAP_SHARED before the clone), which avoids a protocol
 * over the helper's socket for what is an array of numbers.  As root the
 * walk runs in the caller. */
#include "libengine/container/containers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "libengine/userns/userns.h"
#include "storage/vfs.h"

/* Hard links count once, as moby's directory.Size() counts them. */
struct seen {
	dev_t *dev;
	ino_t *ino;
	size_t n, cap;
};

static bool seen_before(struct seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return true;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		dev_t *d = realloc(s->dev, cap * sizeof(*d));
		if (d == NULL)
			return false;
		s->dev = d;
		ino_t *in = realloc(s->ino, cap * sizeof(*in));
		if (in == NULL)
			return false;
		s->ino = in;
		s->cap = cap;
	}
	s->dev[s->n] = st->st_dev;
	s->ino[s->n++] = st->st_ino;
	return false;
}

/* Sum of st_size of everything but directories under DIRFD (consumed). */
static int64_t tree_size(int dirfd, struct seen *seen, int depth)
{
	cleanup_dir DIR *d = engine_fdopendir(dirfd);
	if (d == NULL)
		return 0;
	int64_t total = 0;
	struct dirent *e;
	while ((e = engine_readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* Deep trees are not worth a stack overflow. */
			int sub = depth < 256 ? openat(dirfd, e->d_name,
						       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
					      : -1;
			if (sub >= 0)
				total += tree_size(sub, seen, depth + 1);
			continue;
		}
		if (st.st_nlink > 1 && seen_before(seen, &st))
			continue;
		total += st.st_size;
	}
	return total;
}

struct size_job {
	const char *store_root;
	const char *const *ids;
	char **vfs_roots;   /* the image's vfs root of each (absolute) */
	size_t n;
	int64_t *sizes;     /* shared with the parent */
};

static int64_t dir_size(int dirfd, const char *rel)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct seen seen = { 0 };
	int64_t size = tree_size(fd, &seen, 0);
	free(seen.dev);
	free(seen.ino);
	return size;
}

static void measure(struct size_job *job)
{
	cleanup_close int root = open(job->store_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; root >= 0 && i < job->n; i++) {
		char rel[128];
		/* overlay and fuse-overlayfs: upper/ holds exactly the changes. */
		snprintf(rel, sizeof(rel), "containers/%s/upper", job->ids[i]);
		int64_t size = dir_size(root, rel);
		if (size < 0) {
			/* vfs: a whole copy of the image's root; what it adds is
			 * the difference (files removed make it smaller). */
			snprintf(rel, sizeof(rel), "containers/%s/rootfs", job->ids[i]);
			size = dir_size(root, rel);
			int64_t base = job->vfs_roots[i] ? dir_size(AT_FDCWD, job->vfs_roots[i]) : -1;
			size = size < 0 ? 0 : base < 0 ? size : size > base ? size - base : 0;
		}
		job->sizes[i] = size;
	}
}

static int measure_child(void *data, int sock)
{
	(void)sock;
	measure(data);
	return 0;
}

int engine_container_sizes(const char *store_root, const struct engine_idmap *map,
			   struct engine_container *const *containers, size_t n, int64_t *ret_sizes,
			   struct engine_error **err)
{
	if (n == 0)
		return 0;
	int64_t *shared = mmap(NULL, n * sizeof(int64_t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return engine_error_errno(err, errno, "mmap");
	const char **ids = calloc(n, sizeof(char *));
	char **vfs_roots = calloc(n, sizeof(char *));
	int r = -1;
	if (ids == NULL || vfs_roots == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = containers[i]->id;
		const struct engine_run_spec *spec = &containers[i]->spec;
		if (spec->storage_driver != STORAGE_DRIVER_VFS)
			continue;
		if (spec->n_layers > 0)
			vfs_roots[i] = storage_vfs_root_path(store_root, spec->layers, spec->n_layers);
	}
	struct size_job job = { .store_root = store_root, .ids = ids, .vfs_roots = vfs_roots, .n = n,
				.sizes = shared };
	if (map->mode == ENGINE_IDMAP_ROOT)
		measure(&job);
	else if (engine_userns_run(map, measure_child, &job, err) < 0)
		goto out;
	memcpy(ret_sizes, shared, n * sizeof(int64_t));
	r = 0;
out:
	for (size_t i = 0; vfs_roots != NULL && i < n; i++)
		free(vfs_roots[i]);
	free(vfs_roots);
	free(ids);
	munmap(shared, n * sizeof(int64_t));
	return r < 0 ? engine_error_prefix(err, "container sizes") : 0;
}
