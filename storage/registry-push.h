/* registry-push.h: the push side of the registry client, and login
 * (registry-push.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "storage/digest.h"
#include "common/error.h"
#include "storage/registry.h"

/* Pushing sends what the store holds byte for byte (blobs as pulled, the
 * manifest as pulled), so the digest a push reports is the one a pull of
 * the pushed image finds.  Requests ask for the scope
 * "repository:REPO:pull,push" when the registry wants a token. */

/* 1 when REF's repository has blob DIGEST (HEAD), 0 when not. */
int storage_registry_blob_exists(struct storage_registry *client,
				 const struct storage_reference *ref, const char *digest,
				 struct engine_error **err);

enum storage_push_outcome {
	STORAGE_PUSH_EXISTED, /* the repository had it already */
	STORAGE_PUSH_MOUNTED, /* mounted from another repository of the registry */
	STORAGE_PUSH_UPLOADED,
};

/* Make blob DIGEST (SIZE bytes, read from FD at offset 0, or from BUF when
 * FD < 0) present in REF's repository: nothing when it is there already;
 * a cross-repository mount when FROM_REPOSITORY (a repository of the same
 * registry that has it, or NULL) is given and the registry agrees; else an
 * upload (POST, one PATCH with the bytes, PUT ?digest=). */
int storage_registry_push_blob(struct storage_registry *client,
			       const struct storage_reference *ref, const char *digest,
			       int64_t size, int fd, const void *buf, const char *from_repository,
			       enum storage_push_outcome *ret_outcome, struct engine_error **err);

/* PUT the manifest BUF (LEN bytes, MEDIA_TYPE) as TAG_OR_DIGEST of REF's
 * repository.  RET_DIGEST: the digest of BUF. */
int storage_registry_put_manifest(struct storage_registry *client,
				  const struct storage_reference *ref, const char *tag_or_digest,
				  const char *media_type, const char *buf, size_t len,
				  char ret_digest[STORAGE_DIGEST_MAX], struct engine_error **err);

/* Check USER/PASSWORD against REGISTRY (GET /v2/ with Basic auth or a
 * bearer token obtained with them).  -EACCES with "unauthorized: ..." when
 * the registry refuses them. */
int storage_registry_login(struct storage_registry *client, const char *registry,
			   const char *user, const char *password, struct engine_error **err);
