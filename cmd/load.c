/* load.c: `engine load [-i FILE] [-q]` / `engine image load`: a
 * docker-archive or oci-archive from FILE or stdin.  Prints what Docker
 * prints: "Loaded image: NAME" per name, "Loaded image ID: sha256:..." for
 * an image without one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/load.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "storage/reference.h"
#include "libengine/image/image.h"

static void loaded(void *data, const char *name, const char *id)
{
	if (name != NULL)
		printf("Loaded image: %s\n", storage_reference_familiar(name));
	else
		printf("Loaded image ID: %s\n", id);
	fflush(stdout);
}

int cmd_load(int argc, char **argv, struct cmd_global *g)
{
	const char *input = NULL;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "input", CMD_BIND_STRING, &input },
			    { "quiet", CMD_BIND_IGNORED }); /* there is no progress output to suppress */
	cleanup_close int fd = -1;
	if (input != NULL) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			engine_error_errno(&err, errno, "open %s", input);
			return cmd_report(err);
		}
	} else if (isatty(STDIN_FILENO)) {
		engine_error_set(&err, EINVAL,
				 "requested load from stdin, but stdin is empty (use -i or redirect)");
		return cmd_report(err);
	}
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (cmd_image_writer(g, &map, &root, &err) < 0)
		return cmd_report(err);
	if (engine_image_load(root, &map, fd >= 0 ? fd : STDIN_FILENO, loaded, NULL, &err) < 0)
		return cmd_report(err);
	return 0;
}
