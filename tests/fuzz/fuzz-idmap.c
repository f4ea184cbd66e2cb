/* fuzz-idmap.c: libFuzzer harness for the id-map computation: whatever the
 * ranges, the lines must be disjoint inside and outside and stay in 32 bits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/userns/idmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t own;
	memcpy(&own, data, 4);
	data += 4;
	size -= 4;
	size_t n = size / 8;
	if (n > 512)
		n = 512;
	struct engine_id_range r[512];
	for (size_t i = 0; i < n; i++) {
		uint32_t s, c;
		memcpy(&s, data + 8 * i, 4);
		memcpy(&c, data + 8 * i + 4, 4);
		r[i] = (struct engine_id_range){ s, c };
	}
	static struct engine_idmap_range out[ENGINE_IDMAP_MAX];
	size_t lines = engine_idmap_compute(own, r, n, out, ENGINE_IDMAP_MAX);
	if (own == UINT32_MAX) {
		if (lines != 0)
			abort(); /* (uid_t)-1 must never be mapped */
		return 0;
	}
	if (lines == 0 || lines > ENGINE_IDMAP_MAX || out[0].host != own)
		abort();
	uint64_t next = 0;
	for (size_t i = 0; i < lines; i++) {
		if (out[i].count == 0 || out[i].container != next ||
		    (uint64_t)out[i].host + out[i].count > UINT32_MAX)
			abort();
		next += out[i].count;
		if (i > 0 && own >= out[i].host && own - out[i].host < out[i].count)
			abort(); /* the user's own id mapped twice */
	}
	char buf[ENGINE_IDMAP_MAX * 40];
	if (engine_idmap_format(out, lines, buf, sizeof(buf)) < 0)
		abort();
	return 0;
}
