/* image-archive.h: image archives as `docker save` and `podman save` write them,
 * for `save` and `load`:
 *
 *   docker-archive   manifest.json  [{"Config": "ID.json", "RepoTags": [...],
 *                                     "Layers": ["HEX/layer.tar", ...]}]
 *                    repositories, ID.json (the config), HEX/layer.tar
 *                    (uncompressed: the bytes a diff_id names)
 *   oci-archive      an OCI image layout in a tar: oci-layout, index.json
 *                    (one entry per name, annotated with it), blobs/ALG/HEX
 *                    (manifests, configs and layers exactly as stored)
 *
 * Reading an archive spools its members into temp files among the store's
 * blobs (a tar read from a pipe cannot be seeked, and its members come in
 * any order); a verified layer blob is then renamed into place, not
 * copied.  Nothing read from an archive is trusted: member names are only
 * lookup keys (never paths), JSON documents are bounded, every blob is
 * checked against the digest that names it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/digest.h"
#include "common/error.h"
#include "storage/store.h"

enum storage_archive_format {
	STORAGE_ARCHIVE_DOCKER, /* docker-archive */
	STORAGE_ARCHIVE_OCI,    /* oci-archive */
};

/* "docker-archive" / "oci-archive" -> format; -EINVAL otherwise. */
int storage_archive_format_parse(const char *s, enum storage_archive_format *ret,
				 struct engine_error **err);

/* ---- docker-archive manifest.json --------------------------------------- */

struct storage_archive_image {
	char *config;     /* member name of the config */
	char **repo_tags; /* as written ("busybox:latest"); may be empty */
	size_t n_repo_tags;
	char **layers; /* member names, bottom layer first */
	size_t n_layers;
};

/* Parse manifest.json.  Bounded (STORAGE_MANIFEST_MAX bytes, 1000 images,
 * 1000 layers each), duplicate keys refused, every field type-checked;
 * RepoTags may be missing or null. */
int storage_archive_manifest_parse(const char *buf, size_t len, struct storage_archive_image **ret,
				   size_t *ret_n, struct engine_error **err);
void storage_archive_images_free(struct storage_archive_image *images, size_t n);

/* ---- reading: spool every member ---------------------------------------- */

struct storage_spool_member {
	char *name;   /* normalised: no "./", no "//", no trailing "/" */
	char *tmp;    /* store-relative temp file; NULL once committed */
	char *link;   /* symlink or hardlink target (normalised), or NULL */
	int64_t size;
};

struct storage_spool {
	struct storage_store *store;
	struct storage_spool_member *members;
	size_t n;
};

/* Read the tar (optionally compressed) from IN_FD to its end. */
int storage_spool_read(struct storage_store *store, int in_fd, struct storage_spool **ret,
		       struct engine_error **err);
/* The regular-file member NAME (links followed), or NULL. */
struct storage_spool_member *storage_spool_find(struct storage_spool *spool, const char *name);
/* Read a member of at most MAX bytes into memory (NUL-terminated). */
int storage_spool_read_member(struct storage_spool *spool, struct storage_spool_member *m,
			      size_t max, char **ret_buf, size_t *ret_len, struct engine_error **err);
/* Hash member M; it must be DIGEST (and SIZE bytes, unless SIZE < 0). */
int storage_spool_verify(struct storage_spool *spool, struct storage_spool_member *m,
			 const char *digest, int64_t size, struct engine_error **err);
/* Move a verified member into the blob store under DIGEST. */
int storage_spool_commit(struct storage_spool *spool, struct storage_spool_member *m,
			 const char *digest, struct engine_error **err);
/* Remove the temp files left and free. */
void storage_spool_free(struct storage_spool *spool);

/* ---- writing ------------------------------------------------------------- */

/* One image to save and the names to save it under (familiar or
 * normalised; none for an image given by id). */
struct storage_archive_save_image {
	const char *id;
	const char *const *names;
	size_t n_names;
};

/* Write IMAGES from STORE as a FORMAT archive to OUT_FD.  The images' layer
 * blobs must be in the store (images pulled before blobs were kept have
 * none: the error says to pull again). */
int storage_archive_save(struct storage_store *store, const struct storage_archive_save_image *images,
			 size_t n, enum storage_archive_format format, int out_fd,
			 struct engine_error **err);
