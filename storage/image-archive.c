/* image-archive.c: docker-archive and oci-archive tarballs (see
 * image-archive.h): the manifest.json parser, spooling an archive's members
 * for `load`, and the writer behind `save`.
 *
 * Why spool into the blob directory: a verified OCI blob becomes a stored
 * blob by one rename (same filesystem), the temp names are the ones the
 * store's stale-file sweep already removes after a crash, and the store
 * root is private to the user (0700) where /tmp is not. */
#include "storage/image-archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/compress.h"
#include "common/fs.h"
#include "storage/manifest.h"

#define MAX_IMAGES 1000
#define MAX_LAYERS 1000
#define MAX_MEMBERS 100000
#define MAX_NAME 4096
#define MAX_LINK_HOPS 16
#define COPY_BLOCK (64u << 10)

int storage_archive_format_parse(const char *s, enum storage_archive_format *ret,
				 struct engine_error **err)
{
	if (strcmp(s, "docker-archive") == 0)
		*ret = STORAGE_ARCHIVE_DOCKER;
	else if (strcmp(s, "oci-archive") == 0)
		*ret = STORAGE_ARCHIVE_OCI;
	else
		return engine_error_set(err, EINVAL,
					"unsupported format \"%s\": docker-archive or oci-archive", s);
	return 0;
}

/* ------------------------------------------------------------ manifest.json */

void storage_archive_images_free(struct storage_archive_image *images, size_t n)
{
	for (size_t i = 0; images != NULL && i < n; i++) {
		free(images[i].config);
		for (size_t k = 0; k < images[i].n_repo_tags; k++)
			free(images[i].repo_tags[k]);
		free(images[i].repo_tags);
		for (size_t k = 0; k < images[i].n_layers; k++)
			free(images[i].layers[k]);
		free(images[i].layers);
	}
	free(images);
}

/* A JSON array of non-empty strings (NULL or null: empty) into *ret. */
static int string_array(json_t *a, const char *what, size_t max, char ***ret, size_t *ret_n,
			struct engine_error **err)
{
	*ret = NULL;
	*ret_n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return engine_error_set(err, EINVAL, "%s: not an array", what);
	if (json_array_size(a) > max)
		return engine_error_set(err, E2BIG, "%s: more than %zu entries", what, max);
	char **v = calloc(json_array_size(a) + 1, sizeof(char *));
	if (v == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		if (s == NULL || s[0] == '\0' || strlen(s) > MAX_NAME || (v[i] = strdup(s)) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return s == NULL || s[0] == '\0' || strlen(s) > MAX_NAME
				       ? engine_error_set(err, EINVAL, "%s[%zu]: not a non-empty string", what, i)
				       : engine_error_set(err, ENOMEM, "out of memory");
		}
	}
	*ret = v;
	*ret_n = json_array_size(a);
	return 0;
}

