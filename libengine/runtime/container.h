/* container.h: run a container process in the foreground. */
#pragma once

#include <poll.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"
#include "libengine/runtime/spec.h"

struct engine_net;

/* Create the namespaces, map ids, set up the rootfs and run spec->argv.
 * Blocks until the container's init exits; *ret_exit_code is its status
 * (128+N when killed by signal N).  Errors before the command starts come
 * back in *err with exit_code 125 (engine), 126 (cannot invoke) or 127
 * (not found). */
int engine_container_run(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 int *ret_exit_code, struct engine_error **err);

/* How a detached container differs (monitor.c): its output goes to pipes
 * the parent loop reads, its init dies with the monitor, and the monitor
 * learns its pid once the command runs. */
struct engine_container_io {
	bool detached;   /* PR_SET_PDEATHSIG(SIGKILL) on the container's init */
	bool keep_layer; /* leave the writable layer for a later start */
	int out_fd, err_fd; /* read ends of the container's stdout/stderr, -1 none */
	void (*output)(void *data, int stream, const char *buf, size_t len);
	/* A recorded foreground run: OUTPUT gets a copy of what still goes
	 * to our stdout and stderr (spec's quiet_* aside), for its log. */
	bool output_copy;
	void (*started)(void *data, pid_t pid); /* the command has been exec'd */
	void *data;
	/* The monitor's attach socket (monitor/attach.c): with -t the pty's
	 * output goes to OUTPUT (stream 1) instead of stdout and the master
	 * is handed over; POLL_FDS adds up to MAX fds to the parent loop's
	 * poll and POLL_READY sees their revents. */
	void (*terminal)(void *data, int master);
	size_t (*poll_fds)(void *data, struct pollfd *p, size_t max);
	void (*poll_ready)(void *data, const struct pollfd *p, size_t n);
	/* when set, filled with the container's cgroup before
	 * STARTED is called (path NULL: none); *OOM_KILLED set at the exit
	 * when the cgroup's memory.events counted an OOM kill. */
	struct engine_cgroup *cgroup;
	bool *oom_killed;
	/* slirp4netns and the relay run for this run (a
	 * struct engine_net, container/net.h), before STARTED: the monitor
	 * hands their exit fds to engine-monitor. */
	void (*network)(void *data, const struct engine_net *net);
};
int engine_container_run_io(const struct engine_run_spec *spec, const struct engine_idmap *map,
			    const struct engine_container_io *io, int *ret_exit_code,
			    struct engine_error **err);
