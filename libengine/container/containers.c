/* containers.c: the container store (see containers.h): create, find,
 * list and forget containers, each a directory holding its record
 * (config.json and state.json, read and written by record.c);
 * the names are names.c's.
 *
 * Locking: names are reserved under the store lock by creating
 * container-names/NAME with O_EXCL (so even a reader that takes no lock
 * never sees two owners); state.json is only replaced by whoever holds
 * containers/ID/lock, and atomically, so readers need no lock at all. */
#include "libengine/container/containers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "libengine/container/names.h"
#include "libengine/container/repair.h"
#include "common/proc.h"
#include "common/fs.h"
#include "common/hex.h"
#include "libengine/container/record.h"
#include "storage/remove.h"


int64_t engine_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void engine_container_free(struct engine_container *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->image);
	free(c->image_id);
	/* c->argv is c->spec.argv */
	engine_run_spec_free(&c->spec);
	engine_error_free(&c->record_error);
	free(c);
}

/* ---- documents -------------------------------------------------------- */

/* labels: the spec's "KEY=VALUE" list as Docker's Labels object. */
json_t *engine_labels_json(const struct engine_run_spec *spec)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < spec->n_labels; i++) {
		const char *eq = strchr(spec->labels[i], '=');
		cleanup_free char *key = eq ? strndup(spec->labels[i], (size_t)(eq - spec->labels[i])) : NULL;
		if (key != NULL)
			json_object_set_new(o, key, json_string(eq + 1));
	}
	return o;
}

static int write_json(const char *store_root, const char *id, const char *file, json_t *j,
		      int sync, struct engine_error **err)
{
	if (j == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);
	cleanup_free char *path = NULL;
	if (text == NULL || asprintf(&path, "%s/containers/%s/%s", store_root, id, file) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return engine_write_file_replace(path, text, strlen(text), 0600, sync, err);
}

int engine_container_state_write(const char *store_root, const char *id,
				 const struct engine_container_state *state,
				 struct engine_error **err)
{
	cleanup_json json_t *j = engine_record_state_json(state);
	return write_json(store_root, id, "state.json", j, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
}

int engine_container_state_write_nosync(const char *store_root, const char *id,
					const struct engine_container_state *state,
					struct engine_error **err)
{
	cleanup_json json_t *j = engine_record_state_json(state);
	return write_json(store_root, id, "state.json", j, 0, err);
}

int engine_container_lock(const char *store_root, const char *id, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/containers/%s/lock", store_root, id) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return engine_error_errno(err, e, "lock %s", path);
		}
	}
	return fd;
}

/* ps -a reads two small files per container (a thousand containers: two
 * thousand): one open and one read into a buffer on the stack where the
 * file fits, instead of fstat, a malloc and a read to EOF.  A read shorter
 * than asked is the end of a regular file. */
static json_t *read_small_json(int dirfd, const char *rel, struct engine_error **err)
{
	char buf[8192];
	cleanup_close int fd = engine_openat2(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
					      ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS);
	if (fd < 0) {
		engine_error_errno(err, -fd, "open %s", rel);
		return NULL;
	}
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n == sizeof(buf))
		return NULL; /* the caller takes the general path */
	json_error_t je;
	json_t *j = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		engine_error_set(err, EINVAL, "%s: invalid JSON: %s", rel, je.text);
		return NULL;
	}
	return j;
}

static json_t *read_json(int dirfd, const char *rel, size_t max, struct engine_error **err)
{
	json_t *small = read_small_json(dirfd, rel, err);
	if (small != NULL || (err != NULL && *err != NULL))
		return small;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(dirfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, max, &buf,
			     &len, err) < 0)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		engine_error_set(err, EINVAL, "%s: invalid JSON: %s", rel, je.text);
		return NULL;
	}
	return j;
}

/* The truth, whatever the file says: a running container needs a live
 * monitor.  The container's init dies with its monitor (PDEATHSIG); but a
 * monitor also goes without writing the exit when the store is full, so
 * the code is not known: ENGINE_EXIT_UNKNOWN rather than a guessed 137. */
