/* watch.c: engine-monitor, the small program a detached
 * container's monitor becomes once the container's command runs.
 *
 * The monitor is a fork of the CLI: it needs all of engine (namespaces,
 * mounts, seccomp, id maps) to start the container, and nothing of it
 * afterwards but a poll loop.  A process keeps the memory of every library
 * it has loaded (each one's data and relocations, ~25 libraries for
 * libsubid alone) and the pages of the CLI it ran, so once the command
 * runs the monitor execs this program, linked with libc only: the
 * container stays its child (exec keeps children, and the container's
 * PR_SET_PDEATHSIG holds on to the same process), and the fds it watches
 * come along.  It copies output to the log and the attach clients,
 * forwards signals, and at the exit records it in state.json
 * (bench/monitor.sh measures what this saves).
 *
 * Only containers that need nothing of engine at their exit come here: a
 * restart policy runs the container again and --rm removes its layer from
 * inside the user namespace, so those keep the forked monitor.
 *
 * Arguments are KEY=VALUE, written by monitor.c (exec_watch()); the
 * program's main is cmd/engine-monitor.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libengine/monitor/watch.h"
#include "common/fs.h"
#include "libengine/monitor/attach.h"
#include "libengine/monitor/log.h"

#define MAX_CLIENTS 16

static const char *arg(int argc, char **argv, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, kl) == 0 && argv[i][kl] == '=')
			return argv[i] + kl + 1;
	return NULL;
}

static long long num(int argc, char **argv, const char *key, long long def)
{
	const char *v = arg(argc, argv, key);
	return v != NULL ? strtoll(v, NULL, 10) : def;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct watch {
	int out, err, master;
	struct monitor_log *log;
	struct monitor_attach *attach;
};

/* Read what FD has for STREAM; false at EOF or error. */
static bool relay(struct watch *w, int fd, int stream)
{
	char buf[16384];
	ssize_t r = engine_read_some(fd, buf, sizeof(buf));
	if (r <= 0)
		return r == 0;
	monitor_log_output(w->log, stream, buf, (size_t)r);
	monitor_attach_output(w->attach, stream, buf, (size_t)r);
	return true;
}

/* A full store has no room for a new file, but state.json's own block
 * holds the exit as well ("running" took as many bytes): written over in
 * place, padded with spaces (JSON's whitespace) to the old length, so
 * that the exit is not lost.  Not atomic, which is why it is only the
 * fallback: a crash in the middle leaves a state.json that reads as
 * "created", as a lost one does.  Failing that too, the record keeps
 * "running" and readers show the exit as unknown. */
static void write_state_in_place(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 4096 &&
	    pwrite(fd, text, n, 0) == (ssize_t)n) {
		static const char spaces[64] = "                                                               ";
		for (off_t off = (off_t)n; off < st.st_size;) {
			size_t k = (size_t)(st.st_size - off) < sizeof(spaces) ? (size_t)(st.st_size - off) :
										 sizeof(spaces);
			ssize_t w = pwrite(fd, spaces, k, off);
			if (w <= 0)
				break;
			off += w;
		}
		(void)fsync(fd);
	}
	close(fd);
}

/* state.json as containers.c writes it, under the container's lock,
 * replaced atomically. */
static void write_state(const char *dir, char **argv, int argc, int exit_code, int64_t finished,
			bool oom_killed)
{
	char path[4300], tmp[4300], text[1024];
	snprintf(path, sizeof(path), "%s/lock", dir);
	int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (lock >= 0 && fcntl(lock, F_SETLKW, &fl) < 0 && errno == EINTR)
		;
	int n = snprintf(text, sizeof(text),
			 "{\"Status\":\"exited\",\"Pid\":0,\"PidStart\":%lld,\"MonitorPid\":%d,"
			 "\"MonitorStart\":%lld,\"ExitCode\":%d,\"StartedAt\":%lld,\"FinishedAt\":%lld,"
			 "\"Removing\":false,\"RestartCount\":%lld%s}",
			 num(argc, argv, "pid_start", 0), (int)getpid(), num(argc, argv, "monitor_start", 0),
			 exit_code, num(argc, argv, "started", 0), (long long)finished,
			 num(argc, argv, "restart_count", 0), oom_killed ? ",\"OOMKilled\":true" : "");
	snprintf(path, sizeof(path), "%s/state.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.%d", dir, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = false;
	if (fd >= 0) {
		ok = engine_write_all(fd, text, (size_t)n) == 0 && fsync(fd) == 0;
		close(fd);
		ok = ok && rename(tmp, path) == 0;
		if (!ok)
			unlink(tmp);
	}
	if (!ok)
		write_state_in_place(path, text, (size_t)n);
	if (lock >= 0)
		close(lock);
}

/* ---- ----------------------------------------------------
 * The container's cgroup, in libc: its OOM kills counted from
 * memory.events (watched with POLLPRI while it runs, since a systemd
 * scope may be collected as soon as it is empty), and at the end what is
 * left killed through cgroup.kill and a cgroupfs directory removed (a
 * systemd scope is collected by systemd itself). */
struct oom_count {
	unsigned long long oom;  /* the OOM killer invoked for the limit */
	unsigned long long kill; /* a process killed by it */
};

/* memory.events counts "oom" before the killer sends its SIGKILL and
 * "oom_kill" after it (and after the kernel has logged the kill, slow on
 * a serial console): the victim can be reaped before "oom_kill" moves.
 * Returns false when the file could not be read (the cgroup is gone). */
static bool read_oom(int fd, struct oom_count *c)
{
	char buf[1024];
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *line = buf, *next; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		char *value = strchr(line, ' ');
		if (value == NULL)
			continue;
		*value++ = '\0';
		unsigned long long v = strtoull(value, NULL, 10);
		if (strcmp(line, "oom") == 0 && v > c->oom)
			c->oom = v;
		else if (strcmp(line, "oom_kill") == 0 && v > c->kill)
			c->kill = v;
	}
	return true;
}

