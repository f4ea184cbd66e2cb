/* import.c: `engine import [-c INSTRUCTION]... [-m MESSAGE] FILE|-
 * [REPOSITORY[:TAG]]` / `engine image import`: a rootfs tarball becomes a
 * one-layer image; prints its id as Docker does ("sha256:..."). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "libengine/image/image.h"

#define MAX_CHANGES 64

int cmd_import(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "change", required_argument, NULL, 'c' },
		{ "message", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *changes[MAX_CHANGES];
	struct engine_import_options io = { .changes = changes };
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "c:m:", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 'c':
			if (io.n_changes == MAX_CHANGES) {
				engine_error_set(&err, E2BIG, "--change: more than %d", MAX_CHANGES);
				return cmd_report(err);
			}
			changes[io.n_changes++] = optarg;
			break;
		case 'm':
			io.message = optarg;
			break;
		case 'h':
			return cmd_help("import");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		engine_error_set(&err, EINVAL, "\"engine import\" requires at least 1 and at most 2 arguments");
		return cmd_report(err);
	}
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
	if (engine_idmap_detect(&map, &err) < 0 || cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	char id[72];
	if (engine_image_import(root, &map, fd >= 0 ? fd : STDIN_FILENO, &io, id, &err) < 0)
		return cmd_report(err);
	puts(id);
	return 0;
}
