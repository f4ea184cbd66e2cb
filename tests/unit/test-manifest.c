/* test-manifest.c: manifest, index and image-config parsing, and platform
 * selection from an index. */
#include <stdlib.h>
#include <string.h>

#include "storage/manifest.h"
#include "common/cleanup.h"
#include "tap.h"

#define DA "sha256:1bdef5d4e5f70968b5ddbf4a4e61ff22a746f63fb501f91751875a27d71dd2c3"
#define DB "sha256:2bade162c8ea30f295f7a19d0ba790e93edcce9e8ffa90b6e4f445091021abe9"
#define DC "sha256:1b18bc70d602f923a49514154de9fa6428b1cc3ef8e2d29a19b5123f10d4016a"
#define DD "sha256:f3016f15ca3f4487f6641d4fedba3a573dbb4118cc64a43b3749d780510d00a2"
#define DE "sha256:846166f3318554555f94336aa2babc4c188c869d209143950ca125dc0e86d363"

static const char oci_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" DA
	"\",\"size\":400},"
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" DB
	"\",\"size\":1035282,\"annotations\":{\"org.example\":\"yes\"}}],"
	"\"annotations\":{\"org.opencontainers.image.created\":\"2023-11-14T22:13:20Z\"}}";

static const char docker_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
	"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":400,"
	"\"digest\":\"" DA "\"},"
	"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
	"\"size\":1035282,\"digest\":\"" DB "\"},"
	"{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":0,"
	"\"digest\":\"" DC "\"}]}";

/* No mediaType: allowed for OCI; recognised by shape. */
static const char oci_manifest_bare[] =
	"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA "\",\"size\":1},"
	"\"layers\":[]}";

