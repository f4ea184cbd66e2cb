/* container.c: the process that becomes the container, and the CLI's side
 * of it until it runs (the wait while it runs is foreground.c's).
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
#include "libengine/runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
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
#include "libengine/runtime/foreground.h"
#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/runtime/fuse-overlayfs.h"
#include "libengine/runtime/mounts.h"
#include "libengine/runtime/passwd.h"
#include "libengine/runtime/process.h"
#include "libengine/runtime/seccomp-cache.h"
#include "libengine/runtime/sealed-exec.h"
#include "libengine/runtime/security.h"
#include "libengine/runtime/stdio-relay.h"
#include "libengine/runtime/terminal.h"
#include "libengine/userns/ns-join.h"
#include "libengine/userns/userns.h"
#include "libengine/userns/keep-id.h"
#include "libengine/image/image.h"
#include "storage/remove.h"
#include "libengine/runtime/rlimits.h"
#include "libengine/container/net.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

struct child_ctx {
	const struct engine_run_spec *spec;
	const struct engine_idmap *map;
	const struct engine_seccomp_program *seccomp;
	const struct engine_container_io *io;
	/* Without -t in the foreground: the pipes that become its stdio
	 * (NULL: a monitor's pipes are its stdio already). */
	const struct engine_stdio_relay *relay;
	int sock;
	/* --userns=keep-id: the user's entry for the container's
	 * /etc/passwd (NULL otherwise). */
	const char *keep_id_name, *keep_id_home;
	const char *fuse_overlayfs_idmap; /* the layers' owners as the image has them */
	/* wait for the parent to move us into our cgroup
	 * (one byte on the socket) before the cgroup namespace is made. */
	bool cgroup_sync, cgroupns;
	/* the /etc files and markers to bind; whether to
	 * wait for the parent's go (slirp4netns up) before the exec. */
	const char *etc_files[ENGINE_BOUND_FILES];
	bool wait_network;
	/* --init: a sealed copy of engine-init, exec'd as PID 1 (and copied
	 * to /dev/init): no host file of ours is in the container's reach
	 * (sealed-exec.c). */
	int init_fd;
};

/* The storage driver that makes the container's root from its layers
 * (none for --rootfs).  The child and the parent both ask: the parent
 * must know whether a fuse-overlayfs mount will be handed over. */
static enum storage_driver root_driver(const struct engine_run_spec *spec, bool keep_id)
{
	if (spec->n_layers == 0)
		return STORAGE_DRIVER_NONE;
	if (spec->userns != NULL && strcmp(spec->userns, "auto") == 0)
		return STORAGE_DRIVER_VFS; /* the copy made at create */
	return keep_id ? engine_userns_keep_id_driver(spec) : spec->storage_driver;
}

/* ---- child ----------------------------------------------------------- */

/* fuse-overlayfs: the mount's fd goes to the parent, which starts the
 * daemon outside the container's PID namespace. */
