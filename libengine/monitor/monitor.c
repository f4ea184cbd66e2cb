/* monitor.c: the process that looks after one detached container (our
 * answer to Podman's conmon, without a daemon).
 *
 * The CLI forks; the child calls setsid() and forks again, so the monitor
 * is nobody's child in the user's session, has no controlling terminal and
 * is reparented to init (or a subreaper) when the CLI exits.  The monitor
 * runs the container as a foreground run would, except that the output
 * goes to pipes (or the pty) it writes to the log (log.c) and to
 * the clients of its attach socket (attach.c), and it writes
 * state.json only when something changes: when the command runs, when it
 * ends.  The CLI waits on a pipe for one line: "ok" once the command runs,
 * or "err CODE MESSAGE" (EOF means the monitor died).
 *
 * A restart policy (--restart) runs the command again after it exits, with
 * Docker's delay (100 ms, doubling, back to 100 ms after 10 s of running);
 * stop, kill and rm -f leave a marker first (engine_container_stop_request)
 * so that what the user stopped stays stopped.
 *
 * The monitor is a fork of the CLI, not a new exec: no second binary to
 * find.  What the CLI's heap held is given back to the kernel at start
 * (malloc_trim), so that the monitor costs little once the CLI is gone. */
#include "libengine/container/containers.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/cgroup/cgroup.h"
#include "libengine/runtime/container.h"
#include "common/fs.h"
#include "libengine/image/image.h"
#include "libengine/monitor/attach.h"
#include "libengine/monitor/log.h"
#include "storage/paths.h"
#include "libengine/runtime/terminal.h"
#include <sys/stat.h>
#include "libengine/container/volumes.h"
#include "libengine/container/net.h"

extern char **environ;

#define STOP_MARKER "stop-requested"

struct monitor {
	const struct engine_run_spec *spec;
	const char *name;
	int report;  /* to the CLI, -1 once answered */
	int dirfd;   /* STORE/containers/ID */
	struct monitor_log *log;
	struct monitor_attach *attach;
	struct engine_container_state state;
	bool shrink; /* a detached monitor: give back memory once started */
	bool watch;  /* ... by exec'ing engine-monitor (watch.c) */
	int out_fd, err_fd, in_fd, master; /* this run's, for engine-monitor */
	int delay_ms; /* the next restart's delay */
	/* this run's cgroup (container.c fills it) and its
	 * OOM kill. */
	struct engine_cgroup cg;
	bool oom;
	/* this run's slirp4netns and relay exit fds and
	 * API socket, handed to engine-monitor (-1 / "": none). */
	int net_slirp_fd, net_relay_fd;
	char net_socket[256];
};

/* the state records the running container's cgroup, for
 * stats, top, pause, update and stop; the exit drops it and keeps the
 * OOM flag. */
static void state_cgroup(struct monitor *m, bool running)
{
	struct engine_container_state *st = &m->state;
	st->cgroup_manager[0] = st->cgroup_path[0] = st->cgroup_unit[0] = '\0';
	if (running && m->cg.path != NULL) {
		snprintf(st->cgroup_manager, sizeof(st->cgroup_manager), "%s",
			 m->cg.ops ? m->cg.ops->name : "");
		snprintf(st->cgroup_path, sizeof(st->cgroup_path), "%s", m->cg.path);
		snprintf(st->cgroup_unit, sizeof(st->cgroup_unit), "%s", m->cg.unit ? m->cg.unit : "");
	}
	st->oom_killed = !running && m->oom;
	if (running)
		m->oom = false;
}

/* networking */
static void on_network(void *data, const struct engine_net *net)
{
	struct monitor *m = data;
	const char *sock = "";
	engine_net_export(net, &m->net_slirp_fd, &m->net_relay_fd, &sock);
	snprintf(m->net_socket, sizeof(m->net_socket), "%s", sock);
}

static void on_output(void *data, int stream, const char *buf, size_t len)
{
	struct monitor *m = data;
	monitor_log_output(m->log, stream, buf, len);
	monitor_attach_output(m->attach, stream, buf, len);
}

