/* digest.h: content digests ("sha256:<64 hex>") as the OCI image spec and the
 * registry API name blobs and manifests.
 *
 * A digest read from a manifest, a reference or a registry header is checked
 * with storage_digest_validate() (digest-name.h) before it becomes part of a URL or a path:
 * only the two algorithms the OCI spec registers, only lowercase hex of the
 * right length, so "sha256:../../x" can never walk out of a blob directory. */
#pragma once

#include <stddef.h>

#include "storage/digest-name.h"
#include "common/error.h"

/* A streaming hasher (OpenSSL EVP underneath).  ALGORITHM is "sha256" or
 * "sha512".  new returns NULL for an unknown algorithm or out of memory. */
struct storage_hasher;
struct storage_hasher *storage_hasher_new(const char *algorithm);
/* 0, or -EIO when OpenSSL fails (it does not for these digests in practice). */
int storage_hasher_update(struct storage_hasher *h, const void *buf, size_t len);
/* Writes "ALGORITHM:hex" to OUT; the hasher takes no more updates after it. */
int storage_hasher_final(struct storage_hasher *h, char out[STORAGE_DIGEST_MAX]);
void storage_hasher_free(struct storage_hasher *h);

/* One-shot: the digest of BUF.  0, or -EINVAL for an unknown algorithm. */
int storage_digest_buffer(const void *buf, size_t len, const char *algorithm,
			  char out[STORAGE_DIGEST_MAX]);

