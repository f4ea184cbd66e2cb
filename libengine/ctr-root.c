/* ctr-root.c: a container's root for cp and export (see ctr-root.h).
 * Neither command may see the host through the container: the function
 * gets a directory fd of the root and nothing else of the container's
 * mounts, and the callers resolve every path with RESOLVE_IN_ROOT. */
#include "ctr-root.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "mounts.h"
#include "spec.h"
#include "userns.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

struct job {
	const struct engine_container *c;
	const struct engine_idmap *map;
	engine_ctr_root_fn fn;
	void *data;
	int userns_fd, mntns_fd; /* running: the init's namespaces */
};

static int finish(struct job *j, int rootfd, int sock)
{
	struct engine_error *err = NULL;
	if (j->fn(j->data, rootfd, &err) < 0) {
		engine_userns_report(sock, err);
		int code = engine_error_exit_code(err);
		engine_error_free(&err);
		return code ? code : ENGINE_EXIT_ENGINE;
	}
	return 0;
}

/* Child of a running container's CLI: join, then only the root mount. */
static int join_child(struct job *j, int sock)
{
	struct engine_error *err = NULL;
	if (j->userns_fd >= 0 && setns(j->userns_fd, CLONE_NEWUSER) < 0)
		engine_error_errno(&err, errno, "join the user namespace of container %s", j->c->name);
	else if (setns(j->mntns_fd, CLONE_NEWNS) < 0)
		engine_error_errno(&err, errno, "join the mount namespace of container %s", j->c->name);
	int rootfd = -1;
	if (err == NULL) {
		/* A non-recursive clone of "/": the root file system without
		 * /proc, /sys, /dev or anything else mounted on it. */
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | O_CLOEXEC);
		/* open_tree gives an O_PATH fd: one that can be read is
		 * opened through it. */
		rootfd = tree < 0 ? -1 : openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			engine_error_errno(&err, errno, "open the root of container %s", j->c->name);
		if (tree >= 0)
			close(tree);
	}
	if (err != NULL) {
		engine_userns_report(sock, err);
		engine_error_free(&err);
		return ENGINE_EXIT_ENGINE;
	}
	return finish(j, rootfd, sock);
}

/* Child for a stopped container: PID 1 of its own namespaces. */
static int mount_child(void *data, int sock)
{
	struct job *j = data;
	struct engine_error *err = NULL;
	struct engine_run_spec spec;
	memset(&spec, 0, sizeof(spec));
	cleanup_free char *rootfs = NULL;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (engine_container_spec(j->c, &spec, &err) < 0)
		goto fail;
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		engine_error_errno(&err, errno, "make / a slave mount");
		goto fail;
	}
	if (spec.n_layers > 0) {
		struct engine_mounts_config cfg = {
			.store_root = spec.store_root,
			.layers = spec.layers,
			.n_layers = spec.n_layers,
			.container_id = spec.id,
			.driver = spec.storage_driver,
			.rootless = j->map->mode != ENGINE_IDMAP_ROOT,
		};
		if (engine_mounts_layers(&cfg, &rootfs, &err) < 0)
			goto fail;
	} else if (spec.rootfs == NULL || (rootfs = strdup(spec.rootfs)) == NULL) {
		engine_error_set(&err, EINVAL, "container %s has no root file system", j->c->name);
		goto fail;
	}
	int rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		engine_error_errno(&err, errno, "open %s", rootfs);
		goto fail;
	}
	engine_run_spec_free(&spec);
	return finish(j, rootfd, sock);
fail:
	engine_run_spec_free(&spec);
	engine_userns_report(sock, err);
	engine_error_free(&err);
	return ENGINE_EXIT_ENGINE;
}

static int wait_child(pid_t pid, int sock, struct engine_error **err)
{
	int fd = -1, r;
	while ((r = engine_userns_receive(sock, &fd, err)) == 1)
		close(fd);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	/* `export C | head`: the reader went away, as for any writer. */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		return engine_error_errno(err, EPIPE, "write");
	if (WIFSIGNALED(status))
		return engine_error_set(err, ECHILD, "the namespace helper was killed by signal %d",
					WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return engine_error_set(err, ECHILD, "the namespace helper failed (exit status %d)",
					WIFEXITED(status) ? WEXITSTATUS(status) : status);
	return 0;
}

static int with_running(struct job *j, struct engine_error **err)
{
	const struct engine_container_state *st = &j->c->state;
	char path[64];
	cleanup_close int userns = -1;
	if (j->map->mode != ENGINE_IDMAP_ROOT) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)st->pid);
		userns = open(path, O_RDONLY | O_CLOEXEC);
		if (userns < 0)
			return engine_error_errno(err, errno, "open the user namespace of container %s",
						  j->c->name);
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)st->pid);
	cleanup_close int mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (mntns < 0)
		return engine_error_errno(err, errno, "open the mount namespace of container %s", j->c->name);
	/* The pid is the container's init only if it started when recorded. */
	if (!engine_pid_alive_since(st->pid, st->pid_start))
		return engine_error_set(err, ESRCH, "container %s stopped meanwhile", j->c->name);
	j->userns_fd = userns;
	j->mntns_fd = mntns;
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return engine_error_errno(err, errno, "socketpair");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return engine_error_errno(err, e, "fork");
	}
	if (pid == 0) {
		close(sp[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		_exit(join_child(j, sp[1]));
	}
	close(sp[1]);
	int r = wait_child(pid, sp[0], err);
	close(sp[0]);
	return r;
}

int engine_container_with_root(const struct engine_container *c, const struct engine_idmap *map,
			       engine_ctr_root_fn fn, void *data, struct engine_error **err)
{
	struct job j = { .c = c, .map = map, .fn = fn, .data = data, .userns_fd = -1, .mntns_fd = -1 };
	if (c->state.status == ENGINE_CONTAINER_RUNNING &&
	    engine_pid_alive_since(c->state.pid, c->state.pid_start))
		return with_running(&j, err);
	pid_t pid;
	cleanup_close int sock = -1;
	if (engine_userns_clone(map, CLONE_NEWNS | CLONE_NEWPID, mount_child, &j, &pid, &sock, err) < 0)
		return -1;
	return wait_child(pid, sock, err);
}

int engine_open_in_root(int rootfd, const char *path, int flags, unsigned long long extra)
{
	return engine_openat2(rootfd, path, flags, 0, ENGINE_RESOLVE_IN_ROOT | extra);
}