static void on_terminal(void *data, int master)
{
	struct monitor *m = data;
	m->master = master;
	monitor_attach_set_input(m->attach, master, true);
}

static size_t on_poll_fds(void *data, struct pollfd *p, size_t max)
{
	struct monitor *m = data;
	return monitor_attach_poll_fds(m->attach, p, max);
}

static void on_poll_ready(void *data, const struct pollfd *p, size_t n)
{
	struct monitor *m = data;
	monitor_attach_poll_ready(m->attach, p, n);
}

static void answer(struct monitor *m, const char *text)
{
	if (m->report < 0)
		return;
	(void)engine_write_all(m->report, text, strlen(text));
	close(m->report);
	m->report = -1;
}

/* DURABLE false: "running", which
 * a crash makes moot; an exit and its code are written durably. */
static void write_state(struct monitor *m, bool durable)
{
	struct engine_error *err = NULL;
	int lock = engine_container_lock(m->spec->store_root, m->spec->id, &err);
	if (lock >= 0) {
		if (durable)
			engine_container_state_write(m->spec->store_root, m->spec->id, &m->state, &err);
		else
			engine_container_state_write_nosync(m->spec->store_root, m->spec->id, &m->state, &err);
		close(lock);
	}
	/* A foreground run says so (its CLI shows warnings); ps and wait
	 * then show the exit as unknown, never a made-up code. */
	if (err != NULL)
		engine_log(ENGINE_LOG_WARN, "container %.12s: the state could not be written: %s",
			   m->spec->id, err->msg);
	engine_error_free(&err);
}

/* Once the command runs the monitor waits in poll(2) and touches little;
 * what the CLI touched before the fork still counts against it: the free
 * part of the heap (malloc_trim), the stack below us, and the pages of
 * the program and its libraries mapped so far.  Read-only file mappings
 * hold nothing of ours (no copy-on-write page: Anonymous is 0), so
 * dropping their page table entries (MADV_DONTNEED) costs only a refault
 * from the page cache if that code runs again (bench/monitor.sh). */
static void shrink(void)
{
	malloc_trim(0);
	FILE *f = fopen("/proc/self/smaps", "re");
	if (f == NULL)
		return;
	static struct { uintptr_t start, end; } drop[512];
	size_t n = 0;
	uintptr_t start = 0, end = 0, stack_start = 0;
	bool candidate = false;
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e, ino;
		char perms[8];
		int off = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &s, &e, perms, &ino, &off) == 4) {
			start = s;
			end = e;
			candidate = perms[1] != 'w' && ino != 0;
			if (strstr(line + off, "[stack]") != NULL)
				stack_start = s;
			continue;
		}
		unsigned long kb;
		if (candidate && sscanf(line, "Anonymous: %lu kB", &kb) == 1 && kb == 0 &&
		    n < ARRAY_SIZE(drop)) {
			drop[n].start = start;
			drop[n].end = end;
			n++;
		}
		(void)end;
	}
	fclose(f);
	/* MADV_RANDOM first: a refault then maps the one page it needs, not
	 * the 64 kB around it (the kernel's fault-around). */
	for (size_t i = 0; i < n; i++) {
		(void)madvise((void *)drop[i].start, drop[i].end - drop[i].start, MADV_RANDOM);
		(void)madvise((void *)drop[i].start, drop[i].end - drop[i].start, MADV_DONTNEED);
	}
	/* The stack below this frame (with a margin) is not in use. */
	char here;
	uintptr_t low = ((uintptr_t)&here - 65536) & ~(uintptr_t)4095;
	if (stack_start != 0 && low > stack_start)
		(void)madvise((void *)stack_start, low - stack_start, MADV_DONTNEED);
}

