/* image.c: `engine image SUBCOMMAND`, Docker's management-command spelling
 * of pull, ls, rm, tag, inspect, save, load, import, push, history, and
 * prune (which has no top-level spelling). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_image(int argc, char **argv, struct cmd_global *g)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		puts("Usage: engine image COMMAND\n\nCommands:\n  history  import  inspect  load  ls  prune  pull  push  rm  save  tag");
		return argc < 2 ? 125 : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
		return cmd_images(argc - 1, argv + 1, g);
	if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0)
		return cmd_rmi(argc - 1, argv + 1, g);
	if (strcmp(sub, "pull") == 0)
		return cmd_pull(argc - 1, argv + 1, g);
	if (strcmp(sub, "tag") == 0)
		return cmd_tag(argc - 1, argv + 1, g);
	if (strcmp(sub, "inspect") == 0) {
		/* inspect looks at containers first: here only images count. */
		char *args[argc + 1];
		args[0] = argv[1];
		args[1] = "--type=image";
		for (int i = 2; i < argc; i++)
			args[i] = argv[i];
		args[argc] = NULL;
		return cmd_inspect(argc, args, g);
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **, struct cmd_global *);
	} more[] = {
		{ "save", cmd_save },	    { "load", cmd_load },	{ "import", cmd_import },
		{ "push", cmd_push },	    { "history", cmd_history }, { "prune", cmd_image_prune },
	};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (strcmp(sub, more[i].name) == 0)
			return more[i].fn(argc - 1, argv + 1, g);
	fprintf(stderr, "Error: unknown command \"%s\" for \"engine image\"\n", sub);
	return 125;
}
