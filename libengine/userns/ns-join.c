/* ns-join.c: entering the namespaces of another process (ns-join.h).
 *
 * A namespace is opened as /proc/PID/ns/KIND and told apart from ours by
 * the device and inode of that file, which is what identifies it (two
 * opens of one namespace give the same pair; an inode number alone could
 * repeat on another nsfs instance).  A pid names a process only while it
 * lives: the start time recorded with it is read again after the opens,
 * so a process that died and left its pid to another one in between is
 * caught, and what was opened is then the right process's or refused.
 *
 * The order of the joins matters: the namespaces of a rootless container
 * are owned by its user namespace, where we have no capability until we
 * are in it, so that one comes first.  setns() on a pidfd with several
 * flags does the same inside the kernel, in one call, and is what a set
 * opened by pidfd uses. */
#include "libengine/userns/ns-join.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include <unistd.h>

#include "common/proc.h"

/* In the order they are joined: the user namespace first. */
static const struct {
	unsigned long flag;
	const char *file; /* under /proc/PID/ns */
	const char *name; /* in messages */
} kinds[ENGINE_NS_KINDS] = {
	{ CLONE_NEWUSER, "user", "user" },   { CLONE_NEWNS, "mnt", "mount" },
	{ CLONE_NEWPID, "pid", "PID" },	     { CLONE_NEWUTS, "uts", "UTS" },
	{ CLONE_NEWIPC, "ipc", "IPC" },	     { CLONE_NEWNET, "net", "network" },
	{ CLONE_NEWCGROUP, "cgroup", "cgroup" },
};

static int kind_index(unsigned long flag)
{
	for (int i = 0; i < ENGINE_NS_KINDS; i++)
		if (kinds[i].flag == flag)
			return i;
	return -1;
}

/* Whether process PID ("self", or a /proc entry's name) is in the
 * namespace of kind I that SET holds. */
static bool holds(const struct engine_ns_set *set, int i, const char *pid)
{
	char path[300];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, kinds[i].file);
	return (set->kinds & kinds[i].flag) && stat(path, &st) == 0 && st.st_dev == set->ids[i].dev &&
	       st.st_ino == set->ids[i].ino;
}

bool engine_ns_holds_process(const struct engine_ns_set *set, unsigned long kind, const char *pid)
{
	int i = kind_index(kind);
	return i >= 0 && holds(set, i, pid);
}

/* Hold the namespace of kind I that ST identifies (and FD, when >= 0). */
static void hold(struct engine_ns_set *set, int i, int fd, const struct stat *st)
{
	set->fds[i] = fd;
	set->kinds |= kinds[i].flag;
	set->ids[i].dev = st->st_dev;
	set->ids[i].ino = st->st_ino;
	if (holds(set, i, "self"))
		set->foreign &= ~kinds[i].flag;
	else
		set->foreign |= kinds[i].flag;
}

static void set_clear(struct engine_ns_set *set)
{
	*set = (struct engine_ns_set)ENGINE_NS_SET_INIT;
}

void engine_ns_close(struct engine_ns_set *set)
{
	int saved = errno;
	for (int i = 0; i < ENGINE_NS_KINDS; i++)
		if (set->fds[i] >= 0)
			close(set->fds[i]);
	if (set->pidfd >= 0)
		close(set->pidfd);
	set_clear(set);
	errno = saved;
}

/* "container web", or "process 1234" where the caller named nothing. */
static const char *who(const char *whose, pid_t pid, char *buf, size_t size)
{
	if (whose != NULL)
		return whose;
	snprintf(buf, size, "process %d", (int)pid);
	return buf;
}

static int gone(pid_t pid, const char *whose, struct engine_ns_set *set, struct engine_error **err)
{
	char buf[32];
	engine_ns_close(set);
	return engine_error_set(err, ESRCH, "%s is not running", who(whose, pid, buf, sizeof(buf)));
}

/* One namespace of PID: opened into the set (BY_PIDFD: only looked at,
 * the pidfd joins it).  A kind the kernel lacks is skipped. */