/* engine-monitor next to us (or in ../libexec/engine, as engine-image). */
static bool watch_path(char *out, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	static const char *const places[] = { "/engine-monitor", "/../libexec/engine/engine-monitor" };
	for (size_t i = 0; i < ARRAY_SIZE(places); i++) {
		snprintf(out, size, "%s%s", self, places[i]);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static void keep_fd(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, 0);
}

/* Become engine-monitor for the rest of the container's life; returns
 * only when that cannot be (then this process goes on as the monitor). */
static void exec_watch(struct monitor *m, pid_t pid)
{
	char path[4200];
	if (!watch_path(path, sizeof(path)))
		return;
	const struct engine_run_spec *spec = m->spec;
	int adir = -1, listen_fd = -1, clients[16];
	size_t nc = monitor_attach_export(m->attach, &adir, &listen_fd, clients, 16);
	static char a[32][4300];
	char *argv[34];
	int n = 0;
	argv[n++] = path;
#define ARG(...) (snprintf(a[n], sizeof(a[n]), __VA_ARGS__), argv[n] = a[n], n++)
	ARG("store=%s", spec->store_root);
	ARG("id=%s", spec->id);
	ARG("pid=%d", (int)pid);
	ARG("pid_start=%llu", (unsigned long long)m->state.pid_start);
	ARG("monitor_start=%llu", (unsigned long long)m->state.monitor_start);
	ARG("started=%lld", (long long)m->state.started_ns);
	ARG("restart_count=%d", m->state.restart_count);
	ARG("tty=%d", spec->tty ? 1 : 0);
	ARG("out=%d", m->out_fd);
	ARG("err=%d", m->err_fd);
	ARG("master=%d", m->master);
	ARG("in=%d", m->in_fd);
	ARG("adir=%d", adir);
	ARG("listen=%d", listen_fd);
	ARG("log=%s", spec->log_driver ? spec->log_driver : "k8s-file");
	ARG("log_max_size=%lld", (long long)spec->log_max_size);
	ARG("log_max_file=%d", spec->log_max_file);
	/* engine-monitor reads its OOM kill and removes it. */
	if (m->cg.path != NULL) {
		ARG("cgroup=%s", m->cg.path);
		ARG("cgroup_manager=%s", m->cg.ops ? m->cg.ops->name : "");
	}
	/* A restart policy: engine-monitor execs engine again at the exit
	 * (engine_monitor_resume) to decide and run it. */
	char self[4096];
	ssize_t sl = spec->restart_policy != NULL ? readlink("/proc/self/exe", self, sizeof(self) - 1) : -1;
	if (sl > 0) {
		self[sl] = '\0';
		ARG("resume=%s", self);
		ARG("delay_ms=%d", m->delay_ms);
		/* The restart asks for the manager this start asked for. */
		if (spec->cgroup_manager != NULL)
			ARG("cgroup_manager_asked=%s", spec->cgroup_manager);
	}
	/* engine-monitor holds them for the container's
	 * life, and closes them (and removes the socket) at its exit. */
	ARG("net_slirp=%d", m->net_slirp_fd);
	ARG("net_relay=%d", m->net_relay_fd);
	ARG("net_socket=%s", m->net_socket);
	ARG("wait=%d", monitor_attach_waited(m->attach));
	monitor_attach_format_clients(a[n], sizeof(a[n]), clients, nc);
	argv[n] = a[n];
	n++;
#undef ARG
	argv[n] = NULL;
	int fds[] = { m->out_fd, m->err_fd, m->master, m->in_fd, adir, listen_fd,
		      m->net_slirp_fd, m->net_relay_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		keep_fd(fds[i]);
	for (size_t i = 0; i < nc; i++)
		keep_fd(clients[i]);
	/* The log writer reopens the file there: drop ours first. */
	execve(path, argv, environ);
	/* Not there after all: go on here (the fds are the container's
	 * already; none of ours is passed to another exec). */
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
	state_cgroup(m, true);
	write_state(m, false);
	answer(m, "ok\n");
	if (m->watch)
		exec_watch(m, pid);
	if (m->shrink)
		shrink();
}

int engine_attach_dir_open(const char *run_root, const char *id, bool create,
			   struct engine_error **err)
{
	char *def = NULL;
	if (run_root == NULL || *run_root == '\0') {
		if (storage_default_runroot(&def, err) < 0)
			return -1;
		run_root = def;
	}
	char path[4200];
	int fd = -1;
	/* The attach socket receives the user's input: only in a run root
	 * that is the user's alone (paths.c).  It may not exist yet (a fresh
	 * boot): made here, 0700. */
	if (storage_runroot_check(run_root, create, err) < 0) {
		free(def);
		return -1;
	}
	if (create) {
		snprintf(path, sizeof(path), "%s/containers", run_root);
		(void)mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/containers/%s", run_root, id);
		(void)mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/containers/%s", run_root, id);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	free(def);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	return fd;
}

int engine_container_stop_request(const char *store_root, const char *id,
				  struct engine_error **err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/containers/%s/" STOP_MARKER, store_root, id);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return engine_error_errno(err, errno, "create %s", path);
	close(fd);
	return 0;
}

static bool stop_requested(struct monitor *m)
{
	return m->dirfd >= 0 && faccessat(m->dirfd, STOP_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Docker's rule: on-failure after a non-zero exit, at most N times (N > 0);
 * always and unless-stopped whatever the exit; never after a stop. */
static bool should_restart(struct monitor *m, int exit_code)
{
	const char *policy = m->spec->restart_policy;
	if (policy == NULL || strcmp(policy, "no") == 0 || stop_requested(m))
		return false;
	if (strcmp(policy, "on-failure") == 0)
		return exit_code != 0 &&
		       (m->spec->restart_max <= 0 || m->state.restart_count < m->spec->restart_max);
	return true;
}

/* The signals run_io forwards: blocked for the monitor's whole life, so
 * that one arriving between two runs does not kill it; it reads them
 * with sigtimedwait during the restart delay. */
static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
				    SIGCONT, SIGALRM };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(set, sigs[i]);
}

/* Wait DELAY_MS before a restart; false when a stop came meanwhile. */
static bool restart_delay(struct monitor *m, int delay_ms)
{
	sigset_t set;
	forwarded_set(&set);
	for (int waited = 0; waited < delay_ms; waited += 50) {
		if (stop_requested(m))
			return false;
		struct timespec ts = { 0, 50 * 1000000L };
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
			return false;
	}
	return !stop_requested(m);
}

/* One run of the container: fresh pipes for its output (and its stdin
 * with -i and no -t), the parent loop of container.c. */
static int run_once(struct monitor *m, const struct engine_idmap *map, int *exit_code,
		    struct engine_error **err)
{
	const struct engine_run_spec *spec = m->spec;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 };
	bool want_stdin = spec->interactive && !spec->tty;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (want_stdin && pipe2(in, O_CLOEXEC) < 0) ||
	    dup2(want_stdin ? in[0] : null, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
	    dup2(errp[1], STDERR_FILENO) < 0) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0)
				close(out[i]);
			if (errp[i] >= 0)
				close(errp[i]);
			if (in[i] >= 0)
				close(in[i]);
		}
		if (null >= 0)
			close(null);
		return engine_error_errno(err, e, "monitor: set up stdio");
	}
	close(null);
	close(out[1]);
	close(errp[1]);
	if (want_stdin) {
		close(in[0]);
		fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
		monitor_attach_set_input(m->attach, in[1], false);
	}
	m->out_fd = out[0];
	m->err_fd = errp[0];
	m->in_fd = in[1];
	m->master = -1;
	m->net_slirp_fd = m->net_relay_fd = -1;
	m->net_socket[0] = '\0';

	/* -i without -t: the container's stdin is a pipe that attach clients
	 * write to (container.c leaves an interactive stdin as it finds it).
	 * With -t the monitor holds the master and the parent loop does not
	 * read our stdin. */
	struct engine_run_spec run = *spec;
	run.interactive = want_stdin;
	struct engine_container_io io = {
		.detached = true,
		.keep_layer = !spec->remove,
		.out_fd = out[0],
		.err_fd = errp[0],
		.output = on_output,
		.started = on_started,
		.data = m,
		.terminal = on_terminal,
		.poll_fds = on_poll_fds,
		.poll_ready = on_poll_ready,
		.cgroup = &m->cg,
		.oom_killed = &m->oom,
		.network = on_network,
	};
	int r = engine_container_run_io(&run, map, &io, exit_code, err);
	monitor_log_flush(m->log);
	monitor_attach_set_input(m->attach, -1, false);
	close(out[0]);
	close(errp[0]);
	if (in[1] >= 0)
		close(in[1]);
	/* Our own stdin must not keep the old pipe open. */
	int again = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (again >= 0) {
		dup2(again, STDIN_FILENO);
		close(again);
	}
	return r;
}

