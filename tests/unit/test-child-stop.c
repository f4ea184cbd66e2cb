/* test-child-stop.c: engine_child_stop on a helper that exits when its
 * exit pipe closes, on one that ignores it (killed at the timeout), and
 * engine_reset_signals in a child. */
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc.h"
#include "tap.h"

/* A child that waits for EOF on the read end of a pipe, or (DEAF) never
 * reads it; the write end is returned. */
static pid_t helper(bool deaf, int *ret_exit_fd)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)setsid();
		char c;
		if (deaf)
			for (;;)
				pause();
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*ret_exit_fd = p[1];
	return pid;
}

static void handler(int sig)
{
	(void)sig;
}

int main(void)
{
	int fd = -1;
	pid_t pid = helper(false, &fd);
	ok(pid > 0, "a helper that listens");
	is_int(engine_child_stop(pid, fd, 5000), 0, "it exits by itself when its pipe closes");
	ok(waitpid(pid, NULL, WNOHANG) < 0, "and it is reaped");

	pid = helper(true, &fd);
	ok(pid > 0, "a helper that does not listen");
	is_int(engine_child_stop(pid, fd, 50), 1, "it is killed at the timeout");
	ok(waitpid(pid, NULL, WNOHANG) < 0, "and it is reaped");

	is_int(engine_child_stop(getpid() + 100000, -1, 10), 0, "no child of ours: nothing to wait for");

	struct sigaction sa = { .sa_handler = handler };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = fork();
	if (pid == 0) {
		engine_reset_signals();
		struct sigaction now;
		sigset_t mask;
		sigaction(SIGUSR1, NULL, &now);
		sigprocmask(SIG_SETMASK, NULL, &mask);
		_exit(now.sa_handler == SIG_DFL && !sigismember(&mask, SIGUSR2) ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a reset child has default handlers and no mask");
	return done_testing();
}
