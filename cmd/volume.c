/* volume.c: `engine volume create|ls|inspect|rm|prune`, as Docker's
 * `docker volume`: same columns, JSON fields, messages and exit codes
 * (1 for what Docker's daemon refuses: no such volume, volume in use). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/volume.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/parse.h"
#include "cmd/ctr-common.h"
#include "cmd/humanize.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/mount-spec.h"
#include "cmd/template.h"
#include "storage/volume.h"
#include "libengine/container/volume-options.h"
#include "libengine/container/volumes.h"

static struct engine_idmap volume_map; /* large: keep it off the stack */
static bool volume_map_ready;

/* --driver: only the local driver is built in. */
static int check_driver(void *data, const char *value, struct engine_error **err)
{
	(void)data;
	if (strcmp(value, "local") != 0)
		return engine_error_set(err, EINVAL, "volume driver %s is not supported (only local)",
					value);
	return 0;
}

/* --label KEY[=VALUE] into the labels object DATA. */
static int add_label(void *data, const char *value, struct engine_error **err)
{
	const char *eq = strchr(value, '=');
	cleanup_free char *key = strndup(value, eq ? (size_t)(eq - value) : strlen(value));
	if (key == NULL || *key == '\0')
		return engine_error_set(err, EINVAL, "--label %s: empty key", value);
	json_object_set_new(data, key, json_string(eq ? eq + 1 : ""));
	return 0;
}

int cmd_volume_create(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	cleanup_json json_t *labels = json_object();
	cleanup_cmd_strings struct cmd_strings opts = { 0 };
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "driver", CMD_BIND_CALL, NULL, check_driver },
			    { "label", CMD_BIND_CALL, labels, add_label },
			    { "opt", CMD_BIND_STRINGS, &opts });
	cleanup_json json_t *options = NULL;
	char name[300];
	if (optind < argc) {
		if (engine_volume_name_check(argv[optind], &err) < 0)
			return cmd_report(err);
		snprintf(name, sizeof(name), "%s", argv[optind]);
	} else {
		char id[65];
		if (engine_generate_id(id, &err) < 0)
			return cmd_report(err);
		snprintf(name, sizeof(name), "%s", id);
	}
	if (opts.n > 0) {
		if (!volume_map_ready && engine_idmap_detect(&volume_map, &err) < 0)
			return cmd_report(err);
		volume_map_ready = true;
	}
	/* The values are argv's words, which the parser only reads. */
	if (engine_volume_options_parse((char *const *)opts.v, opts.n,
					volume_map.mode != ENGINE_IDMAP_ROOT, &options, &err) < 0) {
		/* Docker's daemon refuses these: exit 1, as its CLI does. */
		engine_error_prefix(&err, "create %s", name);
		return cmd_report_1(&err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int r = storage_volume_create(store, name, labels, options, false, NULL, &err);
	storage_store_close(store);
	if (r < 0)
		return cmd_report(err);
	puts(name);
	return 0;
}

struct volume_filter {
	const char *name[16];
	size_t n_name;
	const char *label[16];
	size_t n_label;
	int dangling; /* -1: any */
};

/* --filter SPEC into the volume_filter DATA. */
static int filter_add(void *data, const char *spec, struct engine_error **err)
{
	struct volume_filter *f = data;
	const char *eq = strchr(spec, '=');
	if (eq == NULL)
		return engine_error_set(err, EINVAL, "bad format of filter (expected name=value)");
	size_t kl = (size_t)(eq - spec);
	const char *v = eq + 1;
	if (kl == 4 && strncmp(spec, "name", 4) == 0 && f->n_name < 16) {
		f->name[f->n_name++] = v;
	} else if (kl == 5 && strncmp(spec, "label", 5) == 0 && f->n_label < 16) {
		f->label[f->n_label++] = v;
	} else if (kl == 8 && strncmp(spec, "dangling", 8) == 0) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			f->dangling = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			f->dangling = 0;
		else
			return engine_error_set(err, EINVAL, "invalid filter 'dangling=%s'", v);
	} else {
		return engine_error_set(err, EINVAL, "invalid filter '%.*s'", (int)kl, spec);
	}
	return 0;
}

static bool label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	cleanup_free char *key = strndup(want, eq ? (size_t)(eq - want) : strlen(want));
	json_t *v = key ? json_object_get(labels, key) : NULL;
	return v != NULL && (eq == NULL || strcmp(json_string_value(v) ?: "", eq + 1) == 0);
}

static bool volume_matches(struct storage_store *store, const struct storage_volume *v,
			   const struct volume_filter *f)
{
	bool ok = f->n_name == 0;
	for (size_t i = 0; i < f->n_name; i++)
		ok = ok || strstr(v->name, f->name[i]) != NULL;
	for (size_t i = 0; ok && i < f->n_label; i++)
		ok = label_matches(v->labels, f->label[i]);
	if (ok && f->dangling >= 0) {
		char user[65];
		ok = engine_volume_in_use(store, v->name, user) != (f->dangling == 1);
	}
	return ok;
}

