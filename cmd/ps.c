/* ps.c: `engine ps`: list containers as Docker does. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "netns/ports.h"
#include "cmd/ports-format.h"
#include "cmd/cmd.h"
#include "cmd/ps.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "cmd/humanize.h"
#include "libengine/userns/idmap.h"
#include "cmd/template.h"

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Docker's Labels column: "k=v,k2=v2" (sorted here: Go's map order is
 * random, sorted is what a script can compare). */
static char *labels_text(json_t *labels)
{
	size_t n = json_object_size(labels), k = 0;
	cleanup_free const char **keys = calloc(n + 1, sizeof(char *));
	if (keys == NULL)
		return NULL;
	const char *key;
	json_t *v;
	json_object_foreach(labels, key, v) keys[k++] = key;
	qsort(keys, k, sizeof(char *), strcmp_ptr);
	size_t len = 1;
	for (size_t i = 0; i < k; i++)
		len += strlen(keys[i]) + strlen(json_string_value(json_object_get(labels, keys[i])) ?: "") + 2;
	char *out = calloc(1, len);
	for (size_t i = 0; out && i < k; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, keys[i]);
		strcat(out, "=");
		strcat(out, json_string_value(json_object_get(labels, keys[i])) ?: "");
	}
	return out;
}

/* Docker's Size: "12B (virtual 4.3MB)", or just "12B" without an image. */
static void size_text(int64_t rw, int64_t virtual_size, char *out, size_t size)
{
	char a[32], b[32];
	cmd_human_size(rw, a, sizeof(a));
	if (virtual_size <= 0) {
		snprintf(out, size, "%s", a);
		return;
	}
	cmd_human_size(virtual_size, b, sizeof(b));
	snprintf(out, size, "%s (virtual %s)", a, b);
}

/* the PORTS column of a running container. */
static char *ports_text(const struct engine_container *c)
{
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return NULL;
	return cmd_ports_format_ps(&c->spec.ports);
}

static json_t *ps_row(const struct engine_container *c, bool no_trunc, int64_t now,
		      const char *size)
{
	char id[65], status[96], created_at[64], running_for[80];
	snprintf(id, sizeof(id), no_trunc ? "%s" : "%.12s", c->id);
	cmd_container_status((int)c->state.status, c->state.exit_code, c->state.started_ns,
			     c->state.finished_ns, now, status, sizeof(status));
	bool paused = engine_cgroup_state_paused(&c->state); /* Docker's "(Paused)" */
	if (paused)
		strncat(status, " (Paused)", sizeof(status) - strlen(status) - 1);
	cmd_created_at(c->created_ns / 1000000000, created_at, sizeof(created_at));
	cmd_human_duration((now - c->created_ns) / 1000000000, running_for, sizeof(running_for));
	strncat(running_for, " ago", sizeof(running_for) - strlen(running_for) - 1);
	cleanup_free char *cmd = cmd_join_command(c->argv);
	/* Docker quotes the command and cuts it at 20 characters with "…". */
	char command[512];
	if (!no_trunc && cmd && strlen(cmd) > 20)
		snprintf(command, sizeof(command), "\"%.19s…\"", cmd);
	else
		snprintf(command, sizeof(command), "\"%s\"", cmd ? cmd : "");
	static const char *const states[] = { "created", "running", "exited", "restarting" };
	const char *image = c->image;
	if (image[0] == '\0')
		image = c->spec.rootfs ? c->spec.rootfs : "";
	static const char *const networks[] = { "bridge", "none", "host" };
	int net = (int)c->spec.network;
	cleanup_json json_t *labels = engine_labels_json(&c->spec);
	cleanup_free char *labels_str = labels ? labels_text(labels) : NULL;
	cleanup_free char *ports = ports_text(c);
	/* Keys in Docker's order for {{json .}}: it marshals a map, sorted. */
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "Command",
			 command, "CreatedAt", created_at, "ID", id, "Image", image, "Labels",
			 labels_str ? labels_str : "", "LocalVolumes", "0", "Mounts", "", "Names",
			 c->name, "Networks", net >= 0 && net < 3 ? networks[net] : "", "Ports", ports ? ports : "",
			 "RunningFor", running_for, "Size", size ? size : "0B", "State",
			 paused ? "paused" : states[c->state.status], "Status", status, "#Label", labels);
}

