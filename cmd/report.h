/* report.h: what cmd/report.c gives the other commands. */
#pragma once

#include "cmd/cmd.h"

/* The --log-level below which cmd_warn prints nothing (main sets it). */
extern int cmd_report_log_level;

/* Print "Error: MESSAGE" on one line and return the exit code for it. */
int cmd_report(struct engine_error *err);
/* getopt returned ':' (missing value) or '?' (unknown flag): report it as
 * Docker does, in one line; returns the exit code. */
int cmd_bad_flag(int c, char **argv);
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
