/* fuse-overlayfs.c: the fuse-overlayfs storage driver's mount, and the
 * daemon that serves it from where no process of the container can see it.
 *
 * A FUSE daemon is a host process of the user with every capability in the
 * container's user namespace.  Started by the container's own setup (as it
 * once was), it sat in the container's PID namespace: visible in its /proc,
 * killable by it, and with CAP_SYS_PTRACE (or --privileged) the container
 * could walk /proc/PID/root of the daemon into the host's file system.  So
 * the mount and the daemon are split, as fusermount splits them:
 *
 *  - the container's setup opens /dev/fuse and mounts the file system on
 *    MERGED itself, in the container's mount namespace, with fd=N (the
 *    options fuse-overlayfs would have asked for);
 *  - it hands that fd over its sync socket to its parent (the CLI or the
 *    monitor, outside every namespace of the container but the user one),
 *    which starts fuse-overlayfs -f with "/dev/fd/N" as its mount point
 *    (libfuse 3.3 and later: the caller made the mount, the daemon only
 *    serves the fd) in the container's user namespace and in its own PID
 *    and mount namespaces.  The container's PID namespace never holds it.
 *
 * Lifetime, with no process of ours to watch: the mount exists only in the
 * container's mount namespace, which goes with the container's last
 * process; its superblock goes with it, which aborts the FUSE connection,
 * and the daemon's read on /dev/fuse fails and it exits.  The parent then
 * reaps it (and kills one that lingers: a `cp` still holding a clone of
 * the root keeps the mount).  A killed CLI or monitor leaves it to end the
 * same way when the container does; a killed daemon leaves the container
 * with ENOTCONN, as before.  Helpers that are not containers (cp and
 * export of a stopped container) start the daemon themselves: they are
 * PID 1 of a namespace of their own, and it dies with them. */
#include "libengine/runtime/fuse-overlayfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/driver.h"
#include "common/proc.h"

