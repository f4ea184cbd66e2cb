/* process.c: the PATH lookup and the environment of a process started in a
 * container, shared by the container's command (container.c) and exec
 * (exec.c) so that both give the same 126/127 and the same defaults; and
 * the list of a container's processes that `top` shows. */
#include "libengine/runtime/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dir.h"
#include "common/fs.h"
#include "libengine/userns/ns-join.h"
#include "common/proc.h"

/* Search PATH the way execvp would, but inside the container and before
 * exec, so that "not found" (127) and "cannot invoke" (126) are told apart
 * as Docker does. */
int engine_process_find_executable(const char *name, const char *path_env, char *out, size_t size,
				   struct engine_error **err)
{
	struct stat st;
	if (strchr(name, '/') != NULL) {
		if (stat(name, &st) < 0) {
			int r = engine_error_errno(err, errno, "exec %s", name);
			(*err)->exit_code = errno == ENOENT || errno == ENOTDIR ? ENGINE_EXIT_NOT_FOUND
									       : ENGINE_EXIT_CANNOT_INVOKE;
			return r;
		}
		if (S_ISDIR(st.st_mode) || access(name, X_OK) < 0) {
			int r = engine_error_errno(err, S_ISDIR(st.st_mode) ? EISDIR : EACCES, "exec %s",
						   name);
			(*err)->exit_code = ENGINE_EXIT_CANNOT_INVOKE;
			return r;
		}
		snprintf(out, size, "%s", name);
		return 0;
	}
	const char *p = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	int seen_eacces = 0;
	while (*p) {
		const char *colon = strchrnul(p, ':');
		size_t dl = (size_t)(colon - p);
		if (dl == 0)
			snprintf(out, size, "./%s", name);
		else
			snprintf(out, size, "%.*s/%s", (int)dl, p, name);
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			seen_eacces = 1;
		}
		p = *colon ? colon + 1 : colon;
	}
	if (seen_eacces) {
		int r = engine_error_set(err, EACCES, "exec %s: permission denied", name);
		(*err)->exit_code = ENGINE_EXIT_CANNOT_INVOKE;
		return r;
	}
	int r = engine_error_set(err, ENOENT, "executable file \"%s\" not found in $PATH", name);
	(*err)->exit_code = ENGINE_EXIT_NOT_FOUND;
	return r;
}

char **engine_process_build_env(const struct engine_run_spec *spec, const struct engine_creds *creds,
				const char *hostname)
{
	size_t cap = spec->n_env + 8, n = 0;
	char **env = calloc(cap, sizeof(char *));
	if (env == NULL)
		return NULL;
	char *tmp = NULL;
	if (engine_env_get(spec, "PATH") == NULL)
		env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	if (asprintf(&tmp, "HOSTNAME=%s", hostname) >= 0)
		env[n++] = tmp;
	if (engine_env_get(spec, "HOME") == NULL && asprintf(&tmp, "HOME=%s", creds->home) >= 0)
		env[n++] = tmp;
	if (spec->tty && engine_env_get(spec, "TERM") == NULL)
		env[n++] = "TERM=xterm";
	/* systemd and friends look at $container to know where they run. */
	env[n++] = "container=engine";
	for (size_t i = 0; i < spec->n_env; i++)
		env[n++] = spec->env[i];
	env[n] = NULL;
	return env;
}

/* ---- the processes of a container (top) ------------------------------- */

