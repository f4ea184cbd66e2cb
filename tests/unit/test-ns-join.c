/* test-ns-join.c: the namespace-join module on real namespaces.  A child
 * ("holder") makes new user, mount, UTS and network namespaces and names
 * its host; the test opens them, by fds and by pidfd, tells them from its
 * own, and other children join them and look at what they see.  Where no
 * user namespace can be made here, those tests say so and skip. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc.h"
#include "libengine/userns/ns-join.h"
#include "tap.h"

#define HOLDER_HOST "ns-join-test"
#define HOLDER_KINDS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWNET)

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static bool set_is_empty(const struct engine_ns_set *set)
{
	for (int i = 0; i < ENGINE_NS_KINDS; i++)
		if (set->fds[i] >= 0)
			return false;
	return set->pidfd < 0 && set->kinds == 0 && set->foreign == 0;
}

/* How child PID ended: its exit status, 128 + a signal, or -1. */
static int child_status(pid_t pid)
{
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The holder: new namespaces, a host name, then "0" (or the errno of the
 * unshare) on READY and a wait for the test to kill it. */
static pid_t holder_start(int *ret_errno)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int e = 0;
		if (unshare(HOLDER_KINDS) < 0 ||
		    sethostname(HOLDER_HOST, strlen(HOLDER_HOST)) < 0)
			e = errno;
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		if (e != 0)
			_exit(0);
		for (;;)
			pause();
	}
	close(p[1]);
	*ret_errno = EIO;
	if (pid > 0 && read(p[0], ret_errno, sizeof(*ret_errno)) != sizeof(*ret_errno))
		*ret_errno = EIO;
	close(p[0]);
	if (pid > 0 && *ret_errno != 0) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* A child that joins SET and checks what it sees: the holder's UTS,
 * network and user namespaces and its host name.  Its exit status: 0, or
 * which step failed. */
static int join_in_child(const struct engine_ns_set *set, pid_t holder)
{
	pid_t pid = fork();
	if (pid == 0) {
		char path[64], mine[64];
		if (engine_ns_join(set, "the holder", NULL) < 0)
			_exit(10);
		static const char *const files[] = { "uts", "net", "user", "mnt" };
		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)holder, files[i]);
			snprintf(mine, sizeof(mine), "/proc/self/ns/%s", files[i]);
			if (!same_file(path, mine))
				_exit(20 + (int)i);
		}
		char host[64] = "";
		if (gethostname(host, sizeof(host)) < 0 || strcmp(host, HOLDER_HOST) != 0)
			_exit(30);
		_exit(0);
	}
	return child_status(pid);
}

/* A child that enters the holder's user namespace, then tries to go back
 * to ours, an ancestor where it has no capability: refused, and said so. */
static int join_refused_in_child(pid_t holder)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct engine_ns_set in = ENGINE_NS_SET_INIT, back = ENGINE_NS_SET_INIT;
		int ours = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		if (ours < 0 || engine_ns_open(holder, 0, CLONE_NEWUSER, NULL, &in, NULL) < 0 ||
		    engine_ns_join(&in, NULL, NULL) < 0)
			_exit(10);
		if (engine_ns_adopt(&back, CLONE_NEWUSER, ours, NULL) < 0 ||
		    !engine_ns_foreign(&back, CLONE_NEWUSER))
			_exit(11);
		struct engine_error *e = NULL;
		if (engine_ns_join(&back, "the test", &e) != -EPERM || e == NULL ||
		    strcmp(e->msg, "join the user namespace of the test: Operation not permitted") != 0)
			_exit(12);
		_exit(engine_ns_join(&back, NULL, NULL) == -EPERM ? 0 : 13);
	}
	return child_status(pid);
}

static void test_ours(void)
{
	struct engine_ns_set set = ENGINE_NS_SET_INIT;
	struct engine_error *err = NULL;
	uint64_t start = engine_pid_start_time(getpid());
	is_int(engine_ns_open(getpid(), start, ENGINE_NS_ALL, NULL, &set, &err), 0,
	       "open this process's namespaces");
	ok((set.kinds & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)) ==
		   (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET),
	   "the set holds the user, mount and network namespaces");
	is_int(set.foreign, 0, "none of them differs from ours");
	ok(fd_is_open(set.fds[0]) && set.pidfd < 0, "held as fds, with no pidfd");
	is_int(engine_ns_join(&set, NULL, &err), 0, "joining our own namespaces is nothing to do");
	int fd = set.fds[0];
	engine_ns_close(&set);
	ok(!fd_is_open(fd) && set_is_empty(&set), "close: the fds are closed, the set is empty");
	engine_error_free(&err);

	{
		cleanup_ns_set struct engine_ns_set scoped = ENGINE_NS_SET_INIT;
		engine_ns_open(getpid(), 0, CLONE_NEWNET, NULL, &scoped, NULL);
		fd = scoped.fds[5];
	}
	ok(fd >= 0 && !fd_is_open(fd), "cleanup_ns_set closes the set at the end of its scope");
}

