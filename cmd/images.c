/* images.c: `engine images` / `engine image ls`, Docker's columns and flags
 * (-a, -q, --digests, --no-trunc, --format, --filter). */
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/images.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "storage/reference.h"
#include "cmd/humanize.h"
#include "libengine/image/image.h"
#include "cmd/template.h"

/* Split "REPO:TAG" at the tag's colon (not a registry port's). */
static void split_name(const char *name, char *repo, size_t rs, char *tag, size_t ts)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	const char *at = strchr(name, '@');
	if (at != NULL) {
		snprintf(repo, rs, "%.*s", (int)(at - name), name);
		snprintf(tag, ts, "<none>");
	} else if (colon != NULL) {
		snprintf(repo, rs, "%.*s", (int)(colon - name), name);
		snprintf(tag, ts, "%s", colon + 1);
	} else {
		snprintf(repo, rs, "%s", name);
		snprintf(tag, ts, "<none>");
	}
}

struct filters {
	int dangling; /* -1 any, 0 false, 1 true */
	const char *reference[16];
	size_t n_reference;
	const char *label[16];
	size_t n_label;
};

/* A CMD_BIND_CALL for --filter: DATA is the struct filters. */
static int parse_filter(void *data, const char *spec, struct engine_error **err)
{
	struct filters *f = data;
	const char *eq = strchr(spec, '=');
	if (eq == NULL)
		return engine_error_set(err, EINVAL, "--filter %s: expected KEY=VALUE", spec);
	size_t kl = (size_t)(eq - spec);
	const char *v = eq + 1;
	if (kl == 8 && strncmp(spec, "dangling", 8) == 0) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			f->dangling = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			f->dangling = 0;
		else
			return engine_error_set(err, EINVAL, "--filter dangling=%s: expected true or false", v);
	} else if (kl == 9 && strncmp(spec, "reference", 9) == 0 && f->n_reference < 16) {
		f->reference[f->n_reference++] = v;
	} else if (kl == 5 && strncmp(spec, "label", 5) == 0 && f->n_label < 16) {
		f->label[f->n_label++] = v;
	} else {
		return engine_error_set(err, EINVAL, "--filter %s: unsupported filter (dangling, reference, label)",
					spec);
	}
	return 0;
}

static bool label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	char key[256];
	snprintf(key, sizeof(key), "%.*s", (int)(eq ? (size_t)(eq - want) : strlen(want)), want);
	json_t *v = json_object_get(labels, key);
	if (v == NULL)
		return false;
	return eq == NULL || (json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0);
}

static bool ref_matches(const char *name, const struct filters *f)
{
	if (f->n_reference == 0)
		return true;
	char repo[512], tag[256];
	split_name(storage_reference_familiar(name), repo, sizeof(repo), tag, sizeof(tag));
	for (size_t i = 0; i < f->n_reference; i++) {
		const char *pat = f->reference[i];
		char full[800];
		snprintf(full, sizeof(full), "%s:%s", repo, tag);
		if (fnmatch(pat, repo, 0) == 0 || fnmatch(pat, full, 0) == 0 ||
		    fnmatch(pat, name, 0) == 0)
			return true;
	}
	return false;
}

static json_t *row(const struct storage_image *img, const char *name, bool no_trunc)
{
	char repo[512] = "<none>", tag[256] = "<none>";
	if (name != NULL)
		split_name(storage_reference_familiar(name), repo, sizeof(repo), tag, sizeof(tag));
	char id[80], since[64], created_at[64], size[32], digest[160] = "<none>";
	snprintf(id, sizeof(id), no_trunc ? "sha256:%s" : "%.12s", img->id);
	cmd_human_duration((int64_t)time(NULL) - img->created, since, sizeof(since));
	strncat(since, " ago", sizeof(since) - strlen(since) - 1);
	cmd_created_at(img->created, created_at, sizeof(created_at));
	cmd_human_size(img->size, size, sizeof(size));
	if (img->manifest_digest && img->manifest_digest[0])
		snprintf(digest, sizeof(digest), "%s", img->manifest_digest);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Repository", repo, "Tag", tag, "ID",
			 id, "CreatedSince", since, "CreatedAt", created_at, "Size", size, "Digest",
			 digest, "Containers", "N/A", "VirtualSize", size);
}

static const struct cmd_template_header headers[] = {
	{ "ID", "IMAGE ID" },
	{ "CreatedSince", "CREATED" },
	{ "CreatedAt", "CREATED AT" },
	{ NULL, NULL },
};

int cmd_images(int argc, char **argv, struct cmd_global *g)
{
	bool quiet = false, digests = false, no_trunc = false;
	const char *format = NULL;
	struct filters f = { .dangling = -1 };
	cleanup_error struct engine_error *err = NULL;
	/* --all: no intermediate images are kept, so -a shows the same. */
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_IGNORED },
			    { "digests", CMD_BIND_BOOL, &digests },
			    { "filter", CMD_BIND_CALL, &f, parse_filter },
			    { "format", CMD_BIND_FORMAT, &format },
			    { "no-trunc", CMD_BIND_BOOL, &no_trunc },
			    { "quiet", CMD_BIND_BOOL, &quiet });
	if (optind < argc && f.n_reference < ARRAY_SIZE(f.reference))
		f.reference[f.n_reference++] = argv[optind];

	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct storage_image **imgs = NULL;
	size_t n = 0;
	if (storage_image_list(store, &imgs, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	cleanup_json json_t *rows = json_array();
	cleanup_json json_t *seen = json_object();
	for (size_t i = 0; i < n; i++) {
		struct storage_image *img = imgs[i];
		bool dangling = img->n_names == 0;
		if (f.dangling >= 0 && dangling != (f.dangling == 1))
			continue;
		bool labels_ok = true;
		json_t *labels = json_object_get(json_object_get(img->config, "config"), "Labels");
		for (size_t k = 0; k < f.n_label; k++)
			labels_ok = labels_ok && label_matches(labels, f.label[k]);
		if (!labels_ok)
			continue;
		for (size_t k = 0; k < (dangling ? 1 : img->n_names); k++) {
			const char *name = dangling ? NULL : img->names[k];
			if (name != NULL && !ref_matches(name, &f))
				continue;
			if (name == NULL && f.n_reference > 0)
				continue;
			if (quiet) {
				/* -q lists each image once. */
				if (json_object_get(seen, img->id))
					continue;
				json_object_set_new(seen, img->id, json_true());
			}
			json_array_append_new(rows, row(img, name, no_trunc));
		}
	}
	for (size_t i = 0; i < n; i++)
		storage_image_free(imgs[i]);
	free(imgs);
	storage_store_close(store);

	if (quiet)
		format = "{{.ID}}";
	const char *def = digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
				  : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
	if (cmd_template_print(format, def, rows, headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}
