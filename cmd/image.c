/* image.c: `engine image SUBCOMMAND`, Docker's management-command spelling
 * of pull, ls, rm, tag, inspect, save, load, import, push, history, and
 * prune (which has no top-level spelling): the command table (commands.c)
 * dispatches them; here are what has no other spelling. */
#include "cmd/cmd.h"
#include "cmd/image.h"
#include "cmd/inspect.h"
#include "cmd/commands.h"

int cmd_image(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	return cmd_group(argc, argv, "image", 125);
}

/* inspect looks at containers first: here only images count. */
int cmd_image_inspect(int argc, char **argv, struct cmd_global *g)
{
	return cmd_inspect_as(argc, argv, g, "image");
}