static const char oci_index[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	"\"manifests\":["
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC
	"\",\"size\":406,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DD
	"\",\"size\":406,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","
	"\"variant\":\"v8\"}}]}";

/* A Docker list with arm variants, a 386 entry and a Windows one. */
static const char docker_list[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
	"\"manifests\":["
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" DA
	"\",\"size\":1,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v6\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" DB
	"\",\"size\":2,\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" DC
	"\",\"size\":3,\"platform\":{\"architecture\":\"386\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" DD
	"\",\"size\":4,\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\","
	"\"os.version\":\"10.0.17763.1\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" DE
	"\",\"size\":5,\"platform\":{\"architecture\":\"aarch64\",\"os\":\"linux\"}}]}";

static const char schema1[] =
	"{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"latest\",\"fsLayers\":[],\"history\":[]}";

static const char config_json[] =
	"{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
	"\"config\":{\"User\":\"1000:1000\",\"Env\":[\"PATH=/usr/bin:/bin\",\"A=b\"],"
	"\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":null,\"WorkingDir\":\"/srv\","
	"\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Volumes\":{\"/data\":{}},"
	"\"Labels\":{\"maintainer\":\"me\"},\"StopSignal\":\"SIGQUIT\"},"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DE "\",\"" DA "\"]},"
	"\"history\":[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"ADD x\"},"
	"{\"created_by\":\"ENV A=b\",\"empty_layer\":true}]}";

static int fails_with(int rc, struct engine_error **err, const char *needle)
{
	int good = rc < 0 && *err != NULL && strstr((*err)->msg, needle) != NULL;
	if (!good)
		printf("#   rc %d, error: %s (wanted \"%s\")\n", rc, *err ? (*err)->msg : "(none)",
		       needle);
	engine_error_free(err);
	return good;
}

static void manifest_refused(const char *json, const char *content_type, const char *needle,
			     const char *name)
{
	struct storage_manifest m = { 0 };
	struct engine_error *err = NULL;
	int rc = storage_manifest_parse(json, strlen(json), content_type, &m, &err);
	ok(fails_with(rc, &err, needle), "%s", name);
	storage_manifest_clear(&m);
}

static void test_manifests(void)
{
	struct storage_manifest m = { 0 };
	struct engine_error *err = NULL;

	ok(storage_manifest_parse(oci_manifest, strlen(oci_manifest),
				  "application/vnd.oci.image.manifest.v1+json", &m, &err) == 0,
	   "OCI manifest parses");
	is_int(m.kind, STORAGE_KIND_OCI_MANIFEST, "kind OCI manifest");
	is_str(m.config.digest, DA, "config digest");
	is_int(m.config.size, 400, "config size");
	is_int(m.n_layers, 1, "one layer");
	is_str(m.layers[0].digest, DB, "layer digest");
	is_int(m.layers[0].size, 1035282, "layer size");
	ok(m.layers[0].n_annotations == 1 && strcmp(m.layers[0].annotations[0].value, "yes") == 0,
	   "layer annotations");
	is_int(m.n_annotations, 1, "manifest annotations");
	storage_manifest_clear(&m);

	/* The Content-Type decides; parameters are ignored. */
	ok(storage_manifest_parse(docker_manifest, strlen(docker_manifest),
				  STORAGE_MEDIA_DOCKER_MANIFEST "; charset=utf-8", &m, &err) == 0,
	   "Docker schema2 manifest parses");
	is_int(m.kind, STORAGE_KIND_DOCKER_MANIFEST, "kind Docker schema2");
	is_int(m.n_layers, 2, "two layers");
	is_int(m.layers[1].size, 0, "a zero size is allowed");
	storage_manifest_clear(&m);

	/* Without a useful Content-Type the document's mediaType decides. */
	ok(storage_manifest_parse(docker_manifest, strlen(docker_manifest), "application/json", &m,
				  &err) == 0 &&
		   m.kind == STORAGE_KIND_DOCKER_MANIFEST,
	   "mediaType from the document when the header is generic");
	storage_manifest_clear(&m);
	ok(storage_manifest_parse(oci_manifest_bare, strlen(oci_manifest_bare), NULL, &m, &err) == 0 &&
		   m.kind == STORAGE_KIND_OCI_MANIFEST && m.n_layers == 0,
	   "OCI manifest without mediaType, recognised by shape");
	storage_manifest_clear(&m);

	enum storage_manifest_kind kind;
	ok(storage_manifest_detect(oci_index, strlen(oci_index), NULL, &kind, &err) == 0 &&
		   kind == STORAGE_KIND_OCI_INDEX,
	   "detect an index");
	manifest_refused(oci_index, NULL, "is an index", "an index is not a manifest");
	manifest_refused(schema1, NULL, "schema1", "schema1 refused (by schemaVersion)");
	manifest_refused(schema1, "application/vnd.docker.distribution.manifest.v1+prettyjws",
			 "schema1", "schema1 refused (by Content-Type)");
	manifest_refused("{\"schemaVersion\":2,\"mediaType\":"
			 "\"application/vnd.docker.distribution.manifest.v1+json\"}",
			 NULL, "schema1", "schema1 refused (by mediaType)");
	manifest_refused(oci_manifest, STORAGE_MEDIA_DOCKER_LIST, "does not match",
			 "mediaType contradicting the Content-Type");
	manifest_refused("{\"schemaVersion\":2,\"schemaVersion\":2,\"config\":{},\"layers\":[]}",
			 NULL, "duplicate", "duplicate keys refused");
	manifest_refused("{\"schemaVersion\":\"2\",\"config\":{},\"layers\":[]}", NULL,
			 "must be an integer", "schemaVersion as a string");
	manifest_refused("{\"schemaVersion\":3,\"config\":{},\"layers\":[]}", NULL,
			 "unsupported schemaVersion", "schemaVersion 3");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":\"400\"},\"layers\":[]}",
			 NULL, "\"size\" must be an integer", "size as a string");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":4.5},\"layers\":[]}",
			 NULL, "must be an integer", "size as a real");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":-1},\"layers\":[]}",
			 NULL, "negative size", "negative size");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":"
			 "\"sha256:../../etc\",\"size\":1},\"layers\":[]}",
			 NULL, "invalid digest", "bad config digest");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":1},\"layers\":[{\"mediaType\":\"x\",\"digest\":\"sha256:"
			 "AB\",\"size\":1}]}",
			 NULL, "layers[0]", "bad layer digest, named by position");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":1},\"layers\":{}}",
			 NULL, "\"layers\" must be an array", "layers as an object");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"digest\":\"" DA
			 "\",\"size\":1},\"layers\":[]}",
			 NULL, "\"mediaType\" is missing", "descriptor without mediaType");
	manifest_refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" DA
			 "\",\"size\":1},\"layers\":[],\"annotations\":{\"a\":1}}",
			 NULL, "must be a string", "annotation value not a string");
	manifest_refused("[1,2]", NULL, "not a JSON object", "an array is not a manifest");
	manifest_refused("{\"schemaVersion\":2", NULL, "invalid JSON", "truncated JSON");
	manifest_refused("{\"schemaVersion\":2,\"mediaType\":\"text/html\"}", NULL,
			 "unsupported mediaType", "unknown mediaType");

	/* Oversize: valid JSON padded past 4 MiB. */
	size_t big = STORAGE_MANIFEST_MAX + 16;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	memcpy(huge, oci_manifest, strlen(oci_manifest));
	huge[big] = '\0';
	int rc = storage_manifest_parse(huge, big, NULL, &m, &err);
	ok(fails_with(rc, &err, "more than"), "a manifest over 4 MiB is refused");
	storage_manifest_clear(&m);
	free(huge);
}

