/* history.c: `engine history [--no-trunc] [-q] [-H=false] [--format F] IMAGE`
 * / `engine image history`: the config's history, newest first, with
 * Docker's columns.  Only the newest entry has an id: the store keeps no
 * intermediate images, so the rest show "<missing>" as Docker shows them
 * for a pulled image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/history.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "cmd/humanize.h"
#include "libengine/image/image.h"
#include "cmd/template.h"
#include "common/timefmt.h"

static int64_t parse_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* Docker's stringutils.Ellipsis(s, 45): at most 45 characters, the last
 * one "…" when cut.  Counts UTF-8 characters, not bytes. */
static void ellipsis(const char *s, char *out, size_t size)
{
	size_t chars = 0, i, cut = 0;
	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars == 45)
			cut = i;
	if (chars <= 45)
		snprintf(out, size, "%s", s);
	else
		snprintf(out, size, "%.*s…", (int)cut, s);
}

static json_t *row(const char *id, int64_t created, const char *created_by, int64_t size,
		   const char *comment, bool trunc, bool human)
{
	char since[64] = "N/A", at[64] = "N/A", sz[32], by[512];
	if (created > 0) {
		cmd_human_duration((int64_t)time(NULL) - created, since, sizeof(since));
		strncat(since, " ago", sizeof(since) - strlen(since) - 1);
		engine_format_rfc3339(created, 0, ENGINE_TIME_SECONDS, at, sizeof(at));
	}
	if (human)
		cmd_human_size(size, sz, sizeof(sz));
	else
		snprintf(sz, sizeof(sz), "%lld", (long long)size);
	cleanup_free char *flat = strdup(created_by ? created_by : "");
	for (char *p = flat; p && *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
	if (trunc)
		ellipsis(flat ? flat : "", by, sizeof(by));
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "CreatedSince", since, "CreatedAt", at,
			 "CreatedBy", trunc ? by : (flat ? flat : ""), "Size", sz, "Comment",
			 comment ? comment : "");
}

static const struct cmd_template_header headers[] = {
	{ "ID", "IMAGE" },	       { "CreatedSince", "CREATED" }, { "CreatedAt", "CREATED AT" },
	{ "CreatedBy", "CREATED BY" }, { NULL, NULL },
};

int cmd_history(int argc, char **argv, struct cmd_global *g)
{
	bool no_trunc = false, quiet = false, human = true;
	const char *format = NULL;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "format", CMD_BIND_FORMAT, &format },
			    { "human", CMD_BIND_BOOL, &human },
			    { "no-trunc", CMD_BIND_BOOL, &no_trunc },
			    { "quiet", CMD_BIND_BOOL, &quiet });
	bool trunc = !no_trunc;
	struct storage_image *img = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL || engine_image_lookup(store, argv[optind], &img, &err) < 0) {
		storage_store_close(store);
		if (err->status == ENOENT)
			err->exit_code = 1; /* as Docker and rmi */
		return cmd_report(err);
	}
	char top[80];
	snprintf(top, sizeof(top), trunc ? "%.12s" : "sha256:%s", img->id);
	cleanup_json json_t *rows = json_array();
	json_t *history = json_object_get(img->config, "history");
	size_t n = json_array_size(history);
	/* Non-empty entries take the layers in order, bottom first. */
	size_t layer = 0;
	json_t **ordered = calloc(n + 1, sizeof(json_t *));
	for (size_t i = 0; ordered && i < n; i++) {
		json_t *h = json_array_get(history, i);
		bool empty = json_is_true(json_object_get(h, "empty_layer"));
		int64_t size = 0;
		if (!empty && layer < img->n_layers)
			size = storage_layer_size(store, img->diff_ids[layer++]);
		ordered[i] = row("<missing>", parse_time(json_string_value(json_object_get(h, "created"))),
				 json_string_value(json_object_get(h, "created_by")), size,
				 json_string_value(json_object_get(h, "comment")), trunc, human);
	}
	for (size_t i = n; ordered && i-- > 0;)
		json_array_append_new(rows, ordered[i]);
	free(ordered);
	/* A config without history: one row per layer, as Docker shows. */
	if (n == 0)
		for (size_t k = img->n_layers; k-- > 0;)
			json_array_append_new(rows, row("<missing>", img->created, "",
							storage_layer_size(store, img->diff_ids[k]), "",
							trunc, human));
	if (json_array_size(rows) > 0)
		json_object_set_new(json_array_get(rows, 0), "ID", json_string(top));
	storage_image_free(img);
	storage_store_close(store);
	if (quiet)
		format = "{{.ID}}";
	if (cmd_template_print(format,
			       "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
			       rows, headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}
