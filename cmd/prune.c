/* prune.c: `engine image prune [-a] [-f]`: dangling images (no name), or
 * with -a every image no container uses, and the layers only they used.
 * Asks first unless -f, and prints what Docker prints. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/prune.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/flags.h"
#include "cmd/parse.h"
#include "storage/reference.h"
#include "cmd/humanize.h"
#include "libengine/image/image.h"

struct prune_print {
	bool header;
};

static void pruned(void *data, const char *untagged, const char *deleted)
{
	struct prune_print *p = data;
	if (!p->header)
		puts("Deleted Images:");
	p->header = true;
	if (untagged != NULL)
		printf("untagged: %s\n", storage_reference_familiar(untagged));
	if (deleted != NULL)
		printf("deleted: %s\n", deleted);
	fflush(stdout);
}

int cmd_prune_images(const struct cmd_global *g, bool all, int64_t *ret_reclaimed,
		     bool *ret_printed, struct engine_error **err)
{
	static struct engine_idmap map;
	cleanup_free char *root = NULL;
	if (engine_idmap_detect(&map, err) < 0 || cmd_store_root(g, &root, err) < 0)
		return -1;
	struct prune_print pp = { 0 };
	int r = engine_image_prune(root, &map, all, pruned, &pp, ret_reclaimed, err);
	*ret_printed = pp.header;
	return r;
}

int cmd_image_prune(int argc, char **argv, struct cmd_global *g)
{
	bool all = false, force = false;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_BOOL, &all },
			    { "force", CMD_BIND_BOOL, &force });
	if (!force) {
		char warning[200];
		snprintf(warning, sizeof(warning), "WARNING! This will remove all %s.\n",
			 all ? "images without at least one container associated to them"
			     : "dangling images");
		if (!cmd_confirm(warning)) {
			puts("Total reclaimed space: 0B");
			return 0;
		}
	}
	int64_t reclaimed = 0;
	bool printed = false;
	if (cmd_prune_images(g, all, &reclaimed, &printed, &err) < 0)
		return cmd_report(err);
	if (printed)
		putchar('\n');
	char size[32];
	cmd_human_size(reclaimed, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}