int storage_archive_manifest_parse(const char *buf, size_t len, struct storage_archive_image **ret,
				   size_t *ret_n, struct engine_error **err)
{
	if (len > STORAGE_MANIFEST_MAX)
		return engine_error_set(err, EFBIG, "manifest.json: larger than %u bytes",
					STORAGE_MANIFEST_MAX);
	json_error_t je;
	cleanup_json json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return engine_error_set(err, EINVAL, "manifest.json: %s", je.text);
	if (!json_is_array(root) || json_array_size(root) == 0)
		return engine_error_set(err, EINVAL, "manifest.json: not a non-empty array");
	if (json_array_size(root) > MAX_IMAGES)
		return engine_error_set(err, E2BIG, "manifest.json: more than %d images", MAX_IMAGES);
	size_t n = json_array_size(root);
	struct storage_archive_image *imgs = calloc(n, sizeof(*imgs));
	if (imgs == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(root, i);
		char what[64];
		if (!json_is_object(e)) {
			engine_error_set(err, EINVAL, "manifest.json: entry %zu: not an object", i);
			goto fail;
		}
		const char *config = json_string_value(json_object_get(e, "Config"));
		if (config == NULL || config[0] == '\0' || strlen(config) > MAX_NAME) {
			engine_error_set(err, EINVAL, "manifest.json: entry %zu: no Config", i);
			goto fail;
		}
		if ((imgs[i].config = strdup(config)) == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
		snprintf(what, sizeof(what), "manifest.json: entry %zu: RepoTags", i);
		if (string_array(json_object_get(e, "RepoTags"), what, MAX_IMAGES, &imgs[i].repo_tags,
				 &imgs[i].n_repo_tags, err) < 0)
			goto fail;
		snprintf(what, sizeof(what), "manifest.json: entry %zu: Layers", i);
		json_t *layers = json_object_get(e, "Layers");
		if (!json_is_array(layers)) {
			engine_error_set(err, EINVAL, "%s: not an array", what);
			goto fail;
		}
		if (string_array(layers, what, MAX_LAYERS, &imgs[i].layers, &imgs[i].n_layers, err) < 0)
			goto fail;
	}
	*ret = imgs;
	*ret_n = n;
	return 0;
fail:
	storage_archive_images_free(imgs, n);
	return -1;
}

/* ---------------------------------------------------------------- spooling */

/* Resolve "." and ".." and empty components; NULL when ".." climbs out of
 * the archive (such a name can never match a member we look for). */
static char *normalize(const char *dir, const char *name)
{
	size_t cap = (dir ? strlen(dir) : 0) + strlen(name) + 2;
	char *joined = malloc(cap), *out = malloc(cap);
	if (joined == NULL || out == NULL) {
		free(joined);
		free(out);
		return NULL;
	}
	snprintf(joined, cap, "%s%s%s", dir && dir[0] && name[0] != '/' ? dir : "",
		 dir && dir[0] && name[0] != '/' ? "/" : "", name);
	size_t used = 0;
	char *save = NULL;
	for (char *c = strtok_r(joined, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (used == 0) {
				free(joined);
				free(out);
				return NULL;
			}
			while (used > 0 && out[used - 1] != '/')
				used--;
			if (used > 0)
				used--; /* the slash */
			continue;
		}
		used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "/" : "", c);
	}
	out[used] = '\0';
	free(joined);
	return out;
}

static void member_clear(struct storage_store *store, struct storage_spool_member *m)
{
	if (m->tmp != NULL)
		storage_blob_abort(store, m->tmp);
	free(m->tmp);
	free(m->name);
	free(m->link);
}

void storage_spool_free(struct storage_spool *spool)
{
	if (spool == NULL)
		return;
	for (size_t i = 0; i < spool->n; i++)
		member_clear(spool->store, &spool->members[i]);
	free(spool->members);
	free(spool);
}

static int copy_member(struct archive *a, int fd, struct engine_error **err)
{
	const void *block;
	size_t size;
	la_int64_t offset;
	for (;;) {
		int r = archive_read_data_block(a, &block, &size, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return engine_error_set(err, EIO, "%s",
						archive_error_string(a) ? archive_error_string(a) : "read error");
		/* Sparse members: libarchive gives offsets; pwrite keeps holes. */
		const char *p = block;
		while (size > 0) {
			ssize_t w = pwrite(fd, p, size, offset);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return engine_error_errno(err, errno, "write");
			}
			p += w;
			size -= (size_t)w;
			offset += w;
		}
	}
	return 0;
}

