/* test-record.c: the container record (libengine/container/record.c).  A record
 * the previous release wrote (tests/integration/fixtures/record-v0)
 * loads, as the full record and as ps's summary, and gives back what was
 * created; written again it carries "version" and enums as strings, and
 * reads back the same; a value this engine cannot read keeps the rest readable and
 * stops only start. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/container/record.h"
#include "libengine/container/containers.h"
#include "common/fs.h"
#include "fixtures.h"
#include "tap.h"

#define FIXTURE_ID "7b2d5fe89bb8de5fa26b547494f23ac97a03a4de49609e05ce32ecd366716546"

static char *read_fixture(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/integration/fixtures/record-v0/%s", TEST_SOURCE_DIR, name);
	char *buf = NULL;
	size_t len = 0;
	struct engine_error *err = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 1 << 20, &buf, &len, &err) < 0) {
		ok(0, "read %s: %s", path, err ? err->msg : "");
		engine_error_free(&err);
		return NULL;
	}
	return buf;
}

/* TEXT with every @KEY@ replaced by VALUE. */
static char *replace(const char *text, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value), n = 0;
	for (const char *p = strstr(text, key); p != NULL; p = strstr(p + kl, key))
		n++;
	char *out = malloc(strlen(text) + n * vl + 1), *o = out;
	for (const char *p = text; out != NULL;) {
		const char *hit = strstr(p, key);
		size_t l = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(o, p, l);
		o += l;
		if (hit == NULL)
			break;
		memcpy(o, value, vl);
		o += vl;
		p = hit + kl;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

static void write_at(int dirfd, const char *rel, const char *text)
{
	int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", rel);
	close(fd);
}

static bool has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* What the fixture's create asked for, in C. */
static void check_fixture(const struct engine_container *c, const char *what)
{
	is_str(c->id, FIXTURE_ID, "%s: id", what);
	is_str(c->name, "record-v0", "%s: name", what);
	is_str(c->image, "127.0.0.1:5000/busybox:latest", "%s: image", what);
	is_str(c->image_id, "1bdef5d4e5f70968b5ddbf4a4e61ff22a746f63fb501f91751875a27d71dd2c3",
	       "%s: image id", what);
	is_int(c->created_ns, 1796680327167781290LL, "%s: created", what);
	ok(c->argv != NULL && c->argv[0] != NULL && strcmp(c->argv[0], "sleep") == 0 &&
		   c->argv[1] != NULL && strcmp(c->argv[1], "4711") == 0 && c->argv[2] == NULL,
	   "%s: the command", what);
	is_int(c->spec.network, NETNS_MODE_NONE, "%s: --network none, stored as 1", what);
	is_int(c->spec.storage_driver, STORAGE_DRIVER_OVERLAY, "%s: the driver, stored as 1", what);
	is_int(c->spec.n_layers, 1, "%s: one layer", what);
	is_str(engine_label_get(&c->spec, "fixture") ?: "(none)", "v0", "%s: the label", what);
	is_int(c->state.status, ENGINE_CONTAINER_CREATED, "%s: created", what);
	is_int(c->record_version, 0, "%s: version 0", what);
}

static void check_loaded(struct storage_store *store, const char *root, struct engine_container *c);

static void test_fixture(void)
{
	char root[] = "/var/tmp/test-record-XXXXXX";
	ok(mkdtemp(root) != NULL, "store dir");
	cleanup_free char *config = read_fixture("config.json");
	cleanup_free char *state = read_fixture("state.json");
	cleanup_free char *c1 = config ? replace(config, "@STORE_ROOT@", root) : NULL;
	cleanup_free char *c2 = c1 ? replace(c1, "@RUN_ROOT@", "/run/test-record") : NULL;
	ok(c2 != NULL && state != NULL, "the fixture");
	if (c2 == NULL || state == NULL)
		return;
	struct storage_store *store = NULL;
	struct engine_error *err = NULL;
	ok(storage_store_open(root, &store, &err) == 0, "open the store");
	ok(mkdirat(store->rootfd, "containers/" FIXTURE_ID, 0700) == 0, "the container's directory");
	ok(mkdirat(store->rootfd, "container-names", 0700) == 0 || errno == EEXIST, "names");
	write_at(store->rootfd, "containers/" FIXTURE_ID "/config.json", c2);
	write_at(store->rootfd, "containers/" FIXTURE_ID "/state.json", state);
	write_at(store->rootfd, "container-names/record-v0", FIXTURE_ID);

	struct engine_container *c = NULL;
	ok(engine_container_get(store, "record-v0", &c, &err) == 0, "get by name: %s",
	   err ? err->msg : "");
	if (c != NULL)
		check_loaded(store, root, c);
	engine_container_free(c);
	engine_error_free(&err);
	storage_store_close(store);
	clean_up_tree(root);
}

/* The fixture as loaded in C, as ps lists it, as written again. */
static void check_loaded(struct storage_store *store, const char *root, struct engine_container *c)
{
	struct engine_error *err = NULL;
	check_fixture(c, "full");
	ok(c->record_error == NULL, "every value read");
	ok(c->spec.stop_timeout_set && c->spec.stop_timeout == 3, "--stop-timeout 3");
	ok(has(c->spec.env, c->spec.n_env, "FIXTURE=1"), "the environment");
	is_str(c->spec.store_root ?: "", root, "the store root");
	is_int(c->spec.slirp.mtu, 65520, "slirp4netns's options");
	struct engine_run_spec spec = { 0 };
	ok(engine_container_spec(c, &spec, &err) == 0, "the spec to start: %s", err ? err->msg : "");
	is_str(spec.id, FIXTURE_ID, "the spec's id");
	is_str(spec.image ?: "", "127.0.0.1:5000/busybox:latest", "the spec's image");
	ok(spec.argv != NULL && spec.n_layers == 1 && spec.network == NETNS_MODE_NONE,
	   "the spec's command, layers and network");
	engine_run_spec_free(&spec);

	/* ps's walk of the same text. */
	struct engine_container **sum = NULL;
	size_t n = 0;
	ok(engine_container_list_running(store, false, &sum, &n, &err) == 0 && n == 1, "summary");
	if (n == 1) {
		check_fixture(sum[0], "summary");
		ok(sum[0]->summary, "marked a summary");
		ok(engine_container_spec(sum[0], &spec, &err) < 0, "a summary is not a spec to start");
		engine_error_free(&err);
	}
	for (size_t i = 0; i < n; i++)
		engine_container_free(sum[i]);
	free(sum);

	/* Written by this engine: versioned, enums by name, read back the same. */
	cleanup_json json_t *j = engine_record_config_json(c);
	json_t *s = json_object_get(j, "Spec");
	is_int(json_integer_value(json_object_get(j, "version")), ENGINE_RECORD_VERSION, "version");
	is_str(json_string_value(json_object_get(s, "network")) ?: "", "none", "network by name");
	is_str(json_string_value(json_object_get(s, "storage_driver")) ?: "", "overlay",
	       "driver by name");
	struct engine_container back = { 0 };
	ok(engine_record_config_from_json(j, &back, &err) == 0 && back.record_error == NULL,
	   "read back");
	snprintf(back.id, sizeof(back.id), "%s", c->id);
	back.argv = back.spec.argv;
	cleanup_json json_t *j2 = engine_record_config_json(&back);
	ok(json_equal(j, j2), "the same record again");
	is_int(back.record_version, ENGINE_RECORD_VERSION, "read as version 1");
	engine_run_spec_free(&back.spec);
	free(back.name);
	free(back.image);
	free(back.image_id);

	/* A record with a network this engine does not know: listed, not run. */
	json_object_set_new(s, "network", json_string("quantum"));
	struct engine_container odd = { 0 };
	ok(engine_record_config_from_json(j, &odd, &err) == 0 && odd.record_error != NULL &&
		   strstr(odd.record_error->msg, "network") != NULL,
	   "an unknown enum value is kept as the record's error");
	is_str(odd.name ?: "", "record-v0", "the rest still read");
	ok(engine_container_spec(&odd, &spec, &err) < 0 && err != NULL, "start refuses it");
	engine_error_free(&err);
	engine_error_free(&odd.record_error);
	engine_run_spec_free(&odd.spec);
	free(odd.name);
	free(odd.image);
	free(odd.image_id);
}

/* state.json: the status by name, every field back, the old integers. */
static void test_state(void)
{
	struct engine_container_state st = {
		.status = ENGINE_CONTAINER_RESTARTING, .pid = 12, .pid_start = 1ULL << 40,
		.monitor_pid = 13, .exit_code = -1, .started_ns = 5, .finished_ns = 6,
		.removing = true, .restart_count = 2, .cgroup_manager = "systemd",
		.cgroup_path = "/a/b", .oom_killed = true,
	};
	cleanup_json json_t *j = engine_record_state_json(&st);
	is_str(json_string_value(json_object_get(j, "Status")) ?: "", "restarting", "status by name");
	ok(json_object_get(j, "CgroupUnit") == NULL, "an empty cgroup unit is left out");
	struct engine_container_state back = { 0 };
	engine_record_state_from_json(j, &back);
	ok(memcmp(&st, &back, sizeof(st)) == 0, "read back whole");
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);
	struct engine_container_state scanned = { 0 };
	ok(text != NULL && engine_record_state_scan(text, strlen(text), &scanned) == 0 &&
		   memcmp(&st, &scanned, sizeof(st)) == 0,
	   "the scanner reads the same");
	json_object_set_new(j, "Status", json_integer(ENGINE_CONTAINER_EXITED));
	memset(&back, 0, sizeof(back));
	engine_record_state_from_json(j, &back);
	is_int(back.status, ENGINE_CONTAINER_EXITED, "a status stored as an integer");
}

int main(void)
{
	test_fixture();
	test_state();
	return done_testing();
}