/* --filter KEY=VALUE: the same key ORs (label: ANDs), different keys AND,
 * as Docker. */
struct ps_filter {
	const char *key[32], *value[32];
	size_t n;
};

static int ps_filter_add(void *data, const char *spec, struct engine_error **err)
{
	struct ps_filter *f = data;
	static const char *const keys[] = { "name", "id", "status", "ancestor", "exited", "label" };
	const char *eq = strchr(spec, '=');
	size_t kl = eq ? (size_t)(eq - spec) : 0;
	for (size_t i = 0; eq && i < ARRAY_SIZE(keys); i++) {
		if (strlen(keys[i]) != kl || strncmp(spec, keys[i], kl) != 0)
			continue;
		if (f->n == ARRAY_SIZE(f->key))
			return engine_error_set(err, E2BIG, "--filter: too many filters");
		f->key[f->n] = keys[i];
		f->value[f->n++] = eq + 1;
		return 0;
	}
	return engine_error_set(err, EINVAL,
				"--filter %s: unsupported filter (name, id, status, ancestor, exited, label)", spec);
}

static bool ps_filter_one(const struct engine_container *c, const char *key, const char *v)
{
	static const char *const states[] = { "created", "running", "exited", "restarting" };
	if (strcmp(key, "name") == 0)
		return strstr(c->name, v[0] == '/' ? v + 1 : v) != NULL;
	if (strcmp(key, "id") == 0)
		return strncmp(c->id, v, strlen(v)) == 0;
	if (strcmp(key, "status") == 0)
		return strcmp(states[c->state.status], v) == 0;
	if (strcmp(key, "label") == 0) {
		/* label=KEY: the key is set; label=KEY=VALUE: to that value */
		const char *eq = strchr(v, '=');
		cleanup_free char *k = eq ? strndup(v, (size_t)(eq - v)) : strdup(v);
		const char *have = k ? engine_label_get(&c->spec, k) : NULL;
		return have != NULL && (eq == NULL || strcmp(have, eq + 1) == 0);
	}
	if (strcmp(key, "exited") == 0)
		return c->state.status == ENGINE_CONTAINER_EXITED && c->state.exit_code == atoi(v);
	/* ancestor: the image as named, or its id (a prefix of it) */
	const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
	return strcmp(c->image, v) == 0 ||
	       (c->image_id[0] && strlen(hex) >= 4 && strncmp(c->image_id, hex, strlen(hex)) == 0);
}

static bool ps_filter_match(const struct ps_filter *f, const struct engine_container *c)
{
	for (size_t i = 0; i < f->n; i++) {
		/* label filters AND among themselves, as Docker's MatchKVList */
		if (strcmp(f->key[i], "label") == 0) {
			if (!ps_filter_one(c, f->key[i], f->value[i]))
				return false;
			continue;
		}
		bool any = false, seen = false;
		for (size_t k = 0; k < f->n; k++) {
			if (strcmp(f->key[k], f->key[i]) != 0)
				continue;
			seen = true;
			any = any || ps_filter_one(c, f->key[k], f->value[k]);
		}
		if (seen && !any)
			return false;
	}
	return true;
}

/* ps -s: each container's writable layer (measured inside the user
 * namespace, libengine/container/size.c) and, added to it, its image's size. */
static int ps_sizes(const struct cmd_global *g, struct engine_container **shown, size_t n,
		    int64_t *sizes, struct engine_error **err)
{
	if (n == 0)
		return 0;
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (engine_idmap_detect(&map, err) < 0 || cmd_store_root(g, &root, err) < 0 ||
	    engine_container_sizes(root, &map, shown, n, sizes, err) < 0)
		return -1;
	struct storage_store *store = NULL;
	struct storage_image **imgs = NULL;
	size_t n_imgs = 0;
	if (storage_store_open(root, &store, err) < 0 ||
	    storage_image_list(store, &imgs, &n_imgs, err) < 0) {
		storage_store_close(store);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t image_size = 0;
		for (size_t k = 0; k < n_imgs; k++)
			if (shown[i]->image_id[0] && strcmp(imgs[k]->id, shown[i]->image_id) == 0)
				image_size = imgs[k]->size;
		sizes[n + i] = image_size > 0 ? sizes[i] + image_size : 0;
	}
	for (size_t k = 0; k < n_imgs; k++)
		storage_image_free(imgs[k]);
	free(imgs);
	storage_store_close(store);
	return 0;
}

