/* test-digest.c: digest validation and the SHA-2 hasher (known vectors from
 * FIPS 180-2, streaming equal to one-shot). */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "storage/digest.h"
#include "common/sha256.h"
#include "fixtures.h"
#include "tap.h"

static const char abc256[] =
	"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

static int valid(const char *d)
{
	struct engine_error *err = NULL;
	int r = storage_digest_validate(d, &err);
	if (r < 0 && err == NULL)
		return -100; /* an error without a message would be a bug */
	engine_error_free(&err);
	return r;
}

/* Digests storage_digest_validate refuses, each with why. */
static const struct text_case invalid[] = {
	{ NULL, "NULL refused" },
	{ "", "empty refused" },
	{ "sha256", "no colon" },
	{ "sha256:", "no hex" },
	{ "sha256:ba7816bf", "short hex" },
	{ "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	  "uppercase hex refused" },
	{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adx",
	  "one too many" },
	{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
	  "one too few" },
	{ "sha256:../../../../../../../../../../../../../../../../../etc/passwd0000",
	  "path characters refused" },
	{ "sha384:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "unsupported algorithm" },
	{ "SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "algorithm is case-sensitive" },
	{ "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "sha512 with 64 digits refused" },
	{ " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "leading space refused" },
};

int main(void)
{
	char out[STORAGE_DIGEST_MAX];

	ok(storage_digest_buffer("", 0, "sha256", out) == 0, "hash the empty string");
	is_str(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "sha256 of empty input");
	storage_digest_buffer("abc", 3, "sha256", out);
	is_str(out, abc256, "sha256(abc)");
	const char *two_block = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	storage_digest_buffer(two_block, strlen(two_block), "sha256", out);
	is_str(out, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "sha256 of the 448-bit vector");
	storage_digest_buffer("abc", 3, "sha512", out);
	is_str(out,
	       "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	       "sha512(abc)");
	ok(valid(out) == 0, "a sha512 digest we produce validates");
	ok(storage_digest_buffer("abc", 3, "md5", out) < 0, "unknown algorithm refused");
	ok(storage_hasher_new("sha1") == NULL, "no hasher for sha1");

	/* A million 'a's fed in odd-sized pieces equals the FIPS vector. */
	size_t n = 1000000;
	char *a = malloc(n);
	memset(a, 'a', n);
	struct storage_hasher *h = storage_hasher_new("sha256");
	ok(h != NULL, "hasher created");
	size_t off = 0, step = 1;
	while (off < n) {
		size_t k = step < n - off ? step : n - off;
		storage_hasher_update(h, a + off, k);
		off += k;
		step = step * 3 + 1;
		if (step > 65536)
			step = 7;
	}
	ok(storage_hasher_final(h, out) == 0, "final");
	is_str(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "streaming: a million 'a'");
	ok(storage_hasher_final(h, out) < 0, "final twice is refused");
	ok(storage_hasher_update(h, "x", 1) < 0, "update after final is refused");
	storage_hasher_free(h);
	char one[STORAGE_DIGEST_MAX];
	storage_digest_buffer(a, n, "sha256", one);
	is_str(one, out, "one-shot equals streaming");
	free(a);

	h = storage_hasher_new("sha256");
	storage_hasher_update(h, "a", 1);
	storage_hasher_update(h, "", 0);
	storage_hasher_update(h, "bc", 2);
	storage_hasher_final(h, out);
	storage_hasher_free(h);
	is_str(out, abc256, "abc in pieces, with an empty update");

	char alg[8];
	ok(storage_digest_algorithm(abc256, alg) == 0 && strcmp(alg, "sha256") == 0,
	   "algorithm of a digest");
	ok(storage_digest_algorithm("sha1:abc", alg) < 0, "algorithm of an unknown digest");

	/* Validation. */
	ok(valid(abc256) == 0, "valid sha256");
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++)
		ok(valid(invalid[i].input) < 0, "%s", invalid[i].want);
	struct engine_error *err = NULL;
	storage_digest_validate("sha256:xyz", &err);
	ok(err != NULL && strstr(err->msg, "sha256:xyz") != NULL, "the error names the digest");
	engine_error_free(&err);
	/* common/sha256.c (used where libcrypto must not be loaded) agrees with
	 * OpenSSL for every length around the padding boundaries. */
	char mine[65], theirs[STORAGE_DIGEST_MAX];
	engine_sha256_hex("abc", 3, mine);
	is_str(mine, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "own sha256 of \"abc\"");
	unsigned char data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	int agree = 1;
	for (size_t len = 0; len <= sizeof(data); len++) {
		engine_sha256_hex(data, len, mine);
		storage_digest_buffer(data, len, "sha256", theirs);
		if (strcmp(mine, theirs + 7) != 0)
			agree = 0;
	}
	ok(agree, "own sha256 equals OpenSSL's for lengths 0..300");
	return done_testing();
}