int storage_spool_read(struct storage_store *store, int in_fd, struct storage_spool **ret,
		       struct engine_error **err)
{
	struct storage_spool *spool = calloc(1, sizeof(*spool));
	struct archive *a = archive_read_new();
	if (spool == NULL || a == NULL) {
		free(spool);
		if (a)
			archive_read_free(a);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	spool->store = store;
	int rc = -1;
	/* docker load takes a compressed archive too. */
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, in_fd, COPY_BLOCK) != ARCHIVE_OK) {
		engine_error_set(err, EINVAL, "archive: %s",
				 archive_error_string(a) ? archive_error_string(a) : "cannot read");
		goto out;
	}
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			engine_error_set(err, EINVAL, "archive: %s",
					 archive_error_string(a) ? archive_error_string(a)
								 : "not a tar archive");
			goto out;
		}
		const char *path = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);
		const char *hard = archive_entry_hardlink(e);
		if (path == NULL || strlen(path) > MAX_NAME ||
		    (type != AE_IFREG && type != AE_IFLNK && hard == NULL))
			continue; /* directories and the rest carry nothing we read */
		if (spool->n >= MAX_MEMBERS) {
			engine_error_set(err, E2BIG, "archive: more than %d members", MAX_MEMBERS);
			goto out;
		}
		struct storage_spool_member *nm =
			realloc(spool->members, (spool->n + 1) * sizeof(*spool->members));
		if (nm == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		spool->members = nm;
		struct storage_spool_member *m = &spool->members[spool->n];
		*m = (struct storage_spool_member){ .name = normalize(NULL, path) };
		if (m->name == NULL || m->name[0] == '\0') {
			free(m->name);
			continue;
		}
		spool->n++;
		if (hard != NULL || type == AE_IFLNK) {
			/* A hardlink names a member from the archive's top; a
			 * symlink is relative to its own directory (docker save
			 * links a repeated layer.tar to its first copy). */
			const char *target = hard ? hard : archive_entry_symlink(e);
			cleanup_free char *dir = strdup(m->name);
			char *slash = dir ? strrchr(dir, '/') : NULL;
			if (slash)
				*slash = '\0';
			else if (dir)
				dir[0] = '\0';
			m->link = target ? normalize(hard ? NULL : dir, target) : NULL;
			continue;
		}
		cleanup_close int fd = storage_blob_tmp(store, &m->tmp, err);
		if (fd < 0)
			goto out;
		if (copy_member(a, fd, err) < 0) {
			engine_error_prefix(err, "archive: %s", m->name);
			goto out;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			engine_error_errno(err, errno, "archive: %s", m->name);
			goto out;
		}
		/* A sparse member's holes at its end are no write at all. */
		if (archive_entry_size_is_set(e) && st.st_size < archive_entry_size(e) &&
		    ftruncate(fd, archive_entry_size(e)) < 0) {
			engine_error_errno(err, errno, "archive: %s", m->name);
			goto out;
		}
		m->size = archive_entry_size_is_set(e) && archive_entry_size(e) > st.st_size
				  ? archive_entry_size(e)
				  : st.st_size;
	}
	*ret = spool;
	spool = NULL;
	rc = 0;
out:
	archive_read_free(a);
	storage_spool_free(spool);
	return rc;
}

struct storage_spool_member *storage_spool_find(struct storage_spool *spool, const char *name)
{
	cleanup_free char *want = normalize(NULL, name);
	if (want == NULL)
		return NULL;
	for (int hops = 0; hops < MAX_LINK_HOPS; hops++) {
		struct storage_spool_member *found = NULL;
		/* The last member of a name wins, as tar extraction would. */
		for (size_t i = spool->n; i-- > 0;)
			if (strcmp(spool->members[i].name, want) == 0) {
				found = &spool->members[i];
				break;
			}
		if (found == NULL || found->link == NULL)
			return found;
		free(want);
		want = strdup(found->link);
		if (want == NULL)
			return NULL;
	}
	return NULL;
}

