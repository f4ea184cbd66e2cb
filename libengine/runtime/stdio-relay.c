/* stdio-relay.c: the CLI's side of a container process's stdio without -t.
 *
 * Handing the process our own fds 0-2 (what `run` did) gives it the user's
 * terminal when that is where they point: with the terminal as its
 * controlling one, TIOCSTI types commands into the user's shell, and it can
 * also change the terminal's modes or read what the user types next.  So
 * the process gets pipes, as Docker's and Podman's give it, and a session
 * of its own; the CLI copies between the pipes and its own stdio.
 *
 * A recorded run also keeps its output in the container's log: then the
 * relay reads and writes (the OUTPUT hook takes a copy), and a
 * stream not attached (run -a) goes to the log only.
 *
 * Output: splice(2) moves pages from the process's pipe to ours (or to a
 * file or socket) without a copy through user space; where our stdout does
 * not take splice (some terminals, O_APPEND files) read/write does.  A
 * write that fails (the reader of our stdout went away) closes the pipe,
 * so that the process gets EPIPE or SIGPIPE as it would have writing there
 * itself: `engine run busybox yes | head -1` ends.
 *
 * Input (-i): our stdin is read only when the last chunk is in the pipe,
 * and the pipe is non-blocking on our side: a process that does not read
 * its stdin while it writes much output must not stall the loop that
 * drains that output (a deadlock with `cat big | engine run -i busybox
 * cat`).  Our EOF closes the pipe: the process sees its EOF. */
#include "libengine/runtime/stdio-relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

#define RELAY_CHUNK (1 << 20)
#define STDIN_CHUNK 65536

int engine_stdio_relay_open(struct engine_stdio_relay *r, bool interactive,
			    struct engine_error **err)
{
	*r = (struct engine_stdio_relay){ .child = { -1, -1, -1 }, .in_write = -1, .out_read = -1,
					  .err_read = -1, .splice_ok = { true, true } };
	int out[2], errp[2], in[2] = { -1, -1 };
	if (pipe2(out, O_CLOEXEC) < 0)
		return engine_error_errno(err, errno, "pipe");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		return engine_error_errno(err, e, "pipe");
	}
	r->out_read = out[0];
	r->child[1] = out[1];
	r->err_read = errp[0];
	r->child[2] = errp[1];
	if (interactive) {
		r->in_buf = malloc(STDIN_CHUNK);
		if (r->in_buf == NULL || pipe2(in, O_CLOEXEC) < 0) {
			int e = r->in_buf == NULL ? ENOMEM : errno;
			engine_stdio_relay_close(r);
			return engine_error_errno(err, e, "pipe");
		}
		/* Ours only: the process reads a blocking stdin. */
		fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
		r->child[0] = in[0];
		r->in_write = in[1];
		r->stdin_open = true;
	}
	/* Fewer, larger moves for a process that writes a lot (the
	 * unprivileged maximum is /proc/sys/fs/pipe-max-size, 1 MiB by
	 * default; a smaller pipe is only slower). */
	(void)fcntl(r->out_read, F_SETPIPE_SZ, RELAY_CHUNK);
	/* Our stdout's pipe likewise, only ever larger: with the default
	 * 64 KiB one, the relay wakes for every 64 KiB its reader takes, and
	 * 500 MiB through `| wc -c` took twice as long as the container
	 * writing there itself; with 1 MiB it is as fast (docs/performance.md).
	 * The reader sees only more buffered data; where the user's pipe
	 * allowance is spent, the pipe stays as it is. */
	struct stat st;
	int size = fcntl(STDOUT_FILENO, F_GETPIPE_SZ);
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode) && size > 0 && size < RELAY_CHUNK)
		(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, RELAY_CHUNK);
	return 0;
}

/* dup2 that also works when FD already is TARGET (dup2 would leave its
 * close-on-exec flag set). */
static int dup_to(int fd, int target)
{
	if (fd != target)
		return dup2(fd, target) < 0 ? -1 : 0;
	return fcntl(fd, F_SETFD, 0);
}

int engine_stdio_relay_child(const struct engine_stdio_relay *r, struct engine_error **err)
{
	cleanup_close int null = -1;
	int in = r->child[0];
	if (in < 0) {
		if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			return engine_error_errno(err, errno, "stdin from /dev/null");
		in = null;
	}
	if (dup_to(in, STDIN_FILENO) < 0 || dup_to(r->child[1], STDOUT_FILENO) < 0 ||
	    dup_to(r->child[2], STDERR_FILENO) < 0)
		return engine_error_errno(err, errno, "stdio pipes");
	/* Never a process group leader here (a fresh child), so this works;
	 * the new session has no controlling terminal, and none can be
	 * acquired: the process holds no terminal fd. */
	if (setsid() < 0)
		return engine_error_errno(err, errno, "setsid");
	return 0;
}

