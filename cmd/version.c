/* version.c: `engine version` (text, or --format json or a Go template on
 * the same JSON: `engine version --format '{{.Client.Version}}'`). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "cmd.h"
#include "config.h"
#include "flags.h"
#include "template.h"

int cmd_version(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	const char *format = NULL;
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "f:h", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			puts("Usage: engine version [OPTIONS]\n\n"
			     "  -f, --format FORMAT   json, or a Go template: '{{.Client.Version}}'");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind < argc) {
		engine_error_set(&err, EINVAL, "\"engine version\" accepts no arguments");
		return cmd_report(err);
	}
	if (format != NULL && strcmp(format, "json") != 0 && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	struct utsname u;
	uname(&u);
	if (format == NULL) {
		printf("Client:\n Version:    %s\n OS/Arch:    linux/%s\n Kernel:     %s\n",
		       ENGINE_VERSION, u.machine, u.release);
		return 0;
	}
	/* Docker's keys.  Daemonless, the engine is its own server: scripts
	 * that ask for '{{.Server.Version}}' get the same answer. */
	cleanup_json json_t *j = json_pack("{s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s}}", "Client",
					   "Version", ENGINE_VERSION, "Os", "linux", "Arch",
					   u.machine, "Kernel", u.release, "Server", "Version",
					   ENGINE_VERSION, "Os", "linux", "Arch", u.machine,
					   "KernelVersion", u.release);
	char *s = j == NULL ? NULL
		  : strcmp(format, "json") == 0 ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)
						: cmd_template_render(format, j);
	if (s == NULL) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	puts(s);
	free(s);
	return 0;
}