static void cgroup_cleanup(const char *path, bool cgroupfs)
{
	char file[4200], buf[256];
	snprintf(file, sizeof(file), "%s/cgroup.kill", path);
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "1", 1);
		close(fd);
	}
	if (!cgroupfs)
		return;
	/* Killed processes leave once reaped: a second at most. */
	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	for (int i = 0; i < 100; i++) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, "populated 0") != NULL)
			break;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	rmdir(path);
}

extern char **environ;

/* A restart policy: hand the exit to `engine __monitor-resume` (the same
 * process), which decides on a restart and runs the container again
 * (monitor.c); the attach sockets go along.  Returns if the exec fails. */
static void resume(const char *engine, struct watch *w, int argc, char **argv, int code,
		   int64_t finished)
{
	int adir = -1, listen_fd = -1, clients[MAX_CLIENTS];
	size_t nc = monitor_attach_export(w->attach, &adir, &listen_fd, clients, MAX_CLIENTS);
	static char a[16][4300];
	char *args[20];
	int n = 0;
	args[n++] = (char *)engine;
	args[n++] = "__monitor-resume";
#define ARG(...) (snprintf(a[n], sizeof(a[n]), __VA_ARGS__), args[n] = a[n], n++)
	ARG("store=%s", arg(argc, argv, "store"));
	ARG("id=%s", arg(argc, argv, "id"));
	ARG("exit_code=%d", code);
	ARG("started=%lld", num(argc, argv, "started", 0));
	ARG("finished=%lld", (long long)finished);
	ARG("delay_ms=%lld", num(argc, argv, "delay_ms", 100));
	ARG("restart_count=%lld", num(argc, argv, "restart_count", 0));
	const char *asked = arg(argc, argv, "cgroup_manager_asked");
	if (asked != NULL)
		ARG("cgroup_manager_asked=%s", asked);
	ARG("adir=%d", adir);
	ARG("listen=%d", listen_fd);
	monitor_attach_format_clients(a[n], sizeof(a[n]), clients, nc);
	args[n] = a[n];
	n++;
#undef ARG
	args[n] = NULL;
	int keep[2 + MAX_CLIENTS];
	size_t nk = 0;
	keep[nk++] = adir;
	keep[nk++] = listen_fd;
	for (size_t i = 0; i < nc; i++)
		keep[nk++] = clients[i];
	for (size_t i = 0; i < nk; i++)
		if (keep[i] >= 0)
			fcntl(keep[i], F_SETFD, 0);
	/* engine's start-up must not write into the old run's pipes. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; null >= 0 && fd < 3; fd++)
		dup2(null, fd);
	execve(engine, args, environ);
}

/* The stack below the caller's frame, less a page for madvise() itself
 * (the signals we take arrive through a signalfd: no signal frame lands
 * there).  Not inlined: its own frame is small. */
static __attribute__((noinline)) void shed_stack(unsigned long stack_start)
{
	unsigned long here = ((unsigned long)__builtin_frame_address(0) & ~4095UL) - 4096;
	if (stack_start != 0 && here > stack_start)
		(void)madvise((void *)stack_start, here - stack_start, MADV_DONTNEED);
}

/* An idle monitor should cost little memory, and most of what it maps is
 * code and constants: libc's (static musl, or glibc and its loader) and
 * its own, of which start-up touched far more than the wait loop needs
 * (the kernel maps 64 kB, or a whole large folio, around each fault).  Those are shared clean file pages; unmapping them
 * here costs a few faults when the loop next runs, and takes them out of
 * the monitor's Pss until then.  Only mappings without a private dirty
 * page go (a read-only one may be relocated data made read-only after the
 * fact, RELRO, whose private copy DONTNEED would throw away); writable and
 * anonymous mappings hold our state.  The stack below us is dead by the
 * ABI and goes too.  /proc/self/smaps is read through a small buffer, a
 * line at a time: a big one would itself be dirty memory. */
static void shed_pages(void)
{
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[1024];
	size_t have = 0;
	unsigned long start = 0, end = 0, stack_start = 0;
	bool candidate = false;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			unsigned long a, b;
			char perms[5];
			int path_at = 0;
			unsigned long dirty;
			if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &a, &b, perms, &path_at) == 3) {
				start = a, end = b;
				candidate = path_at > 0 && line[path_at] == '/' &&
					    (strcmp(perms, "r-xp") == 0 || strcmp(perms, "r--p") == 0);
				if (path_at > 0 && strcmp(line + path_at, "[stack]") == 0)
					stack_start = a;
			} else if (candidate && sscanf(line, "Private_Dirty: %lu", &dirty) == 1) {
				if (dirty == 0)
					(void)madvise((void *)start, end - start, MADV_DONTNEED);
				candidate = false;
			}
			line = nl + 1;
		}
		have = strlen(line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: not one we read */
	}
	close(fd);
	shed_stack(stack_start);
}

