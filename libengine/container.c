/* container.c: the process that becomes the container, and the CLI's side
 * of it while it runs in the foreground.
 *
 * One clone(2) creates the user namespace and every other namespace at once,
 * so they are all owned by the new user namespace (mounting proc, sysfs,
 * mqueue and devpts there is then allowed), and the child is PID 1 of its
 * PID namespace.  The child waits on a socketpair until the parent has
 * written its id maps (newuidmap must act from outside), then builds the
 * filesystem, drops privileges and execs.  The socket is close-on-exec: the
 * parent reading EOF means the exec happened; a message before that is an
 * error report (or the pty master for -t).
 *
 * The child uses the raw clone syscall like fork(): no separate stack, and no
 * glibc fork handlers (nothing here needs them; the child only makes
 * syscalls and execs). */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "fs.h"
#include "mounts.h"
#include "passwd.h"
#include "paths.h"
#include "seccomp-cache.h"
#include "security.h"
#include "terminal.h"
#include "userns.h"
#include "image.h"
#include "remove.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

struct child_ctx {
	const struct engine_run_spec *spec;
	const struct engine_idmap *map;
	const struct engine_seccomp_program *seccomp;
	const struct engine_container_io *io;
	int sock;
};

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
					 SIGWINCH, SIGCONT, SIGALRM };

/* ---- child ----------------------------------------------------------- */

/* Search PATH the way execvp would, but inside the container and before
 * exec, so that "not found" (127) and "cannot invoke" (126) are told apart
 * as Docker does. */
static int find_executable(const char *name, const char *path_env, char *out, size_t size,
			   struct engine_error **err)
{
	struct stat st;
	if (strchr(name, '/') != NULL) {
		if (stat(name, &st) < 0) {
			int r = engine_error_errno(err, errno, "exec %s", name);
			(*err)->exit_code = errno == ENOENT || errno == ENOTDIR ? ENGINE_EXIT_NOT_FOUND
									       : ENGINE_EXIT_CANNOT_INVOKE;
			return r;
		}
		if (S_ISDIR(st.st_mode) || access(name, X_OK) < 0) {
			int r = engine_error_errno(err, S_ISDIR(st.st_mode) ? EISDIR : EACCES, "exec %s",
						   name);
			(*err)->exit_code = ENGINE_EXIT_CANNOT_INVOKE;
			return r;
		}
		snprintf(out, size, "%s", name);
		return 0;
	}
	const char *p = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	int seen_eacces = 0;
	while (*p) {
		const char *colon = strchrnul(p, ':');
		size_t dl = (size_t)(colon - p);
		if (dl == 0)
			snprintf(out, size, "./%s", name);
		else
			snprintf(out, size, "%.*s/%s", (int)dl, p, name);
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			seen_eacces = 1;
		}
		p = *colon ? colon + 1 : colon;
	}
	if (seen_eacces) {
		int r = engine_error_set(err, EACCES, "exec %s: permission denied", name);
		(*err)->exit_code = ENGINE_EXIT_CANNOT_INVOKE;
		return r;
	}
	int r = engine_error_set(err, ENOENT, "executable file \"%s\" not found in $PATH", name);
	(*err)->exit_code = ENGINE_EXIT_NOT_FOUND;
	return r;
}

static char **build_env(const struct engine_run_spec *spec, const struct engine_creds *creds,
			const char *hostname)
{
	size_t cap = spec->n_env + 8, n = 0;
	char **env = calloc(cap, sizeof(char *));
	if (env == NULL)
		return NULL;
	char *tmp = NULL;
	if (engine_env_get(spec, "PATH") == NULL)
		env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	if (asprintf(&tmp, "HOSTNAME=%s", hostname) >= 0)
		env[n++] = tmp;
	if (engine_env_get(spec, "HOME") == NULL && asprintf(&tmp, "HOME=%s", creds->home) >= 0)
		env[n++] = tmp;
	if (spec->tty && engine_env_get(spec, "TERM") == NULL)
		env[n++] = "TERM=xterm";
	/* systemd and friends look at $container to know where they run. */
	env[n++] = "container=engine";
	for (size_t i = 0; i < spec->n_env; i++)
		env[n++] = spec->env[i];
	env[n] = NULL;
	return env;
}

