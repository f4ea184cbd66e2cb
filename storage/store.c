/* store.c: the on-disk image and layer store (layout in store.h).
 *
 * Crash safety: a layer is unpacked into a staging directory and renamed
 * into place only after its layer.json is written, so a killed pull leaves
 * nothing that looks complete; image records and names.json are written
 * through temp files, fsync and rename.  Concurrency: the store lock (fcntl,
 * released by the kernel when a process dies) serialises records and names;
 * layers need no lock, because a rename onto an existing layer fails and the
 * loser simply uses the winner's copy. */
#include "storage/store.h"

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

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/fs.h"
#include "common/hex.h"
#include "common/proc.h"
#include "common/strv.h"
#include "storage/remove.h"

#define MAX_RECORD (16u << 20)

static const char *hex_of(const char *digest)
{
	const char *colon = strchr(digest, ':');
	return colon ? colon + 1 : digest;
}

int storage_store_open(const char *root, struct storage_store **ret, struct engine_error **err)
{
	if (engine_mkdir_p(root, 0700, err) < 0)
		return engine_error_prefix(err, "storage root");
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open storage root %s", root);
	/* The root holds images of other ids: only its owner may look in. */
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", rootfd);
	(void)chmod(p, 0700);
	static const char *const dirs[] = { "layers", "images", "containers", "blobs", "blobs/sha256",
					    "blobs/sha512" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(rootfd, dirs[i], 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s/%s", root, dirs[i]);
	int lockfd = openat(rootfd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0)
		return engine_error_errno(err, errno, "open %s/store.lock", root);
	struct storage_store *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->root = strdup(root)) == NULL) {
		free(s);
		close(lockfd);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	s->rootfd = take_fd(&rootfd);
	s->lockfd = lockfd;
	*ret = s;
	return 0;
}

void storage_store_close(struct storage_store *store)
{
	if (store == NULL)
		return;
	close(store->rootfd);
	close(store->lockfd);
	free(store->root);
	free(store);
}

int storage_store_opendir(struct storage_store *store, const char *name, DIR **ret,
			  struct engine_error **err)
{
	*ret = NULL;
	int fd = openat(store->rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : engine_error_errno(err, errno, "open %s/%s", store->root, name);
	*ret = engine_fdopendir(fd);
	if (*ret == NULL)
		return engine_error_errno(err, errno, "read %s/%s", store->root, name);
	return 0;
}

int storage_store_lock(struct storage_store *store, struct engine_error **err)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(store->lockfd, F_OFD_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return engine_error_errno(err, errno, "lock the store");
	}
	return 0;
}

void storage_store_unlock(struct storage_store *store)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	(void)fcntl(store->lockfd, F_OFD_SETLK, &fl);
}


bool storage_layer_exists(struct storage_store *store, const char *diff_id)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", hex_of(diff_id));
	return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *storage_layer_diff_path(struct storage_store *store, const char *diff_id)
{
	char *p = NULL;
	if (asprintf(&p, "%s/layers/%s/diff", store->root, hex_of(diff_id)) < 0)
		return NULL;
	return p;
}