int engine_monitor_watch(int argc, char **argv)
{
	const char *store = arg(argc, argv, "store"), *id = arg(argc, argv, "id");
	pid_t pid = (pid_t)num(argc, argv, "pid", 0);
	if (store == NULL || id == NULL || pid <= 0)
		return 125;
	struct watch w = {
		.out = (int)num(argc, argv, "out", -1),
		.err = (int)num(argc, argv, "err", -1),
		.master = (int)num(argc, argv, "master", -1),
	};
	int in = (int)num(argc, argv, "in", -1);
	bool tty = num(argc, argv, "tty", 0) != 0;

	sigset_t mask;
	sigemptyset(&mask);
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
				    SIGWINCH, SIGCONT, SIGALRM };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);

	struct engine_run_spec spec = { .tty = tty };
	snprintf(spec.id, sizeof(spec.id), "%s", id);
	spec.store_root = (char *)store;
	spec.log_driver = (char *)arg(argc, argv, "log");
	spec.log_max_size = num(argc, argv, "log_max_size", 0);
	spec.log_max_file = (int)num(argc, argv, "log_max_file", 0);
	w.log = monitor_log_open(&spec);

	int clients[MAX_CLIENTS];
	size_t n_clients = 0;
	for (const char *p = arg(argc, argv, "clients"); p != NULL && *p && n_clients < MAX_CLIENTS;) {
		char *end;
		clients[n_clients++] = (int)strtol(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p)
			break;
	}
	w.attach = monitor_attach_adopt((int)num(argc, argv, "adir", -1), (int)num(argc, argv, "listen", -1),
					tty, clients, n_clients);
	monitor_attach_wait_for(w.attach, (int)num(argc, argv, "wait", -1));
	if (w.master >= 0)
		monitor_attach_set_input(w.attach, w.master, true);
	else if (in >= 0)
		monitor_attach_set_input(w.attach, in, false);

	/* cgroups */
	const char *cgroup = arg(argc, argv, "cgroup");
	int oom_fd = -1, parent_oom_fd = -1;
	struct oom_count oom = { 0 }, parent_oom = { 0 };
	bool oom_read = false; /* our own count was read after the exit */
	if (cgroup != NULL) {
		char file[4200];
		snprintf(file, sizeof(file), "%s/memory.events", cgroup);
		oom_fd = open(file, O_RDONLY | O_CLOEXEC);
		(void)read_oom(oom_fd, &oom);
		/* The parent's count is hierarchical and outlives ours: when
		 * our cgroup is gone before its count could be read (its
		 * manager removes it once empty), a rise there with a SIGKILL
		 * exit is taken for our OOM kill. */
		char *slash = strrchr(file, '/');
		if (slash != NULL && slash > file) {
			*slash = '\0';
			char *up = strrchr(file, '/');
			if (up != NULL && up > file) {
				snprintf(up, sizeof(file) - (size_t)(up - file), "/memory.events");
				parent_oom_fd = open(file, O_RDONLY | O_CLOEXEC);
				(void)read_oom(parent_oom_fd, &parent_oom);
			}
		}
	}

	int status = 0;
	bool exited = false;
	/* The container may have gone while we were exec'd. */
	if (waitpid(pid, &status, WNOHANG) == pid)
		exited = true;
	shed_pages();
	while (!exited) {
		struct pollfd p[5 + 1 + MAX_CLIENTS] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = w.out, .events = POLLIN },
			{ .fd = w.err, .events = POLLIN },
			{ .fd = w.master, .events = POLLIN },
			{ .fd = oom_fd, .events = POLLPRI },
		};
		size_t extra = monitor_attach_poll_fds(w.attach, p + 5, 1 + MAX_CLIENTS);
		if (poll(p, 5 + extra, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents && !relay(&w, w.out, 1))
			w.out = -1;
		if (p[2].revents && !relay(&w, w.err, 2))
			w.err = -1;
		if (p[3].revents && !relay(&w, w.master, 1))
			w.master = -1;
		if (p[4].revents) { /* memory.events changed */
			(void)read_oom(oom_fd, &oom);
			/* A removed cgroup's file polls as an error for ever:
			 * what it counted is kept, the fd goes. */
			if ((p[4].revents & (POLLERR | POLLNVAL)) && access(cgroup, F_OK) != 0) {
				close(oom_fd);
				oom_fd = -1;
			}
		}
		if (extra > 0)
			monitor_attach_poll_ready(w.attach, p + 5, extra);
		if (p[0].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if ((int)si.ssi_signo == SIGCHLD) {
				/* the OOM count before the reap: once
				 * the cgroup is empty its manager may remove it (a
				 * systemd scope goes at once), and its files with it;
				 * the kernel's notice of the kill can come after the
				 * exit's. */
				oom_read = read_oom(oom_fd, &oom);
				if (waitpid(pid, &status, WNOHANG) == pid)
					exited = true;
			} else if ((int)si.ssi_signo != SIGWINCH) {
				kill(pid, (int)si.ssi_signo);
			}
		}
	}
	int64_t finished = now_ns();
	/* What is left in the pipes and the pty (we hold the pipes' write
	 * ends as our stdout and stderr: no EOF comes, read until empty). */
	int fds[3] = { w.out, w.err, w.master };
	for (int k = 0; k < 3; k++) {
		if (fds[k] < 0)
			continue;
		fcntl(fds[k], F_SETFL, fcntl(fds[k], F_GETFL) | O_NONBLOCK);
		for (int i = 0; i < 4096; i++) {
			struct pollfd q = { .fd = fds[k], .events = POLLIN };
			if (poll(&q, 1, 0) <= 0 || !relay(&w, fds[k], k == 1 ? 2 : 1))
				break;
		}
	}
	monitor_log_flush(w.log);
	/* slirp4netns and the UDP relay end with the
	 * container (their exit pipes close); slirp4netns leaves its API
	 * socket behind. */
	for (const char *k = "net_slirp"; k != NULL; k = strcmp(k, "net_slirp") == 0 ? "net_relay" : NULL)
		if (num(argc, argv, k, -1) >= 0)
			close((int)num(argc, argv, k, -1));
	const char *net_socket = arg(argc, argv, "net_socket");
	if (net_socket != NULL && net_socket[0] == '/')
		(void)unlink(net_socket);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 125;
	/* cgroups */
	bool oom_killed = false;
	if (cgroup != NULL) {
		bool ok = read_oom(oom_fd, &oom);
		bool sigkill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		/* A SIGKILL exit after the killer was invoked for our limit is
		 * its kill even when "oom_kill" has not moved yet. */
		oom_killed = oom.kill > 0 || (sigkill && oom.oom > 0);
		if (!oom_killed && !ok && !oom_read && sigkill) {
			struct oom_count then = parent_oom;
			(void)read_oom(parent_oom_fd, &parent_oom);
			oom_killed = parent_oom.kill > then.kill || parent_oom.oom > then.oom;
		}
		if (oom_fd >= 0)
			close(oom_fd);
		if (parent_oom_fd >= 0)
			close(parent_oom_fd);
		const char *mgr = arg(argc, argv, "cgroup_manager");
		cgroup_cleanup(cgroup, mgr != NULL && strcmp(mgr, "cgroupfs") == 0);
	}
	const char *engine = arg(argc, argv, "resume");
	if (engine != NULL) {
		resume(engine, &w, argc, argv, code, finished);
		/* engine is gone (replaced?): record the exit ourselves. */
	}
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/containers/%s", store, id);
	write_state(dir, argv, argc, code, finished, oom_killed);
	monitor_attach_close(w.attach);
	monitor_log_close(w.log);
	/* slirp4netns and the relay are our children and
	 * exit on their closed pipes: reap them (for up to a second), so that
	 * no zombie is left to an init that may not reap. */
	for (int i = 0; i < 100; i++) {
		pid_t c = waitpid(-1, NULL, WNOHANG);
		if (c < 0)
			break;
		if (c == 0) {
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}
