/* test-proc.c: the pid helpers on this process, a zombie and a reaped
 * child. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc.h"
#include "tap.h"

int main(void)
{
	pid_t self = getpid();
	ok(engine_pid_alive(self), "this process is alive");
	ok(!engine_pid_alive(0) && !engine_pid_alive(-1), "no pid is alive");
	uint64_t start = engine_pid_start_time(self);
	ok(start > 0, "a start time");
	ok(engine_pid_alive_since(self, start), "alive since its start");
	ok(engine_pid_alive_since(self, 0), "any start matches 0");
	ok(!engine_pid_alive_since(self, start + 1), "another start time is another process");

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
