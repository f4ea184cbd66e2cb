/* fuzz-mount-spec.c: libFuzzer harness for the -v, --mount, --tmpfs and
 * --device parsers (libengine/runtime/mount-spec.c).  The first byte picks the
 * parser, the rest is the spec.  An accepted spec must hold the promises
 * the mount code relies on (absolute target, no "..", a plain volume
 * name) and survive the config.json round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/runtime/mount-spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	char *spec = malloc(size);
	if (spec == NULL)
		return 0;
	memcpy(spec, data + 1, size - 1);
	spec[size - 1] = '\0';
	struct engine_mount m;
	memset(&m, 0, sizeof(m));
	struct engine_error *err = NULL;
	int r;
	switch (data[0] % 4) {
	case 0: r = engine_mount_parse_volume(spec, &m, &err); break;
	case 1: r = engine_mount_parse_mount(spec, &m, &err); break;
	case 2: r = engine_mount_parse_tmpfs(spec, &m, &err); break;
	default: r = engine_mount_parse_device(spec, &m, &err); break;
	}
	if (r == 0) {
		if (m.target == NULL || m.target[0] != '/' || strcmp(m.target, "/") == 0 ||
		    strstr(m.target, "/../") != NULL || strstr(m.target, "//") != NULL ||
		    (strlen(m.target) >= 3 && strcmp(m.target + strlen(m.target) - 3, "/..") == 0))
			abort();
		if (m.type == ENGINE_MOUNT_VOLUME && m.source != NULL &&
		    (strchr(m.source, '/') != NULL || m.source[0] == '.'))
			abort();
		json_t *j = engine_mount_to_json(&m);
		struct engine_mount back;
		memset(&back, 0, sizeof(back));
		if (m.type == ENGINE_MOUNT_VOLUME && m.source == NULL) {
			/* run names anonymous volumes before they are recorded */
		} else if (j == NULL || engine_mount_from_json(j, &back, &err) < 0 ||
			   strcmp(back.target, m.target) != 0 || back.type != m.type) {
			abort();
		}
		engine_mount_clear(&back);
		json_decref(j);
	} else if (err == NULL || strchr(err->msg, '\n') != NULL) {
		abort();
	}
	engine_error_free(&err);
	engine_mount_clear(&m);
	free(spec);
	return 0;
}
