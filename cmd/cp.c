/* cp.c: `engine cp [-a] [-L] CONTAINER:SRC DEST|-` and `engine cp [-a]
 * [-L] SRC|- CONTAINER:DEST` (libengine/container/cp.c does the copy).  A tar stream
 * ("-") needs libarchive: cmd_cp_tar is engine-image's (cp-tar.c), and
 * in `engine` it execs engine-image with this command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/cp.h"
#include "cmd/cp-tar.h"
#include "cmd/report.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "libengine/container/cp.h"
#include "cmd/ctr-common.h"
#include "libengine/userns/idmap.h"

/* Docker's split: an absolute path, one without ':', or one starting
 * with '.' is a local path; else CONTAINER:PATH. */
static char *split(const char *arg, const char **ret_path)
{
	const char *colon = strchr(arg, ':');
	if (arg[0] == '/' || arg[0] == '.' || colon == NULL) {
		*ret_path = arg;
		return NULL;
	}
	*ret_path = colon + 1;
	return strndup(arg, (size_t)(colon - arg));
}

int cmd_cp(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_cp_options o = { 0 };
	const struct cmd_bind binds[] = {
		{ "archive", CMD_BIND_BOOL, &o.archive },
		{ "follow-link", CMD_BIND_BOOL, &o.follow },
		{ "quiet", CMD_BIND_IGNORED }, /* we print no progress: always quiet */
		{ NULL },
	};
	int r;
	if (!cmd_parse(g, argc, argv, binds, &r))
		return r;
	const char *src, *dest;
	cleanup_free char *src_ctr = split(argv[optind], &src);
	cleanup_free char *dest_ctr = split(argv[optind + 1], &dest);
	if (src_ctr != NULL && dest_ctr != NULL) {
		engine_error_set(&err, EINVAL, "copying between containers is not supported");
		return cmd_report(err);
	}
	if (src_ctr == NULL && dest_ctr == NULL) {
		engine_error_set(&err, EINVAL, "must specify at least one container source");
		return cmd_report(err);
	}
	const char *ctr_path = src_ctr ? src : dest;
	if (ctr_path[0] == '\0' || src[0] == '\0' || dest[0] == '\0') {
		engine_error_set(&err, EINVAL, "cp: empty path");
		return cmd_report(err);
	}
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, &err) < 0)
		return cmd_report(err);
	struct engine_container *ctr = cmd_container_lookup(g, src_ctr ? src_ctr : dest_ctr, &r);
	if (ctr == NULL)
		return r;
	/* Container paths are absolute, as Docker reads them. */
	cleanup_free char *abs = NULL;
	if (ctr_path[0] != '/' && asprintf(&abs, "/%s", ctr_path) >= 0)
		ctr_path = abs;
	if (strcmp(src_ctr ? dest : src, "-") == 0) {
		if (src_ctr == NULL && isatty(STDIN_FILENO)) {
			engine_container_free(ctr);
			engine_error_set(&err, EINVAL, "cp: a tar stream on stdin was asked for (\"-\"), "
				"but stdin is a terminal");
			return cmd_report(err);
		}
		if (src_ctr != NULL && isatty(STDOUT_FILENO)) {
			engine_container_free(ctr);
			engine_error_set(&err, ENOTTY, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
			return cmd_report_1(&err);
		}
		int rc = cmd_cp_tar(&map, ctr, ctr_path, src_ctr != NULL, &o);
		engine_container_free(ctr);
		return rc;
	}
	if (src_ctr != NULL)
		r = engine_cp_from_container(ctr, &map, ctr_path, dest, &o, &err);
	else
		r = engine_cp_to_container(ctr, &map, src, ctr_path, &o, &err);
	engine_container_free(ctr);
	if (r < 0)
		return cmd_report(err);
	return 0;
}
