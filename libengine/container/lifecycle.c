/* lifecycle.c: stop, kill, restart, wait, pause and unpause (lifecycle.h).
 *
 * There is no daemon: a running container is its init and the monitor
 * that watches it, both known only by the pids and start times its state
 * recorded.  Every signal and every wait goes through a pidfd checked
 * against the recorded start time (engine_pid_signal_since and
 * engine_pid_wait_since, common/proc.c), so a pid the kernel has since
 * handed to another process is never signalled, and a wait on the monitor
 * wakes the moment it exits. */
#include "libengine/container/lifecycle.h"
#include "libengine/container/lifecycle-create.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/cgroup/freeze.h"
#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "libengine/container/containers.h"
#include "common/proc.h"

/* ------------------------------------------------------------ processes */

bool engine_container_monitor_alive(const struct engine_container *c)
{
	return engine_pid_alive_since(c->state.monitor_pid, c->state.monitor_start);
}

bool engine_container_wait_monitor(const struct engine_container *c, int timeout_ms)
{
	/* The monitor records the exit before it exits. */
	return engine_pid_wait_since(c->state.monitor_pid, c->state.monitor_start, timeout_ms);
}

int engine_container_signal(const struct engine_container *c, int sig)
{
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return -ESRCH;
	if (engine_pid_signal_since(c->state.pid, c->state.pid_start, sig) == 0)
		return 0;
	return engine_pid_signal_since(c->state.monitor_pid, c->state.monitor_start, sig);
}

/* ------------------------------------------------------------ stop, kill */

static void container_freep(struct engine_container **c)
{
	engine_container_free(*c);
}
#define cleanup_container __attribute__((cleanup(container_freep)))

/* The container's own stop signal (its run's, or its image's StopSignal)
 * and stop timeout as its record holds them: 0 and -1 where it has none.
 * The one place that knows where the record keeps them. */
static void stop_settings(const struct engine_container *c, int *ret_signal, int *ret_timeout_s)
{
	*ret_signal = c->spec.stop_signal > 0 ? c->spec.stop_signal : 0;
	*ret_timeout_s = c->spec.stop_timeout_set && c->spec.stop_timeout >= 0 ? c->spec.stop_timeout : -1;
}

/* After SIG went to the init: the rest of its cgroup (cgroup/run.h). */
static void signal_container(const struct engine_container *c, int sig)
{
	engine_container_signal(c, sig);
	engine_cgroup_state_signaled(&c->state, sig);
}

int engine_container_stop(struct engine *e, const char *what, const struct engine_stop_options *o,
			  struct engine_error **err)
{
	cleanup_container struct engine_container *c = NULL;
	if (engine_container_get(e->store, what, &c, err) < 0)
		return -1;
	/* A stop is not undone by the restart policy, and one during the
	 * policy's delay ends it. */
	if (c->state.status == ENGINE_CONTAINER_RESTARTING) {
		engine_container_stop_request(e->store->root, c->id, NULL);
		if (!engine_container_wait_monitor(c, 1000)) {
			/* It was starting the command again as we came. */
			engine_container_free(c);
			c = NULL;
			if (engine_container_get(e->store, what, &c, err) < 0)
				return -1;
		}
	}
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return 0;
	engine_container_stop_request(e->store->root, c->id, NULL);
	int sig = o->signal, timeout_s = o->timeout_s, own_sig, own_timeout_s;
	stop_settings(c, &own_sig, &own_timeout_s);
	if (sig == 0)
		sig = own_sig != 0 ? own_sig : SIGTERM;
	if (timeout_s < 0)
		timeout_s = own_timeout_s >= 0 ? own_timeout_s : 10;
	signal_container(c, sig);
	if (!engine_container_wait_monitor(c, timeout_s * 1000)) {
		signal_container(c, SIGKILL);
		engine_container_wait_monitor(c, 10000);
	}
	return 0;
}

int engine_container_kill(struct engine *e, const char *what, int sig, struct engine_error **err)
{
	cleanup_container struct engine_container *c = NULL;
	if (engine_container_get(e->store, what, &c, err) < 0)
		return -1;
	/* Docker's kill with the stop signal or SIGKILL counts as a stop for
	 * the restart policy. */
	if (c->state.status == ENGINE_CONTAINER_RUNNING && (sig == SIGKILL || sig == SIGTERM))
		engine_container_stop_request(e->store->root, c->id, NULL);
	if (engine_container_signal(c, sig) < 0)
		return engine_error_set(err, ESRCH, "cannot kill container: %s: container %s is not running",
					what, c->id);
	engine_cgroup_state_signaled(&c->state, sig);
	return 0;
}

int engine_container_restart(struct engine *e, const char *what,
			     const struct engine_restart_options *o, struct engine_error **err)
{
	struct engine_stop_options stop = { .signal = 0, .timeout_s = o->timeout_s };
	if (engine_container_stop(e, what, &stop, err) < 0)
		return -1;
	return engine_container_start(e, what, &(struct engine_start_options){ 0 }, NULL, err);
}

/* ------------------------------------------------------------ wait */

int engine_container_wait(struct engine *e, const char *what, const struct engine_wait_options *o,
			  int *ret_exit_code, struct engine_error **err)
{
	cleanup_container struct engine_container *c = NULL;
	if (engine_container_get(e->store, what, &c, err) < 0)
		return -1;
	if (!engine_container_wait_monitor(c, o != NULL ? o->timeout_ms : -1))
		return engine_error_set(err, ETIMEDOUT, "container %s is still running", what);
	char id[sizeof(c->id)];
	memcpy(id, c->id, sizeof(id));
	engine_container_free(c);
	c = NULL;
	struct engine_error *gone = NULL;
	if (engine_container_get(e->store, id, &c, &gone) < 0) {
		/* Removed at exit (--rm): the code went with it. */
		engine_error_free(&gone);
		*ret_exit_code = 0;
		return 0;
	}
	*ret_exit_code = c->state.exit_code;
	return 0;
}

/* ------------------------------------------------------------ pause */

/* The cgroup the container's state recorded; a container started without
 * one falls back to its init's own cgroup, which is refused unless it is
 * the container's alone. */
static int freeze_state(const struct engine_container_state *st, bool freeze,
			struct engine_error **err)
{
	if (st->cgroup_path[0] == '\0')
		return engine_cgroup_freeze_pid(st->pid, st->monitor_pid, freeze, err);
	struct engine_cgroup cg;
	if (engine_cgroup_of_state(st, &cg, err) < 0)
		return -1;
	int r = engine_cgroup_freeze(&cg, freeze, 5000, err);
	engine_cgroup_release(&cg);
	return r;
}

static int pause_or_unpause(struct engine *e, const char *what, bool freeze,
			    struct engine_error **err)
{
	cleanup_container struct engine_container *c = NULL;
	if (engine_container_get(e->store, what, &c, err) < 0)
		return -1;
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return engine_error_set(err, EINVAL, "Container %s is not running", what);
	if (freeze_state(&c->state, freeze, err) < 0) {
		engine_error_prefix(err, "%s %s", freeze ? "pause" : "unpause", what);
		/* The engine could not, rather than the container refused. */
		if (err != NULL && *err != NULL && (*err)->exit_code == 0)
			(*err)->exit_code = ENGINE_EXIT_ENGINE;
		return -1;
	}
	return 0;
}

int engine_container_pause(struct engine *e, const char *what, struct engine_error **err)
{
	return pause_or_unpause(e, what, true, err);
}

int engine_container_unpause(struct engine *e, const char *what, struct engine_error **err)
{
	return pause_or_unpause(e, what, false, err);
}