static void reconcile(struct engine_container_state *st)
{
	if (st->status != ENGINE_CONTAINER_RUNNING && st->status != ENGINE_CONTAINER_RESTARTING)
		return;
	if (engine_pid_alive_since(st->monitor_pid, st->monitor_start))
		return;
	if (st->status == ENGINE_CONTAINER_RESTARTING) {
		/* Killed between two runs: the last exit stands. */
		st->status = ENGINE_CONTAINER_EXITED;
		return;
	}
	st->status = ENGINE_CONTAINER_EXITED;
	st->exit_code = ENGINE_EXIT_UNKNOWN;
	if (st->finished_ns == 0)
		st->finished_ns = st->started_ns;
	st->pid = 0;
}

/* ---- the listing's summary --------------------------------
 * ps -a over 1,000 containers spent a third of its CPU time in jansson
 * building both documents of every container, and a fifth in malloc and
 * free for them.  The listing walks the text instead
 * (engine_record_config_scan) and fills only what ps shows: the state's
 * fields and the record's summary fields.  A file the walk cannot read
 * (too large, escapes where a plain value was expected, malformed) takes
 * the full parse, with its errors. */

/* The whole file into BUF when it fits: its length, or -1. */
static ssize_t read_small(int dirfd, const char *rel, char *buf, size_t size)
{
	cleanup_close int fd = engine_openat2(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
					      ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n < 0 || (size_t)n == size ? -1 : n;
}

static struct engine_container *container_new(const char *id,
					      const struct engine_container_state *state)
{
	struct engine_container *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->state = *state;
	return c;
}

/* The summary of containers/ID: 1 when the walk could not read it (the
 * caller parses it in full), 0 with *ret, -1 without memory. */
static int load_summary(int containers_fd, const char *id, const struct engine_container_state *state,
			struct engine_container **ret, struct engine_error **err)
{
	char rel[128], buf[8192];
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	ssize_t n = read_small(containers_fd, rel, buf, sizeof(buf));
	if (n < 0)
		return 1;
	struct engine_container *c = container_new(id, state);
	if (c == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	c->summary = true;
	if (engine_record_config_scan(buf, (size_t)n, c) != 0) {
		engine_container_free(c);
		return 1;
	}
	c->argv = c->spec.argv;
	*ret = c;
	return 0;
}

/* State first: `ps` without -a skips a container that is not running
 * without parsing its config.json (RUNNING_ONLY: returns 1, *ret unset).
 * SUMMARY: c->spec holds only what the listing needs (above). */
static int load_state_first(int containers_fd, const char *id, bool running_only, bool summary,
			    struct engine_container **ret, struct engine_error **err)
{
	char rel[128];
	struct engine_container_state state = { 0 };
	snprintf(rel, sizeof(rel), "%s/state.json", id);
	char sbuf[1024];
	ssize_t sn = summary ? read_small(containers_fd, rel, sbuf, sizeof(sbuf)) : -1;
	if (sn < 0 || engine_record_state_scan(sbuf, (size_t)sn, &state) != 0) {
		memset(&state, 0, sizeof(state));
		struct engine_error *local = NULL;
		json_t *st = read_json(containers_fd, rel, ENGINE_RECORD_STATE_MAX, &local);
		engine_error_free(&local);
		if (st != NULL)
			engine_record_state_from_json(st, &state);
		json_decref(st);
	}
	reconcile(&state);
	if (running_only && state.status != ENGINE_CONTAINER_RUNNING)
		return 1;
	int r = summary ? load_summary(containers_fd, id, &state, ret, err) : 1;
	if (r <= 0)
		return r;
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	cleanup_json json_t *cfg = read_json(containers_fd, rel, ENGINE_RECORD_CONFIG_MAX, err);
	if (cfg == NULL)
		return -1;
	struct engine_container *c = container_new(id, &state);
	if (c == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (engine_record_config_from_json(cfg, c, err) < 0) {
		engine_container_free(c);
		return -1;
	}
	c->argv = c->spec.argv;
	*ret = c;
	return 0;
}

static int load(int containers_fd, const char *id, struct engine_container **ret,
		struct engine_error **err)
{
	return load_state_first(containers_fd, id, false, false, ret, err);
}

/* ---- create, find, list, forget ---------------------------------------- */

/* config.json of SPEC as create writes it. */
static json_t *config_json(const struct engine_run_spec *spec, const char *name,
			   const char *image_id, int64_t created)
{
	struct engine_container view = { .name = (char *)name, .image = spec->image,
					  .image_id = (char *)image_id, .created_ns = created,
					  .spec = *spec };
	snprintf(view.id, sizeof(view.id), "%s", spec->id);
	return engine_record_config_json(&view);
}

int engine_container_record_check(const struct engine_run_spec *spec, const char *image_id,
				  struct engine_error **err)
{
	cleanup_json json_t *cfg = config_json(spec, "", image_id, 0);
	if (cfg == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* The longest name and creation time, so that the bound holds for
	 * whichever name create picks. */
	size_t size = json_dumpb(cfg, NULL, 0, JSON_COMPACT) + 253 + 24;
	if (size > ENGINE_RECORD_CONFIG_MAX)
		return engine_error_set(err, E2BIG,
					"the container's record would take %zu bytes, more than the "
					"%u allowed: its command, environment, labels and mounts are too long",
					size, ENGINE_RECORD_CONFIG_MAX);
	return 0;
}

/* Docker's words for a name that another container holds. */
static int name_conflict(struct storage_store *store, const char *name, struct engine_error **err)
{
	char owner[65] = "";
	engine_container_name_owner(store, name, owner);
	return engine_error_set(err, EEXIST,
				"Conflict. The container name \"/%s\" is already in use by container \"%s\". "
				"You have to remove (or rename) that container to be able to reuse that name.",
				name, owner);
}

int engine_container_create(struct storage_store *store, const struct engine_run_spec *spec,
			    const char *name, const char *image_id, char **ret_name,
			    struct engine_error **err)
{
	char chosen[300];
	if (name != NULL) {
		if (engine_container_name_check(name, err) < 0)
			return -1;
		snprintf(chosen, sizeof(chosen), "%s", name[0] == '/' ? name + 1 : name);
	}
	/* A record ps, start, inspect and rm could not read back: refused
	 * before anything exists. */
	if (engine_container_record_check(spec, image_id, err) < 0)
		return -1;
	char rel[320];
	snprintf(rel, sizeof(rel), "containers/%s", spec->id);
	/* The store lock is held from the name to config.json: under it, a
	 * name without a record is a dead create's (name_stale). */
	if (storage_store_lock(store, err) < 0)
		return -1;
	if (mkdirat(store->rootfd, rel, 0700) < 0 && errno != EEXIST) {
		engine_error_errno(err, errno, "create %s/%s", store->root, rel);
		storage_store_unlock(store);
		return -1;
	}
	int r = -1;
	for (int attempt = 0; attempt < 100; attempt++) {
		if (name == NULL) {
			uint32_t rnd = 0;
			if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
				rnd = (uint32_t)engine_now_ns() ^ (uint32_t)getpid();
			engine_container_name_generate(rnd, chosen, sizeof(chosen));
			/* Past a few collisions, add a digit as Docker does. */
			if (attempt > 10) {
				size_t l = strlen(chosen);
				snprintf(chosen + l, sizeof(chosen) - l, "%u", rnd % 10);
			}
		}
		r = engine_container_name_reserve(store, chosen, spec->id, err);
		if (r != -EEXIST)
			break;
		if (engine_container_name_stale(store, chosen)) {
			snprintf(rel, sizeof(rel), "container-names/%s", chosen);
			if (unlinkat(store->rootfd, rel, 0) == 0)
				continue;
		}
		if (name != NULL) {
			r = name_conflict(store, chosen, err);
			break;
		}
	}
	if (r == -EEXIST && *err == NULL)
		r = engine_error_set(err, EEXIST, "no free container name");
	if (r < 0) {
		storage_store_unlock(store);
		return -1;
	}
	int64_t now = engine_now_ns();
	cleanup_json json_t *cfg = config_json(spec, chosen, image_id, now);
	struct engine_container_state st = { .status = ENGINE_CONTAINER_CREATED };
	cleanup_json json_t *state = engine_record_state_json(&st);
	/* run -d and create: state.json without fsync: lost or
	 * empty after a power loss, it reads as "created" (load_state_first),
	 * which is what it says.  config.json, the record itself, is written
	 * last and durably: its fsync of containers/ID makes the entries
	 * written before it in that directory durable too. */
	r = 0;
	if (write_json(store->root, spec->id, "state.json", state, 0, err) < 0 ||
	    write_json(store->root, spec->id, "config.json", cfg, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err) < 0) {
		snprintf(rel, sizeof(rel), "container-names/%s", chosen);
		unlinkat(store->rootfd, rel, 0);
		r = -1;
	}
	storage_store_unlock(store);
	if (r < 0)
		return -1;
	if (ret_name != NULL && (*ret_name = strdup(chosen)) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int containers_dir(struct storage_store *store, struct engine_error **err)
{
	int fd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s/containers", store->root);
	return fd;
}

static bool recorded(int containers_fd, const char *id)
{
	char rel[300];
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	return faccessat(containers_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int engine_container_get(struct storage_store *store, const char *what,
			 struct engine_container **ret, struct engine_error **err)
{
	cleanup_close int cfd = containers_dir(store, err);
	if (cfd < 0)
		return -1;
	char id[65] = "";
	/* Docker's order: full ID, then name, then unique ID prefix. */
	if (engine_is_hex(what, 64, 64) && recorded(cfd, what)) {
		snprintf(id, sizeof(id), "%s", what);
	} else if (engine_container_name_check(what, NULL) == 0 &&
		   engine_container_name_owner(store, what[0] == '/' ? what + 1 : what, id) == 0 && recorded(cfd, id)) {
		/* found by name */
	} else {
		id[0] = '\0';
		size_t len = strlen(what);
		bool hex = engine_is_hex(what, 1, 63);
		cleanup_dir DIR *d = hex ? engine_opendir_dup(cfd) : NULL;
		struct dirent *e;
		int matches = 0;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (!engine_is_hex(e->d_name, 64, 64) || strncmp(e->d_name, what, len) != 0 ||
			    !recorded(cfd, e->d_name))
				continue;
			if (matches++ == 0)
				snprintf(id, sizeof(id), "%.64s", e->d_name);
		}
		if (matches > 1)
			return engine_error_set(err, EINVAL,
						"multiple containers found with provided prefix: %s", what);
		if (matches == 0)
			return engine_error_set(err, ENOENT, "No such container: %s", what);
	}
	if (load(cfd, id, ret, err) < 0)
		return engine_error_prefix(err, "container %s", what);
	return 0;
}

static int by_created_desc(const void *a, const void *b)
{
	const struct engine_container *x = *(struct engine_container *const *)a;
	const struct engine_container *y = *(struct engine_container *const *)b;
	return x->created_ns < y->created_ns ? 1 : x->created_ns > y->created_ns ? -1 : 0;
}

static int list(struct storage_store *store, bool running_only, bool summary,
		struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
		struct engine_error **err);

int engine_container_list(struct storage_store *store, struct engine_container ***ret,
			  size_t *ret_n, struct engine_error **err)
{
	return list(store, false, false, ret, ret_n, NULL, err);
}

int engine_container_list_running(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n,
				  struct engine_error **err)
{
	return list(store, running_only, true, ret, ret_n, NULL, err);
}

int engine_container_list_summary(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
				  struct engine_error **err)
{
	*ret_orphans = 0;
	return list(store, running_only, true, ret, ret_n, ret_orphans, err);
}

static int list(struct storage_store *store, bool running_only, bool summary,
		struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
		struct engine_error **err)
{
	cleanup_close int cfd = containers_dir(store, err);
	if (cfd < 0)
		return -1;
	cleanup_dir DIR *d = engine_opendir_dup(cfd);
	if (d == NULL)
		return engine_error_errno(err, errno, "read %s/containers", store->root);
	struct engine_container **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		/* No recorded() test: load() fails on a missing config.json. */
		if (!engine_is_hex(e->d_name, 64, 64) || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		struct engine_container *c = NULL;
		struct engine_error *local = NULL;
		/* One being created or removed right now: skip it. */
		int r = load_state_first(cfd, e->d_name, running_only, summary, &c, &local);
		if (r != 0) {
			/* Only what failed to load is looked at again: a store
			 * without leftovers costs nothing more. */
			if (r < 0 && ret_orphans != NULL && engine_container_orphaned(cfd, e->d_name))
				(*ret_orphans)++;
			engine_error_free(&local);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct engine_container **l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				engine_container_free(c);
				break;
			}
			list = l;
		}
		list[n++] = c;
	}
	if (n > 0)
		qsort(list, n, sizeof(*list), by_created_desc);
	*ret = list;
	*ret_n = n;
	return 0;
}

int engine_container_forget(struct storage_store *store, const char *id, const char *name,
			    struct engine_error **err)
{
	char rel[320], owner[65] = "";
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	/* Only our own name: a name reused since must stay. */
	if (engine_container_name_owner(store, name, owner) == 0 && strcmp(owner, id) == 0)
		unlinkat(store->rootfd, rel, 0);
	/* A rename since the caller read the record (a monitor removing its
	 * --rm container, whose config.json went with the writable layer):
	 * any other name this container owns goes too. */
	cleanup_dir DIR *d = engine_opendir_at(store->rootfd, "container-names");
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, name) == 0 ||
		    engine_container_name_check(e->d_name, NULL) < 0)
			continue;
		if (engine_container_name_owner(store, e->d_name, owner) == 0 && strcmp(owner, id) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	snprintf(rel, sizeof(rel), "containers/%s", id);
	/* The overlay on merged/ goes with the container's mount namespace,
	 * which the kernel tears down just after its last process: a
	 * removal that races it meets a mount point for a moment. */
	for (int attempt = 0;; attempt++) {
		if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
		struct engine_error *local = NULL;
		int r = storage_remove_tree(store->rootfd, rel, &local);
		if (r == 0 || local == NULL || local->status != EBUSY || attempt == 100) {
			if (r < 0 && local != NULL && err != NULL && *err == NULL)
				*err = steal_pointer(&local);
			engine_error_free(&local);
			return r;
		}
		engine_error_free(&local);
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* ---- the spec to run ------------------------------------------------------ */

int engine_container_spec(const struct engine_container *c, struct engine_run_spec *spec,
			  struct engine_error **err)
{
	if (c->summary)
		return engine_error_set(err, EINVAL, "container %s: a listing's summary, not the record",
					c->id);
	if (c->record_error != NULL)
		return engine_error_set(err, c->record_error->status, "container %s: %s", c->id,
					c->record_error->msg);
	if (engine_record_spec_copy(&c->spec, spec, err) < 0)
		return engine_error_prefix(err, "container %s", c->id);
	snprintf(spec->id, sizeof(spec->id), "%s", c->id);
	spec->recorded_name = c->name != NULL && c->name[0] != '\0' ? strdup(c->name) : NULL;
	spec->image = c->image[0] ? strdup(c->image) : NULL;
	if (spec->argv == NULL || spec->argv[0] == NULL || spec->env == NULL || spec->layers == NULL)
		return engine_error_set(err, EINVAL, "container %s: config.json: bad Spec", c->id);
	return 0;
}

/* config.json again, from C (rename, update): the caller holds no lock. */
static int config_rewrite(struct storage_store *store, const struct engine_container *c,
			  struct engine_error **err)
{
	cleanup_json json_t *j = engine_record_config_json(c);
	int lock = engine_container_lock(store->root, c->id, err);
	if (lock < 0)
		return -1;
	int r = write_json(store->root, c->id, "config.json", j, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
	close(lock);
	return r;
}

/* ---- rename -------------------------------------------- */

int engine_container_rename(struct storage_store *store, const char *what, const char *new_name,
			    struct engine_error **err)
{
	if (new_name[0] == '\0')
		return engine_error_set(err, EINVAL, "Neither old nor new names may be empty");
	if (engine_container_name_check(new_name, err) < 0)
		return -1;
	const char *name = new_name[0] == '/' ? new_name + 1 : new_name;
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = -1;
	if (c->record_error != NULL) {
		/* Written again from what was read, the value would be lost. */
		engine_error_set(err, c->record_error->status, "container %s: %s", c->id,
				 c->record_error->msg);
		goto out;
	}
	if (strcmp(c->name, name) == 0) {
		engine_error_set(err, EINVAL, "Renaming a container with the same name as its current name");
		goto out;
	}
	if (storage_store_lock(store, err) < 0)
		goto out;
	/* The new name is taken first (O_EXCL: the conflict check), then
	 * config.json says so, then the old name goes: a crash in between
	 * leaves a container with both names reserved, never with none. */
	r = engine_container_name_reserve(store, name, c->id, err);
	if (r == -EEXIST && engine_container_name_stale(store, name)) {
		char stale[320];
		snprintf(stale, sizeof(stale), "container-names/%s", name);
		if (unlinkat(store->rootfd, stale, 0) == 0)
			r = engine_container_name_reserve(store, name, c->id, err);
	}
	if (r == -EEXIST) {
		r = name_conflict(store, name, err);
	} else if (r < 0 && *err == NULL) {
		r = engine_error_errno(err, -r, "reserve the name %s", name);
	}
	if (r == 0) {
		cleanup_free char *old_name = steal_pointer(&c->name);
		c->name = strdup(name);
		r = c->name != NULL ? config_rewrite(store, c, err)
				    : engine_error_set(err, ENOMEM, "out of memory");
		free(c->name);
		c->name = steal_pointer(&old_name);
		char rel[320];
		if (r < 0) {
			snprintf(rel, sizeof(rel), "container-names/%s", name);
			unlinkat(store->rootfd, rel, 0);
		} else {
			char owner[65] = "";
			snprintf(rel, sizeof(rel), "container-names/%s", c->name);
			if (engine_container_name_owner(store, c->name, owner) == 0 && strcmp(owner, c->id) == 0)
				unlinkat(store->rootfd, rel, 0);
		}
	}
	storage_store_unlock(store);
out:
	engine_container_free(c);
	return r < 0 ? -1 : 0;
}

/* ---- update: the cgroup limits ------------------------------------------ */

int engine_container_update_limits(struct storage_store *store, struct engine_container *c,
				   const struct engine_run_spec *spec, struct engine_error **err)
{
	if (c->summary || c->record_error != NULL)
		return engine_error_set(err, EINVAL, "container %s: config.json: bad Spec", c->id);
	struct engine_run_spec *s = &c->spec;
	char *strings[] = { spec->cg_cpuset_cpus, spec->cgroups_mode, spec->cgroup_parent };
	char **places[] = { &s->cg_cpuset_cpus, &s->cgroups_mode, &s->cgroup_parent };
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
		char *copy = strings[i] != NULL ? strdup(strings[i]) : NULL;
		if (strings[i] != NULL && copy == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		free(*places[i]);
		*places[i] = copy;
	}
	s->cg_memory = spec->cg_memory;
	s->cg_memory_swap = spec->cg_memory_swap;
	s->cg_memory_reservation = spec->cg_memory_reservation;
	s->cg_cpus = spec->cg_cpus;
	s->cg_cpu_quota = spec->cg_cpu_quota;
	s->cg_cpu_period = spec->cg_cpu_period;
	s->cg_cpu_shares = spec->cg_cpu_shares;
	s->cg_pids_limit = spec->cg_pids_limit;
	return config_rewrite(store, c, err);
}
