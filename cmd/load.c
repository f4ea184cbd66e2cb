/* load.c: `engine load [-i FILE] [-q]` / `engine image load`: a
 * docker-archive or oci-archive from FILE or stdin.  Prints what Docker
 * prints: "Loaded image: NAME" per name, "Loaded image ID: sha256:..." for
 * an image without one. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
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
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL;
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "i:q", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			break; /* there is no progress output to suppress */
		case 'h':
			return cmd_help("load");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind != argc) {
		engine_error_set(&err, EINVAL, "\"engine load\" accepts no arguments");
		return cmd_report(err);
	}
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
	if (engine_idmap_detect(&map, &err) < 0 || cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	if (engine_image_load(root, &map, fd >= 0 ? fd : STDIN_FILENO, loaded, NULL, &err) < 0)
		return cmd_report(err);
	return 0;
}
