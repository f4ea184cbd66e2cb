/* remove.c: rm (of one container or a thousand), rm -a,
 * container prune and the container part of system prune and reset.
 *
 * A container's writable layer holds files of subordinate ids, which only
 * a process inside the user namespace may remove.  Removing containers one
 * by one paid for a helper each (a clone, newuidmap and newgidmap: about
 * 20 ms) and, per container, a scan of every name: `rm -af` of 1,000
 * containers took 20 s.  Here the work is split by where it must run:
 *
 *   1. in this process, per container: find it, refuse or kill what runs,
 *      then wait for all the killed monitors together;
 *   2. in ONE helper for the whole set: every tree of subordinate ids (the
 *      containers' directories, damaged records', anonymous volumes'),
 *      removed by a few worker processes side by side: a created
 *      container's tree is small, its cost is the latency of metadata
 *      operations, which parallel unlinks overlap;
 *   3. in this process again: one pass over the names, then per
 *      container its network leftovers and run directory.
 *
 * Each container keeps its own result: one that cannot go fails alone. */
#include "libengine/container/remove.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "common/dir.h"
#include "common/proc.h"
#include "libengine/container/net.h"
#include "libengine/container/repair.h"
#include "libengine/container/containers.h"
#include "common/fs.h"
#include "common/strv.h"
#include "storage/remove.h"
#include "libengine/userns/userns.h"
#include "storage/volume.h"

/* A killed container's monitor gets this long to record the exit and
 * clean up, then it is killed too; then this much longer to be gone. */
#define MONITOR_GRACE_MS 10000
#define MONITOR_KILLED_MS 5000

/* More workers than this only queue on the same disk. */
#define MAX_WORKERS 8

struct entry {
	struct engine_container *c; /* NULL: a damaged record, known by id */
	char id[65];
	bool wait;        /* its monitor is waited for */
	bool kill_after;  /* ... and killed when it does not go in time */
	int tree;         /* index of containers/ID in the tree list, -1 none */
	struct engine_error *err;
};

/* ---- the trees, removed side by side ------------------------------------ */

/* One per tree, in memory shared with the helper and its workers: the
 * helper cannot send back more than one error, this holds each. */
struct tree_result {
	int status; /* -1 not tried, 0 removed, else an errno */
	char msg[252];
};

struct tree_batch {
	const char *root;
	char **rels;
	size_t n;
	unsigned workers;
	size_t *next; /* shared: the next tree to take */
	struct tree_result *results; /* shared, N of them */
};

static void trees_work(int rootfd, struct tree_batch *b)
{
	for (;;) {
		size_t i = __atomic_fetch_add(b->next, 1, __ATOMIC_RELAXED);
		if (i >= b->n)
			return;
		struct engine_error *e = NULL;
		struct tree_result *r = &b->results[i];
		if (storage_remove_tree(rootfd, b->rels[i], &e) < 0) {
			snprintf(r->msg, sizeof(r->msg), "%s", e != NULL ? e->msg : "failed");
			r->status = e != NULL && e->status != 0 ? e->status : EIO;
		} else {
			r->status = 0;
		}
		engine_error_free(&e);
	}
}

/* Worker processes rather than threads: the helper is a raw clone, whose
 * glibc thread state is its parent's; fork() sets it up properly. */
static int trees_remove(struct tree_batch *b)
{
	cleanup_close int rootfd = open(b->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		int e = errno;
		for (size_t i = 0; i < b->n; i++) {
			b->results[i].status = e;
			snprintf(b->results[i].msg, sizeof(b->results[i].msg), "open %s: %s", b->root,
				 strerror(e));
		}
		return 1;
	}
	pid_t pids[MAX_WORKERS];
	unsigned started = 0;
	for (unsigned k = 1; k < b->workers; k++) {
		pid_t pid = fork();
		if (pid == 0) {
			trees_work(rootfd, b);
			_exit(0);
		}
		if (pid < 0)
			break; /* fewer workers: the others take their share */
		pids[started++] = pid;
	}
	trees_work(rootfd, b);
	for (unsigned k = 0; k < started; k++)
		while (waitpid(pids[k], NULL, 0) < 0 && errno == EINTR)
			;
	return 0;
}

static int trees_child(void *data, int sock)
{
	(void)sock;
	return trees_remove(data);
}

/* Removing is waiting on the disk (a created container's tree is a few
 * small files): a few workers per CPU overlap that waiting; more only
 * contend for the same directories (measured: 4 on 2 CPUs took less
 * system time than 8, 16 or 32, and no longer).  A small set is not worth
 * a fork. */
