/* proc.c: see proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"

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
