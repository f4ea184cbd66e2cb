/* container.c: `engine container SUBCOMMAND`, Docker's management-command
 * spelling of the container commands (ls/ps, run, create, start, stop,
 * restart, kill, rm, wait, logs, inspect, prune). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_container(int argc, char **argv, struct cmd_global *g)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		puts("Usage: engine container COMMAND\n\nCommands:\n  commit  cp  create  diff  export  "
		     "inspect  kill  logs  ls  pause  rename  restart  rm  run  start  stop  unpause  wait");
		return argc < 2 ? 125 : 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **, struct cmd_global *);
	} table[] = {
		{ "ls", cmd_ps },       { "list", cmd_ps },     { "ps", cmd_ps },
		{ "run", cmd_run },     { "create", cmd_create }, { "start", cmd_start },
		{ "stop", cmd_stop },   { "restart", cmd_restart }, { "kill", cmd_kill },
		{ "rm", cmd_rm },       { "remove", cmd_rm },   { "wait", cmd_wait },
		{ "logs", cmd_logs },   { "prune", cmd_container_prune },
		/* Issue #4, files. */
		{ "cp", cmd_cp },       { "diff", cmd_diff },   { "commit", cmd_commit },
		{ "export", cmd_export }, { "rename", cmd_rename }, { "pause", cmd_pause },
		{ "unpause", cmd_unpause },
		{ "port", cmd_port }, /* networking (#5) */
	};
	const char *sub = argv[1];
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(sub, table[i].name) == 0)
			return table[i].fn(argc - 1, argv + 1, g);
	if (strcmp(sub, "inspect") == 0) {
		char *args[argc + 1];
		args[0] = argv[1];
		args[1] = "--type=container";
		for (int i = 2; i < argc; i++)
			args[i] = argv[i];
		args[argc] = NULL;
		return cmd_inspect(argc, args, g);
	}
	fprintf(stderr, "Error: unknown command \"%s\" for \"engine container\"\n", sub);
	return 125;
}
