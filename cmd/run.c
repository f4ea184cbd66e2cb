/* run.c: `engine run`: parse, decide the id mapping, run in the foreground,
 * exit with the container's status. */
#include <stdio.h>

#include "cleanup.h"
#include "cmd.h"
#include "container.h"
#include "idmap.h"
#include "run-args.h"

int cmd_run(int argc, char **argv, struct cmd_global *g)
{
	(void)g;
	struct engine_run_spec spec = { 0 };
	cleanup_error struct engine_error *err = NULL;
	int help = 0, exit_code = 0, rc;

	if (cmd_run_parse(argc, argv, &spec, &help, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	if (help) {
		fputs(cmd_run_usage, stdout);
		rc = 0;
		goto out;
	}
	static struct engine_idmap map; /* large: keep it off the stack */
	if (engine_idmap_detect(&map, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);
	if (engine_container_run(&spec, &map, &exit_code, &err) < 0) {
		rc = cmd_report(err);
		goto out;
	}
	rc = exit_code;
out:
	engine_run_spec_free(&spec);
	return rc;
}
