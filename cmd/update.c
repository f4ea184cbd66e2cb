/* update.c: `engine update [OPTIONS] CONTAINER...`: change the
 * resource limits of containers.  The new limits are recorded in
 * config.json (the next start applies them) and, for a running container
 * with a cgroup of its own, written into its cgroup files and read back:
 * inside a Delegate=yes scope or our delegated subtree they are the
 * user's to write, whichever manager made the cgroup.  A running
 * container without a cgroup (cgroups not delegated here) fails with why;
 * nothing is recorded for it then. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cgroup-flags.h"
#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/update.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
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

/* update's flags are the cgroup fields up to --pids-limit (run's take
 * the rest too), kept in the order given, the order update_one applies
 * them in. */
enum { UPDATE_FIELDS = ENGINE_CGROUP_FIELD_PIDS_LIMIT + 1 };

struct update_flags {
	struct flag list[64];
	size_t n;
};

struct update_field {
	struct update_flags *flags;
	enum engine_cgroup_field field;
};

static int add_flag(void *data, const char *value, struct engine_error **err)
{
	const struct update_field *f = data;
	if (f->flags->n == ARRAY_SIZE(f->flags->list))
		return engine_error_set(err, E2BIG, "too many flags");
	f->flags->list[f->flags->n++] = (struct flag){ f->field, value };
	return 0;
}

int cmd_update(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct update_flags flags = { .n = 0 };
	struct update_field fields[UPDATE_FIELDS];
	struct cmd_bind binds[UPDATE_FIELDS + 1] = { { NULL } };
	for (int i = 0; i < UPDATE_FIELDS; i++) {
		fields[i] = (struct update_field){ &flags, (enum engine_cgroup_field)i };
		/* "-m, --memory": the long name is the table's. */
		const char *name = strstr(cmd_cgroup_flag_name(fields[i].field), "--") + 2;
		binds[i] = (struct cmd_bind){ name, CMD_BIND_CALL, &fields[i], add_flag };
	}
	int rc;
	if (!cmd_parse(g, argc, argv, binds, &rc))
		return rc;
	if (flags.n == 0) {
		engine_error_set(&err, EINVAL, "you must provide one or more flags when using this command");
		return cmd_report(err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	rc = 0;
	for (int i = optind; i < argc; i++) {
		if (update_one(store, argv[i], flags.list, flags.n, &err) < 0)
			rc = cmd_report_1(&err);
		else
			puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}
