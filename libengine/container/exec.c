/* exec.c: start another process in a running container (`engine exec`).
 *
 * There is no daemon to ask, so the CLI joins the container itself, through
 * a pidfd on the container's init (pidfd_open, then the recorded start time
 * checked, so a reused pid cannot be joined): setns(pidfd, flags) enters
 * the user namespace first and then the others, in the order the kernel
 * needs, in one call (Linux 5.8).  Only the namespaces that differ from
 * ours are asked for: joining our own user namespace is EINVAL (root mode
 * has none of its own), and `--network host` shares ours
 * (userns/ns-join.c opens, compares and joins them).
 *
 *   engine exec (CLI)             host namespaces, never joins anything
 *    ├─ joiner   fork; setns(pidfd, USER|MNT|PID|UTS|IPC|NET|CGROUP)
 *    │           clone(CLONE_PARENT) → exits
 *    └─ process  the CLI's child, PID n of the container's PID namespace
 *                stdio, user, workdir, env, caps, seccomp → execve
 *
 * setns(CLONE_NEWPID) only places the caller's later children in the
 * namespace, hence the joiner; CLONE_PARENT makes the process the CLI's own
 * child, so the CLI waits for it and forwards signals with no subreaper.
 * The sync socket works as for run: close-on-exec, so EOF means the exec
 * happened, and anything before it is an error (with its 126/127) or, for
 * -t, the pty master.  With -d the process forks once more and the middle
 * one exits: the command is reparented to the container's init, as Docker
 * leaves an exec'd process, and dies with the container. */
#include "libengine/container/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libengine/runtime/caps.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/runtime/foreground.h"
#include "libengine/runtime/passwd.h"
#include "common/proc.h"
#include "libengine/runtime/process.h"
#include "libengine/runtime/sealed-exec.h"
#include "libengine/runtime/seccomp-cache.h"
#include "libengine/runtime/security.h"
#include "libengine/runtime/stdio-relay.h"
#include "libengine/runtime/terminal.h"
#include "libengine/userns/ns-join.h"
#include "libengine/userns/userns.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the process needs, all prepared before the fork: the child only
 * makes syscalls. */
struct exec_ctx {
	const struct engine_run_spec *spec; /* the container's, with the exec's changes */
	const struct engine_exec_options *opts;
	struct engine_security_config security; /* seccomp: the cached program */
	const struct engine_ns_set *ns; /* the init's, by pidfd */
	const char *whose;              /* "container NAME", for errors */
	int sock;      /* the child's end of the sync socket */
	int pid_pipe;  /* the joiner writes the process's pid here */
	/* Without -t or -d: the pipes that become its stdio, else NULL. */
	const struct engine_stdio_relay *relay;
};

/* ---- the container's facts ------------------------------------------- */

/* One past the highest id the container's user namespace maps, from
 * /proc/PID/uid_map or gid_map: the container was created with whatever
 * map was right then, which is what counts now.  Lines come in any order
 * (keep-id's first line maps the user's own id, not 0); an id below this
 * that a hole leaves unmapped is refused by setresuid itself. */
static int mapped_ids(pid_t pid, const char *file, uint64_t *ret, struct engine_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_free char *buf = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 65536, &buf, NULL, err) < 0)
		return -1;
	uint64_t total = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long inside, outside, count;
		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
		    (uint64_t)inside + count > total)
			total = (uint64_t)inside + count;
	}
	*ret = total;
	return 0;
}

static bool setgroups_allowed(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	cleanup_free char *buf = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 64, &buf, NULL, NULL) < 0)
		return true; /* no such file: no user namespace, setgroups is ours */
	return strncmp(buf, "allow", 5) == 0;
}

/* ---- the process ----------------------------------------------------- */