char *engine_fuse_overlayfs_options(const char *store_root, const char *dir, char *const *layers,
				    size_t n_layers, const char *idmap, struct engine_error **err)
{
	/* fuse-overlayfs splits on ',' and ':' and offers no escape that
	 * every version reads. */
	if (strpbrk(store_root, ",:") != NULL) {
		engine_error_set(err, EINVAL,
				 "the store path %s contains ',' or ':', which fuse-overlayfs cannot take",
				 store_root);
		return NULL;
	}
	/* Absolute paths: the daemon runs with its cwd at "/", and it opens
	 * files by name later (symlink xattrs); the string has no one-page
	 * limit here (it is argv, not mount data). */
	size_t cap = 64 + 3 * strlen(dir) + n_layers * (strlen(store_root) + 96) +
		     (idmap != NULL ? strlen(idmap) + 1 : 0);
	char *opts = malloc(cap);
	if (opts == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	size_t used = (size_t)snprintf(opts, cap, "lowerdir=");
	for (size_t i = n_layers; i-- > 0;) {
		const char *hex = strchr(layers[i], ':');
		hex = hex ? hex + 1 : layers[i];
		used += (size_t)snprintf(opts + used, cap - used, "%s%s/layers/%.80s/diff",
					 i + 1 == n_layers ? "" : ":", store_root, hex);
	}
	used += (size_t)snprintf(opts + used, cap - used, ",upperdir=%s/upper,workdir=%s/work", dir,
				 dir);
	if (idmap != NULL)
		snprintf(opts + used, cap - used, ",%s", idmap);
	return opts;
}

int engine_fuse_overlayfs_mount(const char *merged, struct engine_error **err)
{
	cleanup_close int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open /dev/fuse");
	/* What fuse-overlayfs asks for when it mounts itself: any process of
	 * the namespace may use the file system (allow_other; the kernel
	 * allows it to a mount in a user namespace), with the mode bits
	 * checked by the kernel (default_permissions); nodev and noatime. */
	char data[160];
	snprintf(data, sizeof(data),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions,allow_other", fd,
		 (unsigned)geteuid(), (unsigned)getegid());
	if (mount("fuse-overlayfs", merged, "fuse.fuse-overlayfs", MS_NODEV | MS_NOATIME, data) < 0)
		return engine_error_errno(err, errno, "mount fuse-overlayfs on %s", merged);
	return take_fd(&fd);
}

/* Every capability we hold, made ambient so that it survives the exec of
 * a non-setuid program by a non-root uid (--userns=keep-id without a
 * mapped root). */
static void keep_caps_across_exec(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return;
	d[0].inheritable = d[0].permitted;
	d[1].inheritable = d[1].permitted;
	if (syscall(SYS_capset, &h, d) < 0)
		return;
	for (int cap = 0; cap < 64; cap++)
		if ((cap < 32 ? d[0].permitted >> cap : d[1].permitted >> (cap - 32)) & 1)
			(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

/* The daemon's side of the fork: only syscalls, then the exec. */
static void __attribute__((noreturn))
daemon_exec(const char *bin, int fuse_fd, const struct engine_ns_set *userns, int null, int log_fd,
	    const char *options)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Out of the user's terminal's process group: a ^C meant for the
	 * container must not take its file system down first. */
	(void)setsid();
	/* The container's user namespace: the daemon creates files as the
	 * container's ids.  Its creator (our uid) has every capability in it. */
	if (userns != NULL && engine_ns_join(userns, NULL, NULL) < 0)
		_exit(125);
	/* Under --userns=keep-id our uid is not the namespace's root, and an
	 * exec would drop the capabilities the daemon serves files with:
	 * become root where it is mapped, else carry them over as ambient. */
	if (geteuid() != 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		keep_caps_across_exec();
	if (chdir("/") < 0)
		_exit(125);
	/* fd 3 is the device; the others are stdio.  Moved above 3 first,
	 * so that no dup2 below overwrites one still to be moved. */
	int high_fuse = fcntl(fuse_fd, F_DUPFD, 4), high_null = fcntl(null, F_DUPFD, 4),
	    high_log = fcntl(log_fd, F_DUPFD, 4);
	if (high_fuse < 0 || high_null < 0 || high_log < 0 || dup2(high_null, 0) < 0 ||
	    dup2(high_null, 1) < 0 || dup2(high_log, 2) < 0 || dup2(high_fuse, 3) < 0)
		_exit(125);
	syscall(SYS_close_range, 4U, ~0U, 0U);
	char *argv[] = { "fuse-overlayfs", "-f", "-o", (char *)options, "/dev/fd/3", NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	execve(bin, argv, envp);
	_exit(127);
}

int engine_fuse_daemon_start(int fuse_fd, const struct engine_ns_set *userns, const char *options,
			     struct engine_fuse_daemon *ret, struct engine_error **err)
{
	ret->pid = 0;
	ret->log_fd = -1;
	const char *bin = storage_fuse_overlayfs_path();
	if (bin == NULL)
		return engine_error_set(err, ENOENT,
					"the fuse-overlayfs storage driver needs fuse-overlayfs in "
					"/usr/bin or /usr/local/bin");
	cleanup_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return engine_error_errno(err, errno, "start fuse-overlayfs: open /dev/null");
	/* Its stderr: kept for the one-line error when it fails, and never a
	 * pipe, which it could fill or find closed later. */
	cleanup_close int log_fd = memfd_create("fuse-overlayfs.log", MFD_CLOEXEC);
	if (log_fd < 0)
		return engine_error_errno(err, errno, "start fuse-overlayfs: memfd_create");
	/* The raw clone, as for the container itself: the caller may be a
	 * process made by a raw clone, where glibc's fork handlers have no
	 * business. */
	long pid = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		daemon_exec(bin, fuse_fd, userns, null, log_fd, options);
	if (pid < 0)
		return engine_error_errno(err, errno, "start fuse-overlayfs");
	engine_debug("fuse-overlayfs %ld serves %s", pid, options);
	ret->pid = (pid_t)pid;
	ret->log_fd = take_fd(&log_fd);
	return 0;
}

/* The last line fuse-overlayfs wrote, for the one-line error (its notice
 * about options it ignores is no reason). */
static void last_line(int fd, char *out, size_t size)
{
	char buf[4096];
	out[0] = '\0';
	struct stat st;
	if (fstat(fd, &st) < 0)
		return;
	off_t from = st.st_size > (off_t)sizeof(buf) - 1 ? st.st_size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *save = NULL, *line = NULL;
	for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		if (strncmp(t, "unknown argument ignored", 24) != 0)
			line = t;
	if (line != NULL)
		snprintf(out, size, "%s", line);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool reaped(pid_t pid, int *status, int flags)
{
	pid_t w;
	while ((w = waitpid(pid, status, flags)) < 0 && errno == EINTR)
		;
	return w == pid || (w < 0 && errno == ECHILD);
}

int engine_fuse_daemon_stop(struct engine_fuse_daemon *d, int timeout_ms, const char *merged,
			    struct engine_error **err)
{
	if (d->pid <= 0)
		return -1;
	int status = 0;
	bool done = reaped(d->pid, &status, WNOHANG);
	/* A pidfd tells of the exit without a busy loop (Linux 5.3). */
	cleanup_close int pidfd = done ? -1 : engine_pidfd_open(d->pid);
	for (long long end = now_ms() + timeout_ms; !done;) {
		long long left = end - now_ms();
		if (left <= 0)
			break;
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			(void)poll(&p, 1, (int)left);
		} else {
			struct timespec ts = { 0, 2 * 1000000L };
			nanosleep(&ts, NULL);
		}
		done = reaped(d->pid, &status, WNOHANG);
	}
	if (!done) {
		engine_debug("fuse-overlayfs %d still runs after %d ms: killed", (int)d->pid, timeout_ms);
		kill(d->pid, SIGKILL);
		reaped(d->pid, &status, 0);
	}
	if (err != NULL && *err != NULL && d->log_fd >= 0 &&
	    ((WIFEXITED(status) && WEXITSTATUS(status) != 0) ||
	     (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL))) {
		char why[512];
		last_line(d->log_fd, why, sizeof(why));
		engine_error_free(err);
		engine_error_set(err, EIO,
				 "fuse-overlayfs failed to mount the image's layers on %s (%s %d)%s%s",
				 merged, WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				 why[0] ? ": " : "", why);
	}
	if (d->log_fd >= 0)
		close(d->log_fd);
	d->log_fd = -1;
	d->pid = 0;
	return status;
}