int storage_layer_begin(struct storage_store *store, const char *diff_id, char **ret_staging,
			int *ret_difffd, struct engine_error **err)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "layers/.tmp-%s-%d", hex_of(diff_id), (int)getpid());
	cleanup_free char *staging = strdup(rel);
	if (staging == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* A leftover from a killed run of this very pid (pid reuse): remove. */
	(void)storage_remove_tree(store->rootfd, rel, NULL);
	if (mkdirat(store->rootfd, rel, 0700) < 0)
		return engine_error_errno(err, errno, "create %s/%s", store->root, rel);
	char diffrel[300];
	snprintf(diffrel, sizeof(diffrel), "%s/diff", rel);
	if (mkdirat(store->rootfd, diffrel, 0755) < 0)
		return engine_error_errno(err, errno, "create %s/%s", store->root, diffrel);
	int fd = openat(store->rootfd, diffrel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s/%s", store->root, diffrel);
	/* 0755 whatever the umask: a layer without a "./" entry keeps it, and
	 * the container's root takes the mode of the top-most layer whose
	 * root differs (libengine/runtime/mounts.c). */
	if (fchmod(fd, 0755) < 0) {
		int e = errno;
		close(fd);
		return engine_error_errno(err, e, "chmod %s/%s", store->root, diffrel);
	}
	*ret_staging = steal_pointer(&staging);
	*ret_difffd = fd;
	return 0;
}

static int write_json_at(struct storage_store *store, const char *rel, json_t *j,
			 struct engine_error **err)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	cleanup_free char *path = NULL;
	if (text == NULL || asprintf(&path, "%s/%s", store->root, rel) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return engine_write_file_atomic(path, text, strlen(text), 0600, err);
}

int storage_layer_commit(struct storage_store *store, const char *diff_id, const char *staging,
			 const char *compressed_digest, uint64_t size, struct engine_error **err)
{
	cleanup_json json_t *j = json_pack("{s:s,s:s?,s:I}", "diffId", diff_id, "digest",
					   compressed_digest, "size", (json_int_t)size);
	char rel[320];
	snprintf(rel, sizeof(rel), "%s/layer.json", staging);
	if (j == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (write_json_at(store, rel, j, err) < 0)
		return -1;
	char final[256];
	snprintf(final, sizeof(final), "layers/%s", hex_of(diff_id));
	if (renameat(store->rootfd, staging, store->rootfd, final) < 0) {
		if ((errno == ENOTEMPTY || errno == EEXIST) && storage_layer_exists(store, diff_id)) {
			/* Another pull finished the same layer first: use that. */
			(void)storage_remove_tree(store->rootfd, staging, NULL);
			return 0;
		}
		if (errno == ENOTEMPTY || errno == EEXIST) {
			/* An incomplete directory in the final place (older
			 * versions, or a crash during removal): replace it. */
			if (storage_remove_tree(store->rootfd, final, err) < 0)
				return -1;
			if (renameat(store->rootfd, staging, store->rootfd, final) == 0)
				return 0;
		}
		return engine_error_errno(err, errno, "commit layer %s", diff_id);
	}
	return 0;
}

void storage_layer_abort(struct storage_store *store, const char *staging)
{
	(void)storage_remove_tree(store->rootfd, staging, NULL);
}

/* A process that still runs: a zombie (exited, not reaped yet by an init
 * that reaps lazily) has finished with the store too. */
static bool owner_alive(const char *name)
{
	const char *dash = strrchr(name, '-');
	int pid = dash ? atoi(dash + 1) : 0;
	return engine_pid_alive(pid);
}

static void cleanup_stale_blobs(struct storage_store *store)
{
	cleanup_dir DIR *d = engine_opendir_at(store->rootfd, "blobs/sha256");
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL && !owner_alive(e->d_name))
			(void)unlinkat(dirfd(d), e->d_name, 0);
}

void storage_layer_cleanup_stale(struct storage_store *store)
{
	cleanup_stale_blobs(store);
	cleanup_dir DIR *d = engine_opendir_at(store->rootfd, "layers");
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, ".tmp-", 5) != 0)
			continue;
		if (owner_alive(e->d_name))
			continue; /* its pull is still running */
		(void)storage_remove_tree(dirfd(d), e->d_name, NULL);
	}
}

static json_t *read_json_at(struct storage_store *store, const char *rel, struct engine_error **err);

int64_t storage_layer_size(struct storage_store *store, const char *diff_id)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", hex_of(diff_id));
	cleanup_json json_t *j = read_json_at(store, rel, NULL);
	return json_integer_value(json_object_get(j, "size"));
}

int storage_layer_digest(struct storage_store *store, const char *diff_id, char *out, size_t size)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", hex_of(diff_id));
	cleanup_json json_t *j = read_json_at(store, rel, NULL);
	const char *d = json_string_value(json_object_get(j, "digest"));
	snprintf(out, size, "%s", d ? d : "");
	return d ? 0 : -ENOENT;
}

static void blob_rel(const char *digest, char *out, size_t size)
{
	char alg[16] = "sha256";
	const char *colon = strchr(digest, ':');
	if (colon && (size_t)(colon - digest) < sizeof(alg))
		snprintf(alg, sizeof(alg), "%.*s", (int)(colon - digest), digest);
	snprintf(out, size, "blobs/%s/%s", alg, hex_of(digest));
}

