/* cp-tar.c: `engine cp` with "-", in engine-image (libarchive): a tar of
 * CONTAINER:SRC to stdout, or a tar from stdin into CONTAINER:DEST
 * (libengine/image/commit.c). */
#include <stdbool.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/cp-tar.h"
#include "cmd/report.h"
#include "libengine/image/commit.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

int cmd_cp_tar(const struct engine_idmap *map, const struct engine_container *ctr,
	       const char *ctr_path, bool out, const struct engine_cp_options *o)
{
	cleanup_error struct engine_error *err = NULL;
	int r = out ? engine_cp_tar_out(ctr, map, ctr_path, o, STDOUT_FILENO, &err)
		    : engine_cp_tar_in(ctr, map, STDIN_FILENO, ctr_path, o, &err);
	if (r < 0)
		return engine_error_exit_code(err) == 1 ? cmd_report_1(&err) : cmd_report(err);
	return 0;
}
