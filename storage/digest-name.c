/* digest-name.c: what a digest string may look like.  Apart from the
 * hashing in digest.c because every command parses references and digests,
 * while only the ones that move bytes (pull, push, save, load) hash: this
 * file needs no crypto library, so the start-up path does not load one. */
#include "storage/digest-name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/hex.h"

/* The two algorithms the OCI image spec registers, with their hex lengths. */
static const struct {
	const char *name;
	size_t hex_len;
} algorithms[] = {
	{ "sha256", 64 },
	{ "sha512", 128 },
};

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
		if (!engine_is_hex(hex, n, n))
			return engine_error_set(err, EINVAL,
						"invalid digest \"%.160s\": not lowercase hex", digest);
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

