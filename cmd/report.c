/* report.c: how the CLI says what went wrong: "Error: MESSAGE" on one
 * line with the exit code for it, and warnings. */
#include "cmd/report.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "cmd/flags.h"
#include "cmd/setting-flags.h"

int cmd_report_log_level = ENGINE_LOG_WARN;

int cmd_report(struct engine_error *err)
{
	/* One line, always: multi-line messages would break scripts that grep. */
	cleanup_free char *text = cmd_error_text(err);
	const char *msg = text != NULL ? text : err && err->msg ? err->msg : "unknown error";
	fputs("Error: ", stderr);
	for (const char *p = msg; *p; p++)
		fputc(*p == '\n' ? ' ' : *p, stderr);
	fputc('\n', stderr);
	return engine_error_exit_code(err);
}

int cmd_bad_flag(int c, char **argv)
{
	struct engine_error *err = NULL;
	/* argv ends with NULL: its length is found, not passed. */
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	cmd_flag_error(c, argc, argv, &err);
	int r = cmd_report(err);
	engine_error_free(&err);
	return r;
}

void cmd_warn(const char *fmt, ...)
{
	if (cmd_report_log_level < ENGINE_LOG_WARN)
		return;
	va_list ap;
	fputs("WARN: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