static int child_setup(struct child_ctx *c, struct engine_error **err)
{
	const struct engine_run_spec *spec = c->spec;
	const bool userns = c->map->mode != ENGINE_IDMAP_ROOT;

	char hostname[65];
	snprintf(hostname, sizeof(hostname), "%s", spec->hostname ? spec->hostname : spec->id);
	if (!spec->hostname)
		hostname[12] = '\0';
	if (sethostname(hostname, strlen(hostname)) < 0)
		return engine_error_errno(err, errno, "sethostname");
	if (netns_mode_is_private(spec->network)) {
		if (netns_loopback_up(err) < 0)
			return -1;
		/* Podman's default sysctl: ping works through ICMP datagram
		 * sockets without CAP_NET_RAW (which is not a default cap). */
		if (netns_ping_group_range_set(0, 0, err) < 0)
			return -1;
	}

	struct engine_mounts_config mc = {
		.rootfs = spec->rootfs,
		.store_root = spec->store_root,
		.layers = spec->layers,
		.n_layers = spec->n_layers,
		.container_id = spec->id,
		.driver = spec->storage_driver,
		.private_netns = netns_mode_is_private(spec->network),
		.rootless = userns,
		.map_tty_gid = engine_idmap_total(c->map->gids, c->map->n_gids) > 5,
		.privileged = spec->privileged,
		.read_only = spec->read_only,
		/* volumes (#4) */
		.mounts = spec->mounts,
		.n_mounts = spec->n_mounts,
		.volumes_root = spec->store_root,
		.user = spec->user,
		.shm_size = spec->shm_size,
		.read_only_tmpfs = !spec->no_read_only_tmpfs,
	};
	if (engine_mounts_setup(&mc, err) < 0)
		return -1;

	if (spec->tty) {
		if (engine_terminal_child_setup(c->sock, err) < 0)
			return -1;
	} else if (!spec->interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			return engine_error_errno(err, errno, "stdin from /dev/null");
		close(null);
	}

	struct engine_creds creds;
	{
		cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return engine_error_errno(err, errno, "open /");
		if (engine_creds_from_root(rootfd, spec->user, &creds, err) < 0)
			return -1;
	}

	const char *wd = spec->workdir ? spec->workdir : "/";
	if (chdir(wd) < 0) {
		/* Docker creates a missing working directory. */
		if (errno != ENOENT || engine_mkdir_p(wd, 0755, err) < 0 || chdir(wd) < 0)
			return engine_error_errno(err, errno, "chdir to workdir %s", wd);
	}

	char **env = build_env(spec, &creds, hostname);
	if (env == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");

	/* No fd of ours may reach the container: everything above stderr is
	 * closed at exec (the sync socket already is close-on-exec). */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3; fd < 65536; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}

	struct engine_security_config sc = {
		.caps = spec->caps,
		.no_new_privileges = spec->no_new_privileges,
		.set_groups = c->map->mode != ENGINE_IDMAP_SINGLE,
		.mapped_uids = engine_idmap_total(c->map->uids, c->map->n_uids),
		.mapped_gids = engine_idmap_total(c->map->gids, c->map->n_gids),
		.seccomp = c->seccomp,
	};
	if (engine_security_apply(&sc, &creds, err) < 0)
		return -1;

	const char *path_env = NULL;
	for (char **e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path_env = *e + 5;
	char exe[PATH_MAX];
	if (find_executable(spec->argv[0], path_env, exe, sizeof(exe), err) < 0)
		return -1;

	/* The container starts with default dispositions, whatever the CLI
	 * inherited: a shell that started engine with `&` ignores SIGINT, and a
	 * signal ignored at exec time stays ignored (a shell in the container
	 * could not even trap it).  Likewise the mask starts empty, as runc's. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t empty;
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	/* A detached container dies with its monitor, so that a killed
	 * monitor never leaves a container nobody records.  Set last: a
	 * change of effective uid or gid clears it. */
	if (c->io != NULL && c->io->detached && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return engine_error_errno(err, errno, "prctl PR_SET_PDEATHSIG");
	execve(exe, spec->argv, env);
	int e = errno;
	int r = engine_error_errno(err, e, "exec %s", spec->argv[0]);
	(*err)->exit_code = e == ENOENT ? ENGINE_EXIT_NOT_FOUND : ENGINE_EXIT_CANNOT_INVOKE;
	return r;
}

static int child_main(void *data, int sock)
{
	struct child_ctx *c = data;
	struct engine_error *err = NULL;
	c->sock = sock;
	child_setup(c, &err);
	engine_userns_report(sock, err);
	return engine_error_exit_code(err);
}

/* ---- parent ---------------------------------------------------------- */

static int parent_sync(int sock, const struct engine_run_spec *spec, int *ret_master,
		       struct engine_error **err)
{
	for (;;) {
		int fd = -1;
		int r = engine_userns_receive(sock, &fd, err);
		if (r <= 0)
			return r; /* EOF: the container's command is running */
		if (!spec->tty || *ret_master >= 0) {
			close(fd);
			return engine_error_set(err, EPROTO, "unexpected fd from the container");
		}
		*ret_master = fd;
	}
}

/* The container's upper and work directories hold files of subordinate
 * ids, which only a process in the user namespace can delete.  The
 * namespace outlives the container while we hold its fd, and its creator's
 * uid has every capability in it: a forked child joins it with setns() and
 * removes the tree.  A new helper (with newuidmap) is the fallback. */
static void remove_container_dir(const struct engine_run_spec *spec, const struct engine_idmap *map,
				 int userns_fd)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", spec->id);
	if (map->mode != ENGINE_IDMAP_ROOT && userns_fd >= 0) {
		pid_t child = fork();
		if (child == 0) {
			if (setns(userns_fd, CLONE_NEWUSER) < 0)
				_exit(2);
			int rootfd = open(spec->store_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
			_exit(rootfd >= 0 && storage_remove_tree(rootfd, rel, NULL) == 0 ? 0 : 1);
		}
		int status = 0;
		while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return;
	}
	struct engine_error *err = NULL;
	if (map->mode == ENGINE_IDMAP_ROOT) {
		int rootfd = open(spec->store_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd >= 0) {
			storage_remove_tree(rootfd, rel, &err);
			close(rootfd);
		}
	} else {
		engine_container_dir_remove(spec->store_root, map, spec->id, &err);
	}
	if (err != NULL)
		engine_log(ENGINE_LOG_WARN, "removing the container's layer: %s", err->msg);
	engine_error_free(&err);
}

static int status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return ENGINE_EXIT_ENGINE;
}

/* Copy what is readable from one fd to another; 0 on EOF/EIO, 1 otherwise. */
static int relay(int from, int to)
{
	char buf[16384];
	ssize_t r = read(from, buf, sizeof(buf));
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r == 0)
		return 0;
	for (ssize_t off = 0; off < r;) {
		ssize_t w = write(to, buf + off, (size_t)(r - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = to, .events = POLLOUT };
				(void)poll(&p, 1, -1);
				continue;
			}
			return 1; /* the reader went away: keep draining */
		}
		off += w;
	}
	return 1;
}

