/* registry.h: a client for the Docker Registry HTTP API v2 / OCI
 * distribution API (pull side), and the credential files `login` writes.
 *
 * One client serves a whole pull: it may be used from several threads at
 * once (one per layer download); it keeps bearer tokens and the hosts found
 * to speak plain HTTP for its lifetime.  Errors name the registry,
 * repository and manifest or blob at fault, e.g.
 *   127.0.0.1:5000/busybox: manifest latest: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)
 * and the caller adds its own context ("pull ..."). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/auth.h" /* storage_auth_store/remove for login and logout */
#include "storage/digest.h"
#include "common/error.h"
#include "storage/reference.h"
#include "storage/registries-conf.h"

struct storage_registry_options {
	/* false (--tls-verify=false): certificates are not checked and any
	 * registry may fall back to plain HTTP.  Loopback registries
	 * (127.0.0.0/8, ::1, localhost) are always treated so, as Docker's
	 * default insecure-registries are. */
	bool tls_verify;
	/* registries.conf (borrowed: it must outlive the client), or NULL:
	 * its insecure registries and mirrors are treated as loopback ones
	 * are.  Mirrors and blocked registries are the caller's business
	 * (storage_registries_conf_endpoints). */
	const struct storage_registries_conf *registries;
	/* Podman's auth.json; NULL: $REGISTRY_AUTH_FILE, else
	 * $XDG_RUNTIME_DIR/containers/auth.json. */
	const char *auth_file;
	/* Docker's config.json; NULL: $DOCKER_CONFIG/config.json, else
	 * ~/.docker/config.json.  Read after auth_file. */
	const char *docker_config;
	/* NULL: "engine/VERSION". */
	const char *user_agent;
};

struct storage_registry;

int storage_registry_open(const struct storage_registry_options *opts,
			  struct storage_registry **ret, struct engine_error **err);
void storage_registry_close(struct storage_registry *client);

/* Fetch the manifest (or index) REF's repository has under TAG_OR_DIGEST.
 * The Accept header lists the OCI and Docker schema2 manifest and index
 * types; bodies over 4 MiB are refused.  Fetched by digest, the bytes must
 * hash to it.  On success *ret_buf (NUL-terminated, *ret_len bytes) holds
 * the bytes, *ret_media_type the Content-Type without parameters ("" when
 * the registry sent none: storage_manifest_detect() then looks at the
 * document), and ret_digest the digest of the bytes. */
int storage_registry_get_manifest(struct storage_registry *client,
				  const struct storage_reference *ref, const char *tag_or_digest,
				  char **ret_buf, size_t *ret_len, char **ret_media_type,
				  char ret_digest[STORAGE_DIGEST_MAX], struct engine_error **err);

/* Receives a blob's bytes in order.  Return 0 to go on, a negative value
 * (-errno if one applies) to abort the download. */
typedef int (*storage_blob_sink)(void *userdata, const void *buf, size_t len);

/* Stream blob DIGEST to SINK, hashing as it goes.  EXPECTED_SIZE (from the
 * descriptor; -1 when unknown) bounds what is accepted.  A connection that
 * drops mid-blob is resumed with a Range request (up to 5 times; the
 * registry must answer 206).  At the end size and digest must match, else
 * "blob sha256:...: digest mismatch (got sha256:...)".  SINK has then seen
 * every byte exactly once, but a failed call may have fed it a prefix. */
int storage_registry_get_blob(struct storage_registry *client,
			      const struct storage_reference *ref, const char *digest,
			      int64_t expected_size, storage_blob_sink sink, void *userdata,
			      struct engine_error **err);

/* ---- lent to the rest of storage (registry-http.c, registry-push.c) ---- */

/* Does HOSTPORT get plain HTTP and no certificate check (loopback, or
 * --tls-verify=false)? */
bool storage_registry_insecure_allowed(struct storage_registry *client, const char *hostport);
/* Is HOST known to speak plain HTTP?  REMEMBER: note that it does. */
bool storage_registry_plain_host(struct storage_registry *client, const char *host, bool remember);

/* The push side and login (registry-push.c); included here so that one
 * include gives a caller the whole client. */
#include "storage/registry-push.h"