/* A platform and the entry of an index that serves it. */
struct selection {
	const char *os, *architecture, *variant, *digest, *what;
};

static void selects(const struct storage_index *idx, const struct selection *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct selection *c = &cases[i];
		const struct storage_descriptor *d = NULL;
		struct engine_error *err = NULL;
		ok(storage_index_select(idx, c->os, c->architecture, c->variant, &d, &err) == 0 &&
			   strcmp(d->digest, c->digest) == 0,
		   "%s", c->what);
		engine_error_free(&err);
	}
}

/* Names the OCI index's platforms go by. */
static const struct selection oci_index_selections[] = {
	{ "linux", "aarch64", "8", DD, "aarch64 and variant 8 normalised" },
	{ "linux", "x86_64", NULL, DC, "x86_64 normalised to amd64" },
};

/* The Docker list: arm variants, fallbacks, other operating systems. */
static const struct selection docker_list_selections[] = {
	{ "linux", "arm", "v7", DB, "arm/v7 picks the v7 entry over v6" },
	{ "linux", "arm", NULL, DB, "arm with no variant means v7" },
	{ "linux", "arm", "v6", DA, "arm/v6 picks v6" },
	{ "linux", "arm64", "v8", DE, "arm64/v8 matches an entry without variant" },
	{ "linux", "amd64", NULL, DC,
	  "amd64 falls back to 386 (the windows/amd64 entry is not linux)" },
	{ "windows", "amd64", NULL, DD, "windows/amd64" },
};

/* The index of arm/v7 and a platform-less entry. */
static const struct selection arm_only_selections[] = {
	{ "linux", "arm64", NULL, DA, "arm64 runs arm/v7, preferred to a platform-less entry" },
	{ "linux", "amd64", NULL, DB, "a platform-less entry is the last resort" },
};