static int fuse_handoff(void *data, int fuse_fd, struct engine_error **err)
{
	const struct child_ctx *c = data;
	return engine_send_fd(c->sock, ENGINE_FUSE_OVERLAYFS_TAG, sizeof(ENGINE_FUSE_OVERLAYFS_TAG),
			      fuse_fd, err);
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
		/* keep-id without subordinate ids maps no gid 0. */
		gid_t ping_gid = c->map->n_gids == 1 ? c->map->gids[0].container : 0;
		if (netns_ping_group_range_set(ping_gid, ping_gid, err) < 0)
			return -1;
	}

	struct engine_mounts_config mc = {
		.rootfs = spec->rootfs,
		.store_root = spec->store_root,
		.layers = spec->layers,
		.n_layers = spec->n_layers,
		.container_id = spec->id,
		.driver = root_driver(spec, c->keep_id_name != NULL),
		.private_netns = netns_mode_is_private(spec->network),
		.rootless = userns,
		.map_tty_gid = engine_idmap_contains(c->map->gids, c->map->n_gids, 5),
		.privileged = spec->privileged,
		.read_only = spec->read_only,
		/* run options */
		.sysctls = spec->sysctls,
		.n_sysctls = spec->n_sysctls,
		.init_path = spec->init ? spec->init_path : NULL,
		.init_fd = c->init_fd,
		.auto_root = spec->userns != NULL && strcmp(spec->userns, "auto") == 0,
		.keep_id_name = c->keep_id_name,
		.keep_id_home = c->keep_id_home,
		.keep_id_uid = c->map->uid,
		.keep_id_gid = c->map->gid,
		.fuse_overlayfs_idmap = c->fuse_overlayfs_idmap,
		/* volumes */
		.mounts = spec->mounts,
		.n_mounts = spec->n_mounts,
		.volumes_root = spec->store_root,
		.user = spec->user,
		.shm_size = spec->shm_size,
		.read_only_tmpfs = !spec->no_read_only_tmpfs,
		.etc_files = { c->etc_files[0], c->etc_files[1], c->etc_files[2], c->etc_files[3],
			       c->etc_files[4] },
		.fuse_handoff = fuse_handoff,
		.fuse_handoff_data = c,
	};
	if (engine_mounts_setup(&mc, err) < 0)
		return -1;

	if (spec->tty) {
		if (engine_terminal_child_setup(c->sock, err) < 0)
			return -1;
	} else if (c->relay != NULL) {
		if (engine_stdio_relay_child(c->relay, err) < 0)
			return -1;
	} else {
		if (!spec->interactive) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (null < 0 || dup2(null, STDIN_FILENO) < 0)
				return engine_error_errno(err, errno, "stdin from /dev/null");
			close(null);
		}
		/* A session of its own here too: no terminal of the
		 * monitor's session, and no job of anyone's shell. */
		if (setsid() < 0)
			return engine_error_errno(err, errno, "setsid");
	}

	struct engine_creds creds;
	{
		cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return engine_error_errno(err, errno, "open /");
		/* keep-id runs as the user's own ids unless -u says. */
		char keep_id_user[32];
		const char *user = spec->user;
		if (user == NULL && c->keep_id_name != NULL) {
			snprintf(keep_id_user, sizeof(keep_id_user), "%u:%u", (unsigned)c->map->uid,
				 (unsigned)c->map->gid);
			user = keep_id_user;
		}
		if (engine_creds_from_root(rootfd, user, &creds, err) < 0 ||
		    engine_creds_add_groups(rootfd, spec->group_add, spec->n_group_add, &creds, err) < 0)
			return -1;
	}

	const char *wd = spec->workdir ? spec->workdir : "/";
	if (chdir(wd) < 0) {
		/* Docker creates a missing working directory. */
		if (errno != ENOENT || engine_mkdir_p(wd, 0755, err) < 0 || chdir(wd) < 0)
			return engine_error_errno(err, errno, "chdir to workdir %s", wd);
	}

	char **env = engine_process_build_env(spec, &creds, hostname);
	if (env == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");

	/* the command starts with its network up: the
	 * parent writes one byte once slirp4netns is ready (EOF: it failed,
	 * and reports why itself). */
	if (c->wait_network) {
		char go;
		ssize_t n;
		while ((n = read(c->sock, &go, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			return engine_error_set(err, ECANCELED, "the network was not set up");
	}

	/* No fd of ours may reach the container: everything above stderr is
	 * closed at exec (the sync socket already is close-on-exec). */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3; fd < 65536; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	/* Made before seccomp applies: a profile may forbid memfd_create. */
	cleanup_close int stub = spec->init ? -1 : engine_sealed_exec_stub(err);
	if (!spec->init && stub < 0)
		return -1;

	struct engine_security_config sc = {
		.caps = spec->caps,
		.no_new_privileges = spec->no_new_privileges,
		.set_groups = c->map->mode != ENGINE_IDMAP_SINGLE,
		.mapped_uids = engine_idmap_span(c->map->uids, c->map->n_uids),
		.mapped_gids = engine_idmap_span(c->map->gids, c->map->n_gids),
		.seccomp = c->seccomp,
	};
	/* --ulimit, while the process still holds its privileges
	 * in the namespace (lowering needs none; raising a hard limit past
	 * the user's own is refused by the kernel whatever we hold). */
	if (engine_ulimits_apply(spec->ulimits, spec->n_ulimits, err) < 0)
		return -1;
	if (engine_security_apply(&sc, &creds, err) < 0)
		return -1;

	const char *path_env = engine_process_env_path(env);
	char exe[PATH_MAX];
	if (engine_process_find_executable(spec->argv[0], path_env, exe, sizeof(exe), err) < 0)
		return -1;

	/* The container starts with default dispositions, whatever the CLI
	 * inherited: a shell that started engine with `&` ignores SIGINT, and a
	 * signal ignored at exec time stays ignored (a shell in the container
	 * could not even trap it).  Likewise the mask starts empty, as runc's. */
	engine_process_reset_signals();
	/* A detached container dies with its monitor, so that a killed
	 * monitor never leaves a container nobody records.  Set last: a
	 * change of effective uid or gid clears it. */
	if (c->io != NULL && c->io->detached && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return engine_error_errno(err, errno, "prctl PR_SET_PDEATHSIG");
	/* --init: engine-init (from its sealed copy; also at
	 * /dev/init) is PID 1 and runs the command, looked up above, as its
	 * child. */
	if (spec->init) {
		size_t n = 0;
		while (spec->argv[n] != NULL)
			n++;
		char **argv = calloc(n + 3, sizeof(char *));
		if (argv == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		argv[0] = (char *)ENGINE_INIT_PATH;
		argv[1] = "--";
		for (size_t i = 0; i < n; i++)
			argv[2 + i] = spec->argv[i];
		int e = -engine_sealed_fexecve(c->init_fd, argv, env);
		return engine_error_errno(err, e, "exec %s", ENGINE_INIT_PATH);
	}
	/* The stub execs the command and reports its execve's failure on
	 * the socket itself (126/127 as ours); a return here means the stub
	 * did not run. */
	int e = -engine_sealed_exec(stub, c->sock, exe, spec->argv, env);
	return engine_error_errno(err, e, "exec %s: run the sealed exec stub", spec->argv[0]);
}

static int child_main(void *data, int sock)
{
	struct child_ctx *c = data;
	struct engine_error *err = NULL;
	c->sock = sock;
	/* the namespace's root is the cgroup we are in when
	 * it is made, so it is made only once the parent has put us in the
	 * container's cgroup. */
	if (c->cgroup_sync) {
		char go = 0;
		ssize_t r;
		while ((r = read(sock, &go, 1)) < 0 && errno == EINTR)
			;
		if (r != 1)
			return ENGINE_EXIT_ENGINE; /* the parent failed and says why */
	}
	if (c->cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		engine_error_errno(&err, errno, "unshare the cgroup namespace");
	else
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

/* fuse-overlayfs: the child mounts the root in its mount namespace and
 * sends us the mount's fd; the daemon that serves it is our child, in the
 * container's user namespace only, so that no process of the container
 * can see it, signal it or go through its /proc/PID/root to the host
 * (fuse-overlayfs.c).  Done as soon as the fd comes, so the child goes on
 * with its setup while we start the network. */
static int fuse_daemon_start(const struct engine_run_spec *spec, pid_t pid, int sock,
			     const char *idmap, struct engine_fuse_daemon *ret,
			     struct engine_error **err)
{
	char tag[32];
	int fd = -1;
	int r = engine_userns_receive_tagged(sock, tag, sizeof(tag), &fd, err);
	if (r < 0)
		return -1;
	cleanup_close int fuse_fd = fd;
	if (r == 0 || strcmp(tag, ENGINE_FUSE_OVERLAYFS_TAG) != 0)
		return engine_error_set(err, EPROTO, "the container did not mount its root file system");
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/containers/%s", spec->store_root, spec->id);
	cleanup_free char *opts = engine_fuse_overlayfs_options(spec->store_root, dir, spec->layers,
								spec->n_layers, idmap, err);
	if (opts == NULL)
		return -1;
	/* Its user namespace, unless the container has none of its own
	 * (root without --userns): the join leaves ours out. */
	cleanup_ns_set struct engine_ns_set userns = ENGINE_NS_SET_INIT;
	if (engine_ns_open(pid, 0, CLONE_NEWUSER, "the container", &userns, err) < 0)
		return -1;
	return engine_fuse_daemon_start(fuse_fd, &userns, opts, ret, err);
}

/* The container's upper and work directories hold files of subordinate
 * ids, which only a process in the user namespace can delete.  The
 * namespace outlives the container while we hold its fd, and its creator's
 * uid has every capability in it: a forked child joins it with setns() and
 * removes the tree.  A new helper (with newuidmap) is the fallback. */
static void remove_container_dir(const struct engine_run_spec *spec, const struct engine_idmap *map,
				 const struct engine_ns_set *userns)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s", spec->id);
	if (map->mode != ENGINE_IDMAP_ROOT && engine_ns_foreign(userns, CLONE_NEWUSER)) {
		pid_t child = fork();
		if (child == 0) {
			if (engine_ns_join(userns, NULL, NULL) < 0)
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

/* the mapping --userns asks for, made from the default MAP into
 * OUT (keep-id: also the user's name and home for /etc/passwd). */
static int userns_mapping(const struct engine_run_spec *spec, const struct engine_idmap *map,
			  struct engine_idmap *out, char *name, size_t name_size, char *home,
			  size_t home_size, struct engine_error **err)
{
	if (spec->userns == NULL)
		return 0;
	*out = *map;
	if (strcmp(spec->userns, "auto") == 0)
		return engine_idmap_auto(out, spec->userns_auto_start, spec->userns_auto_size, err);
	if (strcmp(spec->userns, "keep-id") != 0)
		return engine_error_setting(err, "userns", EINVAL, "userns=%s: unknown mode", spec->userns);
	if (engine_idmap_keep_id(out, err) < 0)
		return -1;
	struct passwd *pw = getpwuid(map->uid);
	const char *env_home = getenv("HOME");
	snprintf(name, name_size, "%s", pw ? pw->pw_name : "user");
	snprintf(home, home_size, "%s",
		 pw ? pw->pw_dir : env_home && env_home[0] == '/' ? env_home : "/");
	return 0;
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
	bool confined = false;
	if (engine_seccomp_program_for_spec(spec, &program, &confined, err) < 0)
		return -1;

	sigset_t mask, saved;
	engine_foreground_block_signals(!spec->no_signal_forward, &mask, &saved);

	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	if (netns_mode_is_private(spec->network) && spec->network_join == NULL)
		flags |= CLONE_NEWNET;
	/* a cgroup namespace where the kernel has them
	 * (4.6+), made by the child once it is in its cgroup (child_main);
	 * the cgroup itself where the manager gives one. */
	bool cgroupns = access("/proc/self/ns/cgroup", F_OK) == 0;
	struct engine_cgroup_detection det_local;
	const struct engine_cgroup_detection *det = spec->cgroup_det;
	if (det == NULL) {
		if (engine_cgroup_spec_detect(spec, &det_local, err) < 0) {
			engine_seccomp_program_clear(&program);
			sigprocmask(SIG_SETMASK, &saved, NULL);
			return -1;
		}
		det = &det_local;
	}
	bool want_cgroup = det->manager != ENGINE_CGROUP_MANAGER_DISABLED;
	struct engine_cgroup cg = { 0 };

	/* --userns: the container's own mapping; MAP (the default
	 * one) still removes the writable layer. */
	static struct engine_idmap userns_map; /* large: off the stack */
	char keep_id_name[256] = "", keep_id_home[512] = "";
	if (userns_mapping(spec, map, &userns_map, keep_id_name, sizeof(keep_id_name), keep_id_home,
			   sizeof(keep_id_home), err) < 0) {
		engine_seccomp_program_clear(&program);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return -1;
	}
	const struct engine_idmap *cmap = spec->userns != NULL ? &userns_map : map;
	/* --init: the sealed copy is made here, where the host's file is in
	 * reach; the child has it across the clone. */
	int init_fd = -1;
	if (spec->init) {
		cleanup_close int src = open(spec->init_path, O_RDONLY | O_CLOEXEC);
		if (src < 0)
			engine_error_errno(err, errno, "open %s", spec->init_path);
		else
			init_fd = engine_sealed_copy(src, "engine-init", err);
		if (init_fd < 0) {
			engine_seccomp_program_clear(&program);
			sigprocmask(SIG_SETMASK, &saved, NULL);
			return -1;
		}
	}
	cleanup_free char *fuse_idmap = NULL;
	if (keep_id_name[0] && spec->storage_driver == STORAGE_DRIVER_FUSE_OVERLAYFS &&
	    engine_userns_keep_id_fuse_options(map, &userns_map, &fuse_idmap, err) < 0) {
		if (init_fd >= 0)
			close(init_fd);
		engine_seccomp_program_clear(&program);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return -1;
	}
	/* the /etc files before the clone (the child binds
	 * them), slirp4netns after it. */
	static struct engine_net net; /* large: off the stack */
	if (engine_net_prepare(spec, &net, err) < 0) {
		if (init_fd >= 0)
			close(init_fd);
		engine_seccomp_program_clear(&program);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return -1;
	}
	/* Without -t, a foreground container gets pipes, never our own fds
	 * (our terminal, where TIOCSTI would type into the user's shell);
	 * a monitor hands it pipes of its own (IO's OUT_FD). */
	struct engine_stdio_relay relay_pipes;
	struct engine_stdio_relay *relay = NULL;
	if (!spec->tty && (io == NULL || io->out_fd < 0)) {
		if (engine_stdio_relay_open(&relay_pipes, spec->interactive, err) < 0) {
			if (init_fd >= 0)
				close(init_fd);
			engine_net_stop(&net);
			engine_seccomp_program_clear(&program);
			sigprocmask(SIG_SETMASK, &saved, NULL);
			return -1;
		}
		relay = &relay_pipes;
		/* A recorded foreground run: its log gets a copy. */
		if (io != NULL && io->output != NULL) {
			relay->output = io->output;
			relay->output_data = io->data;
		}
		relay->quiet[0] = spec->quiet_stdout;
		relay->quiet[1] = spec->quiet_stderr;
	}
	struct child_ctx c = { .spec = spec, .map = cmap, .seccomp = confined ? &program : NULL,
			       .io = io, .relay = relay, .sock = -1,
			       .keep_id_name = keep_id_name[0] ? keep_id_name : NULL,
			       .keep_id_home = keep_id_name[0] ? keep_id_home : NULL,
			       .fuse_overlayfs_idmap = fuse_idmap,
			       .cgroup_sync = want_cgroup, .cgroupns = cgroupns,
			       .etc_files = { net.etc_src[0][0] ? net.etc_src[0] : NULL,
					      net.etc_src[1][0] ? net.etc_src[1] : NULL,
					      net.etc_src[2][0] ? net.etc_src[2] : NULL,
					      net.etc_src[3][0] ? net.etc_src[3] : NULL,
					      net.etc_src[4][0] ? net.etc_src[4] : NULL },
			       .wait_network = spec->network == NETNS_MODE_DEFAULT,
			       .init_fd = init_fd };
	pid_t pid = -1;
	int sock = -1;
	struct engine_ns_set userns = ENGINE_NS_SET_INIT;
	int rc = -1, master = -1;
	struct engine_fuse_daemon fuse = { .pid = 0, .log_fd = -1 };
	/* container:NAME and ns:PATH join a namespace. */
	int cr = spec->network_join != NULL
			 ? engine_net_join_clone(spec, flags, child_main, &c, &pid, &sock, err)
			 : engine_userns_clone(cmap, flags, child_main, &c, &pid, &sock, err);
	engine_seccomp_program_clear(&program);
	if (c.init_fd >= 0)
		close(c.init_fd);
	if (relay != NULL)
		engine_stdio_relay_parent(relay);
	if (cr < 0)
		goto out;
	/* Keep the container's user namespace: its writable layer is removed
	 * from inside it after the run, with no newuidmap round trip. */
	if (spec->n_layers > 0 && map->mode != ENGINE_IDMAP_ROOT)
		(void)engine_ns_open(pid, 0, CLONE_NEWUSER, NULL, &userns, NULL);
	/* the child waits on its socket until it is in its
	 * cgroup, limits applied and checked; then it may run the command. */
	if (want_cgroup) {
		struct engine_cgroup_limits limits;
		engine_cgroup_spec_limits(spec, det, &limits);
		char go = 1;
		if (engine_cgroup_create(det, spec->id, pid, &limits, &cg, err) < 0 ||
		    write(sock, &go, 1) != 1) {
			if (err != NULL && *err == NULL)
				engine_error_errno(err, errno, "start the container");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto out;
		}
	}
	if (io != NULL && io->cgroup != NULL)
		*io->cgroup = cg; /* borrowed: the strings stay ours */
	if (root_driver(spec, keep_id_name[0] != '\0') == STORAGE_DRIVER_FUSE_OVERLAYFS &&
	    fuse_daemon_start(spec, pid, sock, fuse_idmap, &fuse, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	/* slirp4netns for the new namespaces, then the
	 * child may exec. */
	if (engine_net_start(spec, pid, &net, err) < 0) {
		/* A child that failed first (a bad --user, a missing command,
		 * an image whose /dev is a symlink) took its namespaces with
		 * it: its own error is the one.  It sent that error before it
		 * exited, but the kernel drops a process's namespaces before it
		 * becomes a zombie, so a WNOHANG wait can still miss it: reap
		 * it for sure, then read what it left in the socket, without
		 * blocking (nothing else holds its end, but never hang here). */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		int fl = fcntl(sock, F_GETFL);
		if (fl >= 0)
			(void)fcntl(sock, F_SETFL, fl | O_NONBLOCK);
		struct engine_error *child_err = NULL;
		int fd = -1, r;
		while ((r = engine_userns_receive(sock, &fd, &child_err)) == 1) {
			close(fd); /* -t's master, sent before the error */
			fd = -1;
		}
		/* Only a message the child sent: EAGAIN is none left, and a
		 * reset is the socket of a child we killed before it wrote. */
		if (r < 0 && child_err != NULL && child_err->status != EAGAIN &&
		    child_err->status != ECONNRESET && child_err->status != EPIPE) {
			engine_error_free(err);
			*err = child_err;
		} else {
			engine_error_free(&child_err);
		}
		goto out;
	}
	if (spec->network == NETNS_MODE_DEFAULT) {
		char go = 1;
		(void)!write(sock, &go, 1);
	}
	if (io != NULL && io->network != NULL)
		io->network(io->data, &net);
	if (parent_sync(sock, spec, &master, err) < 0) {
		waitpid(pid, NULL, 0);
		goto out;
	}
	/* The monitor learns of the master before the start: it may hand
	 * both over to engine-monitor from there (monitor.c). */
	if (master >= 0 && io != NULL && io->terminal != NULL)
		io->terminal(io->data, master);
	if (io != NULL && io->started != NULL)
		io->started(io->data, pid);
	/* What run -a does not attach is not written to our stdout. */
	struct engine_foreground fg = { .pid = pid, .mask = &mask, .name = "the container",
					.master = master, .interactive = spec->interactive,
					.quiet = spec->quiet_stdout, .relay = relay, .io = io };
	rc = engine_foreground_wait(&fg, ret_exit_code, err);
out:
	if (master >= 0)
		close(master);
	if (sock >= 0)
		close(sock);
	if (relay != NULL)
		engine_stdio_relay_close(relay);
	/* The container is gone, and its mount with it: the daemon ends (a
	 * failed start says why in place of the child's ENOTCONN). */
	if (fuse.pid > 0) {
		char merged[4200];
		snprintf(merged, sizeof(merged), "%s/containers/%s/merged", spec->store_root, spec->id);
		engine_fuse_daemon_stop(&fuse, 2000, merged, rc < 0 ? err : NULL);
	}
	/* an OOM kill shows in memory.events (read before the
	 * cgroup goes); what is left of the container is killed with it. */
	if (cg.path != NULL) {
		struct engine_cgroup_stats st;
		if (rc == 0 && io != NULL && io->oom_killed != NULL &&
		    engine_cgroup_stats(&cg, &st, NULL) == 0 && st.memory_oom_kills > 0)
			*io->oom_killed = true;
		struct engine_error *local = NULL;
		if (engine_cgroup_remove(&cg, &local) < 0)
			engine_log(ENGINE_LOG_WARN, "removing the container's cgroup: %s", local->msg);
		engine_error_free(&local);
		if (io != NULL && io->cgroup != NULL)
			memset(io->cgroup, 0, sizeof(*io->cgroup));
	}
	engine_cgroup_release(&cg);
	/* A kept container (detached, without --rm) keeps its layer for
	 * the next start; rm removes it. */
	if (spec->n_layers > 0 && pid > 0 && (io == NULL || !io->keep_layer))
		remove_container_dir(spec, map, &userns);
	engine_ns_close(&userns);
	engine_net_stop(&net);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc < 0 ? -1 : 0;
}
