/* exec.c: `engine exec [OPTIONS] CONTAINER COMMAND [ARG...]`: Docker's
 * flags, bound here; the joining is libengine/container/exec.c's.
 *
 * Exit codes: the command's own; 126/127 when it cannot be invoked or is
 * not found; 1 for "No such container" (as every container command here,
 * Docker's code); 125 for a container that is not running (Podman's: the
 * engine refused, the command never ran) and for any other engine error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/exec.h"
#include "cmd/report.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/container/exec.h"

/* -e and --env-file collect in a spec used only for its environment
 * list, so that "KEY" alone takes the host's value as in run. */
static int add_env(void *data, const char *value, struct engine_error **err)
{
	if (engine_env_add(data, value, err) < 0)
		return engine_error_prefix(err, "--env");
	return 0;
}

static int add_env_file(void *data, const char *value, struct engine_error **err)
{
	if (engine_env_add_file(data, value, err) < 0)
		return engine_error_prefix(err, "--env-file");
	return 0;
}

static int set_user(void *data, const char *value, struct engine_error **err)
{
	if (engine_user_spec_check(value, err) < 0)
		return -1;
	*(const char **)data = value;
	return 0;
}

static int set_workdir(void *data, const char *value, struct engine_error **err)
{
	if (engine_workdir_check(value, err) < 0)
		return -1;
	*(const char **)data = value;
	return 0;
}

int cmd_exec(int argc, char **argv, struct cmd_global *g)
{
	struct engine_exec_options opts = { 0 };
	struct engine_run_spec env = { .env_lookup = getenv };
	/* The flags end at the container's name (the table's order): what
	 * follows is the command's. */
	const struct cmd_bind binds[] = {
		{ "detach", CMD_BIND_BOOL, &opts.detach },
		{ "env", CMD_BIND_CALL, &env, add_env },
		{ "env-file", CMD_BIND_CALL, &env, add_env_file },
		{ "interactive", CMD_BIND_BOOL, &opts.interactive },
		{ "privileged", CMD_BIND_BOOL, &opts.privileged },
		{ "tty", CMD_BIND_BOOL, &opts.tty },
		{ "user", CMD_BIND_CALL, &opts.user, set_user },
		{ "workdir", CMD_BIND_CALL, &opts.workdir, set_workdir },
		{ NULL },
	};
	int rc;
	if (!cmd_parse(g, argc, argv, binds, &rc)) {
		engine_run_spec_free(&env);
		return rc;
	}
	opts.argv = argv + optind + 1;
	opts.env = env.env;
	opts.n_env = env.n_env;
	cleanup_error struct engine_error *err = NULL;
	const char *what = argv[optind];
	struct engine_container *c = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL) {
		engine_run_spec_free(&env);
		return cmd_report(err);
	}
	if (engine_container_get(store, what, &c, &err) < 0) {
		rc = cmd_report_1(&err);
	} else {
		/* Nothing of the store stays open in the exec'd process's
		 * parent while it runs (it holds no lock either). */
		storage_store_close(store);
		store = NULL;
		int exit_code = 0;
		rc = engine_exec(c, &opts, &exit_code, &err) < 0 ? cmd_report(err) : exit_code;
	}
	engine_container_free(c);
	if (store != NULL)
		storage_store_close(store);
	engine_run_spec_free(&env);
	return rc;
}
