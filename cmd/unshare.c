/* unshare.c: `engine unshare [COMMAND [ARG...]]`, as `podman unshare`: a
 * shell (or COMMAND) inside a user namespace mapped as the containers'
 * (0 = you, 1..N = your subordinate ids) with a mount namespace of its
 * own.  It is how a rootless user deals with what containers leave behind:
 * files of subordinate ids in a volume or a --rootfs directory that the
 * user cannot remove or chown outside, or the store itself
 * ($ENGINE_STORAGE_ROOT).  As root there is nothing to enter: refused. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/unshare.h"
#include "cmd/report.h"
#include "cmd/store-root.h"
#include "cmd/ctr-common.h"
#include "libengine/runtime/process.h"
#include "libengine/userns/idmap.h"
#include "libengine/userns/userns.h"

struct unshare_ctx {
	char **argv;
	const char *root, *runroot;
};

/* In the namespace: exec the command; an exec failure travels back with
 * 127 (not found) or 126 (cannot invoke) as a container's would. */
static int unshare_child(void *data, int sock)
{
	struct unshare_ctx *c = data;
	struct engine_error *err = NULL;
	if (setenv("ENGINE_STORAGE_ROOT", c->root, 1) < 0 ||
	    setenv("ENGINE_RUNROOT", c->runroot, 1) < 0) {
		engine_error_errno(&err, errno, "setenv");
	} else {
		execvp(c->argv[0], c->argv);
		int e = errno;
		engine_error_errno(&err, e, "exec %s", c->argv[0]);
		err->exit_code = e == ENOENT ? ENGINE_EXIT_NOT_FOUND : ENGINE_EXIT_CANNOT_INVOKE;
	}
	engine_userns_report(sock, err);
	int code = engine_error_exit_code(err);
	engine_error_free(&err);
	return code;
}

int cmd_unshare(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	static struct engine_idmap map; /* large: keep it off the stack */
	if (engine_idmap_detect(&map, &err) < 0)
		return cmd_report(err);
	if (map.mode == ENGINE_IDMAP_ROOT) {
		engine_error_set(&err, EPERM, "please use unshare with rootless");
		return cmd_report(err);
	}
	if (map.warning[0] != '\0')
		cmd_warn("%s", map.warning);

	cleanup_free char *root = NULL;
	cleanup_free char *runroot = NULL;
	if (cmd_store_root(g, &root, &err) < 0 || cmd_store_runroot(g, &runroot, &err) < 0)
		return cmd_report(err);
	char *shell_argv[2] = { NULL, NULL };
	const char *shell = getenv("SHELL");
	shell_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
	struct unshare_ctx ctx = { .argv = optind < argc ? argv + optind : shell_argv,
				   .root = root,
				   .runroot = runroot };

	pid_t pid;
	cleanup_close int sock = -1;
	if (engine_userns_clone(&map, CLONE_NEWNS, unshare_child, &ctx, &pid, &sock, &err) < 0)
		return cmd_report(err);
	/* As system(3): ^C and ^\ are for the command (it shares our
	 * terminal); we wait for it and pass its status on. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int fd = -1, r;
	while ((r = engine_userns_receive(sock, &fd, &err)) == 1)
		close(fd);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return cmd_report(err);
	return engine_process_exit_code(status);
}