static int open_member(struct storage_spool *spool, struct storage_spool_member *m,
		       struct engine_error **err)
{
	if (m->tmp == NULL)
		return engine_error_set(err, ENOENT, "%s: already moved into the store", m->name);
	int fd = openat(spool->store->rootfd, m->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s/%s", spool->store->root, m->tmp);
	return fd;
}

int storage_spool_read_member(struct storage_spool *spool, struct storage_spool_member *m,
			      size_t max, char **ret_buf, size_t *ret_len, struct engine_error **err)
{
	if (m->size < 0 || (uint64_t)m->size > max)
		return engine_error_set(err, EFBIG, "%s: larger than %zu bytes", m->name, max);
	if (m->tmp == NULL)
		return engine_error_set(err, ENOENT, "%s: already moved into the store", m->name);
	return engine_read_file(spool->store->rootfd, m->tmp,
				ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, max, ret_buf, ret_len,
				err);
}

int storage_spool_verify(struct storage_spool *spool, struct storage_spool_member *m,
			 const char *digest, int64_t size, struct engine_error **err)
{
	if (storage_digest_validate(digest, err) < 0)
		return -1;
	if (size >= 0 && m->size != size)
		return engine_error_set(err, EBADMSG, "%s: size %lld, the descriptor says %lld", m->name,
					(long long)m->size, (long long)size);
	cleanup_close int fd = open_member(spool, m, err);
	if (fd < 0)
		return -1;
	char algorithm[8], got[STORAGE_DIGEST_MAX];
	storage_digest_algorithm(digest, algorithm);
	struct storage_hasher *h = storage_hasher_new(algorithm);
	cleanup_free char *buf = malloc(COPY_BLOCK);
	if (h == NULL || buf == NULL) {
		storage_hasher_free(h);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, COPY_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = engine_error_errno(err, errno, "read %s", m->name);
			break;
		}
		if (n == 0)
			break;
		if (storage_hasher_update(h, buf, (size_t)n) < 0) {
			rc = engine_error_set(err, EIO, "hashing failed");
			break;
		}
	}
	if (rc == 0 && storage_hasher_final(h, got) < 0)
		rc = engine_error_set(err, EIO, "hashing failed");
	storage_hasher_free(h);
	if (rc == 0 && strcmp(got, digest) != 0)
		rc = engine_error_set(err, EBADMSG, "%s: digest mismatch (got %s, want %s)", m->name, got,
				      digest);
	return rc;
}

int storage_spool_commit(struct storage_spool *spool, struct storage_spool_member *m,
			 const char *digest, struct engine_error **err)
{
	if (m->tmp == NULL)
		return 0; /* an earlier image of the same archive took it */
	if (storage_blob_commit(spool->store, digest, m->tmp, err) < 0)
		return -1;
	free(m->tmp);
	m->tmp = NULL;
	return 0;
}

/* ------------------------------------------------------------------ saving */

/* docker.io/library/busybox:latest -> busybox:latest (what docker save
 * writes into RepoTags). */
static const char *familiar(const char *name)
{
	if (strncmp(name, "docker.io/library/", 18) == 0)
		return name + 18;
	if (strncmp(name, "docker.io/", 10) == 0)
		return name + 10;
	return name;
}

/* The tag of a "REPO:TAG" name (not a port's colon), or NULL. */
static const char *tag_of(const char *name)
{
	if (strchr(name, '@') != NULL)
		return NULL;
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	return colon ? colon + 1 : NULL;
}

struct writer {
	struct archive *a;
	struct storage_store *store;
	json_t *written; /* member names already in the archive */
};

