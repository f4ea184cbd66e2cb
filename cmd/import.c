/* import.c: `engine import [-c INSTRUCTION]... [-m MESSAGE] FILE|-
 * [REPOSITORY[:TAG]]` / `engine image import`: a rootfs tarball becomes a
 * one-layer image; prints its id as Docker does ("sha256:..."). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/import.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "libengine/image/image.h"

int cmd_import(int argc, char **argv, struct cmd_global *g)
{
	cleanup_cmd_strings struct cmd_strings changes = { 0 };
	struct engine_import_options io = { 0 };
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "change", CMD_BIND_STRINGS, &changes },
			    { "message", CMD_BIND_STRING, &io.message });
	io.changes = (char *const *)changes.v;
	io.n_changes = changes.n;
	const char *file = argv[optind];
	io.source = file;
	io.reference = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (strncmp(file, "http://", 7) == 0 || strncmp(file, "https://", 8) == 0) {
		engine_error_set(&err, EINVAL, "import %s: importing from a URL is not supported", file);
		return cmd_report(err);
	}
	cleanup_close int fd = -1;
	if (strcmp(file, "-") != 0) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			engine_error_errno(&err, errno, "open %s", file);
			return cmd_report(err);
		}
	}
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (cmd_image_writer(g, &map, &root, &err) < 0)
		return cmd_report(err);
	char id[72];
	if (engine_image_import(root, &map, fd >= 0 ? fd : STDIN_FILENO, &io, id, &err) < 0)
		return cmd_report(err);
	puts(id);
	return 0;
}
