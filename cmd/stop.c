/* stop.c: `engine stop`, `kill` and `restart`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/stop.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "cmd/ctr-common.h"
#include "libengine/container/lifecycle.h"

/* -t/--time N: seconds before SIGKILL, at least MIN (-1: a day, for
 * stop; restart takes 0 and up), at most a day. */
struct stop_time {
	int min;
	int seconds; /* -1: the container's own */
};

static int parse_time(void *data, const char *value, struct engine_error **err)
{
	struct stop_time *t = data;
	char *end;
	long s = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || s < t->min || s > 86400)
		return engine_error_set(err, EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag",
					value);
	t->seconds = s < 0 ? 86400 : (int)s;
	return 0;
}

static int parse_signal(void *data, const char *value, struct engine_error **err)
{
	int sig = engine_signal_parse(value);
	if (sig < 0)
		return engine_error_set(err, EINVAL, "invalid signal: %s", value);
	*(int *)data = sig;
	return 0;
}

enum stop_mode { STOP, KILL, RESTART };

struct stop_request {
	enum stop_mode mode;
	int signal;
	struct engine_stop_options stop;
	struct engine_restart_options restart;
};

static int stop_one(struct engine *e, const char *name, void *data, struct engine_error **err)
{
	const struct stop_request *r = data;
	return r->mode == STOP ? engine_container_stop(e, name, &r->stop, err)
	       : r->mode == KILL ? engine_container_kill(e, name, r->signal, err)
				 : engine_container_restart(e, name, &r->restart, err);
}

/* stop and kill list the same flags (kill checks --time and ignores it);
 * restart lists no --signal. */
static int stop_main(int argc, char **argv, struct cmd_global *g, enum stop_mode mode)
{
	int sig = mode == KILL ? SIGKILL : 0;
	struct stop_time wait_time = { .min = mode == RESTART ? 0 : -1, .seconds = -1 };
	const struct cmd_bind binds[] = {
		{ "signal", CMD_BIND_CALL, &sig, parse_signal },
		{ "time", CMD_BIND_CALL, &wait_time, parse_time },
		{ "timeout", CMD_BIND_CALL, &wait_time, parse_time },
		{ NULL },
	};
	int rc;
	if (!cmd_parse(g, argc, argv, mode == RESTART ? binds + 1 : binds, &rc))
		return rc;
	struct stop_request req = { .mode = mode, .signal = sig,
				    .stop = { .signal = sig, .timeout_s = wait_time.seconds },
				    .restart = { .timeout_s = wait_time.seconds } };
	return cmd_each_container(g, argc - optind, argv + optind, stop_one, &req);
}

int cmd_stop(int argc, char **argv, struct cmd_global *g)
{
	return stop_main(argc, argv, g, STOP);
}

int cmd_kill(int argc, char **argv, struct cmd_global *g)
{
	return stop_main(argc, argv, g, KILL);
}

/* restart: stop (with -t), then start, one container after the other. */
int cmd_restart(int argc, char **argv, struct cmd_global *g)
{
	return stop_main(argc, argv, g, RESTART);
}
