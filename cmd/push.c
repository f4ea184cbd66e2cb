/* push.c: `engine push [--tls-verify=false] [-q] IMAGE [DESTINATION]` /
 * `engine image push`.  Docker's lines: "The push refers to repository
 * [...]", one per layer (Pushed, Layer already exists, Mounted from ...),
 * and "TAG: digest: sha256:... size: N"; with -q only the pushed name. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/push.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "libengine/image/push.h"
#include "libengine/image/image.h"
#include "storage/reference.h"

struct push_print {
	bool quiet;
	bool header;
	const char *repository;
};

static void push_progress(void *data, enum engine_push_event e, const char *digest,
			  const char *detail)
{
	struct push_print *p = data;
	if (p->quiet)
		return;
	const char *hex = strchr(digest, ':') ? strchr(digest, ':') + 1 : digest;
	switch (e) {
	case ENGINE_PUSH_BLOB_EXISTED:
		printf("%.12s: Layer already exists\n", hex);
		break;
	case ENGINE_PUSH_BLOB_MOUNTED:
		printf("%.12s: Mounted from %s\n", hex, detail ? detail : "");
		break;
	case ENGINE_PUSH_BLOB_PUSHED:
		printf("%.12s: Pushed\n", hex);
		break;
	}
	fflush(stdout);
}

int cmd_push(int argc, char **argv, struct cmd_global *g)
{
	struct push_print pp = { 0 };
	struct engine_push_options po = { .tls_verify = true, .registries = g->registries,
					  .progress = push_progress, .progress_data = &pp };
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "quiet", CMD_BIND_BOOL, &pp.quiet },
			    { "tls-verify", CMD_BIND_BOOL, &po.tls_verify });
	const char *source = argv[optind];
	const char *destination = optind + 1 < argc ? argv[optind + 1] : NULL;
	/* The repository line comes first, as Docker prints it before any
	 * layer; a bad name is reported before anything is printed. */
	cleanup_free char *repo = NULL;
	if (cmd_reference_full(destination ? destination : source, true, &repo, &err) < 0)
		return cmd_report(err);
	cleanup_free char *root = NULL;
	if (cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	if (!pp.quiet) {
		printf("The push refers to repository [%s]\n", repo);
		fflush(stdout);
	}
	struct engine_push_result res = { 0 };
	if (engine_image_push(root, source, destination, &po, &res, &err) < 0) {
		if (err->status == ENOENT && strstr(err->msg, "No such image") != NULL)
			err->exit_code = 1;
		return cmd_report(err);
	}
	if (pp.quiet)
		printf("%s:%s\n", res.repository, res.tag);
	else
		printf("%s: digest: %s size: %zu\n", res.tag, res.digest, res.size);
	engine_push_result_clear(&res);
	return 0;
}