static void test_indexes(void)
{
	struct storage_index idx = { 0 };
	struct engine_error *err = NULL;
	const struct storage_descriptor *d = NULL;

	ok(storage_index_parse(oci_index, strlen(oci_index), STORAGE_MEDIA_OCI_INDEX, &idx, &err) ==
		   0,
	   "OCI index parses");
	is_int(idx.kind, STORAGE_KIND_OCI_INDEX, "kind OCI index");
	is_int(idx.n_manifests, 2, "two entries");
	ok(idx.manifests[1].has_platform, "entries have platforms");
	is_str(idx.manifests[1].platform.variant, "v8", "variant kept");

	ok(storage_index_select(&idx, "linux", "amd64", NULL, &d, &err) == 0, "select amd64");
	is_str(d ? d->digest : NULL, DC, "amd64 entry");
	ok(storage_index_select(&idx, "linux", "arm64", NULL, &d, &err) == 0,
	   "select arm64 with no variant");
	is_str(d ? d->digest : NULL, DD, "arm64 means arm64/v8");
	selects(&idx, oci_index_selections, ARRAY_SIZE(oci_index_selections));
	int rc = storage_index_select(&idx, "linux", "arm", "v7", &d, &err);
	if (err)
		printf("#   %s\n", err->msg);
	ok(fails_with(rc, &err, "available: linux/amd64, linux/arm64/v8"),
	   "no match lists the available platforms");
	rc = storage_index_select(&idx, "windows", "amd64", NULL, &d, &err);
	ok(fails_with(rc, &err, "no image for windows/amd64"), "the OS must match");
	rc = storage_index_select(&idx, "linux", "riscv64", NULL, &d, &err);
	ok(fails_with(rc, &err, "linux/riscv64"), "riscv64: no match");
	storage_index_clear(&idx);

	ok(storage_index_parse(docker_list, strlen(docker_list), NULL, &idx, &err) == 0,
	   "Docker manifest list parses");
	is_int(idx.kind, STORAGE_KIND_DOCKER_LIST, "kind Docker list");
	is_str(idx.manifests[3].platform.os_version, "10.0.17763.1", "os.version kept");
	is_str(idx.manifests[4].platform.architecture, "arm64", "aarch64 normalised at parse");
	selects(&idx, docker_list_selections, ARRAY_SIZE(docker_list_selections));
	rc = storage_index_select(&idx, "linux", "arm", "v5", &d, &err);
	ok(fails_with(rc, &err, "linux/arm/v6, linux/arm/v7, linux/386"),
	   "arm/v5 cannot run v6: error lists what there is");
	storage_index_clear(&idx);

	/* arm64 may run 32-bit arm when nothing better is there. */
	const char arm_only[] =
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" STORAGE_MEDIA_OCI_MANIFEST
		"\",\"digest\":\"" DA "\",\"size\":1,\"platform\":{\"architecture\":\"arm\","
		"\"os\":\"linux\",\"variant\":\"v7\"}},{\"mediaType\":\"" STORAGE_MEDIA_OCI_MANIFEST
		"\",\"digest\":\"" DB "\",\"size\":1}]}";
	ok(storage_index_parse(arm_only, strlen(arm_only), NULL, &idx, &err) == 0,
	   "index without mediaType, one entry without platform");
	selects(&idx, arm_only_selections, ARRAY_SIZE(arm_only_selections));
	storage_index_clear(&idx);

	struct storage_manifest m;
	(void)m;
	ok(storage_index_parse(oci_manifest, strlen(oci_manifest), NULL, &idx, &err) < 0 &&
		   err && strstr(err->msg, "not an index"),
	   "a manifest is not an index");
	engine_error_free(&err);
	const char bad_platform[] =
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" DA
		"\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]}";
	rc = storage_index_parse(bad_platform, strlen(bad_platform), NULL, &idx, &err);
	ok(fails_with(rc, &err, "manifests[0].platform: \"architecture\" is missing"),
	   "a platform needs an architecture");
}

