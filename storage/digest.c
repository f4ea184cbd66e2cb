/* digest.c: digest validation and hashing for blobs and manifests.
 *
 * Everything we pull is content-addressed, so this file is where trust comes
 * from: a manifest fetched by digest, a config and every layer are hashed as
 * they stream in and compared with the digest that named them.  We use
 * OpenSSL's EVP interface (libcrypto is already in the process for libcurl's
 * TLS) rather than carrying our own SHA-2. */
#include "digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cleanup.h"

struct storage_hasher {
	EVP_MD_CTX *ctx;
	char algorithm[8];
	bool finished;
};

/* The two algorithms the OCI image spec registers, with their hex lengths. */
static const struct {
	const char *name;
	size_t hex_len;
} algorithms[] = {
	{ "sha256", 64 },
	{ "sha512", 128 },
};

static const EVP_MD *md_for(const char *algorithm)
{
	if (strcmp(algorithm, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(algorithm, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

int storage_digest_validate(const char *digest, struct engine_error **err)
{
	if (digest == NULL || digest[0] == '\0')
		return engine_error_set(err, EINVAL, "empty digest");
	const char *colon = strchr(digest, ':');
	if (colon == NULL)
		return engine_error_set(err, EINVAL, "invalid digest \"%.80s\": no algorithm", digest);
	size_t alen = (size_t)(colon - digest);
	for (size_t i = 0; i < ARRAY_SIZE(algorithms); i++) {
		if (strlen(algorithms[i].name) != alen || memcmp(digest, algorithms[i].name, alen) != 0)
			continue;
		const char *hex = colon + 1;
		size_t n = strlen(hex);
		if (n != algorithms[i].hex_len)
			return engine_error_set(err, EINVAL,
						"invalid digest \"%.160s\": %s needs %zu hex digits, not %zu",
						digest, algorithms[i].name, algorithms[i].hex_len, n);
		for (size_t j = 0; j < n; j++) {
			char c = hex[j];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return engine_error_set(err, EINVAL,
							"invalid digest \"%.160s\": not lowercase hex",
							digest);
		}
		return 0;
	}
	return engine_error_set(err, EINVAL,
				"invalid digest \"%.80s\": unsupported algorithm (sha256 or sha512)",
				digest);
}

int storage_digest_algorithm(const char *digest, char out[8])
{
	for (size_t i = 0; i < ARRAY_SIZE(algorithms); i++) {
		size_t alen = strlen(algorithms[i].name);
		if (strncmp(digest, algorithms[i].name, alen) == 0 && digest[alen] == ':') {
			memcpy(out, algorithms[i].name, alen + 1);
			return 0;
		}
	}
	return -EINVAL;
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
