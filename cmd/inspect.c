/* inspect.c: `engine image inspect` and `engine inspect` (containers first, then images):
 * Docker-shaped JSON, or --format rendered per object. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/container-inspect.h"
#include "cmd/inspect.h"
#include "cmd/report.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/humanize.h"
#include "libengine/image/image.h"
#include "cmd/template.h"
#include "common/timefmt.h"

static json_t *image_json(struct storage_store *store, const struct storage_image *img)
{
	json_t *cfg = img->config ? img->config : json_object();
	json_t *tags = json_array(), *digests = json_array(), *layers = json_array();
	for (size_t i = 0; i < img->n_names; i++) {
		json_array_append_new(tags, json_string(img->names[i]));
		/* RepoDigests: the repository (without tag) @ manifest digest. */
		char repo[1024];
		snprintf(repo, sizeof(repo), "%s", img->names[i]);
		char *slash = strrchr(repo, '/');
		char *colon = strrchr(slash ? slash : repo, ':');
		if (colon)
			*colon = '\0';
		char rd[1200];
		snprintf(rd, sizeof(rd), "%s@%s", repo, img->manifest_digest);
		json_array_append_new(digests, json_string(rd));
	}
	for (size_t i = 0; i < img->n_layers; i++)
		json_array_append_new(layers, json_string(img->diff_ids[i]));
	char id[80], created[40];
	snprintf(id, sizeof(id), "sha256:%s", img->id);
	const char *c = json_string_value(json_object_get(cfg, "created"));
	if (c != NULL)
		snprintf(created, sizeof(created), "%s", c);
	else
		engine_format_rfc3339(img->created, 0, ENGINE_TIME_SECONDS, created, sizeof(created));
	/* LowerDir as Docker shows it for overlay: the layers top first. */
	size_t cap = 64 + img->n_layers * (strlen(store->root) + 90);
	char *lower = calloc(1, cap);
	for (size_t i = img->n_layers; lower && i-- > 0;) {
		const char *hex = strchr(img->diff_ids[i], ':');
		size_t l = strlen(lower);
		snprintf(lower + l, cap - l, "%s%s/layers/%s/diff", l ? ":" : "", store->root,
			 hex ? hex + 1 : img->diff_ids[i]);
	}
	json_t *j = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:O,s:s,s:s,s:s,s:I,s:I,s:{s:s,s:{s:s}},s:{s:s,s:o},s:{s:s}}",
			      "Id", id, "RepoTags", tags, "RepoDigests", digests, "Parent", "", "Comment",
			      "", "Created", created, "Config",
			      json_object_get(cfg, "config") ? json_object_get(cfg, "config") : json_object(),
			      "Architecture", json_string_value(json_object_get(cfg, "architecture"))
						      ? json_string_value(json_object_get(cfg, "architecture"))
						      : "",
			      "Os", json_string_value(json_object_get(cfg, "os")) ? json_string_value(json_object_get(cfg, "os")) : "",
			      "Author", json_string_value(json_object_get(cfg, "author")) ? json_string_value(json_object_get(cfg, "author")) : "",
			      "Size", (json_int_t)img->size, "VirtualSize", (json_int_t)img->size,
			      "GraphDriver", "Name", "overlay", "Data", "LowerDir", lower ? lower : "",
			      "RootFS", "Type", "layers", "Layers", layers, "Metadata", "LastTagTime",
			      "0001-01-01T00:00:00Z");
	free(lower);
	if (img->config == NULL)
		json_decref(cfg);
	return j;
}

static int check_type(void *data, const char *value, struct engine_error **err)
{
	if (strcmp(value, "image") != 0 && strcmp(value, "container") != 0)
		return engine_error_set(err, EINVAL, "--type %s: expected container or image", value);
	*(const char **)data = value;
	return 0;
}

int cmd_inspect_as(int argc, char **argv, struct cmd_global *g, const char *only)
{
	const char *format = NULL;
	const char *type = only;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "format", CMD_BIND_STRING, &format },
			    { "type", CMD_BIND_CALL, &type, check_type });
	if (format != NULL && strcmp(format, "json") != 0 && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cleanup_json json_t *all = json_array();
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		/* Containers first, as Docker looks them up. */
		struct engine_container *ctr = NULL;
		if ((type == NULL || strcmp(type, "container") == 0) &&
		    engine_container_get(store, argv[i], &ctr, NULL) == 0) {
			json_array_append_new(all, cmd_container_inspect_json(ctr));
			engine_container_free(ctr);
			continue;
		}
		struct storage_image *img = NULL;
		if (type != NULL && strcmp(type, "container") == 0) {
			fprintf(stderr, "Error: No such container: %s\n", argv[i]);
			rc = 1;
			continue;
		}
		if (engine_image_lookup(store, argv[i], &img, &err) < 0) {
			/* Docker prints what it found and fails for the rest. */
			fprintf(stderr, "Error: No such object: %s\n", argv[i]);
			engine_error_free(&err);
			rc = 1;
			continue;
		}
		json_array_append_new(all, image_json(store, img));
		storage_image_free(img);
	}
	storage_store_close(store);
	if (format == NULL || strcmp(format, "json") == 0) {
		char *s = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(all, i, v) {
			/* Docker prints what rendered and stops at the first error. */
			char *s = cmd_template_execute(format, v, &err);
			if (s == NULL)
				return cmd_report(err);
			puts(s);
			free(s);
		}
	}
	return rc;
}

int cmd_inspect(int argc, char **argv, struct cmd_global *g)
{
	return cmd_inspect_as(argc, argv, g, NULL);
}
