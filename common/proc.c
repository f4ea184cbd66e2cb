/* proc.c: see proc.h. */
#include "common/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

bool engine_pid_alive(pid_t pid)
{
	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold spaces and parentheses, so the
	 * state is the field after the last ')'. */
	const char *rp = strrchr(buf, ')');
	if (rp == NULL || rp[1] != ' ')
		return true;
	return rp[2] != 'Z' && rp[2] != 'X';
}

uint64_t engine_pid_start_time(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_free char *buf = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, 4096, &buf, NULL, NULL) < 0)
		return 0;
	/* comm may hold spaces and parentheses: fields count from the last ')'. */
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	unsigned long long start = 0;
	/* after ")": state(3) ... starttime(22): skip 19 fields */
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %llu", &start) != 1)
		return 0;
	return start;
}

bool engine_pid_alive_since(pid_t pid, uint64_t start)
{
	/* Alive and not a zombie, and the same process: a recorded start time
	 * that differs means the pid was reused. */
	if (!engine_pid_alive(pid))
		return false;
	return start == 0 || engine_pid_start_time(pid) == start;
}

int engine_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Open a pidfd on PID when it is still the process that started at START
 * (0: any).  False when it is gone; true with *RET_FD the pidfd, or -1
 * where the kernel gives none (the caller falls back on the bare pid).
 * The pidfd is opened before the start time is read: whatever /proc shows
 * then is the process the pidfd names or a later one, and a later one has
 * another start time.  From then on the pidfd names that process alone. */
static bool pid_open_since(pid_t pid, uint64_t start, int *ret_fd)
{
	*ret_fd = -1;
	if (pid <= 0)
		return false;
	int fd = engine_pidfd_open(pid);
	/* ESRCH is the one answer that says the process is gone; anything
	 * else (ENOSYS before Linux 5.3, a seccomp filter's EPERM, EMFILE)
	 * leaves the pid and its start time to check. */
	if (fd < 0 && errno == ESRCH)
		return false;
	if (!engine_pid_alive_since(pid, start)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	*ret_fd = fd;
	return true;
}

int engine_pid_signal_since(pid_t pid, uint64_t start, int sig)
{
	cleanup_close int fd = -1;
	if (!pid_open_since(pid, start, &fd))
		return -ESRCH;
	long r = fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) : kill(pid, sig);
	return r == 0 ? 0 : -errno;
}

int64_t engine_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool engine_pid_wait_since(pid_t pid, uint64_t start, int timeout_ms)
{
	cleanup_close int fd = -1;
	if (!pid_open_since(pid, start, &fd))
		return true;
	int64_t deadline = timeout_ms >= 0 ? engine_monotonic_ms() + timeout_ms : INT64_MAX;
	/* A pidfd polls readable once its process has exited, zombie or
	 * reaped, whoever its parent is. */
	while (fd >= 0) {
		int left = -1;
		if (timeout_ms >= 0) {
			int64_t now = engine_monotonic_ms();
			left = now >= deadline ? 0 : (int)(deadline - now);
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, left);
		if (n > 0)
			return true;
		if (n == 0 && left >= 0 && engine_monotonic_ms() >= deadline)
			return false;
		if (n < 0 && errno != EINTR)
			break; /* cannot poll it: sample it below */
	}
	while (engine_pid_alive_since(pid, start)) {
		if (timeout_ms >= 0 && engine_monotonic_ms() >= deadline)
			return false;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return true;
}

int engine_child_stop(pid_t pid, int exit_fd, int timeout_ms)
{
	if (exit_fd >= 0)
		close(exit_fd);
	int64_t deadline = engine_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		pid_t w = waitpid(pid, NULL, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (engine_monotonic_ms() >= deadline)
			break;
		/* A child is not pollable without a pidfd of its own; a helper
		 * told to exit does so within a few of these. */
		struct timespec ts = { .tv_nsec = 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	/* What it started in its session goes with it. */
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 1;
}

void engine_reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
