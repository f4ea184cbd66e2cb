/* push.c: `push`: an image from the store to a registry.
 *
 * What is pushed is what the store holds, byte for byte: the layer blobs
 * as pulled (or as load/import compressed them), the config and the
 * manifest as they were received.  Re-encoding anything would change the
 * manifest's digest, and a user who pushes an image they pulled by digest
 * expects to find it under that digest.  No user namespace is needed: the
 * blobs and records belong to the user. */
#include "libengine/image/push.h"
#include "libengine/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/manifest.h"
#include "storage/reference.h"
#include "storage/registry-push.h"
#include "storage/registry.h"

void engine_push_result_clear(struct engine_push_result *r)
{
	free(r->repository);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

/* A repository of DEST's registry, other than DEST's, that the image was
 * pulled from (one of its names): the registry may mount blobs from it
 * instead of receiving them again. */
static char *mount_source(const struct storage_image *img, const struct storage_reference *dest)
{
	for (size_t i = 0; i < img->n_names; i++) {
		struct storage_reference ref;
		if (storage_reference_parse(img->names[i], &ref, NULL) < 0)
			continue;
		char *repo = NULL;
		if (strcmp(ref.registry, dest->registry) == 0 &&
		    strcmp(ref.repository, dest->repository) != 0)
			repo = strdup(ref.repository);
		storage_reference_clear(&ref);
		if (repo != NULL)
			return repo;
	}
	return NULL;
}

static void report(const struct engine_push_options *opts, enum engine_push_event e,
		   const char *digest, const char *detail)
{
	if (opts->progress != NULL)
		opts->progress(opts->progress_data, e, digest, detail);
}

static int push_layer(struct storage_registry *client, struct storage_store *store,
		      const struct storage_reference *dest, const struct storage_descriptor *d,
		      const char *from, const struct engine_push_options *opts,
		      struct engine_error **err)
{
	if (!storage_blob_exists(store, d->digest))
		return engine_error_set(err, ENOENT,
					"layer %s is not in the store (the image was pulled before "
					"blobs were kept): pull it again",
					d->digest);
	cleanup_close int fd = storage_blob_open(store, d->digest, err);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "blob %s", d->digest);
	if (st.st_size != d->size)
		return engine_error_set(err, EBADMSG, "blob %s: %lld bytes stored, the manifest says %lld",
					d->digest, (long long)st.st_size, (long long)d->size);
	enum storage_push_outcome outcome;
	if (storage_registry_push_blob(client, dest, d->digest, st.st_size, fd, NULL, from, &outcome,
				       err) < 0)
		return -1;
	report(opts,
	       outcome == STORAGE_PUSH_EXISTED	 ? ENGINE_PUSH_BLOB_EXISTED
	       : outcome == STORAGE_PUSH_MOUNTED ? ENGINE_PUSH_BLOB_MOUNTED
						 : ENGINE_PUSH_BLOB_PUSHED,
	       d->digest, from);
	return 0;
}

int engine_image_push(const char *root, const char *source, const char *destination,
		      const struct engine_push_options *opts, struct engine_push_result *ret,
		      struct engine_error **err)
{
	struct storage_reference dest;
	const char *target = destination ? destination : source;
	if (storage_reference_parse(target, &dest, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	struct storage_image *img = NULL;
	struct storage_registry *client = NULL;
	struct storage_manifest m;
	memset(&m, 0, sizeof(m));
	cleanup_free char *manifest = NULL, *config = NULL, *from = NULL, *name = NULL;
	size_t manifest_len = 0, config_len = 0;
	int rc = -1;
	if (storage_reference_name(&dest, &name) < 0) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (dest.digest != NULL && dest.tag == NULL) {
		/* A pushed manifest is named by its own digest: there is no
		 * other one to give it. */
		engine_error_set(err, EINVAL, "%s: push needs a tag, not a digest", target);
		goto out;
	}
	if (storage_store_open(root, &store, err) < 0 ||
	    engine_image_lookup(store, source, &img, err) < 0)
		goto out;
	if (storage_image_read_blob(store, img->id, "manifest", &manifest, &manifest_len, err) < 0 ||
	    storage_image_read_blob(store, img->id, "config", &config, &config_len, err) < 0 ||
	    storage_manifest_parse(manifest, manifest_len, NULL, &m, err) < 0)
		goto out;
	const char *media_type = m.media_type && m.media_type[0]
					 ? m.media_type
					 : m.kind == STORAGE_KIND_DOCKER_MANIFEST ? STORAGE_MEDIA_DOCKER_MANIFEST
										  : STORAGE_MEDIA_OCI_MANIFEST;
	struct storage_registry_options ro = { .tls_verify = opts->tls_verify,
					       .registries = opts->registries };
	if (storage_registry_open(&ro, &client, err) < 0)
		goto out;
	from = mount_source(img, &dest);
	for (size_t i = 0; i < m.n_layers; i++)
		if (push_layer(client, store, &dest, &m.layers[i], from, opts, err) < 0)
			goto out;
	enum storage_push_outcome outcome;
	if (storage_registry_push_blob(client, &dest, m.config.digest, (int64_t)config_len, -1, config,
				       NULL, &outcome, err) < 0)
		goto out;
	if (storage_registry_put_manifest(client, &dest, dest.tag, media_type, manifest, manifest_len,
					  ret->digest, err) < 0)
		goto out;
	ret->size = manifest_len;
	ret->repository = steal_pointer(&name);
	ret->tag = strdup(dest.tag);
	rc = 0;
out:
	if (rc < 0)
		storage_reference_error_prefix(err, "push", &dest);
	storage_manifest_clear(&m);
	storage_registry_close(client);
	storage_image_free(img);
	storage_store_close(store);
	storage_reference_clear(&dest);
	return rc;
}