static unsigned workers_for(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t w = n / 8 + 1;
	if (cpus > 0 && w > (size_t)cpus * 2)
		w = (size_t)cpus * 2;
	return w > MAX_WORKERS ? MAX_WORKERS : (unsigned)w;
}

/* Remove RELS (below the store root); RESULTS[i] says how each went. */
static void trees_remove_all(struct storage_store *store, const struct engine_idmap *map,
			     bool in_userns, char **rels, size_t n, struct tree_result **ret_results,
			     size_t *ret_size)
{
	size_t size = sizeof(size_t) + n * sizeof(struct tree_result);
	void *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*ret_results = NULL;
	*ret_size = 0;
	if (shared == MAP_FAILED)
		return; /* each container then fails or goes on its own below */
	struct tree_batch b = {
		.root = store->root, .rels = rels, .n = n, .workers = workers_for(n),
		.next = shared, .results = (struct tree_result *)((char *)shared + sizeof(size_t)),
	};
	for (size_t i = 0; i < n; i++)
		b.results[i].status = -1;
	struct engine_error *e = NULL;
	if (!in_userns)
		trees_remove(&b);
	else if (engine_userns_run(map, trees_child, &b, &e) < 0)
		engine_log(ENGINE_LOG_WARN, "remove %zu containers' files: %s", n, e->msg);
	engine_error_free(&e);
	*ret_results = b.results;
	*ret_size = size;
}

/* ---- one container, before the trees ------------------------------------ */

/* WHAT that engine_container_get could not read (GET_ERR): a record
 * damaged past reading, or a name or directory without one.  With force
 * whatever of it is there goes; without, only what nobody owns (a record
 * that is there but unreadable may belong to a running container). */
