/* test-process.c: what exec shares with run (the PATH lookup's 126/127,
 * the env defaults) and top's /proc scan, on the host's own processes. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libengine/container/containers.h"
#include "libengine/runtime/process.h"
#include "tap.h"

static const char *env_value(char **env, const char *key)
{
	size_t kl = strlen(key);
	for (; *env; env++)
		if (strncmp(*env, key, kl) == 0 && (*env)[kl] == '=')
			return *env + kl + 1;
	return NULL;
}

/* The array is the caller's; of its strings only HOSTNAME and a HOME
 * that did not come from the spec were made for it. */
static void free_env(char **env, const struct engine_run_spec *spec)
{
	for (char **e = env; *e; e++) {
		bool from_spec = false;
		for (size_t i = 0; i < spec->n_env; i++)
			from_spec |= spec->env[i] == *e;
		if (!from_spec && (strncmp(*e, "HOSTNAME=", 9) == 0 || strncmp(*e, "HOME=", 5) == 0))
			free(*e);
	}
	free(env);
}

static void test_build_env(void)
{
	char *entries[] = { "FOO=bar", NULL };
	struct engine_run_spec spec = { .env = entries, .n_env = 1, .tty = true };
	struct engine_creds creds = { .uid = 0 };
	snprintf(creds.home, sizeof(creds.home), "/root");
	char **env = engine_process_build_env(&spec, &creds, "box");
	ok(env != NULL, "env built");
	is_str(env_value(env, "FOO"), "bar", "the spec's entry kept");
	is_str(env_value(env, "HOME"), "/root", "HOME from the user");
	is_str(env_value(env, "HOSTNAME"), "box", "HOSTNAME");
	is_str(env_value(env, "TERM"), "xterm", "TERM with a tty");
	ok(env_value(env, "PATH") != NULL, "a default PATH");
	free_env(env, &spec);

	char *with_home[] = { "HOME=/elsewhere", "PATH=/x", NULL };
	struct engine_run_spec spec2 = { .env = with_home, .n_env = 2 };
	env = engine_process_build_env(&spec2, &creds, "box");
	is_str(env_value(env, "HOME"), "/elsewhere", "HOME from the spec wins");
	is_str(env_value(env, "PATH"), "/x", "PATH from the spec wins");
	ok(env_value(env, "TERM") == NULL, "no TERM without a tty");
	free_env(env, &spec2);
}

static void test_find_executable(void)
{
	char dir[] = "/var/tmp/test-process.XXXXXX", path[256], out[4096];
	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/runnable", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	close(fd);
	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(fd);

	struct engine_error *err = NULL;
	ok(engine_process_find_executable("runnable", dir, out, sizeof(out), &err) == 0,
	   "found in PATH");
	snprintf(path, sizeof(path), "%s/runnable", dir);
	is_str(out, path, "the path found");
	ok(engine_process_find_executable("nothere", dir, out, sizeof(out), &err) < 0 &&
		   err->exit_code == 127, "not found: 127");
	engine_error_free(&err);
	/* Even root needs an x bit to pass access(X_OK). */
	ok(engine_process_find_executable("plain", dir, out, sizeof(out), &err) < 0 &&
		   err->exit_code == 126, "not executable: 126");
	engine_error_free(&err);
	ok(engine_process_find_executable(dir, NULL, out, sizeof(out), &err) < 0 &&
		   err->exit_code == 126, "a directory: 126");
	engine_error_free(&err);
	snprintf(path, sizeof(path), "%s/runnable", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/plain", dir);
	unlink(path);
	rmdir(dir);
}

static void test_process_list(void)
{
	/* Our own PID namespace, seen from a process in it: the list holds
	 * us, with our parent and command line. */
	pid_t self = getpid();
	struct engine_process_info *list = NULL;
	size_t n = 0;
	struct engine_error *err = NULL;
	ok(engine_process_list(self, engine_pid_start_time(self), &list, &n, &err) == 0, "listed");
	size_t found = n;
	for (size_t i = 0; i < n; i++) {
		if (list[i].pid == self)
			found = i;
		if (i > 0 && list[i].pid <= list[i - 1].pid)
			ok(0, "sorted by pid");
	}
	ok(found < n, "this process is in the list");
	if (found < n) {
		is_int(list[found].ppid, getppid(), "its parent");
		is_int(list[found].uid, geteuid(), "its uid");
		ok(strstr(list[found].cmd, "test-process") != NULL, "its command line: %s",
		   list[found].cmd);
	}
	engine_process_list_free(list, n);
	ok(engine_process_list(self, 1, &list, &n, &err) < 0, "a start time that differs lists nothing");
	engine_error_free(&err);
}

int main(void)
{
	test_build_env();
	test_find_executable();
	test_process_list();
	return done_testing();
}
