/* test-proc.c: the pid helpers on this process, a zombie and a reaped
 * child. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc.h"
#include "proc-checks.h"
#include "tap.h"

int main(void)
{
	pid_t self = getpid();
	ok(engine_pid_alive(self), "this process is alive");
	ok(!engine_pid_alive(0) && !engine_pid_alive(-1), "no pid is alive");
	checked_own_start_time();

	pid_t child = fork();
	if (child == 0)
		_exit(0);
	/* A zombie until reaped: it counts as gone. */
	siginfo_t info;
	waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
	ok(!engine_pid_alive(child), "a zombie is gone");
	waitpid(child, NULL, 0);
	ok(!engine_pid_alive(child), "a reaped child is gone");
	is_int(engine_pid_start_time(child), 0, "a gone pid has no start time");

	int fd = engine_pidfd_open(self);
	ok(fd >= 0, "a pidfd on this process");
	if (fd >= 0)
		close(fd);
	return done_testing();
}
