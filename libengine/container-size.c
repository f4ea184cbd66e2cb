/* container-size.c: the size of containers' writable layers, for `ps -s`
 * (Docker's SizeRw).  In rootless mode the layer's files belong to
 * subordinate ids and may sit in directories only those ids can search, so
 * the walk runs inside the user namespace (engine_userns_run), once for
 * every container listed; the child writes the sizes into memory shared
 * with the parent (MAP_SHARED before the clone), which avoids a protocol
 * over the helper's socket for what is an array of numbers.  As root the
 * walk runs in the caller. */
#include "containers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "userns.h"

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
	DIR *d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return 0;
	}
	int64_t total = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
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
	closedir(d);
	return total;
}

struct size_job {
	const char *store_root;
	const char *const *ids;
	size_t n;
	int64_t *sizes;     /* shared with the parent */
	bool *full_copies;  /* shared with the parent */
};

static void measure(struct size_job *job)
{
	cleanup_close int root = open(job->store_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; root >= 0 && i < job->n; i++) {
		char rel[128];
		/* overlay and fuse-overlayfs: upper/; vfs: the whole copy. */
		snprintf(rel, sizeof(rel), "containers/%s/upper", job->ids[i]);
		int fd = openat(root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		job->full_copies[i] = false;
		if (fd < 0) {
			snprintf(rel, sizeof(rel), "containers/%s/rootfs", job->ids[i]);
			fd = openat(root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			job->full_copies[i] = fd >= 0;
		}
		if (fd < 0) {
			job->sizes[i] = 0;
			continue;
		}
		struct seen seen = { 0 };
		job->sizes[i] = tree_size(fd, &seen, 0);
		free(seen.dev);
		free(seen.ino);
	}
}

static int measure_child(void *data, int sock)
{
	(void)sock;
	measure(data);
	return 0;
}

int engine_container_sizes(const char *store_root, const struct engine_idmap *map,
			   const char *const *ids, size_t n, int64_t *ret_sizes,
			   bool *ret_full_copies, struct engine_error **err)
{
	if (n == 0)
		return 0;
	size_t bytes = n * (sizeof(int64_t) + sizeof(bool));
	void *shared = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return engine_error_errno(err, errno, "mmap");
	struct size_job job = { .store_root = store_root, .ids = ids, .n = n, .sizes = shared,
				.full_copies = (bool *)((int64_t *)shared + n) };
	int r = 0;
	if (map->mode == ENGINE_IDMAP_ROOT)
		measure(&job);
	else
		r = engine_userns_run(map, measure_child, &job, err);
	if (r == 0) {
		memcpy(ret_sizes, job.sizes, n * sizeof(int64_t));
		memcpy(ret_full_copies, job.full_copies, n * sizeof(bool));
	}
	munmap(shared, bytes);
	return r < 0 ? engine_error_prefix(err, "container sizes") : 0;
}
