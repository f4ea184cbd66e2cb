/* test-hex.c: the lowercase hex check behind ids, prefixes and digests. */
#include "common/hex.h"
#include "tap.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int main(void)
{
	ok(engine_is_hex(ID64, 64, 64), "a full id");
	ok(!engine_is_hex(ID64 "0", 64, 64), "one digit too many");
	ok(!engine_is_hex(&ID64[1], 64, 64), "one digit short");
	ok(!engine_is_hex("0123456789ABCDEF", 1, 64), "uppercase refused");
	ok(!engine_is_hex("abcg", 1, 64), "not a hex digit");
	ok(!engine_is_hex("ab-c", 1, 64), "punctuation");
	ok(engine_is_hex("abc", 1, 63), "a prefix");
	ok(!engine_is_hex("", 1, 63), "an empty prefix");
	ok(engine_is_hex("", 0, 0), "empty where empty is allowed");
	ok(!engine_is_hex(ID64, 1, 63), "a full id is not a prefix");
	return done_testing();
}