/* The monitor's output pipes: hand what is there to the log writer;
 * false at EOF (or when there is nothing to read and DRAIN asks not to
 * wait). */
static bool relay_output(const struct engine_container_io *io, int stream)
{
	char buf[16384];
	int fd = stream == 1 ? io->out_fd : io->err_fd;
	ssize_t r = read(fd, buf, sizeof(buf));
	if (r < 0)
		return errno == EINTR;
	if (r == 0)
		return false;
	io->output(io->data, stream, buf, (size_t)r);
	return true;
}

static void drain_output(const struct engine_container_io *io)
{
	for (int stream = 1; stream <= 2; stream++) {
		int fd = stream == 1 ? io->out_fd : io->err_fd;
		if (fd < 0)
			continue;
		/* Whatever a background process of the container still
		 * writes later is lost: the pipe is not waited on past the
		 * init's exit. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		for (int i = 0; i < 4096 && relay_output(io, stream); i++)
			;
	}
}

static int parent_loop(pid_t child, int sigfd, struct engine_terminal *term, bool interactive,
		       const struct engine_container_io *io, int *ret_exit_code)
{
	bool stdin_open = term != NULL && interactive;
	bool master_open = term != NULL;
	bool out_open = io != NULL && io->out_fd >= 0, err_open = io != NULL && io->err_fd >= 0;
	for (;;) {
		struct pollfd p[5] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = master_open ? term->master : -1, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = out_open ? io->out_fd : -1, .events = POLLIN },
			{ .fd = err_open ? io->err_fd : -1, .events = POLLIN },
		};
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[3].revents)
			out_open = relay_output(io, 1);
		if (p[4].revents)
			err_open = relay_output(io, 2);
		if (p[1].revents)
			master_open = relay(term->master, STDOUT_FILENO);
		if (p[2].revents && !relay(STDIN_FILENO, term->master)) {
			stdin_open = false;
			/* Pass the EOF on as the terminal's EOF character. */
			char eot = 4;
			(void)!write(term->master, &eot, 1);
		}
		if (!p[0].revents)
			continue;
		struct signalfd_siginfo si;
		if (read(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if ((int)si.ssi_signo == SIGWINCH && term != NULL) {
			engine_terminal_resize(term);
			continue;
		}
		if ((int)si.ssi_signo != SIGCHLD) {
			kill(child, (int)si.ssi_signo);
			continue;
		}
		int status;
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child) {
			if (master_open) {
				/* Output may still sit in the pty after the exit. */
				int fl = fcntl(term->master, F_GETFL);
				fcntl(term->master, F_SETFL, fl | O_NONBLOCK);
				for (int i = 0; i < 1024 && relay(term->master, STDOUT_FILENO); i++) {
					struct pollfd q = { .fd = term->master, .events = POLLIN };
					if (poll(&q, 1, 0) <= 0)
						break;
				}
			}
			if (io != NULL)
				drain_output(io);
			*ret_exit_code = status_to_exit(status);
			return 0;
		}
	}
}

