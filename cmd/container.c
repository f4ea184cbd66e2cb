/* container.c: `engine container SUBCOMMAND`, Docker's management-command
 * spelling of the container commands (ls/ps, run, create, start, stop,
 * restart, kill, rm, wait, logs, inspect, prune): the command table
 * (commands.c) dispatches them; here are what has no other spelling. */
#include "cmd/cmd.h"
#include "cmd/container.h"
#include "cmd/inspect.h"
#include "cmd/commands.h"

int cmd_container(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	return cmd_group(argc, argv, "container", 125);
}

/* inspect looks at images too: here only containers count. */
int cmd_container_inspect(int argc, char **argv, struct cmd_global *g)
{
	return cmd_inspect_as(argc, argv, g, "container");
}