static void resolve_damaged(struct storage_store *store, const char *what,
			    const struct engine_remove_options *o, struct engine_error **get_err,
			    struct entry *e)
{
	struct engine_error *local = NULL;
	if (o->stopped_only || engine_container_resolve_any(store, what, e->id, &local) < 0) {
		engine_error_free(&local);
		e->id[0] = '\0';
		e->err = steal_pointer(get_err);
		return;
	}
	cleanup_close int cfd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool orphan = cfd >= 0 && (engine_container_orphaned(cfd, e->id) ||
				   (faccessat(cfd, e->id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT));
	if (!o->force && !orphan) {
		engine_error_setting(&e->err, "forced removal", (*get_err)->status,
				     "%s: the record cannot be read (%s): forced removal removes what is left of it", what,
				 (*get_err)->msg);
		engine_error_free(get_err);
		return;
	}
	engine_error_free(get_err);
	engine_container_kill_recorded(store, e->id);
}

static bool monitor_alive(const struct engine_container *c)
{
	return engine_pid_alive_since(c->state.monitor_pid, c->state.monitor_start);
}

/* Refuse what runs without force; with it, kill it (its init, or where we
 * may not signal that, its monitor, which takes the container along). */
static void stop_one(struct storage_store *store, const struct engine_remove_options *o,
		     struct entry *e)
{
	struct engine_container *c = e->c;
	if (c->state.status == ENGINE_CONTAINER_RESTARTING ||
	    c->state.status == ENGINE_CONTAINER_RUNNING) {
		bool restarting = c->state.status == ENGINE_CONTAINER_RESTARTING;
		if (!o->force || o->stopped_only) {
			engine_error_set(&e->err, EBUSY,
					 "cannot remove container \"/%s\": container is %s: stop the "
					 "container before removing or force remove",
					 c->name, restarting ? "restarting" : "running");
			return;
		}
		/* Between two runs of a restart policy: the marker keeps the
		 * monitor from starting it again. */
		engine_container_stop_request(store->root, c->id, NULL);
		if (!restarting) {
			if (!(engine_pid_alive_since(c->state.pid, c->state.pid_start) &&
			      kill(c->state.pid, SIGKILL) == 0) &&
			    monitor_alive(c))
				kill(c->state.monitor_pid, SIGKILL);
			engine_cgroup_state_signaled(&c->state, SIGKILL);
		}
		e->wait = e->kill_after = true;
	} else if (monitor_alive(c)) {
		/* Exited, and its monitor is still cleaning up (--rm, layer). */
		e->wait = true;
	}
}

/* Every monitor together: the same bound for a thousand as for one. */
static void monitors_wait(struct entry *entries, size_t n)
{
	int64_t start = engine_monotonic_ms();
	bool killed = false;
	for (;;) {
		int64_t elapsed = engine_monotonic_ms() - start;
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			struct entry *e = &entries[i];
			if (!e->wait)
				continue;
			if (!monitor_alive(e->c) || (!e->kill_after && elapsed >= MONITOR_GRACE_MS) ||
			    elapsed >= MONITOR_GRACE_MS + MONITOR_KILLED_MS) {
				e->wait = false;
				continue;
			}
			/* A monitor that does not go: kill it, the container
			 * dies with it. */
			if (e->kill_after && elapsed >= MONITOR_GRACE_MS && !killed)
				kill(e->c->state.monitor_pid, SIGKILL);
			any = true;
		}
		if (!any)
			return;
		killed = elapsed >= MONITOR_GRACE_MS;
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* ---- anonymous volumes -------------------------------------------------- */

static bool going(const struct entry *entries, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (entries[i].err == NULL && strcmp(entries[i].id, id) == 0)
			return true;
	return false;
}

static bool listed(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* The anonymous volumes of the containers that go, unless one that stays
 * uses them, unrecorded (volumes/.rm-NAME-PID: gone at once, and a killed
 * rm leaves it to the sweep); their trees are added to RELS.  A failure
 * is a warning, as it never kept a container. */
static int volumes_collect(struct storage_store *store, const struct entry *entries, size_t n,
			   char ***rels, size_t *n_rels)
{
	char **names = NULL;
	size_t n_names = 0;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (entries[i].err != NULL || entries[i].c == NULL)
			continue;
		const struct engine_run_spec *spec = &entries[i].c->spec;
		for (size_t k = 0; k < spec->n_mounts; k++) {
			const struct engine_mount *m = &spec->mounts[k];
			const char *name = m->source;
			if (!m->anonymous || name == NULL || m->type != ENGINE_MOUNT_VOLUME ||
			    listed(names, n_names, name))
				continue;
			char **grown = realloc(names, (n_names + 1) * sizeof(*names));
			if (grown == NULL || (grown[n_names] = strdup(name)) == NULL) {
				names = grown ?: names;
				r = -1;
				break;
			}
			names = grown;
			n_names++;
		}
	}
	struct engine_container **all = NULL;
	size_t n_all = 0;
	struct engine_error *local = NULL;
	if (n_names > 0 && r == 0 && engine_container_list(store, &all, &n_all, &local) < 0)
		r = -1;
	/* In use by a container that stays: it stays too. */
	for (size_t i = 0; i < n_all; i++) {
		size_t n_mounts = going(entries, n, all[i]->id) ? 0 : all[i]->spec.n_mounts;
		for (size_t k = 0; k < n_mounts; k++) {
			const struct engine_mount *m = &all[i]->spec.mounts[k];
			const char *src = m->source;
			for (size_t j = 0; src && m->type == ENGINE_MOUNT_VOLUME && j < n_names; j++)
				if (names[j][0] != '\0' && strcmp(names[j], src) == 0)
					names[j][0] = '\0';
		}
		engine_container_free(all[i]);
	}
	free(all);
	for (size_t j = 0; r == 0 && j < n_names; j++) {
		char *rel = NULL;
		if (names[j][0] == '\0')
			continue;
		if (storage_store_lock(store, &local) == 0) {
			int u = storage_volume_unrecord(store, names[j], &rel, &local);
			storage_store_unlock(store);
			if (u == 0) {
				char **grown = realloc(*rels, (*n_rels + 1) * sizeof(char *));
				if (grown == NULL) {
					free(rel);
					r = -1;
					break;
				}
				*rels = grown;
				(*rels)[(*n_rels)++] = rel;
				continue;
			}
		}
		engine_log(ENGINE_LOG_WARN, "remove volume %s: %s", names[j], local ? local->msg : "failed");
		engine_error_free(&local);
	}
	if (local != NULL)
		engine_log(ENGINE_LOG_WARN, "remove anonymous volumes: %s", local->msg);
	engine_error_free(&local);
	for (size_t j = 0; j < n_names; j++)
		free(names[j]);
	free(names);
	return r;
}

/* ---- after the trees ---------------------------------------------------- */

/* One pass over container-names (under the store lock, as a create writes
 * there): every name that points to a container that went goes, by the
 * same workers as the trees (one by one, each unlink waits on the disk).
 * Only the name's own target decides, so a name reused since stays. */
static void names_release(struct storage_store *store, const struct entry *entries, size_t n)
{
	/* Closed by hand before the trees go: the workers need not inherit it. */
	DIR *d = engine_opendir_at(store->rootfd, "container-names");
	if (d == NULL)
		return;
	struct engine_error *local = NULL;
	bool locked = storage_store_lock(store, &local) == 0;
	engine_error_free(&local);
	char **rels = NULL;
	size_t n_rels = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *buf = NULL;
		if (engine_read_file(dirfd(d), e->d_name, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
				     128, &buf, NULL, NULL) < 0)
			continue;
		char id[65];
		snprintf(id, sizeof(id), "%.64s", buf);
		if (strlen(id) != 64 || !going(entries, n, id))
			continue;
		char **grown = realloc(rels, (n_rels + 1) * sizeof(char *));
		if (grown == NULL)
			break; /* engine_container_forget below finds the rest */
		rels = grown;
		if (asprintf(&rels[n_rels], "container-names/%s", e->d_name) < 0)
			break;
		n_rels++;
	}
	closedir(d);
	struct tree_result *results = NULL;
	size_t size = 0;
	if (n_rels > 0)
		trees_remove_all(store, NULL, false, rels, n_rels, &results, &size);
	if (results != NULL)
		munmap((char *)results - sizeof(size_t), size);
	if (locked)
		storage_store_unlock(store);
	engine_strv_free_n(rels, n_rels);
}

static const char *spec_run_root(const struct entry *e, const struct engine_remove_options *o)
{
	if (e->c == NULL)
		return o->run_root;
	return e->c->spec.run_root;
}

/* What is left of E once its tree went (or failed to: TREE). */
static void finish_one(struct storage_store *store, const struct engine_remove_options *o,
		       struct entry *e, const struct tree_result *tree)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", e->id);
	if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
		/* The overlay on merged/ goes with the container's mount
		 * namespace, just after its last process: forget waits for that
		 * (and releases the names the pass above may not have seen). */
		struct engine_error *local = NULL;
		if (engine_container_forget(store, e->id, e->c != NULL ? e->c->name : "", &local) < 0) {
			if (tree != NULL && tree->status > 0)
				engine_error_set(&e->err, tree->status, "remove %s/%s: %s", store->root, rel,
						 tree->msg);
			else
				e->err = steal_pointer(&local);
			engine_error_free(&local);
			return;
		}
	}
	const char *run_root = spec_run_root(e, o);
	/* A killed monitor's slirp4netns went with it, but left its API
	 * socket. */
	if (e->c != NULL)
		engine_net_cleanup(run_root, e->id);
	struct engine_error *local = NULL;
	/* The attach socket's directory: a killed monitor left it. */
	if (engine_container_run_dir_remove(run_root, e->id, &local) < 0) {
		if (e->c != NULL)
			engine_log(ENGINE_LOG_WARN, "%s", local->msg);
		else
			e->err = steal_pointer(&local);
	}
	engine_error_free(&local);
}