static json_t *ls_row(const struct storage_volume *v)
{
	/* Labels as Docker's ls shows them: "k=v,k2=v2". */
	size_t cap = 1, used = 0;
	const char *k;
	json_t *val;
	json_object_foreach(v->labels, k, val)
		cap += strlen(k) + strlen(json_string_value(val) ?: "") + 2;
	cleanup_free char *labels = calloc(1, cap);
	json_object_foreach(v->labels, k, val)
		if (labels)
			used += (size_t)snprintf(labels + used, cap - used, "%s%s=%s", used ? "," : "", k,
						 json_string_value(val) ?: "");
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Driver", "local", "Name", v->name, "Mountpoint",
			 v->mountpoint, "Labels", labels ? labels : "", "Scope", "local", "CreatedAt",
			 v->created_at);
}

int cmd_volume_ls(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct volume_filter f = { .dangling = -1 };
	const char *format = NULL;
	bool quiet = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "filter", CMD_BIND_CALL, &f, filter_add },
			    { "format", CMD_BIND_STRING, &format },
			    { "quiet", CMD_BIND_BOOL, &quiet });
	if (format != NULL && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct storage_volume **list = NULL;
	size_t n = 0;
	if (storage_volume_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	cleanup_json json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		if (volume_matches(store, list[i], &f))
			json_array_append_new(rows, ls_row(list[i]));
	storage_volume_list_free(list, n);
	storage_store_close(store);
	static const struct cmd_template_header headers[] = {
		{ "Name", "VOLUME NAME" }, { "Mountpoint", "MOUNTPOINT" }, { NULL, NULL },
	};
	if (quiet)
		format = "{{.Name}}";
	if (cmd_template_print(format, "table {{.Driver}}\t{{.Name}}", rows, headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}

int cmd_volume_inspect(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	const char *format;
	int rc;
	if (!cmd_parse_format(g, argc, argv, &format, &rc))
		return rc;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cleanup_json json_t *all = json_array();
	rc = 0;
	for (int i = optind; i < argc; i++) {
		struct storage_volume *v = NULL;
		if (storage_volume_get(store, argv[i], &v, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		json_array_append_new(all, storage_volume_json(v));
		storage_volume_free(v);
	}
	storage_store_close(store);
	if (format == NULL || strcmp(format, "json") == 0) {
		cleanup_free char *s = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(all, i, v) {
			cleanup_free char *s = cmd_template_execute(format, v, &err);
			if (s == NULL)
				return cmd_report(err);
			puts(s);
		}
	}
	return rc;
}

static int remove_one(struct storage_store *store, const char *name, struct engine_error **err)
{
	char user[65];
	struct storage_volume *v = NULL;
	if (storage_volume_get(store, name, &v, err) < 0)
		return -1;
	storage_volume_free(v);
	if (engine_volume_in_use(store, name, user))
		return engine_error_set(err, EBUSY, "remove %s: volume is in use - [%s]", name, user);
	if (!volume_map_ready && engine_idmap_detect(&volume_map, err) < 0)
		return -1;
	volume_map_ready = true;
	return engine_volume_remove(store, &volume_map, name, err);
}

int cmd_volume_rm(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "force", CMD_BIND_BOOL, &force });
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (remove_one(store, argv[i], &err) < 0) {
			/* -f: a volume that does not exist is no error. */
			if (force && err->status == ENOENT)
				engine_error_free(&err);
			else
				rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

int cmd_volume_prune(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct volume_filter f = { .dangling = -1 };
	bool force = false;
	const struct cmd_bind binds[] = {
		/* Docker 23+ prunes only anonymous volumes without -a; we
		 * prune every unused one, which is what -a asks for. */
		{ "all", CMD_BIND_IGNORED },
		{ "filter", CMD_BIND_CALL, &f, filter_add },
		{ "force", CMD_BIND_BOOL, &force },
		{ NULL },
	};
	int rc;
	if (!cmd_parse(g, argc, argv, binds, &rc))
		return rc;
	if (!force &&
	    !cmd_confirm("WARNING! This will remove all local volumes not used by at least one container.\n")) {
		puts("Total reclaimed space: 0B");
		return 0;
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	cmd_sweep_store(store);
	struct storage_volume **list = NULL;
	size_t n = 0;
	if (storage_volume_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	rc = 0;
	bool header = false;
	int64_t reclaimed = 0;
	for (size_t i = 0; i < n; i++) {
		char user[65];
		if (!volume_matches(store, list[i], &f) || engine_volume_in_use(store, list[i]->name, user))
			continue;
		int64_t size = engine_volume_size(store, list[i]->name);
		if (remove_one(store, list[i]->name, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		if (!header)
			puts("Deleted Volumes:");
		header = true;
		puts(list[i]->name);
		reclaimed += size;
	}
	storage_volume_list_free(list, n);
	storage_store_close(store);
	char size[32];
	cmd_human_size(reclaimed, size, sizeof(size));
	if (header)
		putchar('\n');
	printf("Total reclaimed space: %s\n", size);
	return rc;
}

int cmd_volume(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	return cmd_group(argc, argv, "volume", 0);
}