static void test_config(void)
{
	struct storage_image_config c = { 0 };
	struct engine_error *err = NULL;
	ok(storage_image_config_parse(config_json, strlen(config_json), &c, &err) == 0,
	   "image config parses");
	if (err)
		printf("#   %s\n", err->msg);
	is_str(c.architecture, "amd64", "architecture");
	is_str(c.os, "linux", "os");
	is_str(c.created, "2023-11-14T22:13:20Z", "created");
	is_str(c.user, "1000:1000", "User");
	is_str(c.working_dir, "/srv", "WorkingDir");
	is_str(c.stop_signal, "SIGQUIT", "StopSignal");
	ok(c.env && strcmp(c.env[0], "PATH=/usr/bin:/bin") == 0 && strcmp(c.env[1], "A=b") == 0 &&
		   c.env[2] == NULL,
	   "Env");
	ok(c.entrypoint && strcmp(c.entrypoint[1], "-c") == 0 && c.entrypoint[2] == NULL,
	   "Entrypoint");
	ok(c.cmd == NULL, "Cmd null means absent");
	ok(c.exposed_ports && c.exposed_ports[0] && c.exposed_ports[1] && !c.exposed_ports[2],
	   "ExposedPorts keys");
	ok(c.volumes && strcmp(c.volumes[0], "/data") == 0, "Volumes keys");
	ok(c.n_labels == 1 && strcmp(c.labels[0].key, "maintainer") == 0, "Labels");
	is_int(c.n_diff_ids, 2, "two diff_ids");
	is_str(c.diff_ids[0], DE, "diff_ids[0]");
	is_int(c.n_history, 2, "history");
	ok(!c.history[0].empty_layer && c.history[1].empty_layer, "empty_layer");
	storage_image_config_clear(&c);

	const char minimal[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":null}";
	ok(storage_image_config_parse(minimal, strlen(minimal), &c, &err) == 0 &&
		   c.n_diff_ids == 0 && c.env == NULL,
	   "a minimal config");
	storage_image_config_clear(&c);
	const char emptycmd[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
				"\"config\":{\"Cmd\":[]}}";
	ok(storage_image_config_parse(emptycmd, strlen(emptycmd), &c, &err) == 0 && c.cmd &&
		   c.cmd[0] == NULL,
	   "an empty Cmd differs from none");
	storage_image_config_clear(&c);

	struct {
		const char *json, *needle, *name;
	} bad[] = {
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:abc\"]}}", "diff_ids[0]",
		  "bad diff_id" },
		{ "{\"config\":{}}", "\"rootfs\" is missing", "rootfs required" },
		{ "{\"rootfs\":{\"type\":\"zfs\",\"diff_ids\":[]}}", "unsupported type",
		  "rootfs type" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":\"A=b\"}}",
		  "\"Env\" must be an array", "Env as a string" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Cmd\":[1]}}",
		  "\"Cmd\"[0] must be a string", "Cmd with a number" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"User\":0}}",
		  "\"User\" must be a string", "User as a number" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Labels\":"
		  "{\"a\":true}}}",
		  "must be a string", "label value as a boolean" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"ExposedPorts\":"
		  "{\"80\":1}}}",
		  "must be an object", "ExposedPorts value" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"empty_layer\":"
		  "\"yes\"}]}",
		  "must be a boolean", "empty_layer as a string" },
		{ "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":\"linux\",\"os\":\"x\"}",
		  "duplicate", "duplicate keys" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = storage_image_config_parse(bad[i].json, strlen(bad[i].json), &c, &err);
		ok(fails_with(rc, &err, bad[i].needle), "config refused: %s", bad[i].name);
		storage_image_config_clear(&c);
	}
}

static void test_platforms(void)
{
	struct storage_platform p = { 0 };
	struct engine_error *err = NULL;
	char *s = NULL;
	ok(storage_platform_host(&p, &err) == 0 && p.os && p.architecture, "host platform");
	storage_platform_format(&p, &s);
	printf("# this machine: %s\n", s);
	ok(strcmp(p.architecture, "x86_64") != 0 && strcmp(p.architecture, "aarch64") != 0,
	   "host platform uses GOARCH names");
	free(s);
	storage_platform_clear(&p);

	ok(storage_platform_parse("linux/arm64/v8", &p, &err) == 0, "parse linux/arm64/v8");
	storage_platform_format(&p, &s);
	is_str(s, "linux/arm64/v8", "format");
	free(s);
	storage_platform_clear(&p);
	ok(storage_platform_parse("linux/x86_64", &p, &err) == 0 &&
		   strcmp(p.architecture, "amd64") == 0 && p.variant == NULL,
	   "x86_64 -> amd64");
	storage_platform_clear(&p);
	ok(storage_platform_parse("linux/armhf", &p, &err) == 0 &&
		   strcmp(p.architecture, "arm") == 0 && strcmp(p.variant, "v7") == 0,
	   "armhf -> arm/v7");
	storage_platform_clear(&p);
	int rc = storage_platform_parse("linux", &p, &err);
	ok(fails_with(rc, &err, "OS/ARCH"), "linux alone refused");
	rc = storage_platform_parse("linux/amd64/v2/x", &p, &err);
	ok(fails_with(rc, &err, "OS/ARCH"), "four parts refused");
	rc = storage_platform_parse("linux//amd64", &p, &err);
	ok(fails_with(rc, &err, "OS/ARCH"), "empty part refused");
	rc = storage_platform_parse("linux/am d64", &p, &err);
	ok(fails_with(rc, &err, "bad character"), "bad character refused");
}

int main(void)
{
	test_manifests();
	test_indexes();
	test_config();
	test_platforms();
	return done_testing();
}