/* ---- the whole set ------------------------------------------------------ */

static void resolve_one(struct storage_store *store, const char *what,
			const struct engine_remove_options *o, struct entry *entries, size_t i)
{
	struct entry *e = &entries[i];
	struct engine_error *get_err = NULL;
	e->tree = -1;
	if (engine_container_get(store, what, &e->c, &get_err) == 0)
		snprintf(e->id, sizeof(e->id), "%s", e->c->id);
	else
		resolve_damaged(store, what, o, &get_err, e);
	engine_error_free(&get_err);
	if (e->err != NULL)
		return;
	/* Named twice: the second finds it gone, as one rm after another would. */
	for (size_t k = 0; k < i; k++) {
		if (strcmp(entries[k].id, e->id) == 0) {
			engine_error_set(&e->err, ENOENT, "No such container: %s", what);
			return;
		}
	}
	if (e->c != NULL)
		stop_one(store, o, e);
}

/* The user's id mapping unless O names one; *RET_DETECTED is to free. */
static const struct engine_idmap *map_of(const struct engine_remove_options *o,
					 struct engine_idmap **ret_detected, struct engine_error **err)
{
	if (o->map != NULL)
		return o->map;
	*ret_detected = calloc(1, sizeof(**ret_detected));
	if (*ret_detected == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (engine_idmap_detect(*ret_detected, err) < 0)
		return NULL;
	return *ret_detected;
}

/* ENTRIES[0..N), found and checked (stop_one): wait for what was killed,
 * then remove the trees, the names and the rest. */
static int remove_entries(struct storage_store *store, const struct engine_remove_options *o,
			  const struct engine_idmap *map, struct entry *entries, size_t n,
			  struct engine_error **err)
{
	monitors_wait(entries, n);
	char **rels = calloc(n + 1, sizeof(char *));
	size_t n_rels = 0;
	if (rels == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* A --rootfs container's directory holds only our own files; a
	 * writable layer, a damaged record (whose layer we cannot tell) and
	 * a volume hold subordinate ids: with one of them the whole set goes
	 * in the helper, which may remove both. */
	bool in_userns = false;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &entries[i];
		if (e->err != NULL)
			continue;
		if (asprintf(&rels[n_rels], "containers/%s", e->id) < 0) {
			rels[n_rels] = NULL;
			r = engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		e->tree = (int)n_rels++;
		if (e->c == NULL || e->c->spec.n_layers > 0)
			in_userns = true;
	}
	size_t n_container_rels = n_rels;
	if (o->volumes && volumes_collect(store, entries, n, &rels, &n_rels) < 0) {
		r = engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (n_rels > n_container_rels)
		in_userns = true;
	in_userns = in_userns && map->mode != ENGINE_IDMAP_ROOT;

	struct tree_result *trees = NULL;
	size_t trees_size = 0;
	if (n_rels > 0)
		trees_remove_all(store, map, in_userns, rels, n_rels, &trees, &trees_size);
	for (size_t i = n_container_rels; trees != NULL && i < n_rels; i++)
		if (trees[i].status != 0)
			engine_log(ENGINE_LOG_WARN, "remove volume %s: %s", rels[i],
				   trees[i].status > 0 ? trees[i].msg : "not removed");
	names_release(store, entries, n);
	for (size_t i = 0; i < n; i++)
		if (entries[i].err == NULL)
			finish_one(store, o, &entries[i],
				   trees != NULL && entries[i].tree >= 0 ? &trees[entries[i].tree] : NULL);
	if (trees != NULL)
		munmap((char *)trees - sizeof(size_t), trees_size);
out:
	engine_strv_free_n(rels, n_rels);
	return r;
}

/* Hand each entry's outcome to RESULTS and free ENTRIES; one that a
 * failure of the whole (R < 0, ERR) kept from its turn fails with it. */
static void results_take(struct entry *entries, size_t n, int r, const struct engine_error *err,
			 struct engine_remove_result *results)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(results[i].id, sizeof(results[i].id), "%s", entries[i].id);
		results[i].err = steal_pointer(&entries[i].err);
		if (r < 0 && results[i].err == NULL)
			engine_error_set(&results[i].err, err != NULL ? err->status : EIO, "%s",
					 err != NULL ? err->msg : "failed");
		engine_container_free(entries[i].c);
	}
	free(entries);
}

int engine_containers_remove(struct storage_store *store, char *const *what, size_t n,
			     const struct engine_remove_options *o,
			     struct engine_remove_result *results, struct engine_error **err)
{
	memset(results, 0, n * sizeof(*results));
	cleanup_free struct engine_idmap *detected = NULL;
	struct entry *entries = calloc(n + 1, sizeof(*entries));
	const struct engine_idmap *map = NULL;
	int r = -1;
	if (entries == NULL)
		engine_error_set(err, ENOMEM, "out of memory");
	else if ((map = map_of(o, &detected, err)) != NULL)
		r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		resolve_one(store, what[i], o, entries, i);
	if (r == 0)
		r = remove_entries(store, o, map, entries, n, err);
	if (entries != NULL) {
		results_take(entries, n, r, *err, results);
	} else {
		for (size_t i = 0; i < n; i++)
			engine_error_set(&results[i].err, ENOMEM, "out of memory");
	}
	return r;
}

int engine_containers_remove_all(struct storage_store *store, const struct engine_remove_options *o,
				 struct engine_remove_result **ret_results, size_t *ret_n,
				 struct engine_error **err)
{
	cleanup_free struct engine_idmap *detected = NULL;
	const struct engine_idmap *map = map_of(o, &detected, err);
	struct engine_container **list = NULL;
	size_t n = 0;
	if (map == NULL || engine_container_list(store, &list, &n, err) < 0)
		return -1;
	struct entry *entries = calloc(n + 1, sizeof(*entries));
	struct engine_remove_result *results = calloc(n + 1, sizeof(*results));
	if (entries == NULL || results == NULL) {
		for (size_t i = 0; i < n; i++)
			engine_container_free(list[i]);
		free(list);
		free(entries);
		free(results);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* As listed, state reconciled: no second read of each record. */
	for (size_t i = 0; i < n; i++) {
		entries[i].c = list[i];
		entries[i].tree = -1;
		snprintf(entries[i].id, sizeof(entries[i].id), "%s", list[i]->id);
		stop_one(store, o, &entries[i]);
	}
	free(list);
	int r = remove_entries(store, o, map, entries, n, err);
	results_take(entries, n, r, *err, results);
	*ret_results = results;
	*ret_n = n;
	return r;
}

void engine_remove_results_free(struct engine_remove_result *results, size_t n)
{
	for (size_t i = 0; results != NULL && i < n; i++)
		engine_error_free(&results[i].err);
}
