/* rm.c: `engine rm` and `container prune`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/rm.h"
#include "cmd/store-root.h"
#include "libengine/container/remove.h"
#include "cmd/flags.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/container/lifecycle-create.h"

struct rm_opts {
	bool force;
	bool volumes; /* -v: the container's anonymous volumes go too */
	char *run_root;
};

/* Print as Docker does, in the library's order: each removed container on
 * stdout (WHAT[i] as given, or its full ID when WHAT is NULL; HEADER
 * first when not NULL), each failure on stderr; a failure with SKIP_ERRNO (not
 * 0), or ENOENT with it (a container that went meanwhile), is none.
 * Returns 0, or 1 when one failed. */
static int rm_print(struct engine_remove_result *results, size_t n, char *const *what,
		    int skip_errno, const char *header)
{
	int rc = 0;
	bool printed = false;
	for (size_t i = 0; i < n; i++) {
		struct engine_error *e = results[i].err;
		if (e == NULL) {
			if (header != NULL && !printed)
				puts(header);
			printed = true;
			puts(what != NULL ? what[i] : results[i].id);
		} else if (skip_errno == 0 || (e->status != ENOENT && e->status != skip_errno)) {
			rc = cmd_report_1(&results[i].err);
		}
	}
	engine_remove_results_free(results, n);
	if (printed && header != NULL)
		putchar('\n');
	return rc;
}

/* Every container in E, in one library call, printed by rm_print. */
static int rm_all_print(struct engine *e, const struct engine_remove_options *o, int skip_errno,
			const char *header)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_remove_result *results = NULL;
	size_t n = 0;
	if (engine_container_remove_all(e, o, &results, &n, &err) < 0 && results == NULL)
		return cmd_report(err);
	int rc = rm_print(results, n, NULL, skip_errno, header);
	free(results);
	return rc;
}

/* rm -a (Podman's): every container, printing each full ID; a running
 * one without -f is refused as a named one would be. */
static int rm_all(const struct cmd_global *g, struct rm_opts *o)
{
	cleanup_error struct engine_error *err = NULL;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	cmd_sweep_store(e->store);
	struct engine_remove_options ro = { .force = o->force, .volumes = o->volumes,
					    .run_root = o->run_root };
	/* A container that went meanwhile (its own --rm) is not an error. */
	return rm_all_print(e, &ro, ENOENT, NULL);
}

int cmd_rm(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct rm_opts o = { 0 };
	bool all = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_BOOL, &all },
			    { "force", CMD_BIND_BOOL, &o.force },
			    { "volumes", CMD_BIND_BOOL, &o.volumes });
	if (all && optind < argc) {
		engine_error_set(&err, EINVAL, "--all and container names are mutually exclusive");
		return cmd_report(err);
	}
	/* The table allows no name, for --all: without it, one at least. */
	if (optind >= argc && !all) {
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least 1 argument", g->path);
		return cmd_report(err);
	}
	cleanup_free char *run_root = NULL;
	if (cmd_store_runroot(g, &run_root, &err) < 0)
		return cmd_report(err);
	o.run_root = run_root;
	if (all)
		return rm_all(g, &o);
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	struct engine_remove_options ro = { .force = o.force, .volumes = o.volumes,
					    .run_root = o.run_root };
	size_t n = (size_t)(argc - optind);
	cleanup_free struct engine_remove_result *results = calloc(n, sizeof(*results));
	if (results == NULL) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	engine_container_remove(e, argv + optind, n, &ro, results, &err);
	engine_error_free(&err); /* in each result too */
	int rc = rm_print(results, n, argv + optind, 0, NULL);
	cmd_sweep_store(e->store);
	return rc;
}

/* container prune: every container that is not running goes. */
int cmd_container_prune(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "force", CMD_BIND_BOOL, &force });
	if (!force && !cmd_confirm("WARNING! This will remove all stopped containers.\n"))
		return 0;
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	cmd_sweep_store(e->store);
	/* A running one stays, as one started or removed meanwhile does. */
	struct engine_remove_options ro = { .stopped_only = true };
	int rc = rm_all_print(e, &ro, EBUSY, "Deleted Containers:");
	puts("Total reclaimed space: 0B");
	return rc;
}