static int open_kind(pid_t pid, int i, bool by_pidfd, const char *whose, struct engine_ns_set *set,
		     struct engine_error **err)
{
	char path[64], buf[32];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[i].file);
	int fd = by_pidfd ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if ((by_pidfd ? stat(path, &st) : fd < 0 ? -1 : fstat(fd, &st)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		/* /proc/PID/ns/cgroup is missing on a kernel without cgroup
		 * namespaces; /proc/PID itself is missing when PID is gone. */
		if (e == ENOENT && kinds[i].flag == CLONE_NEWCGROUP && access("/proc/self/ns/cgroup", F_OK) < 0)
			return 0;
		if (e == ENOENT || e == ESRCH)
			return gone(pid, whose, set, err);
		engine_ns_close(set);
		return engine_error_errno(err, e, "open the %s namespace of %s", kinds[i].name,
					  who(whose, pid, buf, sizeof(buf)));
	}
	hold(set, i, fd, &st);
	return 0;
}

static int open_set(pid_t pid, uint64_t start, unsigned long want, bool by_pidfd, const char *whose,
		    struct engine_ns_set *ret, struct engine_error **err)
{
	set_clear(ret);
	if (pid <= 0)
		return gone(pid, whose, ret, err);
	if (by_pidfd) {
		ret->pidfd = engine_pidfd_open(pid);
		if (ret->pidfd < 0 && errno == ESRCH)
			return gone(pid, whose, ret, err);
		if (ret->pidfd < 0)
			return engine_error_errno(err, errno, "pidfd_open %d", (int)pid);
	}
	for (int i = 0; i < ENGINE_NS_KINDS; i++) {
		int r = (want & kinds[i].flag) ? open_kind(pid, i, by_pidfd, whose, ret, err) : 0;
		if (r < 0)
			return r;
	}
	/* Read after the opens: what they found is this process's, or the
	 * pid is another process's now and the start time says so. */
	if (!engine_pid_alive_since(pid, start))
		return gone(pid, whose, ret, err);
	return 0;
}

int engine_ns_open(pid_t pid, uint64_t start, unsigned long kinds_wanted, const char *whose,
		   struct engine_ns_set *ret, struct engine_error **err)
{
	return open_set(pid, start, kinds_wanted, false, whose, ret, err);
}

int engine_ns_open_pidfd(pid_t pid, uint64_t start, unsigned long kinds_wanted, const char *whose,
			 struct engine_ns_set *ret, struct engine_error **err)
{
	return open_set(pid, start, kinds_wanted, true, whose, ret, err);
}

int engine_ns_adopt(struct engine_ns_set *set, unsigned long kind, int fd,
		    struct engine_error **err)
{
	int i = kind_index(kind);
	struct stat st;
	if (i < 0 || set->pidfd >= 0) {
		close(fd);
		return engine_error_set(err, EINVAL, "not a namespace kind a set can hold");
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return engine_error_errno(err, e, "the %s namespace to join", kinds[i].name);
	}
	if (set->fds[i] >= 0)
		close(set->fds[i]);
	hold(set, i, fd, &st);
	return 0;
}

int engine_ns_adopt_owner(struct engine_ns_set *set, unsigned long kind, struct engine_error **err)
{
	int i = kind_index(kind);
	if (i < 0 || set->fds[i] < 0)
		return engine_error_set(err, EINVAL, "no namespace of that kind to ask for its owner");
	/* The ioctl's fd comes without close-on-exec. */
	int fd = ioctl(set->fds[i], NS_GET_USERNS);
	if (fd < 0)
		return engine_error_errno(err, errno, "the user namespace of the %s namespace to join",
					  kinds[i].name);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return engine_ns_adopt(set, CLONE_NEWUSER, fd, err);
}

/* Only syscalls where ERR is NULL: the caller may be the child of a fork
 * that must not allocate before it execs. */
static int join_failed(int e, const char *kind, const char *whose, struct engine_error **err)
{
	if (err == NULL)
		return -e;
	whose = whose != NULL ? whose : "the process";
	if (kind == NULL)
		return engine_error_errno(err, e, "join the namespaces of %s", whose);
	return engine_error_errno(err, e, "join the %s namespace of %s", kind, whose);
}

int engine_ns_join(const struct engine_ns_set *set, const char *whose, struct engine_error **err)
{
	if (set->pidfd >= 0) {
		if (set->foreign != 0 && setns(set->pidfd, (int)set->foreign) < 0)
			return join_failed(errno, NULL, whose, err);
		return 0;
	}
	for (int i = 0; i < ENGINE_NS_KINDS; i++)
		if ((set->foreign & kinds[i].flag) && set->fds[i] >= 0 &&
		    setns(set->fds[i], (int)kinds[i].flag) < 0)
			return join_failed(errno, kinds[i].name, whose, err);
	return 0;
}
