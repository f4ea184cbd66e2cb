/* test-archive.c: docker-archive manifest.json parsing (storage) and the
 * Dockerfile instructions `import -c` applies to an image config
 * (libengine): the pure parts of save, load and import. */
#include <stdlib.h>
#include <string.h>

#include "storage/image-archive.h"
#include "libengine/image/change.h"
#include "libengine/image/image.h"
#include "fixtures.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

static void test_manifest_json(void)
{
	static const char docker[] =
		"[{\"Config\":\"abc.json\",\"RepoTags\":[\"busybox:latest\",\"x/y:1\"],"
		"\"Layers\":[\"l1/layer.tar\",\"l2/layer.tar\"]},"
		"{\"Config\":\"def.json\",\"RepoTags\":null,\"Layers\":[],\"Parent\":\"\"}]";
	struct storage_archive_image *imgs = NULL;
	size_t n = 0;
	struct engine_error *err = NULL;
	is_int(storage_archive_manifest_parse(docker, strlen(docker), &imgs, &n, &err), 0,
	       "docker save's manifest.json parses");
	is_int(n, 2, "two images");
	if (n == 2) {
		is_str(imgs[0].config, "abc.json", "Config");
		is_int(imgs[0].n_repo_tags, 2, "RepoTags");
		is_str(imgs[0].repo_tags[1], "x/y:1", "second tag");
		is_int(imgs[0].n_layers, 2, "Layers");
		is_str(imgs[0].layers[0], "l1/layer.tar", "bottom layer first");
		is_int(imgs[1].n_repo_tags, 0, "RepoTags null: none");
		is_int(imgs[1].n_layers, 0, "no layers");
	}
	storage_archive_images_free(imgs, n);

	/* Each manifest.json refused, with why. */
	static const struct text_case bad[] = {
		{ "{}", "an object" },
		{ "[]", "empty" },
		{ "[1]", "an entry that is no object" },
		{ "[{\"RepoTags\":[],\"Layers\":[]}]", "no Config" },
		{ "[{\"Config\":\"\",\"Layers\":[]}]", "empty Config" },
		{ "[{\"Config\":\"a\"}]", "no Layers" },
		{ "[{\"Config\":\"a\",\"Layers\":\"l\"}]", "Layers not an array" },
		{ "[{\"Config\":\"a\",\"Layers\":[1]}]", "a layer that is no string" },
		{ "[{\"Config\":\"a\",\"Layers\":[\"\"]}]", "an empty layer name" },
		{ "[{\"Config\":\"a\",\"Layers\":[],\"RepoTags\":{}}]", "RepoTags an object" },
		{ "[{\"Config\":\"a\",\"Config\":\"b\",\"Layers\":[]}]", "a duplicate key" },
		{ "[{\"Config\":\"a\",\"Layers\":[]}", "truncated JSON" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		imgs = NULL;
		n = 0;
		int r = storage_archive_manifest_parse(bad[i].input, strlen(bad[i].input), &imgs, &n, &err);
		ok(r < 0 && err != NULL && strncmp(err->msg, "manifest.json", 13) == 0 && imgs == NULL,
		   "refused: %s", bad[i].want);
		engine_error_free(&err);
	}

	/* Bounds: 1001 layers are too many. */
	size_t cap = 32 + 1001 * 6;
	char *big = malloc(cap);
	size_t used = (size_t)snprintf(big, cap, "[{\"Config\":\"a\",\"Layers\":[");
	for (int i = 0; i < 1001; i++)
		used += (size_t)snprintf(big + used, cap - used, "%s\"l\"", i ? "," : "");
	snprintf(big + used, cap - used, "]}]");
	ok(storage_archive_manifest_parse(big, strlen(big), &imgs, &n, &err) < 0 && err &&
		   strstr(err->msg, "more than 1000") != NULL,
	   "more than 1000 layers refused");
	engine_error_free(&err);
	free(big);

	enum storage_archive_format f;
	ok(storage_archive_format_parse("oci-archive", &f, NULL) == 0 && f == STORAGE_ARCHIVE_OCI,
	   "oci-archive");
	ok(storage_archive_format_parse("docker-archive", &f, NULL) == 0 && f == STORAGE_ARCHIVE_DOCKER,
	   "docker-archive");
	ok(storage_archive_format_parse("docker-dir", &f, &err) < 0, "docker-dir refused");
	engine_error_free(&err);
}

static const char *apply(json_t *cfg, const char *change)
{
	static char out[1024];
	struct engine_error *err = NULL;
	if (engine_image_config_change(cfg, change, &err) < 0) {
		cleanup_free char *msg = cmd_error_text(err);
		snprintf(out, sizeof(out), "error: %s", msg);
		engine_error_free(&err);
		return out;
	}
	char *s = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(out, sizeof(out), "%s", s ? s : "");
	free(s);
	return out;
}

static void test_changes(void)
{
	static const struct text_case cases[] = {
		{ "CMD [\"a\", \"b c\"]", "{\"Cmd\":[\"a\",\"b c\"]}" },
		{ "cmd echo hi", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"]}" },
		{ "ENTRYPOINT [\"/bin/tini\",\"--\"]", "{\"Entrypoint\":[\"/bin/tini\",\"--\"]}" },
		{ "CMD [not json", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[not json\"]}" },
		{ "ENV A=1 B=\"two words\" C=x\\ y", "{\"Env\":[\"A=1\",\"B=two words\",\"C=x y\"]}" },
		{ "ENV PATH /usr/bin:/bin", "{\"Env\":[\"PATH=/usr/bin:/bin\"]}" },
		{ "ENV NAME some long value", "{\"Env\":[\"NAME=some long value\"]}" },
		{ "LABEL a=b 'c d'=e", "{\"Labels\":{\"a\":\"b\",\"c d\":\"e\"}}" },
		{ "LABEL \"x y\"=z", "{\"Labels\":{\"x y\":\"z\"}}" },
		{ "EXPOSE 80 53/udp", "{\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}}}" },
		{ "VOLUME [\"/data\", \"/logs\"]", "{\"Volumes\":{\"/data\":{},\"/logs\":{}}}" },
		{ "VOLUME /a /b", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}" },
		{ "USER 1000:1000", "{\"User\":\"1000:1000\"}" },
		{ "WORKDIR /srv", "{\"WorkingDir\":\"/srv\"}" },
		{ "STOPSIGNAL SIGTERM", "{\"StopSignal\":\"SIGTERM\"}" },
		{ "RUN make", "error: RUN is not a Dockerfile instruction import can apply" },
		{ "WORKDIR srv", "error: WORKDIR srv: not an absolute path" },
		{ "CMD", "error: CMD requires at least one argument" },
		{ "ENV A=\"open", "error: ENV A=\"open: unterminated quote" },
		{ "EXPOSE http", "error: EXPOSE http: invalid port" },
		{ "", "error: --change \"\": expected a Dockerfile instruction" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *cfg = json_object();
		const char *got = apply(cfg, cases[i].input);
		if (strncmp(cases[i].want, "error: ", 7) == 0)
			ok(strncmp(got, cases[i].want, strlen(cases[i].want)) == 0, "%s -> %s", cases[i].input,
			   got);
		else
			is_str(got, cases[i].want, "%s", cases[i].input);
		json_decref(cfg);
	}
	/* A later ENV of a key replaces the earlier one. */
	json_t *cfg = json_object();
	apply(cfg, "ENV A=1 B=2");
	is_str(apply(cfg, "ENV A=3"), "{\"Env\":[\"B=2\",\"A=3\"]}", "ENV replaces a key");
	json_decref(cfg);
}

int main(void)
{
	test_manifest_json();
	test_changes();
	return done_testing();
}
