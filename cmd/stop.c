/* stop.c: `engine stop`, `kill` and `restart`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/ctr-common.h"
#include "libengine/container/lifecycle.h"

static int stop_or_kill(int argc, char **argv, struct cmd_global *g, bool stop)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },   { "timeout", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	int sig = stop ? 0 : SIGKILL, timeout = -1, c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, stop ? "t:s:" : "s:", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || t < -1 || t > 86400) {
				engine_error_set(&err, EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag",
						 optarg);
				return cmd_report(err);
			}
			timeout = t < 0 ? 86400 : (int)t;
			break;
		}
		case 's':
			if ((sig = engine_signal_parse(optarg)) < 0) {
				engine_error_set(&err, EINVAL, "invalid signal: %s", optarg);
				return cmd_report(err);
			}
			break;
		case 'h':
			return cmd_help(stop ? "stop" : "kill");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least 1 argument",
				 stop ? "stop" : "kill");
		return cmd_report(err);
	}
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int r = stop ? engine_container_stop(
				       e, argv[i],
				       &(struct engine_stop_options){ .signal = sig, .timeout_s = timeout },
				       &err)
			     : engine_container_kill(e, argv[i], sig, &err);
		if (r < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	return rc;
}

int cmd_stop(int argc, char **argv, struct cmd_global *g)
{
	return stop_or_kill(argc, argv, g, true);
}

int cmd_kill(int argc, char **argv, struct cmd_global *g)
{
	return stop_or_kill(argc, argv, g, false);
}

/* restart's start step: start's own, until the library has it. */
/* restart: stop (with -t), then start, one container after the other. */
int cmd_restart(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' }, { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	int timeout = -1, c;
	optind = 0;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "t:", opts, CMD_FLAGS_ANYWHERE)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || t < 0 || t > 86400) {
				engine_error_set(&err, EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag",
						 optarg);
				return cmd_report(err);
			}
			timeout = (int)t;
			break;
		}
		case 'h':
			return cmd_help("restart");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine restart\" requires at least 1 argument");
		return cmd_report(err);
	}
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	struct engine_restart_options o = { .timeout_s = timeout };
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (engine_container_restart(e, argv[i], &o, &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	return rc;
}
