/* exec.c: `engine exec [OPTIONS] CONTAINER COMMAND [ARG...]`: Docker's
 * flags, parsed here; the joining is libengine/container/exec.c's.
 *
 * Exit codes: the command's own; 126/127 when it cannot be invoked or is
 * not found; 1 for "No such container" (as every container command here,
 * Docker's code); 125 for a container that is not running (Podman's: the
 * engine refused, the command never ran) and for any other engine error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/container/exec.h"

enum { OPT_ENV_FILE = 1000, OPT_PRIVILEGED, OPT_INTERACTIVE, OPT_TTY, OPT_DETACH, OPT_HELP };

/* Flags into OPTS; -e and --env-file collect in ENV (a spec used only for
 * its environment list, so "KEY" alone takes the host's value as in run).
 * Returns 1 for --help, 0 to go on, -1 on bad input. */
static int parse(int argc, char **argv, struct engine_exec_options *opts,
		 struct engine_run_spec *env, struct engine_error **err)
{
	static const struct option long_options[] = {
		{ "detach", optional_argument, NULL, OPT_DETACH },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, OPT_ENV_FILE },
		{ "interactive", optional_argument, NULL, OPT_INTERACTIVE },
		{ "privileged", optional_argument, NULL, OPT_PRIVILEGED },
		{ "tty", optional_argument, NULL, OPT_TTY },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "de:itu:w:", long_options, CMD_FLAGS_FIRST)) != -1) {
		switch (c) {
		case 'd':
			opts->detach = true;
			break;
		case OPT_DETACH:
			if (cmd_parse_bool("detach", optarg, &opts->detach, err) < 0)
				return -1;
			break;
		case 'e':
			if (engine_env_add(env, optarg, err) < 0)
				return engine_error_prefix(err, "--env");
			break;
		case OPT_ENV_FILE:
			if (engine_env_add_file(env, optarg, err) < 0)
				return engine_error_prefix(err, "--env-file");
			break;
		case 'i':
			opts->interactive = true;
			break;
		case OPT_INTERACTIVE:
			if (cmd_parse_bool("interactive", optarg, &opts->interactive, err) < 0)
				return -1;
			break;
		case OPT_PRIVILEGED:
			if (cmd_parse_bool("privileged", optarg, &opts->privileged, err) < 0)
				return -1;
			break;
		case 't':
			opts->tty = true;
			break;
		case OPT_TTY:
			if (cmd_parse_bool("tty", optarg, &opts->tty, err) < 0)
				return -1;
			break;
		case 'u':
			if (engine_user_spec_check(optarg, err) < 0)
				return -1;
			opts->user = optarg;
			break;
		case 'w':
			if (engine_workdir_check(optarg, err) < 0)
				return -1;
			opts->workdir = optarg;
			break;
		case OPT_HELP:
			return 1;
		default:
			return cmd_flag_error(c, argc, argv, err);
		}
	}
	if (argc - optind < 2)
		return engine_error_set(err, EINVAL, "\"engine exec\" requires at least 2 arguments");
	opts->argv = argv + optind + 1;
	opts->env = env->env;
	opts->n_env = env->n_env;
	return 0;
}

int cmd_exec(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_exec_options opts = { 0 };
	struct engine_run_spec env = { .env_lookup = getenv };
	int r = parse(argc, argv, &opts, &env, &err);
	if (r != 0) {
		engine_run_spec_free(&env);
		if (r > 0)
			return cmd_help("exec");
		return cmd_report(err);
	}
	const char *what = argv[optind];
	struct engine_container *c = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL) {
		engine_run_spec_free(&env);
		return cmd_report(err);
	}
	int rc;
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
