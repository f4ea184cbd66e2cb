/* start.c: `engine start`: run created or stopped containers again, each
 * under a new monitor; with -a, attached to it (Docker's start -a [-i]):
 * the monitor gets one end of a socketpair as its first attach client
 * before the command runs, so no output is missed. */
#include <sys/socket.h>
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
#include "cmd/attach.h"
#include "cmd/report.h"
#include "cmd/start.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "libengine/userns/idmap.h"
#include "libengine/container/lifecycle-create.h"
#include "cmd/run-args.h"

/* start -a: start WHAT attached (or attach to it when it runs already);
 * returns the container's exit code, 0 after a detach. */
static int start_attached(struct cmd_global *g, const char *what, struct cmd_attach_opts *o)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	struct engine_container *c = NULL;
	int sock = -1;
	if (engine_container_find(e, what, &c, &err) < 0) {
		engine_close(e);
		return cmd_report_1(&err);
	}
	if (!engine_container_interactive(c))
		o->use_stdin = false;
	if (c->state.status != ENGINE_CONTAINER_RUNNING) {
		/* The terminal's size, for a container with a tty. */
		struct engine_run_spec size = { .tty = true };
		cmd_console_size(&size);
		struct engine_start_options so = { .attach = true,
						   .console_rows = size.console_rows,
						   .console_cols = size.console_cols };
		if (engine_container_start(e, c->id, &so, &sock, &err) < 0)
			sock = -1;
		else if (sock < 0) /* it started meanwhile */
			sock = cmd_attach_connect(c, &err);
	} else {
		sock = cmd_attach_connect(c, &err);
	}
	/* Attached for as long as the container runs: no handle on the store. */
	engine_close(e);
	if (sock < 0) {
		engine_container_free(c);
		return cmd_report_1(&err);
	}
	int code = cmd_attach_stream(g, c, sock, o);
	close(sock);
	engine_container_free(c);
	return code;
}

static int parse_detach_keys(void *data, const char *value, struct engine_error **err)
{
	struct cmd_attach_opts *o = data;
	return cmd_detach_keys_parse(value, o->keys, &o->n_keys, err);
}

int cmd_start(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool attach = false;
	struct cmd_attach_opts o = { .use_stdin = false, .close_stdin_at_eof = true, .sig_proxy = true,
				     .keys = { 16, 17 }, .n_keys = 2 };
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "attach", CMD_BIND_BOOL, &attach },
			    { "interactive", CMD_BIND_BOOL, &o.use_stdin },
			    { "detach-keys", CMD_BIND_CALL, &o, parse_detach_keys });
	/* Docker: -i attaches too. */
	if (attach || o.use_stdin) {
		if (optind + 1 != argc) {
			engine_error_set(&err, EINVAL,
					 "you cannot start and attach multiple containers at once");
			return cmd_report(err);
		}
		return start_attached(g, argv[optind], &o);
	}
	cleanup_engine struct engine *e = cmd_open_engine(g, &err);
	if (e == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (engine_container_start(e, argv[i], &(struct engine_start_options){ 0 }, NULL,
					   &err) < 0) {
			rc = cmd_report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	return rc;
}

/* `engine __monitor-resume KEY=VALUE...`, exec'd by
 * engine-monitor (libengine/monitor/watch.c) in place of itself when a
 * container with a restart policy exits: the same process goes on as the
 * container's monitor (engine_monitor_resume).  Not a user command. */
int cmd_monitor_resume(int argc, char **argv, struct cmd_global *g)
{
	const char *store_root = NULL, *id = NULL, *cgroup_manager = g->cgroup_manager;
	struct engine_monitor_resume r = { .adir = -1, .listen_fd = -1 };
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (eq == NULL)
			return 125;
		const char *v = eq + 1;
		size_t kl = (size_t)(eq - argv[i]);
#define KEY(k) (kl == strlen(k) && strncmp(argv[i], k, kl) == 0)
		if (KEY("store"))
			store_root = v;
		else if (KEY("id"))
			id = v;
		else if (KEY("exit_code"))
			r.exit_code = atoi(v);
		else if (KEY("started"))
			r.started_ns = strtoll(v, NULL, 10);
		else if (KEY("finished"))
			r.finished_ns = strtoll(v, NULL, 10);
		else if (KEY("delay_ms"))
			r.delay_ms = atoi(v);
		else if (KEY("restart_count"))
			r.restart_count = atoi(v);
		else if (KEY("cgroup_manager_asked"))
			cgroup_manager = v;
		else if (KEY("adir"))
			r.adir = atoi(v);
		else if (KEY("listen"))
			r.listen_fd = atoi(v);
		else if (KEY("clients"))
			for (const char *p = v; *p && r.n_clients < ARRAY_SIZE(r.clients);) {
				char *end;
				r.clients[r.n_clients++] = (int)strtol(p, &end, 10);
				if (*end != ',')
					break;
				p = end + 1;
			}
#undef KEY
	}
	if (store_root == NULL || id == NULL)
		return 125;
	struct engine_options o = { .root = store_root, .cgroup_manager = cgroup_manager };
	return engine_container_resume(&o, id, &r);
}
