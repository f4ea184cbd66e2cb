/* unpack.c: how a layer of an image is unpacked, decided in one
 * place.  Pull, load, import and commit each unpack layers inside the user
 * namespace helper; when each built its own options they drifted (only
 * pull honoured the size bound, so a gzip bomb refused by pull was
 * unpacked in full by load), so they all take them from here. */
#include "libengine/image/unpack.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

/* ENGINE_MAX_LAYER_SIZE: the bound on a layer's uncompressed size, in
 * bytes.  The default (64 GiB) is right for real images but far too big to
 * show in a test that a gzip bomb fails, and an operator may want a lower
 * one.  Parsed strictly (decimal digits only, no sign, no suffix, no
 * overflow, not 0): a typo must not silently lift the bound. */
static int max_layer_size_from_env(uint64_t *ret, struct engine_error **err)
{
	const char *v = getenv("ENGINE_MAX_LAYER_SIZE");
	*ret = 0;
	if (v == NULL || v[0] == '\0')
		return 0;
	uint64_t n = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			break;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0' || n == 0)
		return engine_error_set(err, EINVAL,
					"ENGINE_MAX_LAYER_SIZE=%.64s: expected a number of bytes between 1 "
					"and %" PRIu64,
					v, UINT64_MAX);
	*ret = n;
	return 0;
}

int engine_image_unpack_options(const struct engine_idmap *map, struct storage_unpack_options *ret,
				struct engine_error **err)
{
	uint64_t max_layer_bytes;
	if (max_layer_size_from_env(&max_layer_bytes, err) < 0)
		return -1;
	bool rootless = map->mode != ENGINE_IDMAP_ROOT;
	/* What overlay reads, owners within the mapping. */
	*ret = (struct storage_unpack_options){
		.whiteouts = rootless ? STORAGE_WHITEOUT_OVERLAY_USER : STORAGE_WHITEOUT_OVERLAY_TRUSTED,
		.rootless = rootless,
		.mapped_ids = rootless ? engine_idmap_total(map->uids, map->n_uids) : 0,
		.ignore_chown_errors = map->mode == ENGINE_IDMAP_SINGLE,
		.max_bytes = max_layer_bytes,
	};
	return 0;
}
