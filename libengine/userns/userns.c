/* userns.c: every CLI invocation that must act as the container's ids (run
 * a container, unpack a layer so its owners land on subordinate ids, remove
 * files those ids own) forks one of these helpers.
 *
 * One clone(2) creates the user namespace and the other namespaces asked
 * for together, so all of them are owned by the new user namespace.  The
 * child blocks on a socketpair until the parent has written its maps
 * (newuidmap must act from outside), then runs its function.  Errors travel
 * back as one message with the exit code they map to.
 *
 * The raw clone syscall is used like fork(): the child shares nothing and
 * glibc's fork handlers are not needed (the callers are single-threaded
 * when they clone). */
#include "libengine/userns/userns.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/runtime/exec-stub/exec-stub.h"
#include "libengine/runtime/terminal.h"

enum { SYNC_ERROR = 1 };

struct sync_error {
	int type;
	int status;
	int exit_code;
	char msg[2048];
};

struct settings_trailer {
	unsigned n;
	struct engine_error_setting settings[ENGINE_ERROR_SETTINGS];
};

/* The exec stub's report has this layout (exec-stub/exec-stub.h). */
_Static_assert(sizeof(struct sync_error) == sizeof(struct engine_exec_stub_error),
	       "the exec stub's error message and ours differ");

void engine_userns_report(int sock, const struct engine_error *err)
{
	struct sync_error m;
	memset(&m, 0, sizeof(m));
	m.type = SYNC_ERROR;
	m.status = err ? err->status : 0;
	m.exit_code = engine_error_exit_code(err);
	int n = snprintf(m.msg, sizeof(m.msg), "%s", err && err->msg ? err->msg : "failed");
	/* The settings the message names ride at the buffer's end, where
	 * the message leaves room (common/error.h). */
	if (err != NULL && n >= 0 && (size_t)n < sizeof(m.msg) - sizeof(struct settings_trailer)) {
		struct settings_trailer t = { .n = err->n_settings };
		memcpy(t.settings, err->settings, sizeof(t.settings));
		memcpy(m.msg + sizeof(m.msg) - sizeof(t), &t, sizeof(t));
	}
	(void)send(sock, &m, sizeof(m), MSG_NOSIGNAL);
}

int engine_userns_receive(int sock, int *ret_fd, struct engine_error **err)
{
	char tag[1];
	return engine_userns_receive_tagged(sock, tag, sizeof(tag), ret_fd, err);
}

int engine_userns_receive_tagged(int sock, char *tag, size_t tag_size, int *ret_fd,
				 struct engine_error **err)
{
	struct sync_error m;
	int fd = -1;
	int r = engine_recv_fd(sock, &m, sizeof(m), &fd, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (fd >= 0) {
		/* An fd comes with a short text saying what it is. */
		size_t n = (size_t)r < tag_size ? (size_t)r : tag_size - 1;
		memcpy(tag, &m, n);
		tag[n] = '\0';
		*ret_fd = fd;
		return 1;
	}
	if ((size_t)r == sizeof(m) && m.type == SYNC_ERROR) {
		struct settings_trailer t;
		memcpy(&t, m.msg + sizeof(m.msg) - sizeof(t), sizeof(t));
		m.msg[sizeof(m.msg) - 1] = '\0';
		size_t len = strlen(m.msg);
		bool fresh = err != NULL && *err == NULL;
		engine_error_set(err, m.status, "%s", m.msg);
		if (err && *err)
			(*err)->exit_code = m.exit_code;
		if (fresh && *err != NULL && len < sizeof(m.msg) - sizeof(t) && t.n <= ENGINE_ERROR_SETTINGS)
			for (unsigned i = 0; i < t.n; i++) {
				t.settings[i].name[sizeof(t.settings[i].name) - 1] = '\0';
				if (t.settings[i].from_end <= len)
					(*err)->settings[(*err)->n_settings++] = t.settings[i];
			}
		return -1;
	}
	/* The exec stub's failed execve: worded as our own execve's. */
	if ((size_t)r == sizeof(m) && m.type == ENGINE_EXEC_STUB_SYNC_EXEC_ERROR && m.status > 0) {
		m.msg[sizeof(m.msg) - 1] = '\0';
		engine_error_errno(err, m.status, "exec %s", m.msg);
		if (err && *err)
			(*err)->exit_code = m.exit_code;
		return -1;
	}
	return engine_error_set(err, EPROTO, "malformed message from the namespace helper");
}

int engine_userns_clone(const struct engine_idmap *map, unsigned long extra_flags,
			engine_userns_fn fn, void *data, pid_t *ret_pid, int *ret_sock,
			struct engine_error **err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return engine_error_errno(err, errno, "socketpair");
	unsigned long flags = extra_flags;
	if (map->mode != ENGINE_IDMAP_ROOT)
		flags |= CLONE_NEWUSER;
	long pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close(sp[0]);
		char go = 0;
		ssize_t r;
		while ((r = read(sp[1], &go, 1)) < 0 && errno == EINTR)
			;
		if (r != 1)
			_exit(ENGINE_EXIT_ENGINE);
		_exit(fn(data, sp[1]));
	}
	close(sp[1]);
	if (pid < 0) {
		int e = errno;
		close(sp[0]);
		if (e == EPERM || e == ENOSPC)
			return engine_error_errno(err, e,
						  "create a user namespace (are user namespaces enabled? "
						  "see /proc/sys/user/max_user_namespaces)");
		return engine_error_errno(err, e, "clone");
	}
	char go = 1;
	if (engine_idmap_apply(map, (pid_t)pid, err) < 0 || write(sp[0], &go, 1) != 1) {
		if (err && *err == NULL)
			engine_error_errno(err, errno, "start the namespace helper");
		kill((pid_t)pid, SIGKILL);
		waitpid((pid_t)pid, NULL, 0);
		close(sp[0]);
		return -1;
	}
	*ret_pid = (pid_t)pid;
	*ret_sock = sp[0];
	return 0;
}

/* A helper working for a CLI process (a pull, a removal) must not outlive
 * it: killing `engine pull` stops the pull, instead of leaving an orphan
 * that goes on unpacking into the store. */
struct tied {
	engine_userns_fn fn;
	void *data;
	pid_t parent;
};

static int tied_to_parent(void *data, int sock)
{
	struct tied *t = data;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != t->parent)
		return ENGINE_EXIT_ENGINE; /* the parent is already gone */
	return t->fn(t->data, sock);
}

int engine_userns_wait(pid_t pid, int sock, struct engine_error **err)
{
	int fd = -1, r;
	while ((r = engine_userns_receive(sock, &fd, err)) == 1)
		close(fd);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	/* `export C | head`: the reader went away, as for any writer. */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		return engine_error_errno(err, EPIPE, "write");
	/* A helper that reported nothing died without saying why: name the
	 * signal rather than print a raw wait status. */
	if (WIFSIGNALED(status))
		return engine_error_set(err, ECHILD, "the namespace helper was killed by signal %d (%s)",
					WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return engine_error_set(err, ECHILD, "the namespace helper failed (exit status %d)",
					WIFEXITED(status) ? WEXITSTATUS(status) : status);
	return 0;
}

int engine_userns_run(const struct engine_idmap *map, engine_userns_fn fn, void *data,
		      struct engine_error **err)
{
	pid_t pid;
	cleanup_close int sock = -1;
	struct tied t = { .fn = fn, .data = data, .parent = getpid() };
	if (engine_userns_clone(map, CLONE_NEWNS, tied_to_parent, &t, &pid, &sock, err) < 0)
		return -1;
	return engine_userns_wait(pid, sock, err);
}