static int write_header(struct writer *w, const char *name, int64_t size, bool dir,
			struct engine_error **err)
{
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	if (!dir)
		archive_entry_set_size(e, size);
	/* Epoch 0 and root owners, as docker save writes them: the same
	 * images give the same archive. */
	archive_entry_set_mtime(e, 0, 0);
	int r = archive_write_header(w->a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return engine_error_set(err, EIO, "write %s: %s", name,
					archive_error_string(w->a) ? archive_error_string(w->a) : "failed");
	json_object_set_new(w->written, name, json_true());
	return 0;
}

static int write_member(struct writer *w, const char *name, const void *buf, size_t len,
			struct engine_error **err)
{
	if (write_header(w, name, (int64_t)len, false, err) < 0)
		return -1;
	if (len > 0 && archive_write_data(w->a, buf, len) != (la_ssize_t)len)
		return engine_error_set(err, EIO, "write %s: %s", name,
					archive_error_string(w->a) ? archive_error_string(w->a) : "failed");
	return 0;
}

static int write_dir(struct writer *w, const char *name, struct engine_error **err)
{
	if (json_object_get(w->written, name) != NULL)
		return 0;
	return write_header(w, name, 0, true, err);
}

static int archive_sink(void *userdata, const void *buf, size_t len)
{
	struct writer *w = userdata;
	return archive_write_data(w->a, buf, len) == (la_ssize_t)len ? 0 : -1;
}

static int count_sink(void *userdata, const void *buf, size_t len)
{
	return 0;
}

static int open_blob(struct storage_store *store, const char *digest, struct engine_error **err)
{
	if (!storage_blob_exists(store, digest))
		return engine_error_set(err, ENOENT,
					"blob %s is not in the store (the image was pulled before "
					"blobs were kept): pull it again",
					digest);
	return storage_blob_open(store, digest, err);
}

/* HEX/layer.tar: the stored blob, decompressed; it must hash to DIFF_ID. */
static int write_layer_tar(struct writer *w, const char *digest, const char *diff_id,
			   const char *member, struct engine_error **err)
{
	/* Any blob of the layer gives the same tar: when the manifest's is
	 * missing, the one the layer was unpacked from will do. */
	char recorded[STORAGE_DIGEST_MAX] = "";
	if (!storage_blob_exists(w->store, digest) &&
	    storage_layer_digest(w->store, diff_id, recorded, sizeof(recorded)) == 0 &&
	    recorded[0] != '\0' && storage_blob_exists(w->store, recorded))
		digest = recorded;
	cleanup_close int fd = open_blob(w->store, digest, err);
	if (fd < 0)
		return -1;
	/* The tar header needs the size first: the unpacker recorded it;
	 * otherwise a first pass counts. */
	char got[STORAGE_DIGEST_MAX];
	uint64_t size = (uint64_t)storage_layer_size(w->store, diff_id), done = 0;
	if (size == 0) {
		if (storage_decompress(fd, 0, count_sink, NULL, got, &size, err) < 0 ||
		    lseek(fd, 0, SEEK_SET) < 0)
			return engine_error_prefix(err, "layer %s", digest);
	}
	if (write_header(w, member, (int64_t)size, false, err) < 0)
		return -1;
	if (storage_decompress(fd, size, archive_sink, w, got, &done, err) < 0)
		return engine_error_prefix(err, "layer %s", digest);
	if (done != size || strcmp(got, diff_id) != 0)
		return engine_error_set(err, EBADMSG,
					"layer %s: decompresses to %s (%llu bytes), not the diff_id %s",
					digest, got, (unsigned long long)done, diff_id);
	return 0;
}

/* blobs/ALG/HEX: a stored blob as it is. */
static int write_blob_member(struct writer *w, const char *digest, struct engine_error **err)
{
	char alg[8] = "sha256", dir[32], member[200];
	storage_digest_algorithm(digest, alg);
	snprintf(dir, sizeof(dir), "blobs/%s", alg);
	snprintf(member, sizeof(member), "%s/%s", dir, strchr(digest, ':') + 1);
	if (json_object_get(w->written, member) != NULL)
		return 0;
	cleanup_close int fd = open_blob(w->store, digest, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "blob %s", digest);
	if (write_dir(w, "blobs", err) < 0 || write_dir(w, dir, err) < 0 ||
	    write_header(w, member, st.st_size, false, err) < 0)
		return -1;
	cleanup_free char *buf = malloc(COPY_BLOCK);
	if (buf == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	int64_t left = st.st_size;
	while (left > 0) {
		ssize_t n = read(fd, buf, COPY_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return engine_error_errno(err, n < 0 ? errno : EIO, "read blob %s", digest);
		if ((int64_t)n > left)
			n = (ssize_t)left;
		if (archive_write_data(w->a, buf, (size_t)n) != n)
			return engine_error_set(err, EIO, "write %s: %s", member,
						archive_error_string(w->a) ? archive_error_string(w->a) : "failed");
		left -= n;
	}
	return 0;
}

/* An image's manifest and config bytes and the parsed manifest. */
struct saved_image {
	char *manifest, *config;
	size_t manifest_len, config_len;
	char manifest_digest[STORAGE_DIGEST_MAX];
	struct storage_manifest parsed;
	struct storage_image *record;
};

static void saved_image_clear(struct saved_image *s)
{
	free(s->manifest);
	free(s->config);
	storage_manifest_clear(&s->parsed);
	storage_image_free(s->record);
}

static int load_saved(struct storage_store *store, const char *id, struct saved_image *s,
		      struct engine_error **err)
{
	memset(s, 0, sizeof(*s));
	if (storage_image_get(store, id, &s->record, err) < 0 ||
	    storage_image_read_blob(store, id, "manifest", &s->manifest, &s->manifest_len, err) < 0 ||
	    storage_image_read_blob(store, id, "config", &s->config, &s->config_len, err) < 0 ||
	    storage_manifest_parse(s->manifest, s->manifest_len, NULL, &s->parsed, err) < 0)
		return engine_error_prefix(err, "image %.12s", id);
	if (s->parsed.n_layers != s->record->n_layers)
		return engine_error_set(err, EINVAL, "image %.12s: %zu layers in the manifest, %zu in the record",
					id, s->parsed.n_layers, s->record->n_layers);
	storage_digest_buffer(s->manifest, s->manifest_len, "sha256", s->manifest_digest);
	return 0;
}

static int save_docker(struct writer *w, const struct storage_archive_save_image *images,
		       struct saved_image *saved, size_t n, struct engine_error **err)
{
	cleanup_json json_t *manifest = json_array();
	cleanup_json json_t *repositories = json_object();
	for (size_t i = 0; i < n; i++) {
		struct saved_image *s = &saved[i];
		char config_member[80];
		snprintf(config_member, sizeof(config_member), "%s.json", s->record->id);
		if (json_object_get(w->written, config_member) == NULL &&
		    write_member(w, config_member, s->config, s->config_len, err) < 0)
			return -1;
		json_t *layers = json_array(), *tags = json_array();
		json_t *entry = json_pack("{s:s,s:o,s:o}", "Config", config_member, "RepoTags", tags,
					  "Layers", layers);
		json_array_append_new(manifest, entry);
		const char *top = NULL;
		for (size_t k = 0; k < s->parsed.n_layers; k++) {
			const char *diff_id = s->record->diff_ids[k];
			const char *hex = strchr(diff_id, ':') ? strchr(diff_id, ':') + 1 : diff_id;
			char member[200];
			snprintf(member, sizeof(member), "%s/layer.tar", hex);
			json_array_append_new(layers, json_string(member));
			top = hex;
			if (json_object_get(w->written, member) != NULL)
				continue;
			if (write_dir(w, hex, err) < 0 ||
			    write_layer_tar(w, s->parsed.layers[k].digest, diff_id, member, err) < 0)
				return -1;
		}
		for (size_t k = 0; k < images[i].n_names; k++) {
			const char *name = familiar(images[i].names[k]);
			const char *tag = tag_of(name);
			if (tag == NULL)
				continue;
			json_array_append_new(tags, json_string(name));
			char repo[1024];
			snprintf(repo, sizeof(repo), "%.*s", (int)(tag - 1 - name), name);
			json_t *r = json_object_get(repositories, repo);
			if (r == NULL)
				json_object_set_new(repositories, repo, r = json_object());
			json_object_set_new(r, tag, json_string(top ? top : ""));
		}
		if (json_array_size(tags) == 0)
			json_object_set_new(entry, "RepoTags", json_null());
	}
	cleanup_free char *text = json_dumps(manifest, JSON_COMPACT);
	cleanup_free char *repos = json_dumps(repositories, JSON_COMPACT);
	if (text == NULL || repos == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (write_member(w, "manifest.json", text, strlen(text), err) < 0)
		return -1;
	if (json_object_size(repositories) > 0 &&
	    write_member(w, "repositories", repos, strlen(repos), err) < 0)
		return -1;
	return 0;
}

static const char *manifest_media_type(const struct storage_manifest *m)
{
	if (m->media_type != NULL && m->media_type[0] != '\0')
		return m->media_type;
	return m->kind == STORAGE_KIND_DOCKER_MANIFEST ? STORAGE_MEDIA_DOCKER_MANIFEST
						       : STORAGE_MEDIA_OCI_MANIFEST;
}

static int save_oci(struct writer *w, const struct storage_archive_save_image *images,
		    struct saved_image *saved, size_t n, struct engine_error **err)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if (write_member(w, "oci-layout", layout, strlen(layout), err) < 0)
		return -1;
	cleanup_json json_t *manifests = json_array();
	for (size_t i = 0; i < n; i++) {
		struct saved_image *s = &saved[i];
		for (size_t k = 0; k < s->parsed.n_layers; k++)
			if (write_blob_member(w, s->parsed.layers[k].digest, err) < 0)
				return -1;
		/* Config and manifest come from the image record, where
		 * their bytes are kept as pulled. */
		char member[200];
		const char *cd = s->parsed.config.digest, *md = s->manifest_digest;
		if (write_dir(w, "blobs", err) < 0 || write_dir(w, "blobs/sha256", err) < 0)
			return -1;
		snprintf(member, sizeof(member), "blobs/sha256/%s", strchr(cd, ':') + 1);
		if (json_object_get(w->written, member) == NULL &&
		    write_member(w, member, s->config, s->config_len, err) < 0)
			return -1;
		snprintf(member, sizeof(member), "blobs/sha256/%s", strchr(md, ':') + 1);
		if (json_object_get(w->written, member) == NULL &&
		    write_member(w, member, s->manifest, s->manifest_len, err) < 0)
			return -1;
		size_t named = 0;
		for (size_t k = 0; k < images[i].n_names; k++) {
			const char *tag = tag_of(images[i].names[k]);
			if (tag == NULL)
				continue;
			/* containerd's annotation carries the whole name; the
			 * OCI one only the tag, as docker save writes them. */
			json_array_append_new(manifests,
					      json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType",
							manifest_media_type(&s->parsed), "digest", md, "size",
							(json_int_t)s->manifest_len, "annotations",
							"io.containerd.image.name", images[i].names[k],
							"org.opencontainers.image.ref.name", tag));
			named++;
		}
		if (named == 0)
			json_array_append_new(manifests,
					      json_pack("{s:s,s:s,s:I}", "mediaType",
							manifest_media_type(&s->parsed), "digest", md, "size",
							(json_int_t)s->manifest_len));
	}
	cleanup_json json_t *index = json_pack("{s:i,s:s,s:O}", "schemaVersion", 2, "mediaType",
					       STORAGE_MEDIA_OCI_INDEX, "manifests", manifests);
	cleanup_free char *text = index ? json_dumps(index, JSON_COMPACT) : NULL;
	if (text == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return write_member(w, "index.json", text, strlen(text), err);
}

int storage_archive_save(struct storage_store *store, const struct storage_archive_save_image *images,
			 size_t n, enum storage_archive_format format, int out_fd,
			 struct engine_error **err)
{
	struct saved_image *saved = calloc(n + 1, sizeof(*saved));
	struct writer w = { .a = archive_write_new(), .store = store, .written = json_object() };
	int rc = -1;
	if (saved == NULL || w.a == NULL || w.written == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (load_saved(store, images[i].id, &saved[i], err) < 0)
			goto out;
	if (archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
	    archive_write_open_fd(w.a, out_fd) != ARCHIVE_OK) {
		engine_error_set(err, EIO, "%s", archive_error_string(w.a) ? archive_error_string(w.a) : "write");
		goto out;
	}
	if ((format == STORAGE_ARCHIVE_DOCKER ? save_docker(&w, images, saved, n, err)
					      : save_oci(&w, images, saved, n, err)) < 0)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		engine_error_set(err, EIO, "%s", archive_error_string(w.a) ? archive_error_string(w.a) : "write");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; saved != NULL && i < n; i++)
		saved_image_clear(&saved[i]);
	free(saved);
	if (w.a != NULL)
		archive_write_free(w.a);
	json_decref(w.written);
	return rc;
}
