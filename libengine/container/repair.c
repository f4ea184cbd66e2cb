/* repair.c: nothing lost, nothing stranded.  A command killed
 * with SIGKILL, or one that failed on a full store, can leave in the store
 * a containers/ID directory without a record (a foreground run's writable
 * layer, a create killed before config.json), a name without a record, or
 * a volume renamed for removal (volumes/.rm-NAME-PID); a record can also
 * be damaged past reading.  None of these shows in ps, and their files may
 * belong to subordinate ids, so the user cannot remove them by hand: this
 * file finds them (cheaply: ps -a only counts what its listing failed to
 * load anyway) and removes them from inside the user namespace. */
#include "libengine/container/repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "libengine/container/containers.h"
#include "common/fs.h"
#include "common/hex.h"
#include "storage/paths.h"
#include "common/proc.h"
#include "common/strv.h"
#include "storage/remove.h"
#include "libengine/userns/userns.h"

/* Long enough for any create to have written its claim or its record
 * after its mkdir, short enough that a leftover does not stay for long. */
#define UNCLAIMED_GRACE_S 60

/* The ID in container-names/NAME, or -1. */
static int name_target(int names_fd, const char *name, char id[65])
{
	cleanup_free char *buf = NULL;
	if (engine_read_file(names_fd, name, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, 128,
			     &buf, NULL, NULL) < 0)
		return -1;
	snprintf(id, 65, "%.64s", buf);
	return engine_is_hex(id, 64, 64) ? 0 : -1;
}

