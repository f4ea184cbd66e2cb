/* manifest.h: the JSON documents an image is made of (OCI image manifests and
 * indexes, Docker schema2 manifests and manifest lists, the image config),
 * parsed into C structs, and the choice of one platform from an index.
 *
 * Every parser takes untrusted bytes from a registry: sizes are bounded,
 * duplicate keys and wrong types are errors, and every digest is validated
 * before the caller can turn it into a URL or a path. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/digest.h"
#include "common/error.h"

#define STORAGE_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define STORAGE_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define STORAGE_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define STORAGE_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define STORAGE_MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define STORAGE_MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

/* Manifests, indexes and configs larger than this are refused (containerd
 * and the distribution registry use the same bound). */
#define STORAGE_MANIFEST_MAX (4u << 20)

enum storage_manifest_kind {
	STORAGE_KIND_UNKNOWN = 0,
	STORAGE_KIND_OCI_MANIFEST,
	STORAGE_KIND_OCI_INDEX,
	STORAGE_KIND_DOCKER_MANIFEST,
	STORAGE_KIND_DOCKER_LIST,
};

struct storage_kv {
	char *key;
	char *value;
};

struct storage_platform {
	char *os;           /* "linux" */
	char *architecture; /* GOARCH names: "amd64", "arm64", "arm", "386", ... */
	char *variant;      /* "v8", "v7", or NULL */
	char *os_version;   /* NULL unless given (Windows images) */
};

struct storage_descriptor {
	char *media_type;
	char digest[STORAGE_DIGEST_MAX]; /* validated */
	int64_t size;                    /* >= 0 */
	bool has_platform;
	struct storage_platform platform; /* only in index entries */
	struct storage_kv *annotations;
	size_t n_annotations;
};

/* An image manifest (OCI or Docker schema2). */
struct storage_manifest {
	enum storage_manifest_kind kind;
	char *media_type;
	struct storage_descriptor config;
	struct storage_descriptor *layers;
	size_t n_layers;
	struct storage_kv *annotations;
	size_t n_annotations;
};

/* An OCI index or a Docker manifest list. */
struct storage_index {
	enum storage_manifest_kind kind;
	char *media_type;
	struct storage_descriptor *manifests;
	size_t n_manifests;
	struct storage_kv *annotations;
	size_t n_annotations;
};

struct storage_history {
	char *created;
	char *created_by;
	char *author;
	char *comment;
	bool empty_layer;
};

/* The image config (the OCI "application/vnd.oci.image.config.v1+json",
 * which Docker's config is a superset of).  String vectors are
 * NULL-terminated; NULL means the field was absent or null, which matters
 * for Entrypoint/Cmd (an empty Cmd and no Cmd differ). */
struct storage_image_config {
	char *created;
	char *author;
	char *architecture;
	char *os;
	char *variant;
	/* config.* */
	char *user;
	char *working_dir;
	char *stop_signal;
	char **env;
	char **entrypoint;
	char **cmd;
	char **exposed_ports; /* keys of ExposedPorts: "80/tcp" */
	char **volumes;       /* keys of Volumes */
	struct storage_kv *labels;
	size_t n_labels;
	/* rootfs */
	char **diff_ids; /* validated digests, one per layer */
	size_t n_diff_ids;
	struct storage_history *history;
	size_t n_history;
};

/* The kind a media type names; STORAGE_KIND_UNKNOWN for anything else. */
enum storage_manifest_kind storage_manifest_kind_from_media_type(const char *media_type);
static inline bool storage_manifest_kind_is_index(enum storage_manifest_kind kind)
{
	return kind == STORAGE_KIND_OCI_INDEX || kind == STORAGE_KIND_DOCKER_LIST;
}

/* Which of the four kinds BUF holds.  CONTENT_TYPE (the registry's header,
 * parameters allowed, NULL when unknown) decides when it names one of them;
 * otherwise the document's own mediaType, and for OCI documents without one
 * (it is optional there) the shape ("manifests" vs "config"+"layers").
 * Docker schema1 and anything else is refused with an error saying so. */
int storage_manifest_detect(const char *buf, size_t len, const char *content_type,
			    enum storage_manifest_kind *ret, struct engine_error **err);

/* Parse an image manifest; an index here is an error that says so. */
int storage_manifest_parse(const char *buf, size_t len, const char *content_type,
			   struct storage_manifest *ret, struct engine_error **err);
void storage_manifest_clear(struct storage_manifest *m);

/* Parse an OCI index or Docker manifest list. */
int storage_index_parse(const char *buf, size_t len, const char *content_type,
			struct storage_index *ret, struct engine_error **err);
void storage_index_clear(struct storage_index *index);

int storage_image_config_parse(const char *buf, size_t len, struct storage_image_config *ret,
			       struct engine_error **err);
void storage_image_config_clear(struct storage_image_config *config);

/* Platforms and picking one from an index (manifest-platform.c); included
 * here so that one include gives a caller the whole of this module. */
#include "storage/manifest-platform.h"