int storage_blob_begin(struct storage_store *store, const char *digest, char **ret_tmp,
		       struct engine_error **err)
{
	char rel[300];
	blob_rel(digest, rel, sizeof(rel));
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp-%d", rel, (int)getpid()) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int fd = openat(store->rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return engine_error_errno(err, e, "create blob %s", digest);
	}
	*ret_tmp = tmp;
	return fd;
}

int storage_blob_commit(struct storage_store *store, const char *digest, const char *tmp,
			struct engine_error **err)
{
	char rel[300];
	blob_rel(digest, rel, sizeof(rel));
	if (renameat(store->rootfd, tmp, store->rootfd, rel) < 0)
		return engine_error_errno(err, errno, "store blob %s", digest);
	return 0;
}

void storage_blob_abort(struct storage_store *store, const char *tmp)
{
	if (tmp != NULL)
		(void)unlinkat(store->rootfd, tmp, 0);
}

bool storage_blob_exists(struct storage_store *store, const char *digest)
{
	char rel[300];
	blob_rel(digest, rel, sizeof(rel));
	return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int storage_blob_open(struct storage_store *store, const char *digest, struct engine_error **err)
{
	char rel[300];
	blob_rel(digest, rel, sizeof(rel));
	int fd = openat(store->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return engine_error_errno(err, errno, "open blob %s", digest);
	return fd;
}

int storage_layer_remove(struct storage_store *store, const char *diff_id, struct engine_error **err)
{
	char rel[256], tmp[300];
	snprintf(rel, sizeof(rel), "layers/%s", hex_of(diff_id));
	/* Rename first: a half-removed layer must not look complete. */
	snprintf(tmp, sizeof(tmp), "layers/.tmp-rm-%s-%d", hex_of(diff_id), (int)getpid());
	char digest[160];
	if (storage_layer_digest(store, diff_id, digest, sizeof(digest)) == 0 && digest[0]) {
		char brel[300];
		blob_rel(digest, brel, sizeof(brel));
		(void)unlinkat(store->rootfd, brel, 0);
	}
	if (renameat(store->rootfd, rel, store->rootfd, tmp) < 0) {
		if (errno == ENOENT)
			return 0;
		return engine_error_errno(err, errno, "remove layer %s", diff_id);
	}
	return storage_remove_tree(store->rootfd, tmp, err);
}

/* ---- names and image records ------------------------------------------- */

static json_t *read_json_at(struct storage_store *store, const char *rel, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct engine_error *local = NULL;
	if (engine_read_file(store->rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
			     MAX_RECORD, &buf, &len, &local) < 0) {
		if (local->status == ENOENT) {
			engine_error_free(&local);
			errno = ENOENT;
			return NULL;
		}
		*err = local;
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		engine_error_set(err, EINVAL, "%s/%s: %s", store->root, rel, je.text);
	return j;
}

static json_t *load_names(struct storage_store *store, struct engine_error **err)
{
	json_t *j = read_json_at(store, "names.json", err);
	if (j == NULL && err && *err == NULL)
		return json_object();
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		engine_error_set(err, EINVAL, "%s/names.json: not an object", store->root);
		return NULL;
	}
	return j;
}

static int64_t parse_created(json_t *config)
{
	const char *s = json_string_value(json_object_get(config, "created"));
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static int write_blob(struct storage_store *store, const char *dir, const char *name,
		      const char *buf, size_t len, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/%s/%s", store->root, dir, name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return engine_write_file_atomic(path, buf, len, 0600, err);
}

int storage_image_put(struct storage_store *store, const char *manifest, size_t manifest_len,
		      const char *manifest_digest, const char *config, size_t config_len,
		      const char *config_digest, char **diff_ids, size_t n_layers, int64_t size,
		      const char *name, struct engine_error **err)
{
	const char *id = hex_of(config_digest);
	char dir[128];
	snprintf(dir, sizeof(dir), "images/%s", id);
	json_error_t je;
	cleanup_json json_t *cfg = json_loadb(config, config_len, 0, &je);
	if (cfg == NULL)
		return engine_error_set(err, EINVAL, "image config: %s", je.text);
	cleanup_json json_t *layers = json_array();
	for (size_t i = 0; i < n_layers; i++)
		json_array_append_new(layers, json_string(diff_ids[i]));
	cleanup_json json_t *rec = json_pack("{s:s,s:s,s:O,s:I,s:I}", "id", id, "manifestDigest",
					     manifest_digest, "diffIds", layers, "created",
					     (json_int_t)parse_created(cfg), "size", (json_int_t)size);
	if (rec == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");

	if (storage_store_lock(store, err) < 0)
		return -1;
	int r = -1;
	if (mkdirat(store->rootfd, dir, 0700) < 0 && errno != EEXIST) {
		engine_error_errno(err, errno, "create %s/%s", store->root, dir);
		goto out;
	}
	/* The record is written last: an image dir without image.json is not
	 * an image, whatever else is in it. */
	char rel[160];
	snprintf(rel, sizeof(rel), "%s/image.json", dir);
	if (write_blob(store, dir, "manifest", manifest, manifest_len, err) < 0 ||
	    write_blob(store, dir, "config", config, config_len, err) < 0 ||
	    write_json_at(store, rel, rec, err) < 0)
		goto out;
	if (name != NULL) {
		cleanup_json json_t *names = load_names(store, err);
		if (names == NULL)
			goto out;
		json_object_set_new(names, name, json_string(id));
		if (write_json_at(store, "names.json", names, err) < 0)
			goto out;
	}
	r = 0;
out:
	storage_store_unlock(store);
	return r;
}

void storage_image_free(struct storage_image *image)
{
	if (image == NULL)
		return;
	free(image->manifest_digest);
	for (size_t i = 0; i < image->n_names; i++)
		free(image->names[i]);
	free(image->names);
	for (size_t i = 0; i < image->n_layers; i++)
		free(image->diff_ids[i]);
	free(image->diff_ids);
	json_decref(image->config);
	free(image);
}

static int load_image(struct storage_store *store, const char *id, json_t *names,
		      struct storage_image **ret, struct engine_error **err)
{
	char rel[160];
	snprintf(rel, sizeof(rel), "images/%s/image.json", id);
	cleanup_json json_t *rec = read_json_at(store, rel, err);
	if (rec == NULL)
		return (err && *err) ? -1 : engine_error_set(err, ENOENT, "No such image: %s", id);
	struct storage_image *img = calloc(1, sizeof(*img));
	if (img == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	snprintf(img->id, sizeof(img->id), "%s", id);
	const char *md = json_string_value(json_object_get(rec, "manifestDigest"));
	img->manifest_digest = strdup(md ? md : "");
	img->created = json_integer_value(json_object_get(rec, "created"));
	img->size = json_integer_value(json_object_get(rec, "size"));
	json_t *layers = json_object_get(rec, "diffIds");
	img->n_layers = json_array_size(layers);
	img->diff_ids = calloc(img->n_layers + 1, sizeof(char *));
	size_t i;
	json_t *v;
	json_array_foreach(layers, i, v) img->diff_ids[i] = strdup(json_string_value(v) ? json_string_value(v) : "");
	const char *name;
	json_object_foreach(names, name, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0) {
			char **n = realloc(img->names, (img->n_names + 1) * sizeof(char *));
			if (n == NULL)
				break;
			img->names = n;
			img->names[img->n_names++] = strdup(name);
		}
	}
	snprintf(rel, sizeof(rel), "images/%s/config", id);
	img->config = read_json_at(store, rel, NULL);
	*ret = img;
	return 0;
}

static int list_ids(struct storage_store *store, char ***ret, size_t *ret_n, struct engine_error **err)
{
	int fd = openat(store->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s/images", store->root);
	cleanup_dir DIR *d = engine_fdopendir(fd);
	if (d == NULL)
		return engine_error_errno(err, errno, "read %s/images", store->root);
	char **ids = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!engine_is_hex(e->d_name, 64, 64))
			continue;
		char rel[320];
		snprintf(rel, sizeof(rel), "%s/image.json", e->d_name);
		if (faccessat(dirfd(d), rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		char **nids = realloc(ids, (n + 1) * sizeof(char *));
		if (nids == NULL)
			break;
		ids = nids;
		ids[n++] = strdup(e->d_name);
	}
	*ret = ids;
	*ret_n = n;
	return 0;
}

/* Resolve WHAT (a name, "sha256:ID", an ID or a unique ID prefix) to an id. */
static int resolve(struct storage_store *store, json_t *names, const char *what, char out[65],
		   struct engine_error **err)
{
	json_t *v = json_object_get(names, what);
	if (json_is_string(v)) {
		snprintf(out, 65, "%s", json_string_value(v));
		return 0;
	}
	const char *hex = strncmp(what, "sha256:", 7) == 0 ? what + 7 : what;
	if (!engine_is_hex(hex, 1, 64))
		return engine_error_set(err, ENOENT, "No such image: %s", what);
	char **ids = NULL;
	size_t n = 0;
	if (list_ids(store, &ids, &n, err) < 0)
		return -1;
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(ids[i], hex, strlen(hex)) == 0) {
			if (found++ == 0)
				snprintf(out, 65, "%s", ids[i]);
		}
	}
	engine_strv_free_n(ids, n);
	if (found == 0)
		return engine_error_set(err, ENOENT, "No such image: %s", what);
	if (found > 1)
		return engine_error_set(err, EINVAL, "image id prefix %s is ambiguous", what);
	return 0;
}

int storage_image_get(struct storage_store *store, const char *what, struct storage_image **ret,
		      struct engine_error **err)
{
	cleanup_json json_t *names = load_names(store, err);
	if (names == NULL)
		return -1;
	char id[65];
	if (resolve(store, names, what, id, err) < 0)
		return -1;
	return load_image(store, id, names, ret, err);
}

static int by_created_desc(const void *a, const void *b)
{
	const struct storage_image *x = *(struct storage_image *const *)a;
	const struct storage_image *y = *(struct storage_image *const *)b;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(x->id, y->id);
}

int storage_image_list(struct storage_store *store, struct storage_image ***ret, size_t *ret_n,
		       struct engine_error **err)
{
	cleanup_json json_t *names = load_names(store, err);
	if (names == NULL)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	if (list_ids(store, &ids, &n, err) < 0)
		return -1;
	struct storage_image **out = calloc(n + 1, sizeof(*out));
	size_t got = 0;
	for (size_t i = 0; out != NULL && i < n; i++) {
		struct engine_error *local = NULL;
		if (load_image(store, ids[i], names, &out[got], &local) == 0)
			got++;
		engine_error_free(&local);
	}
	engine_strv_free_n(ids, n);
	if (out == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	qsort(out, got, sizeof(*out), by_created_desc);
	*ret = out;
	*ret_n = got;
	return 0;
}

int storage_image_tag(struct storage_store *store, const char *id, const char *name,
		      struct engine_error **err)
{
	if (storage_store_lock(store, err) < 0)
		return -1;
	int r = -1;
	cleanup_json json_t *names = load_names(store, err);
	if (names != NULL) {
		json_object_set_new(names, name, json_string(id));
		r = write_json_at(store, "names.json", names, err);
	}
	storage_store_unlock(store);
	return r;
}

static bool layer_used_elsewhere(struct storage_store *store, const char *removed_id,
				 const char *diff_id)
{
	char **ids = NULL;
	size_t n = 0;
	if (list_ids(store, &ids, &n, NULL) < 0)
		return true; /* when in doubt, keep the layer */
	bool used = false;
	for (size_t i = 0; i < n && !used; i++) {
		if (strcmp(ids[i], removed_id) == 0)
			continue;
		char rel[160];
		snprintf(rel, sizeof(rel), "images/%s/image.json", ids[i]);
		cleanup_json json_t *rec = read_json_at(store, rel, NULL);
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(rec, "diffIds"), k, v)
			if (json_is_string(v) && strcmp(json_string_value(v), diff_id) == 0)
				used = true;
	}
	engine_strv_free_n(ids, n);
	return used;
}

/* The repository of a stored name: "REG/repo" of "REG/repo:tag" or of
 * "REG/repo@sha256:...". */
static size_t repository_length(const char *name)
{
	const char *at = strchr(name, '@');
	if (at != NULL)
		return (size_t)(at - name);
	const char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');
	if (colon != NULL && (slash == NULL || colon > slash))
		return (size_t)(colon - name);
	return strlen(name);
}

static bool same_repository(const char *a, const char *b)
{
	size_t l = repository_length(a);
	return repository_length(b) == l && strncmp(a, b, l) == 0;
}

size_t storage_image_untag_plan(const struct storage_image *img, const char *name, bool *ret_goes)
{
	/* Docker: removing a tag also removes the digest names of its
	 * repository when no other tag of that repository is left. */
	bool is_tag = strchr(name, '@') == NULL, other_tag = false;
	for (size_t i = 0; i < img->n_names; i++)
		if (strcmp(img->names[i], name) != 0 && strchr(img->names[i], '@') == NULL &&
		    same_repository(img->names[i], name))
			other_tag = true;
	size_t left = 0;
	for (size_t i = 0; i < img->n_names; i++) {
		bool goes = strcmp(img->names[i], name) == 0 ||
			    (is_tag && !other_tag && strchr(img->names[i], '@') != NULL &&
			     same_repository(img->names[i], name));
		if (ret_goes != NULL)
			ret_goes[i] = goes;
		left += !goes;
	}
	return left;
}

int storage_image_untag_or_remove(struct storage_store *store, const char *what, bool force,
				  char ***ret_untagged, size_t *ret_n_untagged, char **ret_removed_id,
				  char ***ret_unused_layers, size_t *ret_n_unused,
				  struct engine_error **err)
{
	*ret_untagged = NULL;
	*ret_n_untagged = 0;
	*ret_removed_id = NULL;
	*ret_unused_layers = NULL;
	*ret_n_unused = 0;
	if (storage_store_lock(store, err) < 0)
		return -1;
	int r = -1;
	struct storage_image *img = NULL;
	cleanup_free bool *goes = NULL; /* which of the image's names NAME takes */
	cleanup_json json_t *names = load_names(store, err);
	char id[65];
	if (names == NULL || resolve(store, names, what, id, err) < 0)
		goto out;
	if (load_image(store, id, names, &img, err) < 0)
		goto out;
	bool by_name = json_is_string(json_object_get(names, what));
	/* Docker: removing by name only untags while other names remain,
	 * with or without -f; the image goes with its last name, or when it
	 * is removed by ID (which with several names needs -f and then
	 * untags them all). */
	goes = calloc(img->n_names + 1, sizeof(bool));
	if (goes == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (by_name && storage_image_untag_plan(img, what, goes) > 0) {
		*ret_untagged = calloc(img->n_names, sizeof(char *));
		if (*ret_untagged == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < img->n_names; i++) {
			if (!goes[i])
				continue;
			json_object_del(names, img->names[i]);
			(*ret_untagged)[(*ret_n_untagged)++] = strdup(img->names[i]);
		}
		if (write_json_at(store, "names.json", names, err) < 0)
			goto out;
		r = 0;
		goto out;
	}
	if (!by_name && img->n_names > 1 && !force) {
		engine_error_set(err, EBUSY,
				 "conflict: unable to delete %.12s (must be forced) - image is referenced in multiple repositories",
				 id);
		goto out;
	}
	*ret_untagged = calloc(img->n_names + 1, sizeof(char *));
	for (size_t i = 0; i < img->n_names; i++) {
		json_object_del(names, img->names[i]);
		(*ret_untagged)[i] = strdup(img->names[i]);
	}
	*ret_n_untagged = img->n_names;
	if (write_json_at(store, "names.json", names, err) < 0)
		goto out;
	/* The record goes first, so a crash leaves unreferenced layers (found
	 * by prune), never a record pointing at missing ones. */
	char rel[160];
	snprintf(rel, sizeof(rel), "images/%s/image.json", id);
	if (unlinkat(store->rootfd, rel, 0) < 0 && errno != ENOENT) {
		engine_error_errno(err, errno, "remove image %s", id);
		goto out;
	}
	snprintf(rel, sizeof(rel), "images/%s", id);
	(void)storage_remove_tree(store->rootfd, rel, NULL);
	*ret_removed_id = strdup(id);
	*ret_unused_layers = calloc(img->n_layers + 1, sizeof(char *));
	for (size_t i = 0; i < img->n_layers; i++)
		if (!layer_used_elsewhere(store, id, img->diff_ids[i]))
			(*ret_unused_layers)[(*ret_n_unused)++] = strdup(img->diff_ids[i]);
	r = 0;
out:
	storage_image_free(img);
	storage_store_unlock(store);
	return r;
}

int storage_image_read_blob(struct storage_store *store, const char *id, const char *which,
			    char **ret_buf, size_t *ret_len, struct engine_error **err)
{
	char rel[160];
	snprintf(rel, sizeof(rel), "images/%s/%s", id, which);
	return engine_read_file(store->rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
				MAX_RECORD, ret_buf, ret_len, err);
}

/* ---- blobs whose digest is not known yet (load, import) ----------------- */

int storage_blob_tmp(struct storage_store *store, char **ret_tmp, struct engine_error **err)
{
	/* One process may spool thousands of archive members: a counter
	 * keeps the names apart, O_EXCL keeps them from clobbering anything. */
	static unsigned counter;
	for (int tries = 0; tries < 100; tries++) {
		char *tmp = NULL;
		if (asprintf(&tmp, "blobs/sha256/.tmp-%u-%d", __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED),
			     (int)getpid()) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		int fd = openat(store->rootfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			*ret_tmp = tmp;
			return fd;
		}
		int e = errno;
		free(tmp);
		if (e != EEXIST)
			return engine_error_errno(err, e, "create a temporary file in %s/blobs/sha256",
						  store->root);
	}
	return engine_error_set(err, EEXIST, "create a temporary file in %s/blobs/sha256: too many leftovers",
				store->root);
}

void storage_blob_remove(struct storage_store *store, const char *digest)
{
	char rel[300];
	blob_rel(digest, rel, sizeof(rel));
	(void)unlinkat(store->rootfd, rel, 0);
}

static int claim(struct storage_store *store, const char *container_id, const char *image_id,
		 int sync, struct engine_error **err)
{
	char rel[160], text[128];
	snprintf(rel, sizeof(rel), "containers/%s", container_id);
	bool made = mkdirat(store->rootfd, rel, 0700) == 0;
	if (!made && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/%s", store->root, rel);
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/%s/image", store->root, rel) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int n = snprintf(text, sizeof(text), "%s %d\n", image_id, (int)getpid());
	int r = engine_write_file_replace(path, text, (size_t)n, 0600, sync, err);
	/* A full store: no empty containers/ID left behind. */
	if (r < 0 && made)
		unlinkat(store->rootfd, rel, AT_REMOVEDIR);
	return r;
}

int storage_container_claim(struct storage_store *store, const char *container_id,
			    const char *image_id, struct engine_error **err)
{
	/* The file's fsync, not its directory's: the claim
	 * matters after a crash only for a recorded container, and recording
	 * it (config.json) fsyncs this same directory afterwards.  Before
	 * that, the claim names a process the crash killed: stale anyway. */
	return claim(store, container_id, image_id, ENGINE_SYNC_FILE, err);
}

int storage_container_reclaim(struct storage_store *store, const char *container_id,
			      const char *image_id, struct engine_error **err)
{
	return claim(store, container_id, image_id, 0, err);
}

int storage_image_in_use(struct storage_store *store, const char *image_id, char ret_container[65])
{
	cleanup_dir DIR *d = engine_opendir_at(store->rootfd, "containers");
	if (d == NULL)
		return 0;
	int used = 0;
	struct dirent *e;
	while (used != 1 && (e = readdir(d)) != NULL) {
		if (!engine_is_hex(e->d_name, 64, 64))
			continue;
		char rel[300];
		snprintf(rel, sizeof(rel), "%s/image", e->d_name);
		cleanup_free char *buf = NULL;
		if (engine_read_file(dirfd(d), rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS,
				     256, &buf, NULL, NULL) < 0)
			continue;
		char id[65];
		int pid = 0;
		if (sscanf(buf, "%64s %d", id, &pid) != 2 || strcmp(id, image_id) != 0)
			continue;
		/* A claim whose process is gone is stale (a killed foreground
		 * run), unless the container is recorded (config.json): a
		 * stopped container keeps its image until it is removed. */
		int how = 0;
		if (engine_pid_alive(pid))
			how = 1;
		snprintf(rel, sizeof(rel), "%s/config.json", e->d_name);
		if (how == 0 && faccessat(dirfd(d), rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			how = 2;
		if (how != 0 && (used == 0 || how < used)) {
			snprintf(ret_container, 65, "%.64s", e->d_name);
			used = how;
		}
	}
	return used;
}
