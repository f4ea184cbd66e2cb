/* manifest.c: parse manifests, indexes and image configs.
 *
 * These documents come from a registry we may not trust, so the parsers are
 * strict where strictness protects us (size bound, duplicate keys refused,
 * every field we use type-checked, every digest validated) and lenient only
 * where the real world needs it (fields we do not use are ignored, JSON null
 * stands for "absent" in image configs because Docker writes it).
 * Platforms (their names and picking one from an index) are
 * manifest-platform.c's. */
#include "storage/manifest.h"
#include "storage/manifest-platform.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

/* ------------------------------------------------------------ JSON helpers */

static int load_document(const char *buf, size_t len, const char *what, json_t **ret,
			 struct engine_error **err)
{
	if (len > STORAGE_MANIFEST_MAX)
		return engine_error_set(err, EFBIG, "%s: %zu bytes, more than the %u allowed", what,
					len, STORAGE_MANIFEST_MAX);
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return engine_error_set(err, EINVAL, "%s: invalid JSON at line %d column %d: %s",
					what, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return engine_error_set(err, EINVAL, "%s: not a JSON object", what);
	}
	*ret = root;
	return 0;
}

/* OBJ[KEY] when it has type TYPE (JSON_TRUE stands for either boolean).
 * Returns 1 and sets *out when present, 0 when absent (or null and
 * NULL_IS_ABSENT), -EINVAL when REQUIRED and absent or of another type. */
static int member(json_t *obj, const char *key, json_type type, bool required,
		  bool null_is_absent, const char *ctx, json_t **out, struct engine_error **err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL; /* on every path, errors too: callers test the result */
	if (v == NULL || (null_is_absent && json_is_null(v))) {
		if (required)
			return engine_error_set(err, EINVAL, "%s: \"%s\" is missing", ctx, key);
		return 0;
	}
	bool good = type == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == type;
	if (!good)
		return engine_error_set(err, EINVAL, "%s: \"%s\" must be %s, not %s", ctx, key,
					engine_json_type_name(type), engine_json_type_name(json_typeof(v)));
	*out = v;
	return 1;
}