void engine_stdio_relay_parent(struct engine_stdio_relay *r)
{
	for (int i = 0; i < 3; i++) {
		if (r->child[i] >= 0)
			close(r->child[i]);
		r->child[i] = -1;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Wait until TO takes more: it is ours only to write to, and may have been
 * made non-blocking by whoever shares it. */
static void wait_writable(int to)
{
	struct pollfd p = { .fd = to, .events = POLLOUT };
	(void)poll(&p, 1, -1);
}

/* Write all of BUF to TO; false when TO fails. */
static bool write_all(int to, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(to, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			wait_writable(to);
			continue;
		}
		if (w < 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

/* A recorded run: what the pipe holds goes to the log and (unless QUIET)
 * to TO.  A TO that fails closes *FROM as relay_out does: `run busybox
 * yes | head -1` must end, not fill the log for ever. */
static void relay_out_logged(struct engine_stdio_relay *r, int *from, int stream)
{
	static char buf[65536];
	ssize_t n = read(*from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(from);
		return;
	}
	r->output(r->output_data, stream, buf, (size_t)n);
	if (!r->quiet[stream - 1] && !write_all(stream, buf, (size_t)n))
		close_fd(from);
}

/* Move what the pipe *FROM holds (poll said so) to TO.  At EOF, or when
 * TO fails, *FROM is closed: the writer then gets EPIPE, as it would have
 * from TO itself. */
static void relay_out(struct engine_stdio_relay *r, int *from, int to, bool *splice_ok)
{
	if (r->output != NULL || r->quiet[to - 1]) {
		if (r->output != NULL) {
			relay_out_logged(r, from, to);
			return;
		}
		/* Not relayed, and no log to keep it: read and drop. */
		static char sink[65536];
		ssize_t n = read(*from, sink, sizeof(sink));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			close_fd(from);
		return;
	}
	while (*splice_ok) {
		ssize_t n = splice(*from, NULL, to, NULL, RELAY_CHUNK, 0);
		if (n > 0)
			return;
		if (n == 0) {
			close_fd(from);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			wait_writable(to);
			continue;
		}
		if (errno != EINVAL && errno != ENOSYS) {
			close_fd(from);
			return;
		}
		*splice_ok = false; /* TO does not take splice: copy */
	}
	static char buf[65536];
	ssize_t n = read(*from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || !write_all(to, buf, (size_t)n))
		close_fd(from);
}

/* -i: write what is pending; once our stdin is done and nothing is
 * pending, close the pipe (the process's EOF). */
static void relay_in_pending(struct engine_stdio_relay *r)
{
	while (r->in_off < r->in_len) {
		ssize_t w = write(r->in_write, r->in_buf + r->in_off, r->in_len - r->in_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0) {
			/* The process closed its stdin: nothing more to give. */
			r->stdin_open = false;
			r->in_off = r->in_len = 0;
			break;
		}
		r->in_off += (size_t)w;
	}
	r->in_off = r->in_len = 0;
	if (!r->stdin_open)
		close_fd(&r->in_write);
}

static void relay_in_read(struct engine_stdio_relay *r)
{
	ssize_t n = read(STDIN_FILENO, r->in_buf, STDIN_CHUNK);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		r->stdin_open = false; /* EOF, or a stdin we cannot read */
	else
		r->in_len = (size_t)n;
	relay_in_pending(r);
}

void engine_stdio_relay_poll_fds(const struct engine_stdio_relay *r, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = -1 };
	if (r->in_write >= 0 && r->in_off < r->in_len)
		p[0] = (struct pollfd){ .fd = r->in_write, .events = POLLOUT };
	else if (r->in_write >= 0 && r->stdin_open)
		p[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->out_read, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = r->err_read, .events = POLLIN };
}

void engine_stdio_relay_ready(struct engine_stdio_relay *r, const struct pollfd *p)
{
	if (p[1].revents && r->out_read >= 0)
		relay_out(r, &r->out_read, STDOUT_FILENO, &r->splice_ok[0]);
	if (p[2].revents && r->err_read >= 0)
		relay_out(r, &r->err_read, STDERR_FILENO, &r->splice_ok[1]);
	if (p[0].revents && p[0].fd == r->in_write && r->in_write >= 0)
		relay_in_pending(r);
	else if (p[0].revents && p[0].fd == STDIN_FILENO && r->in_write >= 0)
		relay_in_read(r);
}

void engine_stdio_relay_drain(struct engine_stdio_relay *r)
{
	close_fd(&r->in_write);
	r->stdin_open = false;
	for (int stream = 1; stream <= 2; stream++) {
		int *fd = stream == 1 ? &r->out_read : &r->err_read;
		/* What the process wrote is in the pipe before its exit is
		 * reported; a writer that outlives it (a background process
		 * of an exec) is not waited for.  The bound keeps such a
		 * writer from holding the CLI forever. */
		for (int i = 0; i < 65536 && *fd >= 0; i++) {
			struct pollfd p = { .fd = *fd, .events = POLLIN };
			if (poll(&p, 1, 0) <= 0)
				break;
			relay_out(r, fd, stream, &r->splice_ok[stream - 1]);
		}
	}
}

void engine_stdio_relay_close(struct engine_stdio_relay *r)
{
	engine_stdio_relay_parent(r);
	close_fd(&r->in_write);
	close_fd(&r->out_read);
	close_fd(&r->err_read);
	free(r->in_buf);
	r->in_buf = NULL;
}