static void test_gone(pid_t holder, uint64_t start)
{
	struct engine_ns_set set = ENGINE_NS_SET_INIT;
	struct engine_error *err = NULL;
	is_int(engine_ns_open(holder, start + 1, CLONE_NEWUTS, "container c1", &set, &err), -ESRCH,
	       "another start time: another process, refused");
	ok(err != NULL && err->status == ESRCH && strcmp(err->msg, "container c1 is not running") == 0,
	   "the error names the process: %s", err ? err->msg : "(none)");
	ok(set_is_empty(&set), "nothing is left open");
	engine_error_free(&err);
	is_int(engine_ns_open_pidfd(holder, start + 1, CLONE_NEWUTS, NULL, &set, &err), -ESRCH,
	       "by pidfd too");
	ok(set_is_empty(&set), "and its pidfd is closed");
	engine_error_free(&err);
}

static void test_holder(pid_t holder)
{
	uint64_t start = engine_pid_start_time(holder);
	struct engine_error *err = NULL;
	struct engine_ns_set set = ENGINE_NS_SET_INIT;

	is_int(engine_ns_open(holder, start, HOLDER_KINDS | CLONE_NEWIPC, NULL, &set, &err), 0,
	       "open the holder's namespaces");
	is_int(set.foreign, HOLDER_KINDS, "those it made differ from ours, its IPC namespace does not");
	ok(engine_ns_foreign(&set, CLONE_NEWUTS) && !engine_ns_foreign(&set, CLONE_NEWIPC),
	   "engine_ns_foreign says the same");
	char holder_s[24];
	snprintf(holder_s, sizeof(holder_s), "%d", (int)holder);
	ok(engine_ns_holds_process(&set, CLONE_NEWUTS, holder_s) &&
		   !engine_ns_holds_process(&set, CLONE_NEWUTS, "self") &&
		   engine_ns_holds_process(&set, CLONE_NEWIPC, "self") &&
		   !engine_ns_holds_process(&set, CLONE_NEWPID, "self"),
	   "which processes are in the namespaces it holds (none of a kind it does not hold)");
	is_int(join_in_child(&set, holder), 0, "a child joins them, user namespace first, and sees its host name");
	engine_ns_close(&set);
	engine_error_free(&err);

	is_int(engine_ns_open_pidfd(holder, start, HOLDER_KINDS, "the holder", &set, &err), 0,
	       "open them by pidfd");
	ok(set.pidfd >= 0 && set.fds[0] < 0, "the set holds a pidfd, no fd per namespace");
	is_int(set.foreign, HOLDER_KINDS, "the same ones differ");
	ok(engine_ns_holds_process(&set, CLONE_NEWNET, holder_s), "it tells the holder's processes too");
	is_int(join_in_child(&set, holder), 0, "a child joins them in one setns");
	engine_ns_close(&set);
	engine_error_free(&err);

	/* ns:PATH: an fd opened elsewhere, and the user namespace that owns it. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)holder);
	is_int(engine_ns_adopt(&set, CLONE_NEWUTS, open(path, O_RDONLY | O_CLOEXEC), &err), 0,
	       "adopt an opened UTS namespace");
	is_int(set.foreign, CLONE_NEWUTS, "it differs from ours");
	is_int(engine_ns_adopt_owner(&set, CLONE_NEWUTS, &err), 0, "adopt its owner");
	struct stat st, want;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)holder);
	ok(fstat(set.fds[0], &st) == 0 && stat(path, &want) == 0 && st.st_ino == want.st_ino &&
		   st.st_dev == want.st_dev && engine_ns_foreign(&set, CLONE_NEWUSER),
	   "the owner is the holder's user namespace");
	ok((fcntl(set.fds[0], F_GETFD) & FD_CLOEXEC) != 0, "and is close-on-exec");
	pid_t pid = fork();
	if (pid == 0) {
		char host[64] = "";
		_exit(engine_ns_join(&set, NULL, NULL) == 0 && gethostname(host, sizeof(host)) == 0 &&
			      strcmp(host, HOLDER_HOST) == 0
		      ? 0
		      : 1);
	}
	is_int(child_status(pid), 0, "a child joins the adopted pair");
	is_int(engine_ns_adopt_owner(&set, CLONE_NEWIPC, NULL), -EINVAL,
	       "no owner of a kind the set does not hold");
	engine_ns_close(&set);
	engine_error_free(&err);

	is_int(join_refused_in_child(holder), 0,
	       "a join the kernel refuses is an error that names the namespace and whose it is");

	test_gone(holder, start);

	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	is_int(engine_ns_open(holder, start, CLONE_NEWUTS, NULL, &set, &err), -ESRCH,
	       "a process that is gone: refused");
	ok(err != NULL && strstr(err->msg, "is not running") != NULL, "as not running: %s",
	   err ? err->msg : "(none)");
	ok(set_is_empty(&set), "nothing is left open");
	engine_error_free(&err);
}

int main(void)
{
	test_ours();
	int e = 0;
	pid_t holder = holder_start(&e);
	if (holder < 0)
		skip("the joins: no user, mount, UTS and network namespaces can be made here (%s)",
		     strerror(e));
	else
		test_holder(holder);
	return done_testing();
}
