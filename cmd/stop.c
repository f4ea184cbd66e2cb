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

#include "cgroup-run.h" /* cgroups (#6) */
#include "cleanup.h"
#include "cmd.h"
#include "flags.h"
#include "containers.h"
#include "ctr-common.h"
#include "lifecycle-create.h"

/* stop: the stop signal, up to TIMEOUT seconds, then SIGKILL.  SIG 0 and
 * TIMEOUT -1 take the container's own (--stop-signal, the image's
 * StopSignal, --stop-timeout), else SIGTERM and 10 s. */
int cmd_stop_one(struct storage_store *store, const char *what, int sig, int timeout,
		    struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	/* the monitor (issue #4): a stop is not undone by a restart policy,
	 * and one during the restart delay ends it. */
	if (c->state.status == ENGINE_CONTAINER_RESTARTING) {
		engine_container_stop_request(store->root, c->id, NULL);
		if (!cmd_wait_monitor(c, 1000)) {
			/* It was starting the command again as we came. */
			engine_container_free(c);
			c = NULL;
			if (engine_container_get(store, what, &c, err) < 0)
				return -1;
		}
	}
	if (c->state.status == ENGINE_CONTAINER_RUNNING) {
		engine_container_stop_request(store->root, c->id, NULL);
		json_t *spec = json_object_get(c->config, "Spec");
		json_t *own_sig = json_object_get(spec, "stop_signal");
		json_t *own_timeout = json_object_get(spec, "stop_timeout");
		if (sig == 0)
			sig = json_integer_value(own_sig) > 0 ? (int)json_integer_value(own_sig) : SIGTERM;
		if (timeout < 0)
			timeout = json_is_integer(own_timeout) && json_integer_value(own_timeout) >= 0
					  ? (int)json_integer_value(own_timeout)
					  : 10;
		cmd_signal_container(c, sig);
		engine_cgroup_state_signaled(&c->state, sig); /* cgroups (#6) */
		if (!cmd_wait_monitor(c, timeout * 1000)) {
			cmd_signal_container(c, SIGKILL);
			engine_cgroup_state_signaled(&c->state, SIGKILL); /* cgroups (#6) */
			cmd_wait_monitor(c, 10000);
		}
	}
	engine_container_free(c);
	return 0;
}

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
			printf("Usage: engine %s [OPTIONS] CONTAINER [CONTAINER...]\n", stop ? "stop" : "kill");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least 1 argument",
				 stop ? "stop" : "kill");
		return cmd_report(err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int r;
		if (stop) {
			r = cmd_stop_one(store, argv[i], sig, timeout, &err);
		} else {
			struct engine_container *ctr = NULL;
			r = engine_container_get(store, argv[i], &ctr, &err);
			/* the monitor (issue #4): Docker's kill with the stop
			 * signal or SIGKILL counts as a stop for the policy. */
			if (r == 0 && ctr->state.status == ENGINE_CONTAINER_RUNNING &&
			    (sig == SIGKILL || sig == SIGTERM))
				engine_container_stop_request(store->root, ctr->id, NULL);
			if (r == 0 && cmd_signal_container(ctr, sig) < 0)
				r = engine_error_set(&err, ESRCH,
						     "cannot kill container: %s: container %s is not running",
						     argv[i], ctr->id);
			else if (r == 0) /* cgroups (#6) */
				engine_cgroup_state_signaled(&ctr->state, sig);
			engine_container_free(ctr);
		}
		if (r < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
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
			puts("Usage: engine restart [OPTIONS] CONTAINER [CONTAINER...]");
			return 0;
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
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (cmd_stop_one(e->store, argv[i], 0, timeout, &err) < 0 ||
		    engine_container_start(e, argv[i], &(struct engine_start_options){ 0 }, NULL,
					   &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	return rc;
}
