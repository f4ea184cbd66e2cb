/* pull.c: pulling images.
 *
 * A pull runs entirely inside the user-namespace helper: the registry is
 * reached from there (the network namespace is still the host's) and each
 * layer is unpacked there, so the owners the image names land on the
 * user's subordinate ids.  Layers download in parallel, each streamed from
 * the HTTP connection through a pipe into the unpacker: no temporary
 * tarball, the digest checked as the bytes pass, the diff_id checked
 * against the config before the layer is committed.
 *
 * registries.conf's mirrors are tried before the registry itself: the
 * first place that serves the manifest and the image config serves the
 * layers too (a mirror's manifest may list blobs only it has), and any
 * failure there (no connection, 401, 404, 5xx, a digest that does not
 * match) moves on to the next place, the registry last.  A pull by digest
 * gets the same manifest wherever it comes from: its bytes must hash to
 * the digest.
 *
 * This file (with the registry client, the unpacker and OpenSSL under it)
 * is linked only into the engine-image helper binary: see cmd/meson.build. */
#include "libengine/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/image/unpack.h"
#include "storage/manifest.h"
#include "libengine/image/pull.h"
#include "storage/reference.h"
#include "storage/registry.h"
#include "storage/unpack.h"
#include "libengine/userns/userns.h"
#include "storage/vfs.h"

struct pull_ctx {
	const char *root;
	const char *reference;
	const struct engine_pull_options *opts;
	const struct engine_idmap *map;
	struct storage_unpack_options unpack; /* engine_image_unpack_options */
};

struct layer_job {
	struct pull_ctx *ctx;
	struct storage_registry *client;
	struct storage_reference *ref;
	struct storage_store *store;
	size_t index, n_layers;
	const struct storage_descriptor *desc;
	const char *diff_id;
	struct storage_unpack_options unpack;
	/* download thread -> pipe -> unpacker */
	int pipe_w;
	int blob_fd; /* the compressed bytes are kept for save and push */
	uint64_t done;
	bool unpacker_stopped; /* a write found the pipe's read end closed */
	/* gzip layers are inflated here, in the download thread, so that
	 * decompression runs on one CPU while the unpacker creates files on
	 * the other (file creation is the bottleneck: docs/performance.md). */
	bool gunzip;
	bool gunzip_ended; /* the last member's trailer was read */
	z_stream z;
	unsigned char *inflated;
	struct engine_error *download_err;
	struct engine_error *err;
};

static void progress(struct pull_ctx *c, enum engine_pull_event e, size_t layer, size_t n,
		     const char *detail, uint64_t done, uint64_t total)
{
	if (c->opts->progress)
		c->opts->progress(c->opts->progress_data, e, layer, n, detail, done, total);
}

#define INFLATE_CHUNK (256 * 1024)

