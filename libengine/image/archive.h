/* archive.h: images in from an archive: `load` (a docker-archive or an
 * OCI layout) and `import` (a root filesystem tarball) (archive.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "storage/image-archive.h"

/* Called once per name an image was loaded under (NAME normalised), or once
 * with NAME NULL for an image without names.  ID is "sha256:HEX". */
typedef void (*engine_load_report_fn)(void *data, const char *name, const char *id);

/* Load a docker-archive or oci-archive (detected) read from IN_FD: every
 * blob checked against its digest, every layer's diff_id against the
 * config, layers unpacked inside the user namespace.  docker-archive
 * layers arrive uncompressed: they are stored gzip-compressed (under the
 * digest of the gzip stream, with a Docker schema2 manifest written for
 * them), so a loaded image can be pushed and saved like a pulled one; the
 * config, and so the image id, is kept byte for byte. */
int engine_image_load(const char *root, const struct engine_idmap *map, int in_fd,
		      engine_load_report_fn report, void *report_data, struct engine_error **err);

struct engine_import_options {
	char *const *changes; /* Dockerfile instructions (-c), n_changes of them */
	size_t n_changes;
	const char *message;   /* -m: the history comment */
	const char *source;    /* "-" or the file name, for "Imported from ..." */
	const char *reference; /* REPOSITORY[:TAG], or NULL for no name */
	/* commit: the new layer goes on top of BASE_CONFIG's
	 * layers (an image config, copied: diff_id and history appended,
	 * CONTAINER_CONFIG's keys set in its "config" before the changes),
	 * whose stored blobs are BASE_DIGESTS.  NULL for import. */
	json_t *base_config;
	char *const *base_digests;
	size_t n_base;
	json_t *container_config;
	const char *author;     /* -a */
	const char *created_by; /* the history entry's created_by */
};

/* A rootfs tarball (any compression) read from IN_FD becomes a one-layer
 * image.  RET_ID gets "sha256:HEX". */
int engine_image_import(const char *root, const struct engine_idmap *map, int in_fd,
			const struct engine_import_options *opts, char ret_id[72],
			struct engine_error **err);
