/* ctr-root.c: a container's root for cp and export (see ctr-root.h).
 * Neither command may see the host through the container: the function
 * gets a directory fd of the root (export: the root file system alone;
 * cp: with the container's bind mounts, volumes, tmpfs and /etc files,
 * as Docker's cp sees them), and the callers resolve every path with
 * RESOLVE_IN_ROOT. */
#include "libengine/userns/ctr-root.h"

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

#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/runtime/mounts-layers.h"
#include "libengine/runtime/mounts.h"
#include "libengine/runtime/spec.h"
#include "libengine/userns/ns-join.h"
#include "libengine/userns/userns.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

struct job {
	const struct engine_container *c;
	const struct engine_idmap *map;
	engine_ctr_root_fn fn;
	void *data;
	bool view;               /* with the container's own mounts (cp) */
	struct engine_ns_set *ns; /* running: the init's user and mount namespaces */
	const char *whose;        /* running: "container NAME", for errors */
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

/* The kernel's file systems the container mounted for itself: not
 * files of the container (Docker's cp does not see them either), and
 * /proc would hand a walk of "/" endless files. */
static const char *const kernel_dirs[] = { "/proc", "/sys", "/dev" };

/* In a private copy of the container's mount namespace (the helper's
 * own, so the container sees no change): everything the container sees
 * but the kernel's file systems.  The copy is made a slave first: an
 * unmount here must not propagate to a shared peer of the container. */
static int open_view(struct job *j, struct engine_error **err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return engine_error_errno(err, errno, "copy the mount namespace of container %s",
					  j->c->name);
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return engine_error_errno(err, errno, "make the mounts of container %s slaves",
					  j->c->name);
	for (size_t i = 0; i < sizeof(kernel_dirs) / sizeof(kernel_dirs[0]); i++)
		if (umount2(kernel_dirs[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
		    errno != ENOENT)
			return engine_error_errno(err, errno, "unmount %s of container %s in the cp helper",
						  kernel_dirs[i], j->c->name);
	int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open the root of container %s", j->c->name);
	return rootfd;
}

/* Only the root mount: a non-recursive clone of "/", without /proc,
 * /sys, /dev, volumes or anything else mounted on it (export). */
static int open_root_only(struct job *j, struct engine_error **err)
{
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | O_CLOEXEC);
	/* open_tree gives an O_PATH fd: one that can be read is opened
	 * through it. */
	int rootfd = tree < 0 ? -1 : openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	if (tree >= 0)
		close(tree);
	if (rootfd < 0)
		return engine_error_errno(err, e, "open the root of container %s", j->c->name);
	return rootfd;
}

/* Child of a running container's CLI: join its user and mount
 * namespaces (not its PID namespace: the container cannot name us).
 * Not dumpable from before the join: a process of the container, root
 * in its user namespace, could otherwise ptrace us or open
 * /proc/PID/fd and reach the host fds we carry (runc does the same for
 * its setns'd processes).  Nothing is executed in there. */
static int join_child(struct job *j, int sock)
{
	struct engine_error *err = NULL;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		engine_error_errno(&err, errno, "make the cp helper non-dumpable");
	/* The credentials change with the user namespace: say it again. */
	else if (engine_ns_join(j->ns, j->whose, &err) == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		engine_error_errno(&err, errno, "make the cp helper non-dumpable");
	engine_ns_close(j->ns);
	int rootfd = -1;
	if (err == NULL)
		rootfd = j->view ? open_view(j, &err) : open_root_only(j, &err);
	if (err != NULL) {
		engine_userns_report(sock, err);
		engine_error_free(&err);
		return ENGINE_EXIT_ENGINE;
	}
	return finish(j, rootfd, sock);
}

/* A stopped container's bind mounts, volumes and /etc files (those a
 * start wrote in its directory) where it would see them; its tmpfs
 * mounted read-only: they hold nothing until it runs, and a file copied
 * into one would be lost, or land below it where no one sees it. */
static int user_mounts(struct job *j, const struct engine_run_spec *spec, const char *rootfs,
		       struct engine_error **err)
{
	char etc[3][4400];
	static const char *const names[] = { "hosts", "resolv.conf", "hostname" };
	for (size_t i = 0; i < 3; i++)
		if (spec->store_root == NULL ||
		    (size_t)snprintf(etc[i], sizeof(etc[i]), "%s/containers/%s/%s", spec->store_root,
				     spec->id, names[i]) >= sizeof(etc[i]))
			etc[i][0] = '\0';
	struct engine_mounts_config cfg = {
		.rootfs = rootfs,
		.store_root = spec->store_root,
		.n_layers = spec->n_layers,
		.rootless = j->map->mode != ENGINE_IDMAP_ROOT,
		.read_only = spec->read_only,
		.read_only_tmpfs = !spec->no_read_only_tmpfs,
		.tmpfs_read_only = true,
		.mounts = spec->mounts,
		.n_mounts = spec->n_mounts,
		.volumes_root = spec->store_root,
		.user = spec->user,
		.etc_files = { etc[0][0] ? etc[0] : NULL, etc[1][0] ? etc[1] : NULL,
			       etc[2][0] ? etc[2] : NULL },
	};
	return engine_mounts_user(&cfg, rootfs, err);
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
	if (j->view && user_mounts(j, &spec, rootfs, &err) < 0)
		goto fail;
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

static int with_running(struct job *j, struct engine_error **err)
{
	const struct engine_container_state *st = &j->c->state;
	cleanup_free char *whose = NULL;
	if (asprintf(&whose, "container %s", j->c->name) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* Root mode without --userns: its user namespace is ours, and the
	 * set leaves it out of the join. */
	cleanup_ns_set struct engine_ns_set ns = ENGINE_NS_SET_INIT;
	if (engine_ns_open(st->pid, st->pid_start, CLONE_NEWUSER | CLONE_NEWNS, whose, &ns, err) < 0)
		return -1;
	/* Never the host's tree through a container that would share it. */
	if (!engine_ns_foreign(&ns, CLONE_NEWNS))
		return engine_error_set(err, EINVAL, "container %s shares our mount namespace", j->c->name);
	j->ns = &ns;
	j->whose = whose;
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
	int r = engine_userns_wait(pid, sp[0], err);
	close(sp[0]);
	return r;
}

static int with_root(struct job *j, struct engine_error **err)
{
	const struct engine_container *c = j->c;
	if (c->state.status == ENGINE_CONTAINER_RUNNING &&
	    engine_pid_alive_since(c->state.pid, c->state.pid_start))
		return with_running(j, err);
	pid_t pid;
	cleanup_close int sock = -1;
	if (engine_userns_clone(j->map, CLONE_NEWNS | CLONE_NEWPID, mount_child, j, &pid, &sock, err) < 0)
		return -1;
	return engine_userns_wait(pid, sock, err);
}

int engine_container_with_root(const struct engine_container *c, const struct engine_idmap *map,
			       engine_ctr_root_fn fn, void *data, struct engine_error **err)
{
	struct job j = { .c = c, .map = map, .fn = fn, .data = data };
	return with_root(&j, err);
}

int engine_container_with_view(const struct engine_container *c, const struct engine_idmap *map,
			       engine_ctr_root_fn fn, void *data, struct engine_error **err)
{
	struct job j = { .c = c, .map = map, .fn = fn, .data = data, .view = true };
	return with_root(&j, err);
}

int engine_open_in_root(int rootfd, const char *path, int flags, unsigned long long extra)
{
	return engine_openat2(rootfd, path, flags, 0, ENGINE_RESOLVE_IN_ROOT | extra);
}
