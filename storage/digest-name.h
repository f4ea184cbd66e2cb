/* digest-name.h: what a digest string may look like (digest-name.c),
 * apart from the hashing (digest.h) so that checking one needs no crypto
 * library. */
#pragma once

#include "common/error.h"

/* "sha512:" + 128 hex + NUL is the longest digest we accept. */
#define STORAGE_DIGEST_MAX (7 + 128 + 1)

/* 0 when DIGEST is "sha256:" + 64 or "sha512:" + 128 lowercase hex digits;
 * -EINVAL with *err naming the digest and what is wrong otherwise. */
int storage_digest_validate(const char *digest, struct engine_error **err);

/* The algorithm part of a validated digest ("sha256" / "sha512"), written to
 * OUT; -EINVAL when DIGEST does not start with a known algorithm. */
int storage_digest_algorithm(const char *digest, char out[8]);