bool engine_container_orphaned(int containers_fd, const char *id)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	if (faccessat(containers_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return false;
	/* The claim (storage_container_claim): "IMAGE_ID PID", PID the
	 * process that runs the container or creates it. */
	snprintf(rel, sizeof(rel), "%s/image", id);
	cleanup_free char *buf = NULL;
	if (engine_read_file(containers_fd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, 256,
			     &buf, NULL, NULL) == 0) {
		int pid = 0;
		if (sscanf(buf, "%*64s %d", &pid) == 1 && pid > 0)
			return !engine_pid_alive(pid);
	}
	struct stat st;
	if (fstatat(containers_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return false;
	return time(NULL) - st.st_mtime > UNCLAIMED_GRACE_S;
}

int engine_container_resolve_any(struct storage_store *store, const char *what, char ret_id[65],
				 struct engine_error **err)
{
	char rel[400];
	struct stat st;
	if (engine_is_hex(what, 64, 64)) {
		snprintf(rel, sizeof(rel), "containers/%s", what);
		if (fstatat(store->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(ret_id, 65, "%s", what);
			return 0;
		}
	}
	const char *name = what[0] == '/' ? what + 1 : what;
	cleanup_close int names = openat(store->rootfd, "container-names", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (names >= 0 && engine_container_name_check(what, NULL) == 0 &&
	    name_target(names, name, ret_id) == 0)
		return 0;
	size_t len = strlen(what);
	bool prefix = engine_is_hex(what, 1, 63);
	cleanup_dir DIR *d = prefix ? engine_opendir_at(store->rootfd, "containers") : NULL;
	int matches = 0;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (!engine_is_hex(e->d_name, 64, 64) || strncmp(e->d_name, what, len) != 0)
			continue;
		if (matches++ == 0)
			snprintf(ret_id, 65, "%.64s", e->d_name);
	}
	if (matches > 1)
		return engine_error_set(err, EINVAL, "multiple containers found with provided prefix: %s", what);
	if (matches == 0)
		return engine_error_set(err, ENOENT, "No such container: %s", what);
	return 0;
}

/* ---- removal --------------------------------------------------------- */

struct remove_list {
	const char *root;
	char **rels;
	size_t n;
};

/* In the user namespace: rm -rf of each, the first error reported, the
 * others still removed. */
static int remove_child(void *data, int sock)
{
	struct remove_list *l = data;
	struct engine_error *first = NULL;
	cleanup_close int rootfd = open(l->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		engine_error_errno(&first, errno, "open %s", l->root);
	for (size_t i = 0; rootfd >= 0 && i < l->n; i++) {
		struct engine_error *e = NULL;
		if (storage_remove_tree(rootfd, l->rels[i], &e) < 0 && first == NULL)
			first = steal_pointer(&e);
		engine_error_free(&e);
	}
	if (first == NULL)
		return 0;
	engine_userns_report(sock, first);
	engine_error_free(&first);
	return 1;
}

static int remove_in_userns(const char *root, const struct engine_idmap *map, char **rels, size_t n,
			    struct engine_error **err)
{
	if (n == 0)
		return 0;
	struct remove_list l = { .root = root, .rels = rels, .n = n };
	return engine_userns_run(map, remove_child, &l, err);
}

/* Every name that points to ID (all of them when ID is NULL and the name
 * has no record: stale), under the store lock. */
static int remove_names(struct storage_store *store, const char *id, struct engine_error **err)
{
	cleanup_dir DIR *d = NULL;
	int r = storage_store_opendir(store, "container-names", &d, err);
	if (r < 0 || d == NULL)
		return r;
	if (storage_store_lock(store, err) < 0)
		return -1;
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char target[65], rel[128];
		/* A create holds the store lock while its name's temp file
		 * exists: one seen under the lock is a killed create's. */
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (e->d_name[0] == '.' || name_target(dirfd(d), e->d_name, target) < 0)
			continue;
		if (id != NULL) {
			if (strcmp(target, id) != 0)
				continue;
		} else {
			snprintf(rel, sizeof(rel), "containers/%s/config.json", target);
			if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
				continue;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	storage_store_unlock(store);
	return removed;
}

int engine_container_run_dir_remove(const char *run_root, const char *id, struct engine_error **err)
{
	cleanup_free char *def = NULL;
	if (run_root == NULL || *run_root == '\0') {
		if (storage_default_runroot(&def, err) < 0)
			return -1;
		run_root = def;
	}
	cleanup_close int fd = open(run_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "open %s", run_root);
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", id);
	return storage_remove_tree(fd, rel, err);
}

void engine_container_kill_recorded(struct storage_store *store, const char *id)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s/state.json", id);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(store->rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
			     64 << 10, &buf, &len, NULL) < 0)
		return;
	cleanup_json json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j))
		return;
	pid_t monitor = (pid_t)json_integer_value(json_object_get(j, "MonitorPid"));
	uint64_t monitor_start = (uint64_t)json_integer_value(json_object_get(j, "MonitorStart"));
	pid_t init = (pid_t)json_integer_value(json_object_get(j, "Pid"));
	uint64_t init_start = (uint64_t)json_integer_value(json_object_get(j, "PidStart"));
	/* Only with a start time to compare: a bare pid may be reused. */
	bool monitor_alive = monitor > 0 && monitor_start != 0 &&
			     engine_pid_alive_since(monitor, monitor_start);
	if (init > 0 && init_start != 0 && engine_pid_alive_since(init, init_start))
		kill(init, SIGKILL);
	if (!monitor_alive)
		return;
	kill(monitor, SIGKILL);
	for (int i = 0; i < 250 && engine_pid_alive_since(monitor, monitor_start); i++) {
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

int engine_container_remove_damaged(struct storage_store *store, const struct engine_idmap *map,
				    const char *run_root, const char *id, struct engine_error **err)
{
	if (!engine_is_hex(id, 64, 64))
		return engine_error_set(err, EINVAL, "not a container ID: %s", id);
	engine_container_kill_recorded(store, id);
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", id);
	char *rels[] = { rel };
	struct stat st;
	if (fstatat(store->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    remove_in_userns(store->root, map, rels, 1, err) < 0)
		return engine_error_prefix(err, "remove %s/%s", store->root, rel);
	if (remove_names(store, id, err) < 0)
		return -1;
	return engine_container_run_dir_remove(run_root, id, err);
}

/* ---- the sweep -------------------------------------------------------- */

static int add_rel(char ***rels, size_t *n, const char *dir, const char *name)
{
	char **r = realloc(*rels, (*n + 1) * sizeof(char *));
	if (r == NULL)
		return -1;
	*rels = r;
	if (asprintf(&r[*n], "%s/%s", dir, name) < 0)
		return -1;
	(*n)++;
	return 0;
}

/* volumes/.rm-NAME-PID (storage_volume_unrecord) of a PID that is gone. */
static bool volume_leftover(const char *entry)
{
	if (strncmp(entry, ".rm-", 4) != 0)
		return false;
	const char *dash = strrchr(entry, '-');
	if (dash == NULL || dash < entry + 4 || dash[1] == '\0')
		return false;
	char *end = NULL;
	long pid = strtol(dash + 1, &end, 10);
	return *end == '\0' && pid > 0 && !engine_pid_alive((pid_t)pid);
}

int engine_store_sweep(struct storage_store *store, const struct engine_idmap *map,
		       struct engine_error **err)
{
	char **rels = NULL;
	size_t n = 0;
	int r = 0;
	static const char *const dirs[] = { "containers", "volumes" };
	for (size_t k = 0; k < ARRAY_SIZE(dirs) && r == 0; k++) {
		cleanup_dir DIR *d = engine_opendir_at(store->rootfd, dirs[k]);
		if (d == NULL)
			continue;
		struct dirent *e;
		while (r == 0 && (e = readdir(d)) != NULL) {
			bool gone = k == 0 ? engine_is_hex(e->d_name, 64, 64) &&
						     engine_container_orphaned(dirfd(d), e->d_name)
					   : volume_leftover(e->d_name);
			if (gone && add_rel(&rels, &n, dirs[k], e->d_name) < 0)
				r = engine_error_set(err, ENOMEM, "out of memory");
		}
	}
	if (r == 0 && remove_in_userns(store->root, map, rels, n, err) < 0)
		r = engine_error_prefix(err, "remove what killed commands left in %s", store->root);
	engine_strv_free_n(rels, n);
	if (r < 0)
		return -1;
	int names = remove_names(store, NULL, err);
	if (names < 0)
		return -1;
	return (int)n + names;
}
