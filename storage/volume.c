/* volume.c: the named-volume records (see volume.h).  Only records and
 * directories: who may delete the data, and who uses a volume, is
 * libengine's business (volumes.c). */
#include "storage/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/fs.h"
#include "common/timefmt.h"

#define VOLUME_JSON_MAX (256u << 10)

void storage_volume_free(struct storage_volume *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->mountpoint);
	free(v->created_at);
	json_decref(v->labels);
	json_decref(v->options);
	free(v);
}

void storage_volume_list_free(struct storage_volume **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		storage_volume_free(list[i]);
	free(list);
}

/* Names reach here checked ([a-zA-Z0-9][a-zA-Z0-9_.-]*); a record read
 * back from disk is checked again, since the directory is not ours alone. */
static bool plain_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 255)
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/')
			return false;
	return true;
}

json_t *storage_volume_json(const struct storage_volume *v)
{
	/* Docker shows null, not {}, for a volume without labels or options. */
	return json_pack("{s:s,s:s,s:O,s:s,s:s,s:O,s:s}", "CreatedAt", v->created_at, "Driver",
			 "local", "Labels", json_object_size(v->labels) ? v->labels : json_null(),
			 "Mountpoint", v->mountpoint, "Name", v->name, "Options",
			 json_object_size(v->options) ? v->options : json_null(), "Scope", "local");
}

static int load_at(int rootfd, const char *root, const char *name, struct storage_volume **ret,
		   struct engine_error **err)
{
	char rel[300];
	snprintf(rel, sizeof(rel), "volumes/%s/volume.json", name);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r = engine_read_file(rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
				 VOLUME_JSON_MAX, &buf, &len, NULL);
	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? -ENOENT : r;
	json_error_t je;
	cleanup_json json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(j))
		return engine_error_set(err, EINVAL, "%s/%s: invalid JSON", root, rel);
	struct storage_volume *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *created = json_string_value(json_object_get(j, "CreatedAt"));
	json_t *labels = json_object_get(j, "Labels");
	json_t *options = json_object_get(j, "Options");
	v->name = strdup(name);
	v->created_at = strdup(created ? created : "");
	v->labels = json_is_object(labels) ? json_incref(labels) : json_object();
	v->options = json_is_object(options) ? json_incref(options) : json_object();
	v->anonymous = json_is_true(json_object_get(j, "Anonymous"));
	if (asprintf(&v->mountpoint, "%s/volumes/%s/_data", root, name) < 0)
		v->mountpoint = NULL;
	if (!v->name || !v->created_at || !v->mountpoint || !v->labels || !v->options) {
		storage_volume_free(v);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = v;
	return 0;
}

static int load(struct storage_store *store, const char *name, struct storage_volume **ret,
		struct engine_error **err)
{
	return load_at(store->rootfd, store->root, name, ret, err);
}

int storage_volume_get_at(int rootfd, const char *root, const char *name,
			  struct storage_volume **ret, struct engine_error **err)
{
	int r = plain_name(name) ? load_at(rootfd, root, name, ret, err) : -ENOENT;
	if (r == -ENOENT)
		return engine_error_set(err, ENOENT, "get %s: no such volume", name);
	if (r < 0 && (err == NULL || *err == NULL))
		return engine_error_errno(err, -r, "read volume %s", name);
	return r;
}

int storage_volume_get(struct storage_store *store, const char *name, struct storage_volume **ret,
		       struct engine_error **err)
{
	return storage_volume_get_at(store->rootfd, store->root, name, ret, err);
}

static int create_locked(struct storage_store *store, const char *name, json_t *labels,
			 json_t *options, bool anonymous, bool *ret_created,
			 struct engine_error **err)
{
	if (mkdirat(store->rootfd, "volumes", 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/volumes", store->root);
	char rel[300];
	snprintf(rel, sizeof(rel), "volumes/%s/volume.json", name);
	if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		if (ret_created)
			*ret_created = false;
		return 0;
	}
	/* A directory without volume.json is a create that died half-way:
	 * finish it. */
	snprintf(rel, sizeof(rel), "volumes/%s", name);
	if (mkdirat(store->rootfd, rel, 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/%s", store->root, rel);
	snprintf(rel, sizeof(rel), "volumes/%s/_data", name);
	if (mkdirat(store->rootfd, rel, 0755) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/%s", store->root, rel);
	char created[64];
	engine_format_rfc3339(time(NULL), 0, ENGINE_TIME_SECONDS, created, sizeof(created));
	cleanup_free char *mountpoint = NULL;
	cleanup_free char *path = NULL;
	if (asprintf(&mountpoint, "%s/volumes/%s/_data", store->root, name) < 0 ||
	    asprintf(&path, "%s/volumes/%s/volume.json", store->root, name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_json json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:b}", "Name", name,
					   "Driver", "local", "Mountpoint", mountpoint, "Labels",
					   labels ? json_incref(labels) : json_object(), "CreatedAt",
					   created, "Scope", "local", "Options",
					   options ? json_incref(options) : json_object(), "Anonymous",
					   anonymous);
	cleanup_free char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (text == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (engine_write_file_atomic(path, text, strlen(text), 0600, err) < 0)
		return -1;
	if (ret_created)
		*ret_created = true;
	return 0;
}

int storage_volume_create(struct storage_store *store, const char *name, json_t *labels,
			  json_t *options, bool anonymous, bool *ret_created,
			  struct engine_error **err)
{
	if (!plain_name(name))
		return engine_error_set(err, EINVAL, "invalid volume name \"%s\"", name);
	if (storage_store_lock(store, err) < 0)
		return -1;
	int r = create_locked(store, name, labels, options, anonymous, ret_created, err);
	storage_store_unlock(store);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct storage_volume *const *)a)->name,
		      (*(struct storage_volume *const *)b)->name);
}

int storage_volume_list(struct storage_store *store, struct storage_volume ***ret, size_t *ret_n,
			struct engine_error **err)
{
	*ret = NULL;
	*ret_n = 0;
	cleanup_dir DIR *d = NULL;
	int r = storage_store_opendir(store, "volumes", &d, err);
	if (r < 0 || d == NULL)
		return r;
	struct storage_volume **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!plain_name(e->d_name))
			continue;
		struct storage_volume *v = NULL;
		struct engine_error *local = NULL;
		/* One being created or removed right now: skip it. */
		if (load(store, e->d_name, &v, &local) < 0) {
			engine_error_free(&local);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct storage_volume **l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				storage_volume_free(v);
				r = engine_error_set(err, ENOMEM, "out of memory");
				break;
			}
			list = l;
		}
		list[n++] = v;
	}
	if (r < 0) {
		storage_volume_list_free(list, n);
		return r;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), by_name);
	*ret = list;
	*ret_n = n;
	return 0;
}

int storage_volume_unrecord(struct storage_store *store, const char *name, char **ret_rel,
			    struct engine_error **err)
{
	if (!plain_name(name))
		return engine_error_set(err, ENOENT, "get %s: no such volume", name);
	char rel[300];
	snprintf(rel, sizeof(rel), "volumes/%s/volume.json", name);
	if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return engine_error_set(err, ENOENT, "get %s: no such volume", name);
	cleanup_free char *to = NULL;
	if (asprintf(&to, "volumes/.rm-%s-%d", name, (int)getpid()) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	snprintf(rel, sizeof(rel), "volumes/%s", name);
	if (renameat(store->rootfd, rel, store->rootfd, to) < 0)
		return engine_error_errno(err, errno, "remove volume %s", name);
	*ret_rel = steal_pointer(&to);
	return 0;
}