static bool resume_fd(const struct engine_monitor_resume *resume, int fd)
{
	if (resume == NULL || fd < 0)
		return false;
	if (fd == resume->adir || fd == resume->listen_fd)
		return true;
	for (size_t i = 0; i < resume->n_clients; i++)
		if (fd == resume->clients[i])
			return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* Close every fd from 3 up but the ones kept: close_range(2) between them
 * (: a thousand close(2) calls were a loop over 3..1023). */
static void close_inherited(int report, int attach_fd, const struct engine_monitor_resume *resume)
{
	int keep[20];
	size_t n = 0;
	keep[n++] = report;
	keep[n++] = attach_fd;
	if (resume != NULL) {
		keep[n++] = resume->adir;
		keep[n++] = resume->listen_fd;
		for (size_t i = 0; i < resume->n_clients && n < ARRAY_SIZE(keep); i++)
			keep[n++] = resume->clients[i];
	}
	qsort(keep, n, sizeof(int), cmp_int);
	unsigned int low = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)low)
			continue;
		if ((unsigned int)keep[i] > low &&
		    syscall(SYS_close_range, low, (unsigned int)keep[i] - 1, 0U) < 0)
			goto fallback;
		low = (unsigned int)keep[i] + 1;
	}
	if (syscall(SYS_close_range, low, ~0U, 0U) == 0)
		return;
