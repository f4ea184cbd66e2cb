/* ps.c: `engine ps`: list containers as Docker does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "containers.h"
#include "ctr-common.h"
#include "humanize.h"
#include "template.h"

static json_t *ps_row(const struct engine_container *c, bool no_trunc, int64_t now)
{
	char id[65], status[96], created_at[64], running_for[80];
	snprintf(id, sizeof(id), no_trunc ? "%s" : "%.12s", c->id);
	cmd_container_status((int)c->state.status, c->state.exit_code, c->state.started_ns,
			     c->state.finished_ns, now, status, sizeof(status));
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
	if (image[0] == '\0') {
		const char *rootfs = json_string_value(
			json_object_get(json_object_get(c->config, "Spec"), "rootfs"));
		image = rootfs ? rootfs : "";
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "Image", image,
			 "Command", command, "CreatedAt", created_at, "RunningFor", running_for,
			 "Ports", "", "State", states[c->state.status], "Status", status, "Size", "0B",
			 "Names", c->name, "Labels", "", "Mounts", "");
}

/* --filter KEY=VALUE: the same key ORs, different keys AND, as Docker. */
struct ps_filter {
	const char *key[32], *value[32];
	size_t n;
};

static int ps_filter_add(struct ps_filter *f, const char *spec, struct engine_error **err)
{
	static const char *const keys[] = { "name", "id", "status", "ancestor", "exited" };
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
				"--filter %s: unsupported filter (name, id, status, ancestor, exited)", spec);
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

static const struct cmd_template_header ps_headers[] = {
	{ "ID", "CONTAINER ID" },
	{ "RunningFor", "CREATED" },
	{ "CreatedAt", "CREATED AT" },
	{ NULL, NULL },
};

int cmd_ps(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },         { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'N' },    { "format", required_argument, NULL, 'F' },
		{ "latest", no_argument, NULL, 'l' },      { "last", required_argument, NULL, 'n' },
		{ "filter", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ps_filter filter = { 0 };
	bool all = false, quiet = false, no_trunc = false;
	long last = -1;
	const char *format = NULL;
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:aqln:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			if (ps_filter_add(&filter, optarg, &err) < 0)
				return cmd_report(err);
			break;
		case 'q':
			quiet = true;
			break;
		case 'N':
			no_trunc = true;
			break;
		case 'F':
			format = optarg;
			break;
		case 'l':
			last = 1;
			break;
		case 'n':
			last = strtol(optarg, NULL, 10);
			break;
		case 'h':
			puts("Usage: engine ps [OPTIONS]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (format != NULL && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format != NULL && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	/* -n and -l look at every container, as in Docker. */
	if (last >= 0)
		all = true;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container **list = NULL;
	size_t n = 0;
	int r = engine_container_list(store, &list, &n, &err);
	storage_store_close(store);
	if (r < 0)
		return cmd_report(err);
	cleanup_json json_t *rows = json_array();
	int64_t now = engine_now_ns();
	/* A status or exited filter looks at every container, as Docker's. */
	for (size_t i = 0; i < filter.n; i++)
		if (strcmp(filter.key[i], "status") == 0 || strcmp(filter.key[i], "exited") == 0)
			all = true;
	long n_shown = 0;
	for (size_t i = 0; i < n; i++) {
		bool shown = (all || list[i]->state.status == ENGINE_CONTAINER_RUNNING) &&
			     (last < 0 || n_shown < last) && ps_filter_match(&filter, list[i]);
		if (shown) {
			json_array_append_new(rows, ps_row(list[i], no_trunc, now));
			n_shown++;
		}
		engine_container_free(list[i]);
	}
	free(list);
	if (quiet)
		format = "{{.ID}}";
	const char *def = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
			  "{{.Ports}}\t{{.Names}}";
	if (cmd_template_print(format, def, rows, ps_headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}
