/* info.c: `engine info`: text by default, JSON with --format json (or
 * Docker's '{{json .}}'). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "info.h"

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

int cmd_info(int argc, char **argv, struct cmd_global *g)
{
	const char *format = NULL;
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) && i + 1 < argc)
			format = argv[++i];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			format = argv[i] + 9;
		else {
			fprintf(stderr, "Error: unknown flag: %s\n", argv[i]);
			return 125;
		}
	}
	if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "{{json .}}") != 0) {
		fprintf(stderr, "Error: --format %s: only json is supported\n", format);
		return 125;
	}
	cleanup_error struct engine_error *err = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_free char *root = NULL, *runroot = NULL;
	if (cmd_store_root(g, &root, &err) < 0 || cmd_store_runroot(g, &runroot, &err) < 0 ||
	    engine_info_collect(root, runroot, g->storage_driver, &j, &err) < 0)
		return cmd_report(err);
	if (format != NULL) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s == NULL)
			return 125;
		puts(s);
		free(s);
		return 0;
	}
	print_text(j, 0);
	return 0;
}
