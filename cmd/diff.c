/* diff.c: `engine diff CONTAINER`: what the container changed in its
 * image, one "A|C|D /path" line each, sorted (libengine/image/layer-diff.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/diff.h"
#include "cmd/report.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/userns/idmap.h"
#include "libengine/image/layer-diff.h"

int cmd_diff(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	static struct engine_idmap map;
	if (engine_idmap_detect(&map, &err) < 0)
		return cmd_report(err);
	int r;
	struct engine_container *ctr = cmd_container_lookup(g, argv[optind], &r);
	if (ctr == NULL)
		return r;
	struct engine_changes ch = { 0 };
	r = engine_container_changes(ctr, &map, &ch, &err);
	engine_container_free(ctr);
	if (r < 0)
		return cmd_report(err);
	for (size_t i = 0; i < ch.n; i++)
		printf("%c %s\n", ch.v[i].kind, ch.v[i].path);
	engine_changes_clear(&ch);
	return fflush(stdout) == 0 ? 0 : 125;
}
