/* archive.c: `load` and `import`: images in from tarballs (`save` is
 * save.c).
 *
 * Only the layer unpacking needs the user namespace (so the files' owners
 * land on subordinate ids); everything else (reading the archive, checking
 * digests, storing blobs and records) runs in the CLI process as the user,
 * who owns the store's blobs and records.  So the archive is read once,
 * here, and the helper is forked once per load with the list of layers to
 * unpack from blobs already verified and stored, as a pull would have left
 * them. */
#include "libengine/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/compress.h"
#include "common/fs.h"
#include "libengine/image/change.h"
#include "libengine/image/unpack.h"
#include "storage/manifest.h"
#include "storage/reference.h"
#include "common/timefmt.h"
#include "common/strv.h"
#include "storage/unpack.h"
#include "libengine/userns/store-job.h"

#define MEDIA_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* ---- unpacking stored blobs inside the user namespace ------------------- */

struct unpack_job {
	char diff_id[STORAGE_DIGEST_MAX];
	char digest[STORAGE_DIGEST_MAX]; /* the stored blob holding it */
};

struct unpack_ctx {
	struct storage_unpack_options uo; /* engine_image_unpack_options */
	struct unpack_job *jobs;
	size_t n;
};

static int unpack_one(struct storage_store *store, const struct storage_unpack_options *uo,
		      const struct unpack_job *j, struct engine_error **err)
{
	char *staging = NULL;
	int difffd = -1;
	if (storage_layer_exists(store, j->diff_id))
		return 0; /* an earlier job, or a concurrent pull, has it */
	if (storage_layer_begin(store, j->diff_id, &staging, &difffd, err) < 0)
		return -1;
	cleanup_close int blobfd = storage_blob_open(store, j->digest, err);
	char got[STORAGE_DIGEST_MAX];
	uint64_t size = 0;
	int r = blobfd < 0 ? -1 : storage_unpack_layer(difffd, blobfd, uo, got, &size, err);
	close(difffd);
	if (r == 0 && strcmp(got, j->diff_id) != 0)
		r = engine_error_set(err, EINVAL, "diff_id %s does not match the config's %s", got,
				     j->diff_id);
	if (r == 0)
		r = storage_layer_commit(store, j->diff_id, staging, j->digest, size, err);
	else
		storage_layer_abort(store, staging);
	free(staging);
	return r < 0 ? engine_error_prefix(err, "layer %s", j->digest) : 0;
}

static int unpack_all(struct storage_store *store, void *data, struct engine_error **err)
{
	struct unpack_ctx *c = data;
	for (size_t i = 0; i < c->n; i++)
		if (unpack_one(store, &c->uo, &c->jobs[i], err) < 0)
			return -1;
	return 0;
}

static int unpack_layers(const char *root, const struct engine_idmap *map, struct unpack_job *jobs,
			 size_t n, struct engine_error **err)
{
	if (n == 0)
		return 0;
	struct unpack_ctx c = { .jobs = jobs, .n = n };
	/* As for a pull, the size bound included. */
	if (engine_image_unpack_options(map, &c.uo, err) < 0)
		return -1;
	return engine_userns_store_job(root, map, unpack_all, &c, err);
}

/* ---- what a load collects before anything is unpacked ------------------- */

struct pending_image {
	char *manifest, *config;
	size_t manifest_len, config_len;
	char manifest_digest[STORAGE_DIGEST_MAX], config_digest[STORAGE_DIGEST_MAX];
	char **diff_ids, **digests; /* per layer */
	size_t n_layers;
	char **names;
	size_t n_names;
};

struct load {
	const char *root;
	struct storage_store *store;
	struct storage_spool *spool;
	struct pending_image *images;
	size_t n_images;
	json_t *new_blobs;  /* digests this load stored: removed if it fails */
	json_t *compressed; /* docker-archive member -> [diff_id, digest] */
};