fallback:
	for (int fd = 3; fd < 1024; fd++)
		if (fd != report && fd != attach_fd && !resume_fd(resume, fd))
			(void)close(fd);
}

static int monitor_main(const struct engine_run_spec *spec, const struct engine_idmap *map,
			const char *name, int report, int attach_fd,
			const struct engine_monitor_resume *resume)
{
	/* Nothing may print: stderr is about to be the container's log. */
	engine_log_set_handler(NULL, 0);
	/* Whatever the CLI inherited (a test harness's fd 3, a pipe someone
	 * waits on for EOF) must not stay open for the container's lifetime. */
	close_inherited(report, attach_fd, resume);
	sigset_t fwd;
	forwarded_set(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, NULL);
	/* -t: the attached caller's size is on the pty before the command
	 * runs; its resize frame comes later. */
	if (spec->tty)
		engine_terminal_set_console_size(spec->console_rows, spec->console_cols);
	/* The CLI's heap (parsed images, JSON) is of no use here: hand the
	 * free part back, so it does not count against the monitor. */
	malloc_trim(0);
	struct monitor *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return 1;
	m->spec = spec;
	m->name = name;
	m->report = report;
	m->shrink = true;
	/* --rm removes the writable layer from inside the user namespace,
	 * whose fd only this process holds. */
	m->watch = !spec->remove;
	m->state.monitor_pid = getpid();
	m->state.monitor_start = engine_pid_start_time(getpid());
	m->state.removing = spec->remove;
	(void)!chdir("/");

	char path[4200];
	snprintf(path, sizeof(path), "%s/containers/%s", spec->store_root, spec->id);
	m->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	m->log = monitor_log_open(spec);
	struct engine_error *err = NULL;
	if (resume != NULL) {
		m->attach = monitor_attach_adopt(resume->adir, resume->listen_fd, spec->tty,
						 resume->clients, resume->n_clients);
		m->state.restart_count = resume->restart_count;
	} else {
		m->attach = monitor_attach_open(engine_attach_dir_open(spec->run_root, spec->id, true,
								       &err),
						spec->tty, attach_fd);
		if (spec->attach_wait)
			monitor_attach_wait_for(m->attach, attach_fd);
		engine_error_free(&err);
	}

	/* The image claim names the process that keeps the container: us
	 * from now on, not the CLI that is about to exit. */
	struct storage_store *store = NULL;
	if (storage_store_open(spec->store_root, &store, &err) == 0 && spec->image_id != NULL)
		storage_container_reclaim(store, spec->id, spec->image_id, &err);
	engine_error_free(&err);

	m->delay_ms = resume != NULL && resume->delay_ms > 0 ? resume->delay_ms : 100;
	char msg[1200] = "";
	int exit_code = 0;
	for (bool first = true;; first = false) {
		int64_t began = engine_now_ns();
		int r = 0;
		if (first && resume != NULL) {
			/* engine-monitor watched this run; it has exited. */
			began = resume->started_ns;
			m->state.started_ns = resume->started_ns;
			exit_code = resume->exit_code;
		} else {
			r = run_once(m, map, &exit_code, &err);
		}
		if (r < 0) {
			exit_code = engine_error_exit_code(err);
			snprintf(msg, sizeof(msg), "err %d %s\n", exit_code,
				 err && err->msg ? err->msg : "failed");
			for (char *p = msg + 4; *p && p[1]; p++)
				if (*p == '\n')
					*p = ' ';
			/* The settings the message names, a line each after it. */
			for (unsigned i = 0; err != NULL && i < err->n_settings; i++) {
				size_t used = strlen(msg);
				snprintf(msg + used, sizeof(msg) - used, "setting %u %s\n",
					 err->settings[i].from_end, err->settings[i].name);
			}
			engine_error_free(&err);
		}
		m->state.exit_code = exit_code;
		m->state.finished_ns = first && resume != NULL ? resume->finished_ns : engine_now_ns();
		m->state.pid = 0;
		state_cgroup(m, false);
		/* A command that does not start is not retried. */
		bool again = r == 0 && should_restart(m, exit_code);
		if (!again)
			break;
		m->state.status = ENGINE_CONTAINER_RESTARTING;
		write_state(m, true);
		monitor_attach_hangup(m->attach);
		/* Docker's back-off: doubling from 100 ms up to a minute, and
		 * from 100 ms again after a run of 10 s or more. */
		if (m->state.finished_ns - began >= 10 * 1000000000LL)
			m->delay_ms = 100;
		if (!restart_delay(m, m->delay_ms))
			break;
		m->delay_ms = m->delay_ms >= 30000 ? 60000 : m->delay_ms * 2;
		m->state.restart_count++;
	}
	m->state.status = ENGINE_CONTAINER_EXITED;
	/* The record is final before the CLI hears of a failed start: a
	 * `ps -a` right after the error must show the exit. */
	if (spec->remove && store != NULL) {
		/* The run removed the writable layer (inside the user
		 * namespace); what is left is ours. */
		monitor_attach_close(m->attach);
		m->attach = NULL;
		engine_container_forget(store, spec->id, name, &err);
		engine_error_free(&err);
		engine_volumes_remove_anonymous(store, map, spec);
	} else {
		write_state(m, true);
	}
	/* Attached clients read the exit code once the socket closes. */
	monitor_attach_close(m->attach);
	if (msg[0] != '\0')
		answer(m, msg);
	monitor_log_close(m->log);
	storage_store_close(store);
	return 0;
}