static int to_pipe(struct layer_job *j, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(j->pipe_w, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				j->unpacker_stopped = true; /* it has the reason */
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Inflate a chunk of the gzip stream into the pipe.  Concatenated gzip
 * members (which gzip(1) and libarchive accept) restart the inflater;
 * anything else after the end is refused, as corrupt data would be. */
static int inflate_chunk(struct layer_job *j, const void *buf, size_t len)
{
	j->z.next_in = (unsigned char *)buf;
	j->z.avail_in = (uInt)len;
	while (j->z.avail_in > 0) {
		if (j->gunzip_ended) {
			if (j->z.next_in[0] != 0x1f)
				return -EBADMSG;
			if (inflateReset(&j->z) != Z_OK)
				return -EBADMSG;
			j->gunzip_ended = false;
		}
		j->z.next_out = j->inflated;
		j->z.avail_out = INFLATE_CHUNK;
		int r = inflate(&j->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return -EBADMSG;
		size_t produced = INFLATE_CHUNK - j->z.avail_out;
		if (produced > 0) {
			int w = to_pipe(j, j->inflated, produced);
			if (w < 0)
				return w;
		}
		if (r == Z_STREAM_END)
			j->gunzip_ended = true;
		else if (r == Z_BUF_ERROR && produced == 0)
			break; /* needs more input */
	}
	return 0;
}

static int pipe_sink(void *userdata, const void *buf, size_t len)
{
	struct layer_job *j = userdata;
	if (j->blob_fd >= 0) {
		int r = engine_write_all(j->blob_fd, buf, len);
		if (r < 0)
			return r;
	}
	j->done += len;
	int r = j->gunzip ? inflate_chunk(j, buf, len) : to_pipe(j, buf, len);
	if (r < 0)
		return r;
	progress(j->ctx, ENGINE_PULL_LAYER_PROGRESS, j->index, j->n_layers, j->desc->digest, j->done,
		 (uint64_t)j->desc->size);
	return 0;
}

static bool is_gzip_layer(const char *media_type)
{
	return media_type != NULL && (strstr(media_type, "tar+gzip") != NULL ||
				      strstr(media_type, "tar.gzip") != NULL);
}

static void *download_thread(void *arg)
{
	struct layer_job *j = arg;
	j->gunzip = is_gzip_layer(j->desc->media_type) &&
		    (j->inflated = malloc(INFLATE_CHUNK)) != NULL &&
		    inflateInit2(&j->z, 16 + MAX_WBITS) == Z_OK;
	int r = storage_registry_get_blob(j->client, j->ref, j->desc->digest, j->desc->size,
					  pipe_sink, j, &j->download_err);
	if (j->gunzip) {
		/* A verified blob whose gzip stream is cut short is still corrupt. */
		if (r == 0 && !j->gunzip_ended)
			engine_error_set(&j->download_err, EBADMSG, "blob %s: gzip stream incomplete or corrupt",
					 j->desc->digest);
		else if (r < 0 && j->download_err != NULL && j->download_err->status == EBADMSG)
			engine_error_prefix(&j->download_err, "blob %s: corrupt gzip data",
					    j->desc->digest);
		inflateEnd(&j->z);
	}
	free(j->inflated);
	j->inflated = NULL;
	close(j->pipe_w);
	j->pipe_w = -1;
	return NULL;
}

static void *layer_thread(void *arg)
{
	struct layer_job *j = arg;
	char *staging = NULL, *blob_tmp = NULL;
	int difffd = -1, fds[2] = { -1, -1 };
	j->blob_fd = -1;
	if (storage_layer_begin(j->store, j->diff_id, &staging, &difffd, &j->err) < 0)
		return NULL;
	j->blob_fd = storage_blob_begin(j->store, j->desc->digest, &blob_tmp, &j->err);
	if (j->blob_fd < 0)
		goto fail;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		engine_error_errno(&j->err, errno, "pipe");
		goto fail;
	}
	j->pipe_w = fds[1];
	pthread_t dl;
	if (pthread_create(&dl, NULL, download_thread, j) != 0) {
		close(fds[1]);
		engine_error_set(&j->err, EAGAIN, "start a download thread");
		goto fail;
	}
	char diff_id[STORAGE_DIGEST_MAX];
	uint64_t size = 0;
	int r = storage_unpack_layer(difffd, fds[0], &j->unpack, diff_id, &size, &j->err);
	/* Unblock the downloader if the unpacker gave up early. */
	close(fds[0]);
	fds[0] = -1;
	pthread_join(dl, NULL);
	/* The network's reason is the real one (a truncated stream makes the
	 * unpacker complain too), unless the unpacker gave up first, refusing
	 * the layer: then the download only failed because the pipe closed. */
	if (j->download_err != NULL && !(r < 0 && j->unpacker_stopped)) {
		engine_error_free(&j->err);
		j->err = steal_pointer(&j->download_err);
		goto fail;
	}
	engine_error_free(&j->download_err);
	if (r < 0)
		goto fail;
	if (strcmp(diff_id, j->diff_id) != 0) {
		engine_error_set(&j->err, EINVAL, "layer %s: diff_id %s does not match the config's %s",
				 j->desc->digest, diff_id, j->diff_id);
		goto fail;
	}
	close(difffd);
	difffd = -1;
	/* The blob first: a committed layer always has its blob. */
	if (fsync(j->blob_fd) < 0) {
		engine_error_errno(&j->err, errno, "write blob");
		goto fail;
	}
	close(j->blob_fd);
	j->blob_fd = -1;
	if (storage_blob_commit(j->store, j->desc->digest, blob_tmp, &j->err) < 0)
		goto fail;
	free(blob_tmp);
	blob_tmp = NULL;
	if (storage_layer_commit(j->store, j->diff_id, staging, j->desc->digest, size, &j->err) < 0)
		goto fail;
	free(staging);
	progress(j->ctx, ENGINE_PULL_LAYER_DONE, j->index, j->n_layers, j->desc->digest, size,
		 (uint64_t)j->desc->size);
	return NULL;
fail:
	if (fds[0] >= 0)
		close(fds[0]);
	if (difffd >= 0)
		close(difffd);
	engine_error_prefix(&j->err, "layer %s", j->desc->digest);
	if (j->blob_fd >= 0)
		close(j->blob_fd);
	j->blob_fd = -1;
	storage_blob_abort(j->store, blob_tmp);
	free(blob_tmp);
	storage_layer_abort(j->store, staging);
	free(staging);
	return NULL;
}

/* The image config, read whole (bounded as a manifest is). */
struct config_buffer {
	char *data;
	size_t len;
};

static int buffer_sink(void *userdata, const void *buf, size_t len)
{
	struct config_buffer *b = userdata;
	if (b->len + len > STORAGE_MANIFEST_MAX)
		return -EFBIG;
	char *n = realloc(b->data, b->len + len + 1);
	if (n == NULL)
		return -ENOMEM;
	memcpy(n + b->len, buf, len);
	b->data = n;
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* Resolve the reference to one image manifest (choosing from an index). */
static int resolve_manifest(struct pull_ctx *c, struct storage_registry *client,
			    struct storage_reference *ref, char **ret_buf, size_t *ret_len,
			    char *ret_digest, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	cleanup_free char *media = NULL;
	size_t len = 0;
	const char *what = ref->digest ? ref->digest : ref->tag;
	if (storage_registry_get_manifest(client, ref, what, &buf, &len, &media, ret_digest, err) < 0)
		return -1;
	enum storage_manifest_kind kind;
	if (storage_manifest_detect(buf, len, media, &kind, err) < 0)
		return -1;
	if (storage_manifest_kind_is_index(kind)) {
		struct storage_index index;
		if (storage_index_parse(buf, len, media, &index, err) < 0)
			return -1;
		struct storage_platform want;
		int r = c->opts->platform ? storage_platform_parse(c->opts->platform, &want, err)
					  : storage_platform_host(&want, err);
		const struct storage_descriptor *d = NULL;
		if (r == 0)
			r = storage_index_select(&index, want.os, want.architecture, want.variant, &d, err);
		char digest[STORAGE_DIGEST_MAX];
		if (r == 0)
			snprintf(digest, sizeof(digest), "%s", d->digest);
		storage_platform_clear(&want);
		storage_index_clear(&index);
		if (r < 0)
			return -1;
		free(buf);
		free(media);
		buf = NULL;
		media = NULL;
		if (storage_registry_get_manifest(client, ref, digest, &buf, &len, &media, ret_digest,
						  err) < 0)
			return -1;
	}
	*ret_buf = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}

/* What one place serves: the manifest and the image config. */
struct fetched {
	char *mbuf;
	size_t mlen;
	char mdigest[STORAGE_DIGEST_MAX];
	struct storage_manifest manifest;
	struct config_buffer cfg;
};

static void fetched_clear(struct fetched *f)
{
	free(f->mbuf);
	storage_manifest_clear(&f->manifest);
	free(f->cfg.data);
	memset(f, 0, sizeof(*f));
}

static int fetch_from(struct pull_ctx *c, struct storage_registry *client,
		      struct storage_reference *src, struct fetched *f, struct engine_error **err)
{
	memset(f, 0, sizeof(*f));
	if (resolve_manifest(c, client, src, &f->mbuf, &f->mlen, f->mdigest, err) < 0 ||
	    storage_manifest_parse(f->mbuf, f->mlen, NULL, &f->manifest, err) < 0 ||
	    storage_registry_get_blob(client, src, f->manifest.config.digest,
				      f->manifest.config.size, buffer_sink, &f->cfg, err) < 0) {
		fetched_clear(f);
		return -1;
	}
	return 0;
}

/* Try each place in turn (mirrors, then the registry): *ret_index is the
 * one that served F.  The error reported is the registry's own: a mirror's
 * failure is a debug line. */
static int fetch_first(struct pull_ctx *c, struct storage_registry *client,
		       struct storage_registry_endpoint *endpoints, size_t n, size_t *ret_index,
		       struct fetched *f, struct engine_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct storage_reference *src = &endpoints[i].ref;
		if (i + 1 == n)
			return fetch_from(c, client, src, f, err) < 0 ? -1 : (*ret_index = i, 0);
		struct engine_error *local = NULL;
		if (fetch_from(c, client, src, f, &local) == 0) {
			engine_debug("pull: from mirror %s/%s", src->registry, src->repository);
			*ret_index = i;
			return 0;
		}
		engine_debug("pull: mirror %s/%s: %s; trying the next place", src->registry,
			     src->repository, local ? local->msg : "failed");
		engine_error_free(&local);
	}
	return engine_error_set(err, EINVAL, "nowhere to pull from");
}

static int pull_in_userns(struct pull_ctx *c, struct engine_error **err)
{
	struct storage_reference ref;
	if (storage_reference_parse(c->reference, &ref, err) < 0)
		return -1;
	cleanup_free char *name = NULL;
	int rc = -1;
	struct storage_registry *client = NULL;
	struct storage_store *store = NULL;
	struct fetched f;
	memset(&f, 0, sizeof(f));
	struct storage_image_config config;
	memset(&config, 0, sizeof(config));
	struct layer_job *jobs = NULL;
	struct storage_registry_endpoint *endpoints = NULL;
	size_t n_endpoints = 0, from = 0;

	if (storage_reference_format(&ref, &name) < 0) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (storage_registries_conf_endpoints(c->opts->registries, &ref, &endpoints, &n_endpoints,
					      err) < 0)
		goto out;
	struct storage_registry_options ro = { .tls_verify = c->opts->tls_verify,
					       .registries = c->opts->registries };
	if (storage_registry_open(&ro, &client, err) < 0)
		goto out;
	if (fetch_first(c, client, endpoints, n_endpoints, &from, &f, err) < 0)
		goto out;
	progress(c, ENGINE_PULL_RESOLVED, 0, 0, f.mdigest, 0, 0);
	const struct storage_manifest *manifest = &f.manifest;
	if (storage_image_config_parse(f.cfg.data, f.cfg.len, &config, err) < 0)
		goto out;
	if (config.n_diff_ids != manifest->n_layers) {
		engine_error_set(err, EINVAL, "the config lists %zu diff_ids for %zu layers",
				 config.n_diff_ids, manifest->n_layers);
		goto out;
	}
	if (storage_store_open(c->root, &store, err) < 0)
		goto out;
	storage_layer_cleanup_stale(store);

	size_t n = manifest->n_layers;
	jobs = calloc(n + 1, sizeof(*jobs));
	if (jobs == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	struct storage_unpack_options uo = c->unpack;
	unsigned parallel = c->opts->parallel ? c->opts->parallel : 3;
	pthread_t *threads = calloc(n + 1, sizeof(pthread_t));
	bool *started = calloc(n + 1, sizeof(bool));
	if (threads == NULL || started == NULL) {
		free(threads);
		free(started);
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* Start up to `parallel` layers at a time, in manifest order. */
	size_t next = 0, running_from = 0;
	while (next < n || running_from < next) {
		while (next < n && next - running_from < parallel) {
			struct layer_job *j = &jobs[next];
			/* Layers come from where the manifest came from. */
			*j = (struct layer_job){ .ctx = c, .client = client,
						 .ref = &endpoints[from].ref, .store = store,
						 .index = next, .n_layers = n, .desc = &manifest->layers[next],
						 .diff_id = config.diff_ids[next], .unpack = uo, .pipe_w = -1,
						 .blob_fd = -1 };
			/* A layer that load or import stored from another blob
			 * is fetched again for this manifest's blob (save and
			 * push need the exact bytes); unpacking it again is
			 * wasted, but commit keeps the first copy. */
			if (storage_layer_exists(store, j->diff_id) &&
			    storage_blob_exists(store, j->desc->digest)) {
				progress(c, ENGINE_PULL_LAYER_SKIP, next, n, j->desc->digest, 0, 0);
			} else if (pthread_create(&threads[next], NULL, layer_thread, j) == 0) {
				started[next] = true;
			} else {
				engine_error_set(&j->err, EAGAIN, "start a layer thread");
			}
			next++;
		}
		if (running_from < next) {
			if (started[running_from])
				pthread_join(threads[running_from], NULL);
			running_from++;
		}
	}
	free(threads);
	free(started);
	int64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].err != NULL && (err == NULL || *err == NULL)) {
			if (err != NULL)
				*err = steal_pointer(&jobs[i].err);
		}
		engine_error_free(&jobs[i].err);
		total += storage_layer_size(store, config.diff_ids[i]);
	}
	if (err != NULL && *err != NULL)
		goto out;
	if (storage_image_put(store, f.mbuf, f.mlen, f.mdigest, f.cfg.data, f.cfg.len,
			      manifest->config.digest,
			      config.diff_ids, n, total, name, err) < 0)
		goto out;
	/* After the record: a vfs root no image names would be pruned. */
	if (c->opts->driver == STORAGE_DRIVER_VFS &&
	    storage_vfs_build(store, config.diff_ids, n, err) < 0)
		goto out;
	progress(c, ENGINE_PULL_STORED, 0, 0, manifest->config.digest, 0, 0);
	rc = 0;
out:
	if (rc < 0)
		storage_reference_error_prefix(err, "pull", &ref);
	free(jobs);
	fetched_clear(&f);
	storage_registry_endpoints_free(endpoints, n_endpoints);
	storage_image_config_clear(&config);
	storage_store_close(store);
	storage_registry_close(client);
	storage_reference_clear(&ref);
	return rc;
}

static int pull_child(void *data, int sock)
{
	struct engine_error *err = NULL;
	/* A layer's download thread writes into a pipe the unpacker reads;
	 * when the unpacker refuses the layer (a gzip bomb, a hostile entry)
	 * it closes its end while the download is still writing.  That write
	 * must fail with EPIPE, which pipe_sink turns into an aborted
	 * download, not kill this process with SIGPIPE: that loses the
	 * unpacker's reason and leaves the staging directory behind.  libcurl
	 * does not ignore SIGPIPE for us: CURLOPT_NOSIGNAL is set. */
	signal(SIGPIPE, SIG_IGN);
	if (pull_in_userns(data, &err) == 0)
		return 0;
	engine_userns_report(sock, err);
	return 1;
}

int engine_image_pull(const char *root, const struct engine_idmap *map, const char *reference,
		      const struct engine_pull_options *opts, char **ret_name,
		      struct engine_error **err)
{
	/* Validate before any process is forked: a bad name is a bad flag. */
	struct storage_reference ref;
	if (storage_reference_parse(reference, &ref, err) < 0)
		return -1;
	cleanup_free char *name = NULL;
	int r = storage_reference_format(&ref, &name);
	if (r < 0) {
		storage_reference_clear(&ref);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* A blocked registry is refused here too, before anything runs. */
	struct storage_registry_endpoint *endpoints = NULL;
	size_t n_endpoints = 0;
	r = storage_registries_conf_endpoints(opts->registries, &ref, &endpoints, &n_endpoints, err);
	storage_registry_endpoints_free(endpoints, n_endpoints);
	if (r < 0) {
		storage_reference_error_prefix(err, "pull", &ref);
		storage_reference_clear(&ref);
		return -1;
	}
	storage_reference_clear(&ref);
	struct storage_unpack_options unpack;
	if (engine_image_unpack_options(map, &unpack, err) < 0)
		return -1;
	if (engine_mkdir_p(root, 0700, err) < 0)
		return -1;
	struct pull_ctx c = { .root = root, .reference = reference, .opts = opts, .map = map,
			      .unpack = unpack };
	if (engine_userns_run(map, pull_child, &c, err) < 0)
		return -1;
	if (ret_name != NULL)
		*ret_name = steal_pointer(&name);
	return 0;
}
