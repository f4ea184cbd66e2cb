/* helper.c: the engine is two binaries.  `engine` carries everything a
 * container start needs and links no HTTP, TLS, archive or crypto library:
 * libcurl alone brings ~50 shared libraries whose loading cost more than a
 * whole container start (docs/performance.md).  The commands that move
 * images in and out (pull, push, save, load, import, login, logout) live in
 * `engine-image`, which `engine` execs with the same command line, and which
 * `run` spawns when it has to pull.  engine-image is found next to engine
 * or in ../libexec/engine/, never through $PATH. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/helper.h"
#include "cmd/report.h"

static int saved_argc;
static char **saved_argv;

void cmd_save_argv(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

/* NAME next to engine, else in ../libexec/engine/: never $PATH. */
static int find_sibling(const char *name, const char *why, char *out, size_t size,
			struct engine_error **err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return engine_error_errno(err, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	const char *dir = dirname(self);
	static const char *const places[] = { "/", "/../libexec/engine/" };
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		snprintf(out, size, "%s%s%s", dir, places[i], name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return engine_error_set(err, ENOENT,
				"%s not found next to %s or in %s/../libexec/engine: "
				"%s need it (reinstall engine)",
				name, self, dir, why);
}

int cmd_helper_path(char *out, size_t size, struct engine_error **err)
{
	return find_sibling("engine-image", "the image commands", out, size, err);
}

/* --init's engine-init, found the same way. */
int cmd_init_path(char *out, size_t size, struct engine_error **err)
{
	return find_sibling("engine-init", "--init and its containers", out, size, err);
}

int cmd_exec_helper(void)
{
	char path[PATH_MAX];
	struct engine_error *err = NULL;
	if (cmd_helper_path(path, sizeof(path), &err) < 0)
		return cmd_report(err);
	saved_argv[0] = path;
	execv(path, saved_argv);
	engine_error_errno(&err, errno, "exec %s", path);
	return cmd_report(err);
}

int cmd_helper_pull(const struct cmd_global *g, const char *root, const char *image,
		    const char *platform, bool tls_verify_off, int *ret_status,
		    struct engine_error **err)
{
	char path[PATH_MAX];
	if (cmd_helper_path(path, sizeof(path), err) < 0)
		return -1;
	const char *argv[16];
	int n = 0;
	argv[n++] = path;
	argv[n++] = "--root";
	argv[n++] = root;
	if (g->storage_driver != NULL) {
		argv[n++] = "--storage-driver";
		argv[n++] = g->storage_driver;
	}
	argv[n++] = "pull";
	if (platform != NULL) {
		argv[n++] = "--platform";
		argv[n++] = platform;
	}
	if (tls_verify_off)
		argv[n++] = "--tls-verify=false";
	argv[n++] = image;
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return engine_error_errno(err, errno, "fork");
	if (pid == 0) {
		/* Progress and errors go to stderr as they are; the image id
		 * `pull` prints on stdout is not the container's output. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(125);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 125;
	return 0;
}