static const struct cmd_template_header ps_headers[] = {
	{ "ID", "CONTAINER ID" },
	{ "RunningFor", "CREATED" },
	{ "CreatedAt", "CREATED AT" },
	{ NULL, NULL },
};

/* -n N: the N newest containers; -l (no value): the newest.  The last
 * of them given wins. */
static int parse_last(void *data, const char *value, struct engine_error **err)
{
	(void)err;
	*(long *)data = value == NULL ? 1 : strtol(value, NULL, 10);
	return 0;
}

int cmd_ps(int argc, char **argv, struct cmd_global *g)
{
	struct ps_filter filter = { 0 };
	bool all = false, quiet = false, no_trunc = false, want_size = false;
	long last = -1;
	const char *format = NULL;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_BOOL, &all },
			    { "filter", CMD_BIND_CALL, &filter, ps_filter_add },
			    { "format", CMD_BIND_FORMAT, &format },
			    { "last", CMD_BIND_CALL, &last, parse_last },
			    { "latest", CMD_BIND_CALL, &last, parse_last },
			    { "no-trunc", CMD_BIND_BOOL, &no_trunc },
			    { "quiet", CMD_BIND_BOOL, &quiet },
			    { "size", CMD_BIND_BOOL, &want_size });
	/* -n and -l look at every container, as in Docker; so does a status
	 * or exited filter. */
	if (last >= 0)
		all = true;
	for (size_t i = 0; i < filter.n; i++)
		if (strcmp(filter.key[i], "status") == 0 || strcmp(filter.key[i], "exited") == 0)
			all = true;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container **list = NULL;
	size_t n = 0;
	size_t orphans = 0;
	int r = engine_container_list_summary(store, !all, &list, &n, &orphans, &err);
	/* What a killed create or foreground run left: nobody else sees it. */
	if (r == 0 && orphans > 0)
		cmd_sweep_store(store);
	storage_store_close(store);
	if (r < 0)
		return cmd_report(err);
	cleanup_json json_t *rows = json_array();
	int64_t now = engine_now_ns();
	/* As Docker's CLI: a format that shows .Size asks for the sizes. */
	if (format != NULL && strstr(format, ".Size") != NULL)
		want_size = true;
	if (quiet)
		want_size = false;
	struct engine_container **shown = calloc(n + 1, sizeof(*shown));
	size_t n_shown = 0;
	for (size_t i = 0; shown != NULL && i < n; i++) {
		if ((all || list[i]->state.status == ENGINE_CONTAINER_RUNNING) &&
		    (last < 0 || (long)n_shown < last) && ps_filter_match(&filter, list[i]))
			shown[n_shown++] = list[i];
	}
	/* sizes[i]: the writable layer; sizes[n_shown + i]: that and the image */
	cleanup_free int64_t *sizes = want_size ? calloc(2 * n_shown + 1, sizeof(int64_t)) : NULL;
	if (want_size && sizes != NULL && ps_sizes(g, shown, n_shown, sizes, &err) < 0) {
		free(shown);
		for (size_t i = 0; i < n; i++)
			engine_container_free(list[i]);
		free(list);
		return cmd_report(err);
	}
	for (size_t i = 0; i < n_shown; i++) {
		char size[96] = "";
		if (sizes != NULL)
			size_text(sizes[i], sizes[n_shown + i], size, sizeof(size));
		json_array_append_new(rows, ps_row(shown[i], no_trunc, now, sizes ? size : NULL));
	}
	free(shown);
	for (size_t i = 0; i < n; i++)
		engine_container_free(list[i]);
	free(list);
	if (quiet)
		format = "{{.ID}}";
	const char *def = want_size && (format == NULL || strcmp(format, "table") == 0)
				  ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
				    "{{.Ports}}\t{{.Names}}\t{{.Size}}"
				  : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
				    "{{.Ports}}\t{{.Names}}";
	if (cmd_template_print(format, def, rows, ps_headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}
