/* commit.c: `engine commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE]... [-p]
 * CONTAINER [REPOSITORY[:TAG]]`: a new image of the container's image
 * plus one layer of its changes (libengine/image/commit.c).  In engine-image:
 * the layer is a tar (libarchive). */
#include <getopt.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commit.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/parse.h"
#include "libengine/image/commit.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

int cmd_commit(int argc, char **argv, struct cmd_global *g)
{
	cleanup_cmd_strings struct cmd_strings changes = { 0 };
	struct engine_commit_options o = { .pause = true };
	const struct cmd_bind binds[] = {
		{ "author", CMD_BIND_STRING, &o.author },
		{ "change", CMD_BIND_STRINGS, &changes },
		{ "message", CMD_BIND_STRING, &o.message },
		{ "pause", CMD_BIND_BOOL, &o.pause },
		{ NULL },
	};
	cleanup_error struct engine_error *err = NULL;
	int r;
	if (!cmd_parse(g, argc, argv, binds, &r))
		return r;
	o.changes = (char *const *)changes.v;
	o.n_changes = changes.n;
	o.reference = optind + 1 < argc ? argv[optind + 1] : NULL;
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (engine_idmap_detect(&map, &err) < 0 || cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	struct engine_container *ctr = cmd_container_lookup(g, argv[optind], &r);
	if (ctr == NULL)
		return r;
	char id[72];
	r = engine_container_commit(root, &map, ctr, &o, id, &err);
	engine_container_free(ctr);
	if (r < 0)
		return cmd_report(err);
	puts(id);
	return 0;
}