static void pending_clear(struct pending_image *p)
{
	free(p->manifest);
	free(p->config);
	engine_strv_free_n(p->diff_ids, p->n_layers);
	engine_strv_free_n(p->digests, p->n_layers);
	engine_strv_free_n(p->names, p->n_names);
}

static struct pending_image *pending_new(struct load *l, struct engine_error **err)
{
	struct pending_image *n = realloc(l->images, (l->n_images + 1) * sizeof(*n));
	if (n == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	l->images = n;
	memset(&n[l->n_images], 0, sizeof(*n));
	return &n[l->n_images++];
}

static int add_name(struct pending_image *p, const char *typed, struct engine_error **err)
{
	struct storage_reference ref;
	if (storage_reference_parse(typed, &ref, err) < 0)
		return -1;
	char *name = NULL;
	int r = ref.tag != NULL ? storage_reference_format(&ref, &name) : 0;
	storage_reference_clear(&ref);
	if (r < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (name == NULL)
		return 0; /* a digest reference is no name to give an image */
	for (size_t i = 0; i < p->n_names; i++)
		if (strcmp(p->names[i], name) == 0) {
			free(name);
			return 0;
		}
	char **v = realloc(p->names, (p->n_names + 1) * sizeof(char *));
	if (v == NULL) {
		free(name);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	p->names = v;
	p->names[p->n_names++] = name;
	return 0;
}

/* Read the config member and fill P's config, its digest and diff_ids. */
static int take_config(struct pending_image *p, const char *buf, size_t len,
		       struct engine_error **err)
{
	struct storage_image_config cfg;
	if (storage_image_config_parse(buf, len, &cfg, err) < 0)
		return -1;
	p->n_layers = cfg.n_diff_ids;
	p->diff_ids = calloc(cfg.n_diff_ids + 1, sizeof(char *));
	p->digests = calloc(cfg.n_diff_ids + 1, sizeof(char *));
	p->config = malloc(len + 1);
	int r = 0;
	if (p->diff_ids == NULL || p->digests == NULL || p->config == NULL)
		r = engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < cfg.n_diff_ids; i++)
		if ((p->diff_ids[i] = strdup(cfg.diff_ids[i])) == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
	storage_image_config_clear(&cfg);
	if (r < 0)
		return r;
	memcpy(p->config, buf, len);
	p->config[len] = '\0';
	p->config_len = len;
	return storage_digest_buffer(buf, len, "sha256", p->config_digest) < 0
		       ? engine_error_set(err, EIO, "hashing failed")
		       : 0;
}

static int note_new_blob(struct load *l, const char *digest)
{
	return json_object_set_new(l->new_blobs, digest, json_true());
}

static int discard(void *userdata, const void *buf, size_t len)
{
	return 0;
}

/* A docker-archive layer (an uncompressed tar, or compressed: docker load
 * takes both): gzip it into the blob store, checking it is DIFF_ID. */
static int docker_layer(struct load *l, const char *member_name, const char *diff_id,
			char **ret_digest, struct engine_error **err)
{
	json_t *done = json_object_get(l->compressed, member_name);
	if (done != NULL) {
		if (strcmp(json_string_value(json_array_get(done, 0)), diff_id) != 0)
			return engine_error_set(err, EINVAL, "%s: diff_id %s, the config says %s",
						member_name, json_string_value(json_array_get(done, 0)),
						diff_id);
		*ret_digest = strdup(json_string_value(json_array_get(done, 1)));
		return *ret_digest ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	struct storage_spool_member *m = storage_spool_find(l->spool, member_name);
	if (m == NULL || m->tmp == NULL)
		return engine_error_set(err, ENOENT, "%s: not in the archive", member_name);
	cleanup_close int in = openat(l->store->rootfd, m->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return engine_error_errno(err, errno, "%s", member_name);
	char got[STORAGE_DIGEST_MAX], digest[STORAGE_DIGEST_MAX];
	uint64_t size, csize;
	/* The layer is here already (a pull, an earlier load): its blob too.
	 * The member is still checked, so a damaged archive is refused
	 * whatever the store holds. */
	char known[STORAGE_DIGEST_MAX] = "";
	if (storage_layer_exists(l->store, diff_id) &&
	    storage_layer_digest(l->store, diff_id, known, sizeof(known)) == 0 &&
	    known[0] != '\0' && storage_blob_exists(l->store, known)) {
		if (storage_decompress(in, 0, discard, NULL, got, &size, err) < 0)
			return engine_error_prefix(err, "%s", member_name);
		if (strcmp(got, diff_id) != 0)
			return engine_error_set(err, EBADMSG, "%s: diff_id %s does not match the config's %s",
						member_name, got, diff_id);
		*ret_digest = strdup(known);
		return *ret_digest ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	char *tmp = NULL;
	cleanup_close int out = storage_blob_tmp(l->store, &tmp, err);
	if (out < 0)
		return -1;
	int r = storage_gzip(in, out, 0, got, &size, digest, &csize, err);
	if (r == 0 && strcmp(got, diff_id) != 0)
		r = engine_error_set(err, EBADMSG, "diff_id %s does not match the config's %s", got,
				     diff_id);
	if (r == 0 && fsync(out) < 0)
		r = engine_error_errno(err, errno, "write");
	if (r == 0)
		r = storage_blob_commit(l->store, digest, tmp, err);
	if (r < 0) {
		storage_blob_abort(l->store, tmp);
		free(tmp);
		return engine_error_prefix(err, "%s", member_name);
	}
	free(tmp);
	note_new_blob(l, digest);
	json_object_set_new(l->compressed, member_name, json_pack("[s,s]", diff_id, digest));
	*ret_digest = strdup(digest);
	return *ret_digest ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

/* The Docker schema2 manifest for layers stored as gzip blobs. */
static int docker_manifest(struct load *l, struct pending_image *p, struct engine_error **err)
{
	json_t *layers = json_array();
	for (size_t i = 0; i < p->n_layers; i++) {
		cleanup_close int fd = storage_blob_open(l->store, p->digests[i], err);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			json_decref(layers);
			return fd < 0 ? -1 : engine_error_errno(err, errno, "blob %s", p->digests[i]);
		}
		json_array_append_new(layers, json_pack("{s:s,s:I,s:s}", "mediaType",
							MEDIA_DOCKER_LAYER_GZIP, "size",
							(json_int_t)st.st_size, "digest", p->digests[i]));
	}
	cleanup_json json_t *m = json_pack("{s:i,s:s,s:{s:s,s:I,s:s},s:o}", "schemaVersion", 2,
					   "mediaType", STORAGE_MEDIA_DOCKER_MANIFEST, "config",
					   "mediaType", STORAGE_MEDIA_DOCKER_CONFIG, "size",
					   (json_int_t)p->config_len, "digest", p->config_digest,
					   "layers", layers);
	p->manifest = m ? json_dumps(m, JSON_COMPACT) : NULL;
	if (p->manifest == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	p->manifest_len = strlen(p->manifest);
	storage_digest_buffer(p->manifest, p->manifest_len, "sha256", p->manifest_digest);
	return 0;
}

static int plan_docker(struct load *l, struct engine_error **err)
{
	struct storage_spool_member *mm = storage_spool_find(l->spool, "manifest.json");
	cleanup_free char *buf = NULL;
	size_t len;
	struct storage_archive_image *imgs = NULL;
	size_t n = 0;
	if (storage_spool_read_member(l->spool, mm, STORAGE_MANIFEST_MAX, &buf, &len, err) < 0 ||
	    storage_archive_manifest_parse(buf, len, &imgs, &n, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct storage_spool_member *cm = storage_spool_find(l->spool, imgs[i].config);
		cleanup_free char *cfg = NULL;
		size_t cfg_len = 0;
		struct pending_image *p = pending_new(l, err);
		if (p == NULL)
			r = -1;
		else if (cm == NULL)
			r = engine_error_set(err, ENOENT, "%s: not in the archive", imgs[i].config);
		else if (storage_spool_read_member(l->spool, cm, STORAGE_MANIFEST_MAX, &cfg, &cfg_len, err) < 0 ||
			 take_config(p, cfg, cfg_len, err) < 0)
			r = engine_error_prefix(err, "%s", imgs[i].config);
		else if (p->n_layers != imgs[i].n_layers)
			r = engine_error_set(err, EINVAL, "%s: %zu diff_ids for %zu layers in manifest.json",
					     imgs[i].config, p->n_layers, imgs[i].n_layers);
		for (size_t k = 0; r == 0 && k < p->n_layers; k++)
			r = docker_layer(l, imgs[i].layers[k], p->diff_ids[k], &p->digests[k], err);
		for (size_t k = 0; r == 0 && k < imgs[i].n_repo_tags; k++)
			r = add_name(p, imgs[i].repo_tags[k], err);
		if (r == 0)
			r = docker_manifest(l, p, err);
	}
	storage_archive_images_free(imgs, n);
	return r;
}

/* A blob of an oci-archive into memory (manifests, configs), checked. */
static int oci_read_blob(struct load *l, const struct storage_descriptor *d, char **ret_buf,
			 size_t *ret_len, struct engine_error **err)
{
	char alg[8], member[200];
	storage_digest_algorithm(d->digest, alg);
	snprintf(member, sizeof(member), "blobs/%s/%s", alg, strchr(d->digest, ':') + 1);
	struct storage_spool_member *m = storage_spool_find(l->spool, member);
	if (m == NULL)
		return engine_error_set(err, ENOENT, "%s: not in the archive", member);
	if (storage_spool_verify(l->spool, m, d->digest, d->size, err) < 0 ||
	    storage_spool_read_member(l->spool, m, STORAGE_MANIFEST_MAX, ret_buf, ret_len, err) < 0)
		return -1;
	return 0;
}

static const char *annotation(const struct storage_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

static int oci_image(struct load *l, const struct storage_descriptor *top, struct engine_error **err)
{
	const struct storage_descriptor *d = top;
	struct storage_index nested;
	memset(&nested, 0, sizeof(nested));
	cleanup_free char *mbuf = NULL, *cbuf = NULL;
	size_t mlen = 0, clen = 0;
	struct storage_manifest m;
	memset(&m, 0, sizeof(m));
	int r = 0;
	if (storage_manifest_kind_is_index(storage_manifest_kind_from_media_type(d->media_type))) {
		/* A multi-platform image: this machine's entry, as pull does. */
		struct storage_platform want;
		if (oci_read_blob(l, d, &mbuf, &mlen, err) < 0 ||
		    storage_index_parse(mbuf, mlen, NULL, &nested, err) < 0)
			return -1;
		r = storage_platform_host(&want, err);
		if (r == 0)
			r = storage_index_select(&nested, want.os, want.architecture, want.variant, &d, err);
		storage_platform_clear(&want);
		free(mbuf);
		mbuf = NULL;
	}
	if (r == 0)
		r = oci_read_blob(l, d, &mbuf, &mlen, err);
	if (r == 0)
		r = storage_manifest_parse(mbuf, mlen, NULL, &m, err);
	if (r == 0)
		r = oci_read_blob(l, &m.config, &cbuf, &clen, err);
	/* The same manifest under several names: one image. */
	struct pending_image *p = NULL;
	for (size_t i = 0; r == 0 && i < l->n_images; i++)
		if (strcmp(l->images[i].manifest_digest, d->digest) == 0)
			p = &l->images[i];
	if (r == 0 && p == NULL) {
		p = pending_new(l, err);
		r = p ? take_config(p, cbuf, clen, err) : -1;
		if (r == 0 && p->n_layers != m.n_layers)
			r = engine_error_set(err, EINVAL, "%zu diff_ids for %zu layers", p->n_layers,
					     m.n_layers);
		for (size_t k = 0; r == 0 && k < m.n_layers; k++) {
			const struct storage_descriptor *ld = &m.layers[k];
			if ((p->digests[k] = strdup(ld->digest)) == NULL)
				r = engine_error_set(err, ENOMEM, "out of memory");
			if (r < 0 || storage_blob_exists(l->store, ld->digest))
				continue;
			char alg[8], member[200];
			storage_digest_algorithm(ld->digest, alg);
			snprintf(member, sizeof(member), "blobs/%s/%s", alg, strchr(ld->digest, ':') + 1);
			struct storage_spool_member *sm = storage_spool_find(l->spool, member);
			if (sm == NULL)
				r = engine_error_set(err, ENOENT, "%s: not in the archive", member);
			else if (storage_spool_verify(l->spool, sm, ld->digest, ld->size, err) < 0 ||
				 storage_spool_commit(l->spool, sm, ld->digest, err) < 0)
				r = -1;
			else
				note_new_blob(l, ld->digest);
		}
		if (r == 0) {
			p->manifest = steal_pointer(&mbuf);
			p->manifest_len = mlen;
			snprintf(p->manifest_digest, sizeof(p->manifest_digest), "%s", d->digest);
		}
	}
	/* containerd's annotation has the whole name; the OCI one is often
	 * only a tag, which names nothing on its own. */
	const char *name = annotation(top, "io.containerd.image.name");
	const char *ref_name = annotation(top, "org.opencontainers.image.ref.name");
	if (name == NULL && ref_name != NULL && strpbrk(ref_name, "/:") != NULL)
		name = ref_name;
	if (r == 0 && name != NULL)
		r = add_name(p, name, err);
	storage_manifest_clear(&m);
	storage_index_clear(&nested);
	return r < 0 ? engine_error_prefix(err, "manifest %s", d->digest) : 0;
}

static int plan_oci(struct load *l, struct engine_error **err)
{
	struct storage_spool_member *im = storage_spool_find(l->spool, "index.json");
	cleanup_free char *buf = NULL;
	size_t len;
	struct storage_index index;
	if (storage_spool_read_member(l->spool, im, STORAGE_MANIFEST_MAX, &buf, &len, err) < 0 ||
	    storage_index_parse(buf, len, NULL, &index, err) < 0)
		return engine_error_prefix(err, "index.json");
	int r = 0;
	for (size_t i = 0; r == 0 && i < index.n_manifests; i++)
		r = oci_image(l, &index.manifests[i], err);
	storage_index_clear(&index);
	return r;
}

/* Layers to unpack: those of every pending image not in the store yet. */
static int collect_jobs(struct load *l, struct unpack_job **ret, size_t *ret_n,
			struct engine_error **err)
{
	size_t cap = 0, n = 0;
	for (size_t i = 0; i < l->n_images; i++)
		cap += l->images[i].n_layers;
	struct unpack_job *jobs = calloc(cap + 1, sizeof(*jobs));
	if (jobs == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n_images; i++)
		for (size_t k = 0; k < l->images[i].n_layers; k++) {
			const struct pending_image *p = &l->images[i];
			bool dup = storage_layer_exists(l->store, p->diff_ids[k]);
			for (size_t j = 0; j < n && !dup; j++)
				dup = strcmp(jobs[j].diff_id, p->diff_ids[k]) == 0;
			if (dup)
				continue;
			snprintf(jobs[n].diff_id, sizeof(jobs[n].diff_id), "%s", p->diff_ids[k]);
			snprintf(jobs[n].digest, sizeof(jobs[n].digest), "%s", p->digests[k]);
			n++;
		}
	*ret = jobs;
	*ret_n = n;
	return 0;
}

static int store_records(struct load *l, engine_load_report_fn report, void *data,
			 struct engine_error **err)
{
	for (size_t i = 0; i < l->n_images; i++) {
		struct pending_image *p = &l->images[i];
		int64_t total = 0;
		for (size_t k = 0; k < p->n_layers; k++)
			total += storage_layer_size(l->store, p->diff_ids[k]);
		if (storage_image_put(l->store, p->manifest, p->manifest_len, p->manifest_digest, p->config,
				      p->config_len, p->config_digest, p->diff_ids, p->n_layers, total,
				      p->n_names ? p->names[0] : NULL, err) < 0)
			return -1;
		const char *id = strchr(p->config_digest, ':') + 1;
		for (size_t k = 1; k < p->n_names; k++)
			if (storage_image_tag(l->store, id, p->names[k], err) < 0)
				return -1;
		for (size_t k = 0; report && k < p->n_names; k++)
			report(data, p->names[k], p->config_digest);
		if (report && p->n_names == 0)
			report(data, NULL, p->config_digest);
	}
	return 0;
}

/* After a failed load: blobs it stored that no layer came to use. */
static void drop_new_blobs(struct load *l)
{
	const char *digest;
	json_t *v;
	json_object_foreach(l->new_blobs, digest, v) {
		bool used = false;
		for (size_t i = 0; i < l->n_images && !used; i++)
			for (size_t k = 0; k < l->images[i].n_layers && !used; k++)
				used = l->images[i].digests && l->images[i].digests[k] && strcmp(l->images[i].digests[k], digest) == 0 &&
				       storage_layer_exists(l->store, l->images[i].diff_ids[k]);
		if (!used)
			storage_blob_remove(l->store, digest);
	}
}

int engine_image_load(const char *root, const struct engine_idmap *map, int in_fd,
		      engine_load_report_fn report, void *report_data, struct engine_error **err)
{
	struct load l = { .root = root, .new_blobs = json_object(), .compressed = json_object() };
	struct unpack_job *jobs = NULL;
	size_t n_jobs = 0;
	int rc = -1;
	if (l.new_blobs == NULL || l.compressed == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (storage_store_open(root, &l.store, err) < 0)
		goto out;
	storage_layer_cleanup_stale(l.store);
	if (storage_spool_read(l.store, in_fd, &l.spool, err) < 0)
		goto out;
	bool oci = storage_spool_find(l.spool, "oci-layout") != NULL &&
		   storage_spool_find(l.spool, "index.json") != NULL;
	if (!oci && storage_spool_find(l.spool, "manifest.json") == NULL) {
		engine_error_set(err, EINVAL,
				 "the archive has neither manifest.json nor oci-layout and index.json: "
				 "not a docker-archive or oci-archive");
		goto out;
	}
	if ((oci ? plan_oci(&l, err) : plan_docker(&l, err)) < 0)
		goto out;
	if (l.n_images == 0) {
		engine_error_set(err, EINVAL, "the archive holds no image");
		goto out;
	}
	/* The spooled members are no longer needed: free the space before
	 * the layers take theirs. */
	storage_spool_free(l.spool);
	l.spool = NULL;
	if (collect_jobs(&l, &jobs, &n_jobs, err) < 0 ||
	    unpack_layers(root, map, jobs, n_jobs, err) < 0 ||
	    store_records(&l, report, report_data, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && l.store != NULL)
		drop_new_blobs(&l);
	free(jobs);
	storage_spool_free(l.spool);
	for (size_t i = 0; i < l.n_images; i++)
		pending_clear(&l.images[i]);
	free(l.images);
	json_decref(l.new_blobs);
	json_decref(l.compressed);
	storage_store_close(l.store);
	return rc < 0 ? engine_error_prefix(err, "load") : 0;
}

/* ---- import --------------------------------------------------------------- */

/* commit: the parent's config with the new layer, history entry and the
 * container's settings. */
static json_t *commit_config(const struct engine_import_options *opts, const char *diff_id,
			     const char *created)
{
	json_t *cfg = json_deep_copy(opts->base_config);
	if (cfg == NULL)
		return NULL;
	json_object_set_new(cfg, "created", json_string(created));
	if (opts->author != NULL && opts->author[0] != '\0')
		json_object_set_new(cfg, "author", json_string(opts->author));
	else
		json_object_del(cfg, "author");
	json_t *rootfs = json_object_get(cfg, "rootfs");
	if (!json_is_object(rootfs)) {
		rootfs = json_pack("{s:s,s:[]}", "type", "layers", "diff_ids");
		json_object_set_new(cfg, "rootfs", rootfs);
	}
	json_t *ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_array(ids)) {
		ids = json_array();
		json_object_set_new(rootfs, "diff_ids", ids);
	}
	json_array_append_new(ids, json_string(diff_id));
	json_t *history = json_object_get(cfg, "history");
	if (!json_is_array(history)) {
		history = json_array();
		json_object_set_new(cfg, "history", history);
	}
	json_t *h = json_pack("{s:s,s:s}", "created", created, "created_by",
			      opts->created_by ? opts->created_by : "");
	if (opts->author != NULL && opts->author[0] != '\0')
		json_object_set_new(h, "author", json_string(opts->author));
	if (opts->message != NULL && opts->message[0] != '\0')
		json_object_set_new(h, "comment", json_string(opts->message));
	json_array_append_new(history, h);
	json_t *config = json_object_get(cfg, "config");
	if (!json_is_object(config)) {
		config = json_object();
		json_object_set_new(cfg, "config", config);
	}
	if (opts->container_config != NULL)
		json_object_update(config, opts->container_config);
	return cfg;
}

/* CFG (NULL: out of memory) with the --change instructions applied to
 * its "config", as compact JSON in *RET. */
static int config_with_changes(json_t *cfg, const struct engine_import_options *opts, char **ret,
			       struct engine_error **err)
{
	if (cfg == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	json_t *config = json_object_get(cfg, "config");
	for (size_t i = 0; i < opts->n_changes; i++)
		if (engine_image_config_change(config, opts->changes[i], err) < 0)
			return -1;
	*ret = json_dumps(cfg, JSON_COMPACT);
	return *ret ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

static int import_config(const struct engine_import_options *opts, const char *diff_id,
			  char **ret, struct engine_error **err)
{
	if (opts->base_config != NULL) {
		char when[64];
		/* RFC 3339 with nanoseconds, as Docker writes "created". */
		engine_format_rfc3339_now(ENGINE_TIME_NANOSECONDS, when, sizeof(when));
		cleanup_json json_t *cfg = commit_config(opts, diff_id, when);
		return config_with_changes(cfg, opts, ret, err);
	}
	struct storage_platform host;
	if (storage_platform_host(&host, err) < 0)
		return -1;
	char created[64];
	engine_format_rfc3339_now(ENGINE_TIME_NANOSECONDS, created, sizeof(created));
	cleanup_free char *comment = NULL;
	if (opts->message != NULL && opts->message[0] != '\0')
		comment = strdup(opts->message);
	else if (asprintf(&comment, "Imported from %s", opts->source ? opts->source : "-") < 0)
		comment = NULL;
	cleanup_json json_t *cfg = json_pack("{s:s,s:s,s:s,s:{},s:{s:s,s:[s]},s:[{s:s,s:s,s:s}]}",
					     "architecture", host.architecture, "os", host.os,
					     "created", created, "config", "rootfs", "type", "layers",
					     "diff_ids", diff_id, "history", "created", created,
					     "created_by", "import", "comment", comment ? comment : "");
	if (cfg != NULL && host.variant != NULL)
		json_object_set_new(cfg, "variant", json_string(host.variant));
	storage_platform_clear(&host);
	return config_with_changes(cfg, opts, ret, err);
}

int engine_image_import(const char *root, const struct engine_idmap *map, int in_fd,
			const struct engine_import_options *opts, char ret_id[72],
			struct engine_error **err)
{
	cleanup_free char *name = NULL;
	if (opts->reference != NULL) {
		struct storage_reference ref;
		if (storage_reference_parse(opts->reference, &ref, err) < 0)
			return -1;
		int r = ref.digest ? -EINVAL : storage_reference_format(&ref, &name);
		storage_reference_clear(&ref);
		if (r == -EINVAL)
			return engine_error_set(err, EINVAL, "import: %s: a digest is no name for a new image",
						opts->reference);
		if (r < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* Bad -c values are bad flags: found before any work is done. */
	cleanup_json json_t *probe = json_object();
	for (size_t i = 0; i < opts->n_changes; i++)
		if (engine_image_config_change(probe, opts->changes[i], err) < 0)
			return -1;

	struct load l = { .root = root, .new_blobs = json_object() };
	struct pending_image p;
	memset(&p, 0, sizeof(p));
	char *tmp = NULL, *config = NULL;
	char diff_id[STORAGE_DIGEST_MAX] = "", digest[STORAGE_DIGEST_MAX] = "";
	int rc = -1, out = -1;
	if (l.new_blobs == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (storage_store_open(root, &l.store, err) < 0)
		goto fail;
	storage_layer_cleanup_stale(l.store);
	out = storage_blob_tmp(l.store, &tmp, err);
	if (out < 0)
		goto fail;
	uint64_t size, csize;
	if (storage_gzip(in_fd, out, 0, diff_id, &size, digest, &csize, err) < 0)
		goto fail;
	if (fsync(out) < 0) {
		engine_error_errno(err, errno, "write");
		goto fail;
	}
	if (storage_blob_commit(l.store, digest, tmp, err) < 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	note_new_blob(&l, digest);
	struct unpack_job job;
	snprintf(job.diff_id, sizeof(job.diff_id), "%s", diff_id);
	snprintf(job.digest, sizeof(job.digest), "%s", digest);
	if (unpack_layers(root, map, &job, storage_layer_exists(l.store, diff_id) ? 0 : 1, err) < 0)
		goto fail;
	if (import_config(opts, diff_id, &config, err) < 0 ||
	    take_config(&p, config, strlen(config), err) < 0)
		goto fail;
	/* take_config sized the layer lists from the config: the base's
	 * layers (commit), then the new one. */
	if (p.n_layers != opts->n_base + 1) {
		engine_error_set(err, EINVAL, "the new config has %zu layers, want %zu", p.n_layers,
				 opts->n_base + 1);
		goto fail;
	}
	for (size_t i = 0; i < opts->n_base; i++)
		if ((p.digests[i] = strdup(opts->base_digests[i])) == NULL)
			break;
	p.digests[opts->n_base] = strdup(digest);
	for (size_t i = 0; i <= opts->n_base; i++) {
		if (p.digests[i] == NULL) {
			engine_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (name != NULL && add_name(&p, name, err) < 0)
		goto fail;
	l.images = &p;
	l.n_images = 1;
	if (docker_manifest(&l, &p, err) < 0 || store_records(&l, NULL, NULL, err) < 0)
		goto fail;
	l.images = NULL;
	snprintf(ret_id, 72, "%.71s", p.config_digest);
	rc = 0;
fail:
	if (rc < 0 && l.store != NULL) {
		storage_blob_abort(l.store, tmp);
		/* The blob stays with a layer that made it into the store. */
		if (json_object_size(l.new_blobs) > 0 && !storage_layer_exists(l.store, diff_id))
			storage_blob_remove(l.store, digest);
	}
	if (out >= 0)
		close(out);
	free(tmp);
	free(config);
	pending_clear(&p);
	json_decref(l.new_blobs);
	storage_store_close(l.store);
	return rc < 0 ? engine_error_prefix(err, opts->base_config ? "commit" : "import") : 0;
}