static int by_pid(const void *a, const void *b)
{
	const struct engine_process_info *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Fields of /proc/PID/stat after the command (which may hold spaces and
 * parentheses, so fields count from the last ')'). */
static int read_stat(int procfd, struct engine_process_info *p, char *comm, size_t comm_size)
{
	cleanup_free char *buf = NULL;
	if (engine_read_file(procfd, "stat", 0, 4096, &buf, NULL, NULL) < 0)
		return -1;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (open == NULL || close == NULL || close < open)
		return -1;
	snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
	int ppid, tty;
	unsigned long long utime, stime, start;
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itreal
	 * starttime */
	if (sscanf(close + 1, " %*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
		   &ppid, &tty, &utime, &stime, &start) != 5)
		return -1;
	p->ppid = ppid;
	p->tty_nr = (unsigned int)tty;
	p->cpu_ticks = utime + stime;
	p->start_ticks = start;
	return 0;
}

static uid_t read_euid(int procfd)
{
	cleanup_free char *buf = NULL;
	if (engine_read_file(procfd, "status", 0, 65536, &buf, NULL, NULL) < 0)
		return (uid_t)-1;
	char *line = strstr(buf, "\nUid:");
	unsigned int real, effective;
	if (line == NULL || sscanf(line + 5, "%u %u", &real, &effective) != 2)
		return (uid_t)-1;
	return effective;
}

static char *read_cmdline(int procfd, const char *comm)
{
	char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(procfd, "cmdline", 0, 65536, &buf, &len, NULL) < 0 || len == 0) {
		free(buf);
		char *s = NULL;
		return asprintf(&s, "[%s]", comm) < 0 ? NULL : s;
	}
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
	return buf;
}

int engine_process_list(pid_t init, unsigned long long init_start,
			struct engine_process_info **ret, size_t *ret_n, struct engine_error **err)
{
	/* The container's processes are those in its init's PID namespace. */
	cleanup_ns_set struct engine_ns_set ns = ENGINE_NS_SET_INIT;
	if (engine_ns_open(init, init_start, CLONE_NEWPID, NULL, &ns, err) < 0)
		return -1;
	cleanup_close int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *dir = proc < 0 ? NULL : engine_opendir_dup(proc);
	if (dir == NULL)
		return engine_error_errno(err, errno, "open /proc");
	struct engine_process_info *list = NULL;
	size_t n = 0, cap = 0;
	bool init_seen = false;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		/* Unreadable (another user's) or gone: not one of ours. */
		if (!engine_ns_holds_process(&ns, CLONE_NEWPID, de->d_name))
			continue;
		cleanup_close int fd = openat(proc, de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct engine_process_info p = { .pid = (pid_t)atoi(de->d_name) };
		char comm[64];
		if (fd < 0 || read_stat(fd, &p, comm, sizeof(comm)) < 0)
			continue;
		if (p.pid == init && init_start != 0 && p.start_ticks != init_start)
			continue;
		init_seen |= p.pid == init;
		p.uid = read_euid(fd);
		if ((p.cmd = read_cmdline(fd, comm)) == NULL)
			goto oom;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct engine_process_info *l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				free(p.cmd);
				goto oom;
			}
			list = l;
		}
		list[n++] = p;
	}
	if (!init_seen) {
		engine_process_list_free(list, n);
		return engine_error_set(err, ESRCH, "process %d is gone", (int)init);
	}
	qsort(list, n, sizeof(*list), by_pid);
	*ret = list;
	*ret_n = n;
	return 0;
oom:
	engine_process_list_free(list, n);
	return engine_error_set(err, ENOMEM, "out of memory");
}

void engine_process_list_free(struct engine_process_info *list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		free(list[i].cmd);
	free(list);
}

int engine_process_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return ENGINE_EXIT_ENGINE;
}

bool engine_fd_relay(int from, int to)
{
	char buf[16384];
	ssize_t r = engine_read_some(from, buf, sizeof(buf));
	if (r <= 0)
		return r == 0;
	for (ssize_t off = 0; off < r;) {
		ssize_t w = write(to, buf + off, (size_t)(r - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = to, .events = POLLOUT };
				(void)poll(&p, 1, -1);
				continue;
			}
			return true;
		}
		off += w;
	}
	return true;
}

const char *engine_process_env_path(char *const *env)
{
	const char *path = NULL;
	for (char *const *e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	return path;
}

void engine_process_reset_signals(void)
{
	engine_reset_signals();
}
