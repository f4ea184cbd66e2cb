/* test-foreground.c: the wait loop that run, exec and the monitor share
 * (libengine/runtime/foreground.c), on plain child processes: exit codes,
 * a forwarded signal, output drained after the exit without waiting for a
 * writer that outlives the process, and stdin's EOF reaching a pty. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libengine/runtime/foreground.h"
#include "tap.h"

struct captured {
	char buf[256];
	size_t len;
	int stream;
};

static void capture(void *data, int stream, const char *buf, size_t len)
{
	struct captured *c = data;
	if (len > sizeof(c->buf) - 1 - c->len)
		len = sizeof(c->buf) - 1 - c->len;
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	c->buf[c->len] = '\0';
	c->stream = stream;
}

/* The child starts with the mask the caller blocked, as a container's
 * process does until it resets its own. */
static void child_unblock(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int wait_child(pid_t pid, const sigset_t *mask, const struct engine_container_io *io,
		      int *ret_exit_code)
{
	struct engine_foreground fg = { .pid = pid, .mask = mask, .name = "the test child",
					.master = -1, .io = io };
	struct engine_error *err = NULL;
	int r = engine_foreground_wait(&fg, ret_exit_code, &err);
	if (err != NULL)
		printf("# %s\n", err->msg);
	engine_error_free(&err);
	return r;
}

static void test_signal_set(void)
{
	sigset_t mask, saved;
	engine_foreground_block_signals(true, &mask, &saved);
	ok(sigismember(&mask, SIGCHLD) && sigismember(&mask, SIGTERM) &&
		   sigismember(&mask, SIGINT) && sigismember(&mask, SIGWINCH),
	   "forwarding: SIGCHLD, SIGTERM, SIGINT and SIGWINCH are blocked");
	sigprocmask(SIG_SETMASK, &saved, NULL);
	engine_foreground_block_signals(false, &mask, &saved);
	ok(sigismember(&mask, SIGCHLD) && sigismember(&mask, SIGWINCH) &&
		   !sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGINT),
	   "no forwarding: only SIGCHLD and SIGWINCH are blocked");
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

static void test_exit_codes(void)
{
	sigset_t mask, saved;
	engine_foreground_block_signals(true, &mask, &saved);
	int code = -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	is_int(wait_child(pid, &mask, NULL, &code), 0, "exit: the wait succeeds");
	is_int(code, 3, "exit: its status is the exit code");

	pid = fork();
	if (pid == 0) {
		child_unblock();
		raise(SIGKILL);
		_exit(0);
	}
	code = -1;
	wait_child(pid, &mask, NULL, &code);
	is_int(code, 128 + SIGKILL, "killed by SIGKILL: 128+9");

	/* Sent to us while we wait: forwarded, and the child dies of it. */
	pid = fork();
	if (pid == 0) {
		child_unblock();
		pause();
		_exit(0);
	}
	raise(SIGUSR1);
	code = -1;
	wait_child(pid, &mask, NULL, &code);
	is_int(code, 128 + SIGUSR1, "SIGUSR1 to us is forwarded to the child");
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* A background process keeps the pipe open after the child's exit: what
 * the child wrote is relayed, and the wait does not last as long as the
 * background process. */
static void test_drain(void)
{
	sigset_t mask, saved;
	engine_foreground_block_signals(true, &mask, &saved);
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0) {
		ok(0, "pipe2: %s", strerror(errno));
		return;
	}
	pid_t background = -1;
	int bg_pipe[2];
	if (pipe(bg_pipe) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		child_unblock();
		pid_t bg = fork();
		if (bg == 0) {
			sleep(60);
			_exit(0);
		}
		(void)!write(bg_pipe[1], &bg, sizeof(bg));
		(void)!write(out[1], "hello\n", 6);
		_exit(0);
	}
	close(out[1]);
	close(bg_pipe[1]);
	(void)!read(bg_pipe[0], &background, sizeof(background));
	close(bg_pipe[0]);
	struct captured got = { .len = 0 };
	struct engine_container_io io = { .out_fd = out[0], .err_fd = -1, .output = capture,
					  .data = &got };
	time_t start = time(NULL);
	int code = -1;
	is_int(wait_child(pid, &mask, &io, &code), 0, "drain: the wait succeeds");
	ok(time(NULL) - start < 30, "drain: the wait ends with the child, not with its writer");
	is_str(got.buf, "hello\n", "drain: the output reached the hook");
	is_int(got.stream, 1, "drain: as stream 1");
	if (background > 0) {
		kill(background, SIGKILL);
		/* not our child: the middle process was, and is reaped */
	}
	close(out[0]);
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* -t -i: our stdin's EOF reaches the process as the terminal's EOF
 * character, so a reader of the pty sees its end. */
static void test_pty_eof(void)
{
	sigset_t mask, saved;
	engine_foreground_block_signals(true, &mask, &saved);
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		skip("test_pty_eof: no pty here (%s)", strerror(errno));
		return;
	}
	const char *slave_name = ptsname(master);
	int in[2];
	if (slave_name == NULL || pipe(in) < 0) {
		ok(0, "ptsname or pipe: %s", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		child_unblock();
		/* our stdin's pipe must see its EOF: only the parent's end */
		close(in[0]);
		close(in[1]);
		close(master);
		int slave = open(slave_name, O_RDWR | O_NOCTTY);
		if (slave < 0)
			_exit(100);
		/* Canonical mode: "abc\n" is one line, then EOF at a line's
		 * start is a read of 0. */
		char buf[64];
		ssize_t n, total = 0;
		while ((n = read(slave, buf, sizeof(buf))) > 0)
			total += n;
		_exit(n == 0 ? (int)total : 101);
	}
	int saved_stdin = dup(STDIN_FILENO);
	dup2(in[0], STDIN_FILENO);
	close(in[0]);
	(void)!write(in[1], "abc\n", 4);
	close(in[1]);
	struct captured echo = { .len = 0 };
	/* The pty's output (its echo) to a hook, not to the TAP stream. */
	struct engine_container_io io = { .out_fd = -1, .err_fd = -1, .output = capture,
					  .data = &echo };
	struct engine_foreground fg = { .pid = pid, .mask = &mask, .name = "the test child",
					.master = master, .interactive = true, .io = &io };
	struct engine_error *err = NULL;
	int code = -1;
	is_int(engine_foreground_wait(&fg, &code, &err), 0, "pty: the wait succeeds");
	engine_error_free(&err);
	is_int(code, 4, "pty: the child read one line, then EOF");
	dup2(saved_stdin, STDIN_FILENO);
	close(saved_stdin);
	close(master);
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

int main(void)
{
	/* A loop that never ends fails rather than hangs: while it waits,
	 * SIGALRM is forwarded and the child dies of it. */
	alarm(60);
	test_signal_set();
	test_exit_codes();
	test_drain();
	test_pty_eof();
	return done_testing();
}