int engine_monitor_start(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 const char *name, struct engine_error **err)
{
	return engine_monitor_start_attached(spec, map, name, -1, err);
}

int engine_monitor_start_attached(const struct engine_run_spec *spec,
				  const struct engine_idmap *map, const char *name, int attach_fd,
				  struct engine_error **err)
{
	/* A new start: an earlier stop no longer holds. */
	char marker[4200];
	snprintf(marker, sizeof(marker), "%s/containers/%s/" STOP_MARKER, spec->store_root, spec->id);
	(void)unlink(marker);
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
		_exit(monitor_main(spec, map, name, report[1], attach_fd, NULL));
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
		bool fresh = err != NULL && *err == NULL;
		int r = engine_error_set(err, EIO, "%s", buf + off);
		if (err == NULL || *err == NULL)
			return r;
		(*err)->exit_code = code;
		size_t msg_len = strlen(buf + off);
		for (char *line = nl ? nl + 1 : NULL; fresh && line != NULL && *line != '\0';) {
			char *end = strchr(line, '\n');
			if (end != NULL)
				*end = '\0';
			struct engine_error_setting s = { 0 };
			int name_at = 0;
			if (sscanf(line, "setting %u %n", &s.from_end, &name_at) == 1 && name_at > 0 &&
			    s.from_end <= msg_len && (*err)->n_settings < ENGINE_ERROR_SETTINGS) {
				snprintf(s.name, sizeof(s.name), "%s", line + name_at);
				(*err)->settings[(*err)->n_settings++] = s;
			}
			line = end != NULL ? end + 1 : NULL;
		}
		return r;
	}
	return engine_error_set(err, EIO, "the container's monitor exited before the container started");
}

