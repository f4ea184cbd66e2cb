/* monitor.c: the process that looks after one detached container (our
 * answer to Podman's conmon, without a daemon).
 *
 * The CLI forks; the child calls setsid() and forks again, so the monitor
 * is nobody's child in the user's session, has no controlling terminal and
 * is reparented to init (or a subreaper) when the CLI exits.  The monitor
 * runs the container as a foreground run would, except that the output
 * goes to pipes it writes to ctr.log in k8s-file format, and it writes
 * state.json only when something changes: once when the command runs,
 * once when it ends.  The CLI waits on a pipe for one line: "ok" once the
 * command runs, or "err CODE MESSAGE" (EOF means the monitor died).
 *
 * The monitor is a fork of the CLI, not a new exec: no second binary to
 * find, and memory shared copy-on-write with nothing left to do at start. */
#include "containers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "fs.h"
#include "image.h"
#include "volumes.h" /* volumes (#4) */

#define LINE_MAX_PENDING 16384

struct monitor {
	const struct engine_run_spec *spec;
	const char *name;
	int report;  /* to the CLI, -1 once answered */
	int log_fd;
	struct engine_container_state state;
	char pending[3][LINE_MAX_PENDING]; /* per stream: a line not ended yet */
	size_t n_pending[3];
};

static void log_line(struct monitor *m, int stream, const char *text, size_t len, bool full)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char head[80];
	int hl = snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ",
			  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			  tm.tm_sec, ts.tv_nsec, stream == 1 ? "stdout" : "stderr", full ? 'F' : 'P');
	/* One write per line: a reader (logs -f) never sees half a prefix. */
	char buf[sizeof(head) + LINE_MAX_PENDING + 1];
	memcpy(buf, head, (size_t)hl);
	memcpy(buf + hl, text, len);
	buf[(size_t)hl + len] = '\n';
	(void)engine_write_all(m->log_fd, buf, (size_t)hl + len + 1);
}

static void on_output(void *data, int stream, const char *buf, size_t len)
{
	struct monitor *m = data;
	if (m->log_fd < 0)
		return;
	char *pend = m->pending[stream];
	size_t *np = &m->n_pending[stream];
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			log_line(m, stream, pend, *np, true);
			*np = 0;
			continue;
		}
		if (buf[i] == '\r' && m->spec->tty)
			continue; /* the pty's "\r\n" is one line end */
		pend[(*np)++] = buf[i];
		if (*np == LINE_MAX_PENDING) {
			log_line(m, stream, pend, *np, false);
			*np = 0;
		}
	}
}

static void answer(struct monitor *m, const char *text)
{
	if (m->report < 0)
		return;
	(void)engine_write_all(m->report, text, strlen(text));
	close(m->report);
	m->report = -1;
}

static void write_state(struct monitor *m)
{
	struct engine_error *err = NULL;
	int lock = engine_container_lock(m->spec->store_root, m->spec->id, &err);
	if (lock >= 0) {
		engine_container_state_write(m->spec->store_root, m->spec->id, &m->state, &err);
		close(lock);
	}
	engine_error_free(&err);
}

static void on_started(void *data, pid_t pid)
{
	struct monitor *m = data;
	m->state.status = ENGINE_CONTAINER_RUNNING;
	m->state.pid = pid;
	m->state.pid_start = engine_pid_start_time(pid);
	m->state.started_ns = engine_now_ns();
	m->state.finished_ns = 0;
	m->state.exit_code = 0;
	write_state(m);
	answer(m, "ok\n");
}