int engine_container_run(const struct engine_run_spec *spec, const struct engine_idmap *map,
			 int *ret_exit_code, struct engine_error **err)
{
	return engine_container_run_io(spec, map, NULL, ret_exit_code, err);
}

int engine_container_run_io(const struct engine_run_spec *spec, const struct engine_idmap *map,
			    const struct engine_container_io *io, int *ret_exit_code,
			    struct engine_error **err)
{
	struct engine_seccomp_program program = { 0 };
	bool confined = spec->seccomp_profile == NULL || strcmp(spec->seccomp_profile, "unconfined") != 0;
	if (confined) {
		cleanup_free char *runroot = NULL;
		cleanup_free char *cache = NULL;
		struct engine_error *local = NULL;
		const char *dir = spec->run_root;
		if (dir == NULL && storage_default_runroot(&runroot, &local) == 0)
			dir = runroot;
		if (dir != NULL && asprintf(&cache, "%s/seccomp", dir) < 0)
			cache = NULL;
		engine_error_free(&local);
		if (engine_seccomp_program_get(spec->seccomp_profile, spec->caps, cache, &program, err) < 0)
			return -1;
	}

	sigset_t mask, saved;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&mask, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &mask, &saved);

	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	if (netns_mode_is_private(spec->network))
		flags |= CLONE_NEWNET;
	/* A cgroup namespace where the kernel has them (4.6+). */
	if (access("/proc/self/ns/cgroup", F_OK) == 0)
		flags |= CLONE_NEWCGROUP;

	struct child_ctx c = { .spec = spec, .map = map, .seccomp = confined ? &program : NULL,
			       .io = io, .sock = -1 };
	pid_t pid = -1;
	int sock = -1, userns_fd = -1;
	int rc = -1, sigfd = -1, master = -1;
	struct engine_terminal term;
	bool have_term = false;
	int cr = engine_userns_clone(map, flags, child_main, &c, &pid, &sock, err);
	engine_seccomp_program_clear(&program);
	if (cr < 0)
		goto out;
	/* Keep the container's user namespace: its writable layer is removed
	 * from inside it after the run, with no newuidmap round trip. */
	if (spec->n_layers > 0 && map->mode != ENGINE_IDMAP_ROOT) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
		userns_fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (parent_sync(sock, spec, &master, err) < 0) {
		waitpid(pid, NULL, 0);
		goto out;
	}
	if (io != NULL && io->started != NULL)
		io->started(io->data, pid);
	/* From here on a write to a closed pipe should be an error, not death. */
	signal(SIGPIPE, SIG_IGN);

	if (master >= 0) {
		engine_terminal_init(&term, master);
		have_term = true;
		engine_terminal_resize(&term);
		engine_terminal_make_raw(&term);
	}
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		engine_error_errno(err, errno, "signalfd");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	rc = parent_loop(pid, sigfd, have_term ? &term : NULL, spec->interactive, io,
			 ret_exit_code);
	if (rc < 0)
		engine_error_errno(err, -rc, "wait for the container");
out:
	if (have_term)
		engine_terminal_restore(&term);
	if (master >= 0)
		close(master);
	if (sigfd >= 0)
		close(sigfd);
	if (sock >= 0)
		close(sock);
	/* A kept container (detached, without --rm) keeps its layer for
	 * the next start; rm removes it. */
	if (spec->n_layers > 0 && pid > 0 && (io == NULL || !io->keep_layer))
		remove_container_dir(spec, map, userns_fd);
	if (userns_fd >= 0)
		close(userns_fd);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc < 0 ? -1 : 0;
}
