/* version.c: `engine version` (text, or JSON with --format json). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "cmd.h"
#include "config.h"

int cmd_version(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
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
	struct utsname u;
	uname(&u);
	if (format != NULL && (strcmp(format, "json") == 0 || strcmp(format, "{{json .}}") == 0)) {
		cleanup_json json_t *j = json_pack("{s:{s:s,s:s,s:s,s:s}}", "Client", "Version",
						   ENGINE_VERSION, "Os", "linux", "Arch", u.machine,
						   "Kernel", u.release);
		char *s = json_dumps(j, JSON_COMPACT);
		if (s == NULL)
			return 125;
		puts(s);
		free(s);
		return 0;
	}
	if (format != NULL) {
		fprintf(stderr, "Error: --format %s: only json is supported\n", format);
		return 125;
	}
	printf("Client:\n Version:    %s\n OS/Arch:    linux/%s\n Kernel:     %s\n", ENGINE_VERSION,
	       u.machine, u.release);
	return 0;
}
