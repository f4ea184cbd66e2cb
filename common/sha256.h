/* sha256.h: a small SHA-256 for short inputs on the container start-up path
 * (the vfs chain id).  Bulk hashing of blobs uses OpenSSL (storage/digest.c);
 * this exists so that `engine` itself does not have to load libcrypto. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* out: 64 lowercase hex digits and a NUL. */
void engine_sha256_hex(const void *data, size_t len, char out[65]);
