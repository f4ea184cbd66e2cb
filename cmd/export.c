/* export.c: `engine export [-o FILE] CONTAINER`: the container's whole
 * root file system as a tar (libengine/image/commit.c).  In engine-image: the
 * tar is libarchive's.  -o goes through a temp file and a rename, so FILE
 * is complete or untouched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/export.h"
#include "cmd/report.h"
#include "cmd/parse.h"
#include "libengine/image/commit.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

int cmd_export(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	const char *output = NULL;
	const struct cmd_bind binds[] = {
		{ "output", CMD_BIND_STRING, &output },
		{ NULL },
	};
	int r;
	if (!cmd_parse(g, argc, argv, binds, &r))
		return r;
	if (output == NULL && isatty(STDOUT_FILENO)) {
		engine_error_set(&err, ENOTTY,
				 "cowardly refusing to save to a terminal. Use the -o flag or redirect");
		return cmd_report_1(&err);
	}
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, &err) < 0)
		return cmd_report(err);
	struct engine_container *ctr = cmd_container_lookup(g, argv[optind], &r);
	if (ctr == NULL)
		return r;
	cleanup_free char *tmp = NULL;
	int fd = STDOUT_FILENO;
	if (output != NULL) {
		if (asprintf(&tmp, "%s.tmp-XXXXXX", output) < 0) {
			engine_container_free(ctr);
			engine_error_set(&err, ENOMEM, "out of memory");
			return cmd_report(err);
		}
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			engine_container_free(ctr);
			engine_error_errno(&err, errno, "create %s", output);
			return cmd_report(err);
		}
	}
	r = engine_container_export(ctr, &map, fd, &err);
	engine_container_free(ctr);
	if (output != NULL) {
		if (r == 0 && fsync(fd) < 0)
			r = engine_error_errno(&err, errno, "write %s", output);
		if (r == 0 && fchmod(fd, 0644 & ~umask(umask(0))) < 0)
			r = engine_error_errno(&err, errno, "chmod %s", output);
		close(fd);
		if (r == 0 && rename(tmp, output) < 0)
			r = engine_error_errno(&err, errno, "rename to %s", output);
		if (r < 0)
			unlink(tmp);
	}
	return r < 0 ? cmd_report(err) : 0;
}