/* A string member copied to *ret (left NULL when absent). */
static int get_string(json_t *obj, const char *key, bool required, const char *ctx, char **ret,
		      struct engine_error **err)
{
	json_t *v = NULL;
	int r = member(obj, key, JSON_STRING, required, !required, ctx, &v, err);
	if (r <= 0)
		return r;
	char *s = strdup(json_string_value(v));
	if (s == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	free(*ret);
	*ret = s;
	return 0;
}

static void kv_free(struct storage_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* An array of strings as a NULL-terminated vector; NULL when absent/null. */
static int get_strv(json_t *obj, const char *key, const char *ctx, char ***ret, size_t *ret_n,
		    struct engine_error **err)
{
	json_t *a;
	int r = member(obj, key, JSON_ARRAY, false, true, ctx, &a, err);
	if (r <= 0)
		return r;
	size_t n = json_array_size(a);
	char **v = calloc(n + 1, sizeof(char *));
	if (v == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(a, i);
		if (!json_is_string(e)) {
			engine_strv_free(v);
			return engine_error_set(err, EINVAL, "%s: \"%s\"[%zu] must be a string, not %s",
						ctx, key, i, engine_json_type_name(json_typeof(e)));
		}
		v[i] = strdup(json_string_value(e));
		if (v[i] == NULL) {
			engine_strv_free(v);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
	}
	*ret = v;
	if (ret_n != NULL)
		*ret_n = n;
	return 0;
}

/* The keys of an object ({"80/tcp": {}}) as a vector; the values must be
 * objects, as Docker writes them. */
static int get_keys(json_t *obj, const char *key, const char *ctx, char ***ret,
		    struct engine_error **err)
{
	json_t *o;
	int r = member(obj, key, JSON_OBJECT, false, true, ctx, &o, err);
	if (r <= 0)
		return r;
	char **v = calloc(json_object_size(o) + 1, sizeof(char *));
	if (v == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	size_t i = 0;
	const char *k;
	json_t *val;
	json_object_foreach(o, k, val) {
		if (!json_is_object(val)) {
			engine_strv_free(v);
			return engine_error_set(err, EINVAL, "%s: \"%s\".\"%s\" must be an object",
						ctx, key, k);
		}
		v[i] = strdup(k);
		if (v[i++] == NULL) {
			engine_strv_free(v);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
	}
	*ret = v;
	return 0;
}

/* An object of strings (annotations, labels). */
static int get_kv(json_t *obj, const char *key, const char *ctx, struct storage_kv **ret,
		  size_t *ret_n, struct engine_error **err)
{
	json_t *o;
	int r = member(obj, key, JSON_OBJECT, false, true, ctx, &o, err);
	if (r <= 0)
		return r;
	size_t n = json_object_size(o), i = 0;
	struct storage_kv *kv = calloc(n ? n : 1, sizeof(*kv));
	if (kv == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *k;
	json_t *val;
	json_object_foreach(o, k, val) {
		if (!json_is_string(val)) {
			kv_free(kv, i);
			return engine_error_set(err, EINVAL, "%s: \"%s\".\"%s\" must be a string, not %s",
						ctx, key, k, engine_json_type_name(json_typeof(val)));
		}
		kv[i].key = strdup(k);
		kv[i].value = strdup(json_string_value(val));
		i++;
		if (kv[i - 1].key == NULL || kv[i - 1].value == NULL) {
			kv_free(kv, i);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
	}
	*ret = kv;
	*ret_n = n;
	return 0;
}

/* ------------------------------------------------------------ descriptors */

static void descriptor_clear(struct storage_descriptor *d)
{
	free(d->media_type);
	storage_platform_clear(&d->platform);
	kv_free(d->annotations, d->n_annotations);
	*d = (struct storage_descriptor){ 0 };
}

static void descriptors_free(struct storage_descriptor *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		descriptor_clear(&v[i]);
	free(v);
}

static int parse_platform(json_t *o, const char *ctx, struct storage_platform *ret,
			  struct engine_error **err)
{
	struct storage_platform p = { 0 };
	int r = get_string(o, "architecture", true, ctx, &p.architecture, err);
	if (r == 0)
		r = get_string(o, "os", true, ctx, &p.os, err);
	if (r == 0)
		r = get_string(o, "variant", false, ctx, &p.variant, err);
	if (r == 0)
		r = get_string(o, "os.version", false, ctx, &p.os_version, err);
	if (r == 0 && storage_platform_normalize(&p) < 0)
		r = engine_error_set(err, ENOMEM, "out of memory");
	if (r < 0) {
		storage_platform_clear(&p);
		return r;
	}
	*ret = p;
	return 0;
}

static int parse_descriptor(json_t *o, const char *ctx, bool want_platform,
			    struct storage_descriptor *ret, struct engine_error **err)
{
	if (!json_is_object(o))
		return engine_error_set(err, EINVAL, "%s: must be an object, not %s", ctx,
					engine_json_type_name(json_typeof(o)));
	struct storage_descriptor d = { 0 };
	json_t *v;
	int r = get_string(o, "mediaType", true, ctx, &d.media_type, err);
	if (r == 0)
		r = member(o, "digest", JSON_STRING, true, false, ctx, &v, err);
	if (r >= 0) {
		struct engine_error *derr = NULL;
		const char *digest = json_string_value(v);
		r = storage_digest_validate(digest, &derr);
		if (r < 0) {
			engine_error_set(err, EINVAL, "%s: %s", ctx, derr->msg);
			engine_error_free(&derr);
		} else {
			snprintf(d.digest, sizeof(d.digest), "%s", digest);
		}
	}
	if (r >= 0)
		r = member(o, "size", JSON_INTEGER, true, false, ctx, &v, err);
	if (r >= 0) {
		d.size = (int64_t)json_integer_value(v);
		if (d.size < 0)
			r = engine_error_set(err, EINVAL, "%s: negative size %" PRId64, ctx, d.size);
	}
	if (r >= 0 && want_platform) {
		r = member(o, "platform", JSON_OBJECT, false, false, ctx, &v, err);
		if (r > 0) {
			char pctx[160];
			snprintf(pctx, sizeof(pctx), "%s.platform", ctx);
			r = parse_platform(v, pctx, &d.platform, err);
			d.has_platform = r == 0;
		}
	}
	if (r >= 0)
		r = get_kv(o, "annotations", ctx, &d.annotations, &d.n_annotations, err);
	if (r < 0) {
		descriptor_clear(&d);
		return r;
	}
	*ret = d;
	return 0;
}

static int parse_descriptor_array(json_t *root, const char *key, bool want_platform,
				  struct storage_descriptor **ret, size_t *ret_n,
				  struct engine_error **err)
{
	json_t *a;
	int r = member(root, key, JSON_ARRAY, true, false, "manifest", &a, err);
	if (r < 0)
		return r;
	size_t n = json_array_size(a);
	struct storage_descriptor *v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "%s[%zu]", key, i);
		r = parse_descriptor(json_array_get(a, i), ctx, want_platform, &v[i], err);
		if (r < 0) {
			descriptors_free(v, i);
			return r;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* -------------------------------------------------------------- detection */

enum storage_manifest_kind storage_manifest_kind_from_media_type(const char *media_type)
{
	if (media_type == NULL)
		return STORAGE_KIND_UNKNOWN;
	if (strcmp(media_type, STORAGE_MEDIA_OCI_MANIFEST) == 0)
		return STORAGE_KIND_OCI_MANIFEST;
	if (strcmp(media_type, STORAGE_MEDIA_OCI_INDEX) == 0)
		return STORAGE_KIND_OCI_INDEX;
	if (strcmp(media_type, STORAGE_MEDIA_DOCKER_MANIFEST) == 0)
		return STORAGE_KIND_DOCKER_MANIFEST;
	if (strcmp(media_type, STORAGE_MEDIA_DOCKER_LIST) == 0)
		return STORAGE_KIND_DOCKER_LIST;
	return STORAGE_KIND_UNKNOWN;
}

static bool is_schema1_media_type(const char *mt)
{
	return strncmp(mt, "application/vnd.docker.distribution.manifest.v1+", 48) == 0;
}

static int schema1_error(struct engine_error **err)
{
	return engine_error_set(err, ENOTSUP,
				"Docker schema1 manifests are not supported (deprecated since 2017); "
				"push the image again with a current tool to get a schema2 or OCI "
				"manifest");
}

/* Content-Type without parameters or surrounding blanks, lowercased. */
static void media_type_of_header(const char *content_type, char *out, size_t size)
{
	out[0] = '\0';
	if (content_type == NULL)
		return;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	size_t n = strcspn(content_type, "; \t");
	if (n >= size)
		return;
	memcpy(out, content_type, n);
	out[n] = '\0';
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

static int detect(json_t *root, const char *content_type, enum storage_manifest_kind *ret,
		  struct engine_error **err)
{
	char header[128];
	media_type_of_header(content_type, header, sizeof(header));
	if (is_schema1_media_type(header))
		return schema1_error(err);
	enum storage_manifest_kind from_header = storage_manifest_kind_from_media_type(header);

	json_t *v;
	int r = member(root, "schemaVersion", JSON_INTEGER, false, false, "manifest", &v, err);
	if (r < 0)
		return r;
	if (r > 0 && json_integer_value(v) == 1)
		return schema1_error(err);
	if (r == 0 && (json_object_get(root, "fsLayers") || json_object_get(root, "signatures")))
		return schema1_error(err);

	enum storage_manifest_kind from_doc = STORAGE_KIND_UNKNOWN;
	r = member(root, "mediaType", JSON_STRING, false, false, "manifest", &v, err);
	if (r < 0)
		return r;
	if (r > 0) {
		const char *mt = json_string_value(v);
		if (is_schema1_media_type(mt))
			return schema1_error(err);
		from_doc = storage_manifest_kind_from_media_type(mt);
		if (from_doc == STORAGE_KIND_UNKNOWN)
			return engine_error_set(err, ENOTSUP, "manifest: unsupported mediaType \"%.100s\"",
						mt);
		if (from_header != STORAGE_KIND_UNKNOWN && from_header != from_doc)
			return engine_error_set(err, EINVAL,
						"manifest: mediaType \"%s\" does not match the "
						"Content-Type \"%s\"",
						mt, header);
	}
	enum storage_manifest_kind kind = from_header != STORAGE_KIND_UNKNOWN ? from_header : from_doc;
	if (kind == STORAGE_KIND_UNKNOWN) {
		/* OCI made mediaType optional at first: tell the kinds by shape. */
		if (json_object_get(root, "manifests") != NULL)
			kind = STORAGE_KIND_OCI_INDEX;
		else if (json_object_get(root, "config") != NULL &&
			 json_object_get(root, "layers") != NULL)
			kind = STORAGE_KIND_OCI_MANIFEST;
		else if (header[0] != '\0')
			return engine_error_set(err, ENOTSUP,
						"manifest: unsupported media type \"%s\"", header);
		else
			return engine_error_set(err, EINVAL,
						"manifest: neither an image manifest nor an index");
	}
	r = member(root, "schemaVersion", JSON_INTEGER, true, false, "manifest", &v, err);
	if (r < 0)
		return r;
	if (json_integer_value(v) != 2)
		return engine_error_set(err, ENOTSUP, "manifest: unsupported schemaVersion %" JSON_INTEGER_FORMAT,
					json_integer_value(v));
	*ret = kind;
	return 0;
}

int storage_manifest_detect(const char *buf, size_t len, const char *content_type,
			    enum storage_manifest_kind *ret, struct engine_error **err)
{
	cleanup_json json_t *root = NULL;
	int r = load_document(buf, len, "manifest", &root, err);
	if (r < 0)
		return r;
	return detect(root, content_type, ret, err);
}

static const char *kind_media_type(enum storage_manifest_kind kind)
{
	switch (kind) {
	case STORAGE_KIND_OCI_MANIFEST:
		return STORAGE_MEDIA_OCI_MANIFEST;
	case STORAGE_KIND_OCI_INDEX:
		return STORAGE_MEDIA_OCI_INDEX;
	case STORAGE_KIND_DOCKER_MANIFEST:
		return STORAGE_MEDIA_DOCKER_MANIFEST;
	case STORAGE_KIND_DOCKER_LIST:
		return STORAGE_MEDIA_DOCKER_LIST;
	case STORAGE_KIND_UNKNOWN:
		break;
	}
	return "";
}

/* -------------------------------------------------------- manifest, index */

/* BUF parsed as an index (INDEX) or an image manifest, its kind detected
 * and its media type copied to *RET_MEDIA_TYPE; the other kind is refused. */
static int load_kind(const char *buf, size_t len, const char *content_type, bool index,
		     json_t **ret_root, enum storage_manifest_kind *ret_kind, char **ret_media_type,
		     struct engine_error **err)
{
	int r = load_document(buf, len, index ? "index" : "manifest", ret_root, err);
	if (r < 0)
		return r;
	r = detect(*ret_root, content_type, ret_kind, err);
	if (r < 0)
		return r;
	const char *media_type = kind_media_type(*ret_kind);
	if (index && !storage_manifest_kind_is_index(*ret_kind))
		return engine_error_set(err, EINVAL, "manifest: is an image manifest (%s), not an index",
					media_type);
	if (!index && storage_manifest_kind_is_index(*ret_kind))
		return engine_error_set(err, EINVAL,
					"manifest: is an index (%s), not an image manifest; select "
					"a platform from it first",
					media_type);
	*ret_media_type = strdup(media_type);
	return *ret_media_type ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

void storage_manifest_clear(struct storage_manifest *m)
{
	if (m == NULL)
		return;
	free(m->media_type);
	descriptor_clear(&m->config);
	descriptors_free(m->layers, m->n_layers);
	kv_free(m->annotations, m->n_annotations);
	*m = (struct storage_manifest){ 0 };
}

int storage_manifest_parse(const char *buf, size_t len, const char *content_type,
			   struct storage_manifest *ret, struct engine_error **err)
{
	cleanup_json json_t *root = NULL;
	struct storage_manifest m = { 0 };
	int r = load_kind(buf, len, content_type, false, &root, &m.kind, &m.media_type, err);
	json_t *config;
	if (r >= 0)
		r = member(root, "config", JSON_OBJECT, true, false, "manifest", &config, err);
	if (r >= 0)
		r = parse_descriptor(config, "config", false, &m.config, err);
	if (r >= 0)
		r = parse_descriptor_array(root, "layers", false, &m.layers, &m.n_layers, err);
	if (r >= 0)
		r = get_kv(root, "annotations", "manifest", &m.annotations, &m.n_annotations, err);
	if (r < 0) {
		storage_manifest_clear(&m);
		return r;
	}
	*ret = m;
	return 0;
}

void storage_index_clear(struct storage_index *index)
{
	if (index == NULL)
		return;
	free(index->media_type);
	descriptors_free(index->manifests, index->n_manifests);
	kv_free(index->annotations, index->n_annotations);
	*index = (struct storage_index){ 0 };
}

int storage_index_parse(const char *buf, size_t len, const char *content_type,
			struct storage_index *ret, struct engine_error **err)
{
	cleanup_json json_t *root = NULL;
	struct storage_index idx = { 0 };
	int r = load_kind(buf, len, content_type, true, &root, &idx.kind, &idx.media_type, err);
	if (r >= 0)
		r = parse_descriptor_array(root, "manifests", true, &idx.manifests, &idx.n_manifests,
					   err);
	if (r >= 0)
		r = get_kv(root, "annotations", "index", &idx.annotations, &idx.n_annotations, err);
	if (r < 0) {
		storage_index_clear(&idx);
		return r;
	}
	*ret = idx;
	return 0;
}

/* ------------------------------------------------------------ image config */

static void history_free(struct storage_history *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].created);
		free(h[i].created_by);
		free(h[i].author);
		free(h[i].comment);
	}
	free(h);
}

void storage_image_config_clear(struct storage_image_config *c)
{
	if (c == NULL)
		return;
	free(c->created);
	free(c->author);
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->user);
	free(c->working_dir);
	free(c->stop_signal);
	engine_strv_free(c->env);
	engine_strv_free(c->entrypoint);
	engine_strv_free(c->cmd);
	engine_strv_free(c->exposed_ports);
	engine_strv_free(c->volumes);
	kv_free(c->labels, c->n_labels);
	engine_strv_free(c->diff_ids);
	history_free(c->history, c->n_history);
	*c = (struct storage_image_config){ 0 };
}

static int parse_runtime_config(json_t *cfg, struct storage_image_config *c,
				struct engine_error **err)
{
	const char *ctx = "config";
	int r = get_string(cfg, "User", false, ctx, &c->user, err);
	if (r == 0)
		r = get_string(cfg, "WorkingDir", false, ctx, &c->working_dir, err);
	if (r == 0)
		r = get_string(cfg, "StopSignal", false, ctx, &c->stop_signal, err);
	if (r == 0)
		r = get_strv(cfg, "Env", ctx, &c->env, NULL, err);
	if (r == 0)
		r = get_strv(cfg, "Entrypoint", ctx, &c->entrypoint, NULL, err);
	if (r == 0)
		r = get_strv(cfg, "Cmd", ctx, &c->cmd, NULL, err);
	if (r == 0)
		r = get_keys(cfg, "ExposedPorts", ctx, &c->exposed_ports, err);
	if (r == 0)
		r = get_keys(cfg, "Volumes", ctx, &c->volumes, err);
	if (r == 0)
		r = get_kv(cfg, "Labels", ctx, &c->labels, &c->n_labels, err);
	return r;
}

static int parse_history(json_t *root, struct storage_image_config *c, struct engine_error **err)
{
	json_t *a;
	int r = member(root, "history", JSON_ARRAY, false, true, "image config", &a, err);
	if (r <= 0)
		return r;
	size_t n = json_array_size(a);
	c->history = calloc(n ? n : 1, sizeof(*c->history));
	if (c->history == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char ctx[48];
		snprintf(ctx, sizeof(ctx), "history[%zu]", i);
		json_t *h = json_array_get(a, i), *v = NULL;
		if (!json_is_object(h))
			return engine_error_set(err, EINVAL, "%s: must be an object", ctx);
		struct storage_history *e = &c->history[i];
		c->n_history = i + 1;
		r = get_string(h, "created", false, ctx, &e->created, err);
		if (r == 0)
			r = get_string(h, "created_by", false, ctx, &e->created_by, err);
		if (r == 0)
			r = get_string(h, "author", false, ctx, &e->author, err);
		if (r == 0)
			r = get_string(h, "comment", false, ctx, &e->comment, err);
		if (r == 0)
			r = member(h, "empty_layer", JSON_TRUE, false, true, ctx, &v, err);
		if (r < 0)
			return r;
		e->empty_layer = r > 0 && json_is_true(v);
	}
	return 0;
}

static int parse_rootfs(json_t *root, struct storage_image_config *c, struct engine_error **err)
{
	json_t *rootfs, *v;
	int r = member(root, "rootfs", JSON_OBJECT, true, false, "image config", &rootfs, err);
	if (r < 0)
		return r;
	r = member(rootfs, "type", JSON_STRING, true, false, "rootfs", &v, err);
	if (r < 0)
		return r;
	if (strcmp(json_string_value(v), "layers") != 0)
		return engine_error_set(err, ENOTSUP, "rootfs: unsupported type \"%.40s\"",
					json_string_value(v));
	r = member(rootfs, "diff_ids", JSON_ARRAY, true, false, "rootfs", &v, err);
	if (r < 0)
		return r;
	r = get_strv(rootfs, "diff_ids", "rootfs", &c->diff_ids, &c->n_diff_ids, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_diff_ids; i++) {
		struct engine_error *derr = NULL;
		if (storage_digest_validate(c->diff_ids[i], &derr) < 0) {
			engine_error_set(err, EINVAL, "rootfs: diff_ids[%zu]: %s", i, derr->msg);
			engine_error_free(&derr);
			return -EINVAL;
		}
	}
	return 0;
}

int storage_image_config_parse(const char *buf, size_t len, struct storage_image_config *ret,
			       struct engine_error **err)
{
	cleanup_json json_t *root = NULL;
	int r = load_document(buf, len, "image config", &root, err);
	if (r < 0)
		return r;
	struct storage_image_config c = { 0 };
	const char *ctx = "image config";
	json_t *cfg = NULL;
	r = get_string(root, "created", false, ctx, &c.created, err);
	if (r == 0)
		r = get_string(root, "author", false, ctx, &c.author, err);
	if (r == 0)
		r = get_string(root, "architecture", false, ctx, &c.architecture, err);
	if (r == 0)
		r = get_string(root, "os", false, ctx, &c.os, err);
	if (r == 0)
		r = get_string(root, "variant", false, ctx, &c.variant, err);
	if (r == 0)
		r = member(root, "config", JSON_OBJECT, false, true, ctx, &cfg, err);
	if (r > 0)
		r = parse_runtime_config(cfg, &c, err);
	if (r >= 0)
		r = parse_rootfs(root, &c, err);
	if (r >= 0)
		r = parse_history(root, &c, err);
	if (r < 0) {
		storage_image_config_clear(&c);
		return r;
	}
	*ret = c;
	return 0;
}
