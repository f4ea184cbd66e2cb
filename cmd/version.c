/* version.c: `engine version` (text, or --format json or a Go template on
 * the same JSON: `engine version --format '{{.Client.Version}}'`). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/version.h"
#include "cmd/commands.h"
#include "config.h"
#include "cmd/parse.h"
#include "cmd/template.h"

int cmd_version(int argc, char **argv, struct cmd_global *g)
{
	const char *format;
	int rc;
	if (!cmd_parse_format(g, argc, argv, &format, &rc))
		return rc;
	cleanup_error struct engine_error *err = NULL;
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
	if (j == NULL) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	if (cmd_template_print_document(format, j, JSON_COMPACT | JSON_PRESERVE_ORDER, stdout,
					&err) < 0)
		return cmd_report(err);
	return 0;
}
