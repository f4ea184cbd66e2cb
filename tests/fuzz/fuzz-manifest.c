/* fuzz-manifest.c: libFuzzer harness for what a registry sends us: the
 * input is parsed as an image manifest, an index (then a platform is
 * selected from it, for several machines) and an image config.  Its first
 * line is also tried as an image reference and as a --platform value,
 * since those parsers guard the same URLs and paths. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/manifest.h"
#include "storage/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct engine_error *err = NULL;
	/* The Content-Type a registry might send, chosen by the input's size
	 * so both the header and the document paths are exercised. */
	static const char *content_types[] = {
		NULL,
		"application/json",
		STORAGE_MEDIA_OCI_MANIFEST,
		STORAGE_MEDIA_DOCKER_LIST "; charset=utf-8",
	};
	const char *content_type = content_types[size % 4];

	enum storage_manifest_kind kind;
	storage_manifest_detect(buf, size, content_type, &kind, &err);
	engine_error_free(&err);

	struct storage_manifest m = { 0 };
	storage_manifest_parse(buf, size, content_type, &m, &err);
	engine_error_free(&err);
	storage_manifest_clear(&m);

	struct storage_index idx = { 0 };
	if (storage_index_parse(buf, size, NULL, &idx, &err) == 0) {
		static const char *platforms[][3] = {
			{ "linux", "amd64", NULL },  { "linux", "arm64", NULL },
			{ "linux", "arm", "v7" },    { "linux", "arm", "v5" },
			{ "windows", "amd64", NULL }, { "linux", "riscv64", "" },
		};
		for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
			const struct storage_descriptor *d = NULL;
			if (storage_index_select(&idx, platforms[i][0], platforms[i][1],
						 platforms[i][2], &d, &err) == 0 &&
			    (d < idx.manifests || d >= idx.manifests + idx.n_manifests))
				__builtin_trap(); /* must point into the index */
			engine_error_free(&err);
		}
	}
	engine_error_free(&err);
	storage_index_clear(&idx);

	struct storage_image_config config = { 0 };
	storage_image_config_parse(buf, size, &config, &err);
	engine_error_free(&err);
	storage_image_config_clear(&config);

	char line[512];
	const char *nl = memchr(buf, '\n', size);
	size_t l = nl ? (size_t)(nl - buf) : size;
	if (l < sizeof(line)) {
		memcpy(line, buf, l);
		line[l] = '\0';
		struct storage_reference ref = { 0 };
		if (storage_reference_parse(line, &ref, &err) == 0) {
			char *text = NULL;
			if (storage_reference_format(&ref, &text) == 0) {
				/* The canonical form must parse to the same thing. */
				struct storage_reference again = { 0 };
				if (storage_reference_parse(text, &again, &err) < 0 ||
				    strcmp(again.registry, ref.registry) != 0 ||
				    strcmp(again.repository, ref.repository) != 0)
					__builtin_trap();
				storage_reference_clear(&again);
				free(text);
			}
		}
		engine_error_free(&err);
		storage_reference_clear(&ref);
		struct storage_platform p = { 0 };
		storage_platform_parse(line, &p, &err);
		engine_error_free(&err);
		storage_platform_clear(&p);
	}
	return 0;
}
