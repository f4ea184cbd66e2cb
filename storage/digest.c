/* digest.c: digest validation and hashing for blobs and manifests.
 *
 * Everything we pull is content-addressed, so this file is where trust comes
 * from: a manifest fetched by digest, a config and every layer are hashed as
 * they stream in and compared with the digest that named them.  We use
 * OpenSSL's EVP interface (libcrypto is already in the process for libcurl's
 * TLS) rather than carrying our own SHA-2. */
#include "storage/digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/cleanup.h"

struct storage_hasher {
	EVP_MD_CTX *ctx;
	char algorithm[8];
	bool finished;
};

static const EVP_MD *md_for(const char *algorithm)
{
	if (strcmp(algorithm, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(algorithm, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

struct storage_hasher *storage_hasher_new(const char *algorithm)
{
	const EVP_MD *md = algorithm != NULL ? md_for(algorithm) : NULL;
	if (md == NULL)
		return NULL;
	struct storage_hasher *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
		storage_hasher_free(h);
		return NULL;
	}
	snprintf(h->algorithm, sizeof(h->algorithm), "%s", algorithm);
	return h;
}

int storage_hasher_update(struct storage_hasher *h, const void *buf, size_t len)
{
	if (h->finished)
		return -EINVAL;
	if (len == 0)
		return 0;
	return EVP_DigestUpdate(h->ctx, buf, len) == 1 ? 0 : -EIO;
}

int storage_hasher_final(struct storage_hasher *h, char out[STORAGE_DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (h->finished)
		return -EINVAL;
	h->finished = true;
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1)
		return -EIO;
	static const char hexdigits[] = "0123456789abcdef";
	size_t alen = strlen(h->algorithm);
	/* "sha512:" + 128 hex fills STORAGE_DIGEST_MAX exactly, NUL included. */
	if (alen + 1 + 2 * (size_t)mdlen + 1 > STORAGE_DIGEST_MAX)
		return -EOVERFLOW;
	memcpy(out, h->algorithm, alen);
	out[alen] = ':';
	char *p = out + alen + 1;
	for (unsigned int i = 0; i < mdlen; i++) {
		*p++ = hexdigits[md[i] >> 4];
		*p++ = hexdigits[md[i] & 0xf];
	}
	*p = '\0';
	return 0;
}

void storage_hasher_free(struct storage_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int storage_digest_buffer(const void *buf, size_t len, const char *algorithm,
			  char out[STORAGE_DIGEST_MAX])
{
	struct storage_hasher *h = storage_hasher_new(algorithm);
	if (h == NULL)
		return algorithm != NULL && md_for(algorithm) != NULL ? -ENOMEM : -EINVAL;
	int r = storage_hasher_update(h, buf, len);
	if (r == 0)
		r = storage_hasher_final(h, out);
	storage_hasher_free(h);
	return r;
}