int engine_monitor_resume(const struct engine_run_spec *spec, const struct engine_idmap *map,
			  const char *name, const struct engine_monitor_resume *resume)
{
	return monitor_main(spec, map, name, -1, -1, resume);
}

/* A recorded foreground run: the CLI is its own monitor.  The state is
 * written as for a detached container, so ps, stop and rm see it, and it
 * stays recorded after the exit (as Docker keeps it) unless --rm.  Its
 * output goes to the log as well as to the CLI's stdout and stderr, so
 * that `logs` reads it back as a detached container's. */
static void on_started_foreground(void *data, pid_t pid)
{
	struct monitor *m = data;
	m->report = -1;
	on_started(m, pid);
}

static void on_output_foreground(void *data, int stream, const char *buf, size_t len)
{
	struct monitor *m = data;
	monitor_log_output(m->log, stream, buf, len);
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
	m->dirfd = -1;
	m->state.monitor_pid = getpid();
	m->state.monitor_start = engine_pid_start_time(getpid());
	m->state.removing = spec->remove;
	/* --rm: nobody can read the log after the exit. */
	m->log = spec->remove ? NULL : monitor_log_open(spec);
	struct engine_container_io io = {
		/* ps must not show a container whose CLI is gone as exited
		 * while it runs on: it dies with its CLI. */
		.detached = true,
		.keep_layer = !spec->remove,
		.out_fd = -1,
		.err_fd = -1,
		.output = m->log != NULL ? on_output_foreground : NULL,
		.output_copy = true,
		.started = on_started_foreground,
		.data = m,
		.cgroup = &m->cg,
		.oom_killed = &m->oom,
	};
	int exit_code = 0;
	int r = engine_container_run_io(spec, map, &io, &exit_code, err);
	monitor_log_flush(m->log);
	monitor_log_close(m->log);
	m->state.status = ENGINE_CONTAINER_EXITED;
	m->state.exit_code = r < 0 ? engine_error_exit_code(*err) : exit_code;
	m->state.finished_ns = engine_now_ns();
	m->state.pid = 0;
	state_cgroup(m, false);
	struct storage_store *store = NULL;
	struct engine_error *local = NULL;
	if (spec->remove && storage_store_open(spec->store_root, &store, &local) == 0) {
		engine_container_forget(store, spec->id, name, &local);
		engine_volumes_remove_anonymous(store, map, spec);
	} else {
		write_state(m, true);
	}
	storage_store_close(store);
	engine_error_free(&local);
	free(m);
	if (r == 0)
		*ret_exit_code = exit_code;
	return r;
}
