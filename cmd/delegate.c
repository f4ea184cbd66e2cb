/* delegate.c: in the `engine` binary, the image-transfer commands exec the
 * engine-image helper with the same command line (see helper.c). */
#include "cmd/cmd.h"
#include "cmd/export.h"
#include "cmd/commit.h"
#include "cmd/cp-tar.h"
#include "cmd/helper.h"
#include "cmd/import.h"
#include "cmd/load.h"
#include "cmd/login.h"
#include "cmd/pull.h"
#include "cmd/push.h"
#include "cmd/save.h"

#define DELEGATE(name)                                                       \
	int name(int argc, char **argv, struct cmd_global *g)                \
	{                                                                    \
		(void)argc;                                                  \
		(void)argv;                                                  \
		(void)g;                                                     \
		return cmd_exec_helper();                                    \
	}

DELEGATE(cmd_pull)
DELEGATE(cmd_push)
DELEGATE(cmd_save)
DELEGATE(cmd_load)
DELEGATE(cmd_import)
DELEGATE(cmd_login)
DELEGATE(cmd_logout)
/* tar streams (libarchive). */
DELEGATE(cmd_commit)
DELEGATE(cmd_export)

/* cp with a tar stream: the whole command line goes to engine-image. */
int cmd_cp_tar(const struct engine_idmap *map, const struct engine_container *ctr,
	       const char *ctr_path, bool out, const struct engine_cp_options *o)
{
	(void)map;
	(void)ctr;
	(void)ctr_path;
	(void)out;
	(void)o;
	return cmd_exec_helper();
}
