/* info.c: `engine info`: text by default, JSON with --format json, or a
 * Go template on that JSON (`engine info --format '{{.host.arch}}'`,
 * or Docker's names: '{{.ServerVersion}}'). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/info.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "libengine/info.h"
#include "cmd/template.h"

/* Indented "key: value" lines, the shape `podman info` prints. */
static void print_text(json_t *j, int depth)
{
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		printf("%*s%s:", depth * 2, "", key);
		if (json_is_object(v)) {
			putchar('\n');
			print_text(v, depth + 1);
		} else if (json_is_array(v)) {
			putchar('\n');
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (json_is_object(v) || json_is_object(e)) {
					printf("%*s-", depth * 2 + 2, "");
					const char *k2;
					json_t *v2;
					json_object_foreach(e, k2, v2) {
						char *s = json_dumps(v2, JSON_ENCODE_ANY);
						printf(" %s: %s", k2, s ? s : "");
						free(s);
					}
					putchar('\n');
				} else {
					printf("%*s- %s\n", depth * 2 + 2, "",
					       json_is_string(e) ? json_string_value(e) : "?");
				}
			}
		} else if (json_is_string(v)) {
			printf(" %s\n", json_string_value(v));
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY);
			printf(" %s\n", s ? s : "");
			free(s);
		}
	}
}

/* Docker's names for the facts Docker users script against (`docker info
 * --format '{{.ServerVersion}}'`, `{{.Driver}}`, `{{.SecurityOptions}}`
 * to tell rootless), beside the engine's own keys, which stay as they are. */
static void add_docker_names(json_t *j)
{
	json_t *host = json_object_get(j, "host");
	json_t *features = json_object_get(j, "features");
	static const struct {
		const char *docker;
		const char *section; /* NULL: the top level */
		const char *key;
	} same[] = {
		{ "ServerVersion", NULL, "version" },	  { "Architecture", "host", "arch" },
		{ "KernelVersion", "host", "kernel" },	  { "NCPU", "host", "cpus" },
		{ "MemTotal", "host", "memTotal" },	  { "Name", "host", "hostname" },
		{ "Driver", "store", "driver" },	  { "DockerRootDir", "store", "graphRoot" },
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		json_t *from = same[i].section ? json_object_get(j, same[i].section) : j;
		json_t *v = json_object_get(from, same[i].key);
		if (v != NULL)
			json_object_set(j, same[i].docker, v);
	}
	json_object_set_new(j, "OSType", json_string("linux"));
	/* Docker says "none" where the engine has no cgroup manager, and
	 * numbers the version without the "v". */
	const char *mgr = json_string_value(json_object_get(host, "cgroupManager"));
	if (mgr != NULL)
		json_object_set_new(j, "CgroupDriver",
				    json_string(strcmp(mgr, "disabled") == 0 ? "none" : mgr));
	const char *version = json_string_value(json_object_get(host, "cgroupVersion"));
	if (version != NULL)
		json_object_set_new(j, "CgroupVersion",
				    json_string(version[0] == 'v' ? version + 1 : version));
	json_t *security = json_array();
	if (json_is_true(json_object_get(features, "seccomp")))
		json_array_append_new(security, json_string("name=seccomp,profile=builtin"));
	if (json_is_true(json_object_get(host, "rootless")))
		json_array_append_new(security, json_string("name=rootless"));
	json_object_set_new(j, "SecurityOptions", security);
}

int cmd_info(int argc, char **argv, struct cmd_global *g)
{
	const char *format;
	int rc;
	if (!cmd_parse_format(g, argc, argv, &format, &rc))
		return rc;
	cleanup_error struct engine_error *err = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_free char *root = NULL, *runroot = NULL;
	if (cmd_store_root(g, &root, &err) < 0 || cmd_store_runroot(g, &runroot, &err) < 0 ||
	    engine_info_collect(root, runroot, g->storage_driver, &j, &err) < 0)
		return cmd_report(err);
	if (format == NULL) {
		print_text(j, 0);
		return 0;
	}
	add_docker_names(j);
	if (cmd_template_print_document(format, j, JSON_INDENT(2) | JSON_PRESERVE_ORDER, stdout,
					&err) < 0)
		return cmd_report(err);
	return 0;
}
