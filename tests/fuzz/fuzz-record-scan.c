/* fuzz-record-scan.c: libFuzzer harness for the hand-written JSON scanner
 * (json-scan.c) and the record's fast path over it (libengine/container/record.c),
 * each checked against jansson on the same input.  Wherever both accept
 * the input:
 *   - json_scan_object finds the members jansson finds, each value's text
 *     parses to jansson's value, and json_scan_str/int/bool agree with it;
 *   - ps's walk of a config.json (engine_record_config_scan) fills the
 *     summary fields as the full reader does, and the walk of a state.json
 *     fills every field as the full reader does.
 * The scanner may refuse what jansson takes (its callers then parse in
 * full) and take what jansson refuses (it checks structure, not every
 * value it skips); it must never read the same document differently. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/container/record.h"
#include "libengine/container/containers.h"
#include "libengine/container/json-scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct members {
	json_t *expect; /* jansson's object */
	size_t seen;
};

static int check_member(void *opaque, const char *key, size_t kl, const char *v, size_t vl)
{
	struct members *m = opaque;
	/* The key as jansson decodes a string. */
	char *quoted = malloc(kl + 3);
	if (quoted == NULL)
		return 1;
	quoted[0] = '"';
	memcpy(quoted + 1, key, kl);
	quoted[kl + 1] = '"';
	quoted[kl + 2] = '\0';
	json_t *k = json_loadb(quoted, kl + 2, JSON_DECODE_ANY, NULL);
	free(quoted);
	if (!json_is_string(k))
		abort();
	json_t *want = json_object_get(m->expect, json_string_value(k));
	json_decref(k);
	json_t *got = json_loadb(v, vl, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (want == NULL || got == NULL || !json_equal(want, got))
		abort();
	json_decref(got);
	const char *s;
	size_t sl;
	int64_t i;
	bool b;
	if (json_scan_str(v, vl, &s, &sl) &&
	    (!json_is_string(want) || json_string_length(want) != sl || memcmp(json_string_value(want), s, sl) != 0))
		abort();
	if (json_scan_int(v, vl, &i) && (!json_is_integer(want) || json_integer_value(want) != i))
		abort();
	if (json_scan_bool(v, vl, &b) && (!json_is_boolean(want) || json_is_true(want) != b))
		abort();
	m->seen++;
	return 0;
}

static int skip_member(void *opaque, const char *key, size_t kl, const char *v, size_t vl)
{
	(void)opaque, (void)key, (void)kl, (void)v, (void)vl;
	return 0;
}

static void container_clear(struct engine_container *c)
{
	free(c->name);
	free(c->image);
	free(c->image_id);
	engine_run_spec_free(&c->spec);
	engine_error_free(&c->record_error);
	memset(c, 0, sizeof(*c));
}

/* The summary fields of both readings, as the writer puts them. */
static void compare_summary(struct engine_container *full, struct engine_container *scanned)
{
	static const char *const top[] = { "Name", "Created", "Image", "ImageID" };
	static const char *const spec[] = { "rootfs", "argv", "network", "storage_driver", "layers",
					    "labels", "ports" };
	json_t *a = engine_record_config_json(full), *b = engine_record_config_json(scanned);
	if (a == NULL || b == NULL)
		abort();
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (!json_equal(json_object_get(a, top[i]), json_object_get(b, top[i])))
			abort();
	json_t *sa = json_object_get(a, "Spec"), *sb = json_object_get(b, "Spec");
	for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
		if (!json_equal(json_object_get(sa, spec[i]), json_object_get(sb, spec[i])))
			abort();
	if (full->record_version != scanned->record_version)
		abort();
	json_decref(a);
	json_decref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	const char *text = (const char *)data;
	json_t *j = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
	struct members m = { .expect = j };
	/* Only what both accept is compared; a walk of anything must not
	 * crash or read outside the input. */
	int r = json_scan_object(text, size, json_is_object(j) ? check_member : skip_member, &m);
	if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	if (j != NULL && r == 0 && m.seen != json_object_size(j))
		abort();

	/* The record's walk against the record's reader. */
	struct engine_container full = { 0 }, scanned = { 0 };
	struct engine_error *err = NULL;
	if (engine_record_config_scan(text, size, &scanned) == 0 && j != NULL &&
	    engine_record_config_from_json(j, &full, &err) == 0 && full.record_error == NULL)
		compare_summary(&full, &scanned);
	engine_error_free(&err);
	container_clear(&full);
	container_clear(&scanned);

	struct engine_container_state st_full = { 0 }, st_scanned = { 0 };
	if (engine_record_state_scan(text, size, &st_scanned) == 0 && j != NULL) {
		engine_record_state_from_json(j, &st_full);
		if (memcmp(&st_full, &st_scanned, sizeof(st_full)) != 0)
			abort();
	}
	json_decref(j);
	return 0;
}