static int monitor_main(const struct engine_run_spec *spec, const struct engine_idmap *map,
			const char *name, int report)
{
	/* Nothing may print: stderr is about to be the container's log. */
	engine_log_set_handler(NULL, 0);
	/* Whatever the CLI inherited (a test harness's fd 3, a pipe someone
	 * waits on for EOF) must not stay open for the container's lifetime. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != report)
			(void)close(fd);
	struct monitor *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return 1;
	m->spec = spec;
	m->name = name;
	m->report = report;
	m->state.monitor_pid = getpid();
	m->state.monitor_start = engine_pid_start_time(getpid());
	m->state.removing = spec->remove;
	(void)!chdir("/");

	char path[4200];
	snprintf(path, sizeof(path), "%s/containers/%s/ctr.log", spec->store_root, spec->id);
	m->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	/* The image claim names the process that keeps the container: us
	 * from now on, not the CLI that is about to exit. */
	struct storage_store *store = NULL;
	struct engine_error *err = NULL;
	if (storage_store_open(spec->store_root, &store, &err) == 0 && spec->image_id != NULL)
		storage_container_claim(store, spec->id, spec->image_id, &err);
	engine_error_free(&err);

	int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    dup2(null, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
	    dup2(errp[1], STDERR_FILENO) < 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "err 125 monitor: set up stdio: %s\n", strerror(errno));
		answer(m, msg);
		return 1;
	}
	close(out[1]);
	close(errp[1]);

	/* A detached container has no stdin to relay: -i would only feed it
	 * an EOF.  With -t its terminal stays open (the monitor holds the
	 * master), so an interactive shell waits as in Docker. */
	struct engine_run_spec run = *spec;
	run.interactive = false;
	struct engine_container_io io = {
		.detached = true,
		.keep_layer = !spec->remove,
		.out_fd = out[0],
		.err_fd = errp[0],
		.output = on_output,
		.started = on_started,
		.data = m,
	};
	int exit_code = 0;
	int r = engine_container_run_io(&run, map, &io, &exit_code, &err);
	for (int s = 1; s <= 2; s++)
		if (m->n_pending[s] > 0)
			log_line(m, s, m->pending[s], m->n_pending[s], false);
	char msg[1200] = "";
	if (r < 0) {
		exit_code = engine_error_exit_code(err);
		snprintf(msg, sizeof(msg), "err %d %s\n", exit_code, err && err->msg ? err->msg : "failed");
		for (char *p = msg + 4; *p && p[1]; p++)
			if (*p == '\n')
				*p = ' ';
		engine_error_free(&err);
	}
	m->state.status = ENGINE_CONTAINER_EXITED;
	m->state.exit_code = exit_code;
	m->state.finished_ns = engine_now_ns();
	m->state.pid = 0;
	/* The record is final before the CLI hears of a failed start: a
	 * `ps -a` right after the error must show the exit. */
	if (spec->remove && store != NULL) {
		/* The run removed the writable layer (inside the user
		 * namespace); what is left is ours. */
		engine_container_forget(store, spec->id, name, &err);
		engine_error_free(&err);
		engine_volumes_remove_anonymous(store, map, spec); /* volumes (#4) */
	} else {
		write_state(m);
	}
	if (msg[0] != '\0')
		answer(m, msg);
	storage_store_close(store);
	return 0;
}

int engine_monitor_start(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 const char *name, struct engine_error **err)
{
	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return engine_error_errno(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(report[0]);
		close(report[1]);
		return engine_error_errno(err, e, "fork the monitor");
	}
	if (child == 0) {
		close(report[0]);
		if (setsid() < 0)
			_exit(1);
		pid_t monitor = fork();
		if (monitor != 0)
			_exit(monitor < 0 ? 1 : 0);
		_exit(monitor_main(spec, map, name, report[1]));
	}
	close(report[1]);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	char buf[1400];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(report[0], buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(report[0]);
	buf[len] = '\0';
	if (strncmp(buf, "ok\n", 3) == 0)
		return 0;
	int code = 0, off = 0;
	if (sscanf(buf, "err %d %n", &code, &off) >= 1 && off > 0) {
		char *nl = strchr(buf + off, '\n');
		if (nl)
			*nl = '\0';
		int r = engine_error_set(err, EIO, "%s", buf + off);
		(*err)->exit_code = code;
		return r;
	}
	return engine_error_set(err, EIO, "the container's monitor exited before the container started");
}

/* A foreground run with --name: the CLI is its own monitor.  The state is
 * written as for a detached container, so ps, stop and rm see it, and it
 * stays recorded after the exit (as Docker keeps it) unless --rm. */
static void on_started_foreground(void *data, pid_t pid)
{
	struct monitor *m = data;
	m->report = -1;
	on_started(m, pid);
}

int engine_container_run_recorded(const struct engine_run_spec *spec,
				  const struct engine_idmap *map, const char *name,
				  int *ret_exit_code, struct engine_error **err)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	m->spec = spec;
	m->name = name;
	m->report = -1;
	m->log_fd = -1;
	m->state.monitor_pid = getpid();
	m->state.monitor_start = engine_pid_start_time(getpid());
	m->state.removing = spec->remove;
	struct engine_container_io io = {
		/* ps must not show a container whose CLI is gone as exited
		 * while it runs on: it dies with its CLI. */
		.detached = true,
		.keep_layer = !spec->remove,
		.out_fd = -1,
		.err_fd = -1,
		.started = on_started_foreground,
		.data = m,
	};
	int exit_code = 0;
	int r = engine_container_run_io(spec, map, &io, &exit_code, err);
	m->state.status = ENGINE_CONTAINER_EXITED;
	m->state.exit_code = r < 0 ? engine_error_exit_code(*err) : exit_code;
	m->state.finished_ns = engine_now_ns();
	m->state.pid = 0;
	struct storage_store *store = NULL;
	struct engine_error *local = NULL;
	if (spec->remove && storage_store_open(spec->store_root, &store, &local) == 0) {
		engine_container_forget(store, spec->id, name, &local);
		engine_volumes_remove_anonymous(store, map, spec); /* volumes (#4) */
	} else {
		write_state(m);
	}
	storage_store_close(store);
	engine_error_free(&local);
	free(m);
	if (r == 0)
		*ret_exit_code = exit_code;
	return r;
}
