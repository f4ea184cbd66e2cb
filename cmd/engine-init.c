/* engine-init.c: the init `run --init` puts at PID 1 of the container
 * (exec'd from a sealed memfd copy, and copied to /dev/init), with the command
 * as its child.
 *
 * PID 1 is special: the kernel delivers it no signal it has not installed a
 * handler for, so `stop` on a `sleep` that is PID 1 waits for SIGKILL; and
 * every orphan of the container is reparented to it, so a command that
 * never wait()s (a shell that exec'd, most servers) fills the process table
 * with zombies.  This program does the two things an init must and nothing
 * else, as tini and catatonit do: it forwards every catchable signal to the
 * child, reaps whatever ends, and exits with the child's status (128+N when
 * the child was killed by signal N) once the child is gone.
 *
 * It is linked statically (cmd/meson.build): it runs in any image, with
 * whatever libc (or none) the image has.  It talks to no one but the kernel
 * and writes one line on stderr when it cannot start the command. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (first >= argc) {
		fputs("engine-init: usage: engine-init [--] COMMAND [ARG...]\n", stderr);
		return 125;
	}

	/* Every signal waits in the mask until sigwaitinfo takes it: no
	 * handler runs, so no race between a signal and the fork below. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);

	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "engine-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0) {
		/* Its own process group, the terminal's foreground one, so that
		 * ^C on a -t terminal reaches the command once, not through us
		 * as well.  SIGTTOU is still blocked here, so tcsetpgrp from
		 * what is now a background group is allowed. */
		setpgid(0, 0);
		if (isatty(STDIN_FILENO))
			(void)tcsetpgrp(STDIN_FILENO, getpid());
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[first], argv + first);
		int e = errno;
		fprintf(stderr, "engine-init: exec %s: %s\n", argv[first], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			/* SIGTTIN and friends are for process groups: they reach
			 * the child's own from the terminal.  Anything else
			 * someone sent to us is meant for the command. */
			(void)kill(child, sig);
			continue;
		}
		/* Reap everything that has ended: the command, and every
		 * orphan the kernel handed to us. */
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);
			if (pid <= 0)
				break;
			if (pid == child)
				return status_to_exit(status);
		}
	}
}
