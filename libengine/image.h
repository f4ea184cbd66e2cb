/* image.h: images as the CLI uses them: look up, turn an image config
 * into a run spec, remove (pull: pull.h; push: image-push.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "error.h"
#include "idmap.h"
#include "image-archive.h"
#include "registries-conf.h"
#include "spec.h"
#include "store.h"

/* Find an image by the name the user typed (normalised as a reference) or
 * by id / id prefix. */
int engine_image_lookup(struct storage_store *store, const char *what,
			struct storage_image **ret, struct engine_error **err);

/* Fill the spec from the image config: Env (under the user's -e), Cmd and
 * Entrypoint (user's command replaces Cmd; --entrypoint replaces
 * Entrypoint and drops Cmd), WorkingDir, User. */
int engine_spec_apply_image(struct engine_run_spec *spec, const struct storage_image *image,
			    const char *entrypoint, bool entrypoint_set, char **user_cmd,
			    struct engine_error **err);

/* Remove layers (diff_ids) from the store inside the user namespace: their
 * files belong to subordinate ids the caller cannot delete from outside. */
int engine_layers_remove(const char *root, const struct engine_idmap *map, char **diff_ids,
			 size_t n, struct engine_error **err);

/* Remove a container's directory under ROOT/containers inside the user
 * namespace. */
int engine_container_dir_remove(const char *root, const struct engine_idmap *map, const char *id,
				struct engine_error **err);

/* ---- load, import (image-archive.c) ------------------------------------ */

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
	/* commit (issue #4, files): the new layer goes on top of BASE_CONFIG's
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


/* ---- prune and disk usage (image.c) ------------------------------------ */

/* Called per name removed (UNTAGGED) and per image deleted (DELETED,
 * "sha256:HEX"); the other is NULL. */
typedef void (*engine_prune_report_fn)(void *data, const char *untagged, const char *deleted);

/* Remove dangling images (no name), or with ALL every image (no container
 * store keeps images in use yet), and the layers no other image uses.
 * *RET_RECLAIMED: bytes of the layers removed. */
int engine_image_prune(const char *root, const struct engine_idmap *map, bool all,
		       engine_prune_report_fn report, void *report_data, int64_t *ret_reclaimed,
		       struct engine_error **err);

struct engine_disk_usage {
	size_t images, active_images;
	int64_t images_size;  /* every layer once, however many images share it */
	int64_t reclaimable;  /* what removing the unused images would free */
};
int engine_image_disk_usage(const char *root, struct engine_disk_usage *ret,
			    struct engine_error **err);
