/* update.c: `engine update [OPTIONS] CONTAINER...`: change the
 * resource limits of containers.  The new limits are recorded in
 * config.json (the next start applies them) and, for a running container
 * with a cgroup of its own, written into its cgroup files and read back:
 * inside a Delegate=yes scope or our delegated subtree they are the
 * user's to write, whichever manager made the cgroup.  A running
 * container without a cgroup (cgroups not delegated here) fails with why;
 * nothing is recorded for it then. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cgroup-flags.h"
#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/runtime/spec.h"

struct flag {
	enum engine_cgroup_field field;
	const char *value;
};

static int update_one(struct storage_store *store, const char *what, const struct flag *flags,
		      size_t n, struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	struct engine_run_spec spec = { 0 };
	int r = engine_container_spec(c, &spec, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		/* A new --memory replaces the old swap total, as Docker's. */
		if (flags[i].field == ENGINE_CGROUP_FIELD_MEMORY)
			spec.cg_memory_swap = 0;
		r = cmd_cgroup_flag_set(&spec, flags[i].field, flags[i].value, err);
	}
	if (r == 0)
		r = engine_cgroup_run_flags_check(&spec, err);
	if (r == 0 && c->state.status == ENGINE_CONTAINER_RUNNING) {
		struct engine_cgroup cg;
		r = engine_cgroup_of_state(&c->state, &cg, err);
		if (r == 0) {
			struct engine_cgroup_limits limits;
			engine_cgroup_spec_limits(&spec, NULL, &limits);
			r = engine_cgroup_update(&cg, &limits, err);
			engine_cgroup_release(&cg);
		}
	}
	if (r == 0)
		r = engine_container_update_limits(store, c, &spec, err);
	if (r < 0)
		engine_error_prefix(err, "Cannot update container %s", what);
	engine_run_spec_free(&spec);
	engine_container_free(c);
	return r;
}

int cmd_update(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY },
		{ "memory-swap", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY_SWAP },
		{ "memory-reservation", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY_RESERVATION },
		{ "cpus", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPUS },
		{ "cpu-shares", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_SHARES },
		{ "cpu-quota", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_QUOTA },
		{ "cpu-period", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_PERIOD },
		{ "cpuset-cpus", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPUSET_CPUS },
		{ "pids-limit", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_PIDS_LIMIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct flag flags[64];
	size_t n = 0;
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "m:", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		if (c == 'm')
			c = CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY;
		if (c >= CMD_CGROUP_OPT && c < CMD_CGROUP_OPT + CMD_CGROUP_FIELDS) {
			if (n == sizeof(flags) / sizeof(flags[0])) {
				engine_error_set(&err, E2BIG, "too many flags");
				return cmd_report(err);
			}
			flags[n].field = (enum engine_cgroup_field)(c - CMD_CGROUP_OPT);
			flags[n++].value = optarg;
			continue;
		}
		if (c == 'h')
			return cmd_help("update");
		return cmd_bad_flag(c, argv);
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine update\" requires at least 1 argument");
		return cmd_report(err);
	}
	if (n == 0) {
		engine_error_set(&err, EINVAL, "you must provide one or more flags when using this command");
		return cmd_report(err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (update_one(store, argv[i], flags, n, &err) < 0)
			rc = cmd_report_1(&err);
		else
			puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}