static int stdio_setup(struct exec_ctx *c, struct engine_error **err)
{
	const struct engine_exec_options *o = c->opts;
	if (o->tty && !o->detach)
		return engine_terminal_child_open(c->sock, false, err);
	/* Pipes that the CLI relays, never the CLI's own fds (the user's
	 * terminal), and a session of its own, as with -t: no controlling
	 * terminal, and the user's ^C reaches the CLI, which forwards it
	 * once, not the process a second time through the terminal's
	 * process group. */
	if (c->relay != NULL)
		return engine_stdio_relay_child(c->relay, err);
	/* Detached: nobody reads the output (Docker drops it too), and the
	 * command is no job of the user's shell. */
	if (setsid() < 0)
		return engine_error_errno(err, errno, "setsid");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return engine_error_errno(err, errno, "open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) < 0)
			return engine_error_errno(err, errno, "stdio to /dev/null");
	if (null > STDERR_FILENO)
		close(null);
	return 0;
}

static int process_setup(struct exec_ctx *c, struct engine_error **err)
{
	const struct engine_run_spec *spec = c->spec;
	if (stdio_setup(c, err) < 0)
		return -1;

	/* setns(CLONE_NEWNS) left us at the container's root: its own
	 * /etc/passwd names the user. */
	struct engine_creds creds;
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open /");
	if (engine_creds_from_root(rootfd, spec->user, &creds, err) < 0 ||
	    engine_creds_add_groups(rootfd, spec->group_add, spec->n_group_add, &creds, err) < 0)
		return -1;
	/* The workdir is the container's to shape: resolved inside its root
	 * and never through a magic link (a symlink to /proc/self/fd/N would
	 * reach one of our fds, CVE-2024-21626). */
	const char *wd = spec->workdir ? spec->workdir : "/";
	cleanup_close int wdfd = engine_openat2(rootfd, wd, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
						 ENGINE_RESOLVE_IN_ROOT | ENGINE_RESOLVE_NO_MAGICLINKS);
	if (wdfd < 0)
		return engine_error_errno(err, -wdfd, "workdir %s", wd);
	if (fchdir(wdfd) < 0)
		return engine_error_errno(err, errno, "chdir to workdir %s", wd);

	char hostname[HOST_NAME_MAX + 1] = "";
	(void)gethostname(hostname, sizeof(hostname));
	cleanup_free char **env = engine_process_build_env(spec, &creds, hostname);
	if (env == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");

	/* No fd of the CLI may reach the container. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3; fd < 65536; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	/* The final execve is the sealed stub's (sealed-exec.c); made
	 * before seccomp applies: a profile may forbid memfd_create. */
	cleanup_close int stub = engine_sealed_exec_stub(err);
	if (stub < 0)
		return -1;
	if (engine_security_apply(&c->security, &creds, err) < 0)
		return -1;

	const char *path_env = engine_process_env_path(env);
	char exe[PATH_MAX];
	if (engine_process_find_executable(c->opts->argv[0], path_env, exe, sizeof(exe), err) < 0)
		return -1;

	/* Default dispositions and an empty mask, whatever the CLI had (it
	 * blocked the signals it forwards). */
	engine_process_reset_signals();
	/* The stub reports its execve's failure on the socket itself (126 or
	 * 127, as ours did); a return here means the stub did not run. */
	int e = -engine_sealed_exec(stub, c->sock, exe, c->opts->argv, env);
	return engine_error_errno(err, e, "exec %s: run the sealed exec stub", c->opts->argv[0]);
}

static _Noreturn void process_main(struct exec_ctx *c)
{
	struct engine_error *err = NULL;
	if (c->opts->detach) {
		/* The middle process exits at once: the command's parent is
		 * then the container's init, which reaps it. */
		pid_t pid = fork();
		if (pid < 0) {
			engine_error_errno(&err, errno, "fork");
			engine_userns_report(c->sock, err);
			_exit(ENGINE_EXIT_ENGINE);
		}
		if (pid > 0)
			_exit(0);
	}
	process_setup(c, &err);
	engine_userns_report(c->sock, err);
	_exit(engine_error_exit_code(err));
}

/* The joiner: enter the namespaces, then make the process as the CLI's
 * child (CLONE_PARENT) and tell the CLI its pid. */
static _Noreturn void joiner_main(struct exec_ctx *c)
{
	struct engine_error *err = NULL;
	/* Not dumpable until the exec: a process of the container may not
	 * open our /proc/PID/exe (the engine binary) or our fds
	 * (CVE-2019-5736); the sealed stub stays so until it execs the
	 * command, which the kernel makes dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		engine_error_errno(&err, errno, "prctl(PR_SET_DUMPABLE)");
		goto fail;
	}
	if (engine_ns_join(c->ns, c->whose, &err) < 0)
		goto fail;
	long pid = syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, 0);
	if (pid == 0)
		process_main(c);
	if (pid < 0) {
		engine_error_errno(&err, errno, "clone");
		goto fail;
	}
	pid_t p = (pid_t)pid;
	_exit(write(c->pid_pipe, &p, sizeof(p)) == sizeof(p) ? 0 : ENGINE_EXIT_ENGINE);
fail:
	engine_userns_report(c->sock, err);
	_exit(ENGINE_EXIT_ENGINE);
}

/* ---- the CLI's side -------------------------------------------------- */

static void reap(pid_t pid)
{
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The process's sync: EOF once it has exec'd, an error before that, or the
 * pty master first with -t. */
static int sync_process(int sock, bool tty, int *ret_master, struct engine_error **err)
{
	for (;;) {
		int fd = -1;
		int r = engine_userns_receive(sock, &fd, err);
		if (r <= 0)
			return r;
		if (!tty || *ret_master >= 0) {
			close(fd);
			return engine_error_set(err, EPROTO, "unexpected fd from the exec'd process");
		}
		*ret_master = fd;
	}
}

static int exec_run(struct exec_ctx *c, int *ret_exit_code, struct engine_error **err)
{
	const struct engine_exec_options *o = c->opts;
	sigset_t mask, saved;
	engine_foreground_block_signals(true, &mask, &saved);

	int sp[2] = { -1, -1 }, pp[2] = { -1, -1 };
	int rc = -1, master = -1;
	pid_t joiner = -1, pid = -1;
	struct engine_stdio_relay relay_pipes;
	struct engine_stdio_relay *relay = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(pp, O_CLOEXEC) < 0) {
		engine_error_errno(err, errno, "socketpair");
		goto out;
	}
	if (!o->tty && !o->detach) {
		if (engine_stdio_relay_open(&relay_pipes, o->interactive, err) < 0)
			goto out;
		relay = &relay_pipes;
	}
	c->sock = sp[1];
	c->pid_pipe = pp[1];
	c->relay = relay;
	joiner = fork();
	if (joiner < 0) {
		engine_error_errno(err, errno, "fork");
		goto out;
	}
	if (joiner == 0)
		joiner_main(c);
	close(sp[1]);
	close(pp[1]);
	sp[1] = pp[1] = -1;
	if (relay != NULL)
		engine_stdio_relay_parent(relay);
	reap(joiner);
	ssize_t n;
	while ((n = read(pp[0], &pid, sizeof(pid))) < 0 && errno == EINTR)
		;
	if (n != sizeof(pid)) {
		pid = -1;
		/* The joiner said why on the socket. */
		int ignored = -1;
		if (sync_process(sp[0], false, &ignored, err) == 0)
			engine_error_set(err, ECHILD, "the exec helper failed");
		goto out;
	}
	if (sync_process(sp[0], o->tty && !o->detach, &master, err) < 0) {
		reap(pid);
		goto out;
	}
	if (o->detach) {
		reap(pid); /* the middle process; the command runs on */
		*ret_exit_code = 0;
		rc = 0;
		goto out;
	}
	struct engine_foreground fg = { .pid = pid, .mask = &mask, .name = "the exec'd process",
					.master = master, .interactive = o->interactive, .relay = relay };
	rc = engine_foreground_wait(&fg, ret_exit_code, err);
out:
	if (relay != NULL)
		engine_stdio_relay_close(relay);
	int fds[] = { master, sp[0], sp[1], pp[0], pp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc < 0 ? -1 : 0;
}

/* The container's spec as the exec changes it. */
static int exec_spec(const struct engine_container *c, const struct engine_exec_options *o,
		     struct engine_run_spec *spec, struct engine_error **err)
{
	if (engine_container_spec(c, spec, err) < 0)
		return -1;
	if (o->user != NULL) {
		free(spec->user);
		if ((spec->user = strdup(o->user)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	if (o->workdir != NULL) {
		free(spec->workdir);
		if ((spec->workdir = strdup(o->workdir)) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < o->n_env; i++)
		if (engine_env_add(spec, o->env[i], err) < 0)
			return -1;
	spec->tty = o->tty && !o->detach;
	spec->interactive = o->interactive;
	if (o->privileged)
		spec->caps = engine_caps_all();
	return 0;
}

int engine_exec(const struct engine_container *c, const struct engine_exec_options *opts,
		int *ret_exit_code, struct engine_error **err)
{
	const struct engine_container_state *st = &c->state;
	if (st->status != ENGINE_CONTAINER_RUNNING || st->pid <= 0)
		return engine_error_set(err, EINVAL, "container %s is not running", c->name);
	/* The pidfd pins the process; the start time, read after it was
	 * opened, says it is still the container's init and not a reuse. */
	cleanup_free char *whose = NULL;
	if (asprintf(&whose, "container %s", c->name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_ns_set struct engine_ns_set ns = ENGINE_NS_SET_INIT;
	if (engine_ns_open_pidfd(st->pid, st->pid_start, ENGINE_NS_ALL, whose, &ns, err) < 0)
		return -1;

	struct engine_run_spec spec = { 0 };
	struct engine_seccomp_program program = { 0 };
	bool confined = false;
	struct exec_ctx ctx = { .spec = &spec, .opts = opts, .ns = &ns, .whose = whose, .sock = -1,
				.pid_pipe = -1 };
	int r = -1;
	if (exec_spec(c, opts, &spec, err) < 0 ||
	    mapped_ids(st->pid, "uid_map", &ctx.security.mapped_uids, err) < 0 ||
	    mapped_ids(st->pid, "gid_map", &ctx.security.mapped_gids, err) < 0 ||
	    engine_seccomp_program_for_spec(&spec, &program, &confined, err) < 0)
		goto out;
	ctx.security.caps = spec.caps;
	ctx.security.no_new_privileges = spec.no_new_privileges;
	ctx.security.set_groups = setgroups_allowed(st->pid);
	ctx.security.seccomp = confined ? &program : NULL;
	r = exec_run(&ctx, ret_exit_code, err);
out:
	engine_seccomp_program_clear(&program);
	engine_run_spec_free(&spec);
	return r;
}
