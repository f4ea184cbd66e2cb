/* test-lifecycle.c: signals and waits of lifecycle.c on real processes:
 * two children stand for a container's init and its monitor, recorded by
 * pid and start time as a container's state records them; once with
 * pidfds and once in a process that has none. */
#include <errno.h>
#include <signal.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libengine/container/containers.h"
#include "libengine/container/lifecycle.h"
#include "tap.h"

/* A child that sleeps until it is signalled, or for MS milliseconds. */
static pid_t sleeper(int ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	return pid;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How CHILD ended, left a zombie: the signal that killed it, or 0. */
static int killed_by(pid_t child)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) < 0)
		return -1;
	return info.si_code == CLD_KILLED ? info.si_status : 0;
}

static bool still_running(pid_t child)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	return waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       info.si_pid == 0;
}

static void checks(void)
{
	struct engine_container c;
	memset(&c, 0, sizeof(c));
	c.state.status = ENGINE_CONTAINER_RUNNING;
	c.state.pid = sleeper(60000);
	c.state.monitor_pid = sleeper(60000);
	c.state.pid_start = engine_pid_start_time(c.state.pid);
	c.state.monitor_start = engine_pid_start_time(c.state.monitor_pid);
	ok(c.state.pid_start > 0 && c.state.monitor_start > 0, "the children's start times");

	ok(engine_container_monitor_alive(&c), "the monitor is alive");
	int64_t t = now_ms();
	ok(!engine_container_wait_monitor(&c, 150), "a wait on a live monitor times out");
	ok(now_ms() - t >= 140, "after the timeout, not before (%lld ms)", (long long)(now_ms() - t));

	/* A recorded start time that differs is another process that got the
	 * pid: it is never signalled. */
	struct engine_container reused = c;
	reused.state.pid_start++;
	reused.state.monitor_start++;
	is_int(engine_container_signal(&reused, SIGTERM), -ESRCH, "a reused pid is not signalled");
	ok(still_running(c.state.pid) && still_running(c.state.monitor_pid),
	   "neither process got the signal");
	ok(!engine_container_monitor_alive(&reused), "a reused monitor pid is not alive");
	t = now_ms();
	ok(engine_container_wait_monitor(&reused, 5000) && now_ms() - t < 1000,
	   "a wait on a reused monitor pid returns at once");

	struct engine_container created = c;
	created.state.status = ENGINE_CONTAINER_CREATED;
	is_int(engine_container_signal(&created, SIGTERM), -ESRCH,
	       "a container that is not running is not signalled");

	is_int(engine_container_signal(&c, SIGTERM), 0, "signal the init");
	is_int(killed_by(c.state.pid), SIGTERM, "the init got it");
	ok(still_running(c.state.monitor_pid), "the monitor did not");

	/* The init is a zombie now (gone, as engine_pid_alive has it): the
	 * signal goes to the monitor. */
	is_int(engine_container_signal(&c, SIGUSR1), 0, "with the init gone, signal the monitor");
	t = now_ms();
	ok(engine_container_wait_monitor(&c, 5000), "the wait sees the monitor exit");
	ok(now_ms() - t < 1000, "at once (%lld ms)", (long long)(now_ms() - t));
	is_int(killed_by(c.state.monitor_pid), SIGUSR1, "the monitor got it");
	is_int(engine_container_signal(&c, SIGTERM), -ESRCH, "with both gone, nothing to signal");
	waitpid(c.state.pid, NULL, 0);
	waitpid(c.state.monitor_pid, NULL, 0);

	/* A monitor that exits on its own while we wait without a limit. */
	c.state.monitor_pid = sleeper(200);
	c.state.monitor_start = engine_pid_start_time(c.state.monitor_pid);
	t = now_ms();
	ok(engine_container_wait_monitor(&c, -1), "a wait without a limit sees the exit");
	int64_t took = now_ms() - t;
	ok(took >= 150 && took < 3000, "when it exits (%lld ms)", (long long)took);
	waitpid(c.state.monitor_pid, NULL, 0);
}

int main(void)
{
	checks();

	/* The same where the kernel has no pidfds: a child whose seccomp
	 * filter answers pidfd_open with ENOSYS, as a kernel before 5.3
	 * does.  It reports its counts back through a pipe. */
	int fds[2];
	if (pipe(fds) < 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(fds[0]);
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		bool filtered = ctx != NULL && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
				seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) == 0 &&
				seccomp_load(ctx) == 0;
		int fd = engine_pidfd_open(getpid());
		if (ok(filtered && fd < 0 && errno == ENOSYS, "without pidfds (pidfd_open: ENOSYS):"))
			checks();
		int counts[2] = { tap_count, tap_failed };
		_exit(write(fds[1], counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
	}
	close(fds[1]);
	int counts[2];
	bool reported = read(fds[0], counts, sizeof(counts)) == sizeof(counts);
	waitpid(child, NULL, 0);
	if (reported) {
		tap_count = counts[0];
		tap_failed = counts[1];
	}
	ok(reported, "the child without pidfds reported");
	return done_testing();
}
