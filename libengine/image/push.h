/* push.h: push an image of the store to a registry (push.c),
 * its blobs byte for byte as stored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "storage/digest.h"
#include "common/error.h"
#include "storage/registries-conf.h"

enum engine_push_event {
	ENGINE_PUSH_BLOB_EXISTED, /* detail: NULL */
	ENGINE_PUSH_BLOB_MOUNTED, /* detail: the repository it came from */
	ENGINE_PUSH_BLOB_PUSHED,
};

typedef void (*engine_push_progress_fn)(void *data, enum engine_push_event event,
					const char *digest, const char *detail);

struct engine_push_options {
	bool tls_verify;
	const struct storage_registries_conf *registries; /* its insecure registries; NULL: none */
	engine_push_progress_fn progress;
	void *progress_data;
};

struct engine_push_result {
	char *repository; /* "127.0.0.1:5000/pushed/busybox" */
	char *tag;        /* "copy" */
	char digest[STORAGE_DIGEST_MAX]; /* of the manifest pushed */
	size_t size;      /* its length */
};
void engine_push_result_clear(struct engine_push_result *r);

/* Push the local image SOURCE to DESTINATION (NULL: SOURCE's own name):
 * its blobs (skipped when the repository has them, mounted when another
 * repository of the same registry that the image was pulled from has
 * them), config and manifest, all byte for byte as stored. */
int engine_image_push(const char *root, const char *source, const char *destination,
		      const struct engine_push_options *opts, struct engine_push_result *ret,
		      struct engine_error **err);
