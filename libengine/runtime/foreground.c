/* foreground.c: one loop for every process the caller waits on with its
 * stdio in hand: `run` and `exec` in the foreground (a pty with -t, the
 * stdio relay's pipes without), a recorded run (its output copied to the
 * log) and a monitor (its container's pipes and pty go to the log and the
 * attach socket, whose fds it polls here too).
 *
 * Signals come through a signalfd, never a handler: SIGCHLD and the
 * forwarded ones are blocked before the process exists, so one sent
 * between its start and this loop waits in the mask and is forwarded
 * then.  The loop ends with the exit reaped, not with EOF on the
 * output: a background process may hold the pty or a pipe open for ever,
 * so what is left is drained without waiting once the process is gone. */
#include "libengine/runtime/foreground.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/runtime/process.h"
#include "libengine/runtime/terminal.h"

/* SIGWINCH is not sent on but resizes the pty. */
static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
					 SIGWINCH, SIGCONT, SIGALRM };

void engine_foreground_block_signals(bool forward, sigset_t *ret_mask, sigset_t *ret_saved)
{
	sigemptyset(ret_mask);
	sigaddset(ret_mask, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		if (forward || forwarded_signals[i] == SIGWINCH)
			sigaddset(ret_mask, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, ret_mask, ret_saved);
}

/* The monitor's output pipes: hand what is there to the log writer;
 * false at EOF (or, once they are non-blocking, when nothing is left). */
static bool relay_output(const struct engine_container_io *io, int stream)
{
	char buf[16384];
	int fd = stream == 1 ? io->out_fd : io->err_fd;
	ssize_t r = read(fd, buf, sizeof(buf));
	if (r < 0)
		return errno == EINTR;
	if (r == 0)
		return false;
	io->output(io->data, stream, buf, (size_t)r);
	return true;
}

/* The pty's output: to our stdout, unless QUIET (what run -a does not
 * attach is read and dropped); with an OUTPUT hook, to it as stream 1
 * (a monitor's log), and to our stdout as well only for a recorded
 * foreground run (OUTPUT_COPY).  False at EOF. */
static bool relay_master(const struct engine_container_io *io, int master, bool quiet)
{
	bool hooked = io != NULL && io->output != NULL;
	if (!hooked && !quiet)
		return engine_fd_relay(master, STDOUT_FILENO);
	char buf[16384];
	ssize_t r = read(master, buf, sizeof(buf));
	if (r <= 0) /* EOF, or EIO once the pty's last holder is gone */
		return r < 0 && (errno == EINTR || errno == EAGAIN);
	if (hooked) {
		io->output(io->data, 1, buf, (size_t)r);
		if (io->output_copy && !quiet)
			(void)engine_write_all(STDOUT_FILENO, buf, (size_t)r);
	}
	return true;
}

/* After the exit: what the pty and the pipes hold still, not waiting for
 * a writer that outlives the process (whatever it writes later is lost). */
static void drain(const struct engine_foreground *fg, bool master_open)
{
	if (master_open) {
		fcntl(fg->master, F_SETFL, fcntl(fg->master, F_GETFL) | O_NONBLOCK);
		for (int i = 0; i < 1024 && relay_master(fg->io, fg->master, fg->quiet); i++) {
			struct pollfd q = { .fd = fg->master, .events = POLLIN };
			if (poll(&q, 1, 0) <= 0)
				break;
		}
	}
	for (int stream = 1; fg->io != NULL && stream <= 2; stream++) {
		int fd = stream == 1 ? fg->io->out_fd : fg->io->err_fd;
		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		for (int i = 0; i < 4096 && relay_output(fg->io, stream); i++)
			;
	}
	if (fg->relay != NULL)
		engine_stdio_relay_drain(fg->relay);
}

enum { SLOT_SIGNAL, SLOT_MASTER, SLOT_STDIN, SLOT_OUT, SLOT_ERR, SLOT_RELAY };
#define SLOT_BASE (SLOT_RELAY + ENGINE_STDIO_RELAY_POLL_FDS)
#define SLOT_EXTRA 64 /* the most fds the io's POLL_FDS may add */

static int wait_loop(const struct engine_foreground *fg, int sigfd, struct engine_terminal *term,
		     int *ret_exit_code)
{
	const struct engine_container_io *io = fg->io;
	bool stdin_open = fg->master >= 0 && fg->interactive;
	bool master_open = fg->master >= 0;
	bool out_open = io != NULL && io->out_fd >= 0, err_open = io != NULL && io->err_fd >= 0;
	for (;;) {
		struct pollfd p[SLOT_BASE + SLOT_EXTRA] = {
			[SLOT_SIGNAL] = { .fd = sigfd, .events = POLLIN },
			[SLOT_MASTER] = { .fd = master_open ? fg->master : -1, .events = POLLIN },
			[SLOT_STDIN] = { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
			[SLOT_OUT] = { .fd = out_open ? io->out_fd : -1, .events = POLLIN },
			[SLOT_ERR] = { .fd = err_open ? io->err_fd : -1, .events = POLLIN },
		};
		for (int i = SLOT_RELAY; i < SLOT_BASE; i++)
			p[i].fd = -1;
		if (fg->relay != NULL)
			engine_stdio_relay_poll_fds(fg->relay, p + SLOT_RELAY);
		size_t extra = io != NULL && io->poll_fds != NULL
				       ? io->poll_fds(io->data, p + SLOT_BASE, SLOT_EXTRA)
				       : 0;
		if (poll(p, SLOT_BASE + extra, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[SLOT_OUT].revents)
			out_open = relay_output(io, 1);
		if (p[SLOT_ERR].revents)
			err_open = relay_output(io, 2);
		if (p[SLOT_MASTER].revents)
			master_open = relay_master(io, fg->master, fg->quiet);
		if (fg->relay != NULL)
			engine_stdio_relay_ready(fg->relay, p + SLOT_RELAY);
		if (extra > 0)
			io->poll_ready(io->data, p + SLOT_BASE, extra);
		if (p[SLOT_STDIN].revents && !engine_fd_relay(STDIN_FILENO, fg->master)) {
			stdin_open = false;
			/* Pass the EOF on as the terminal's EOF character. */
			char eot = 4;
			(void)!write(fg->master, &eot, 1);
		}
		if (!p[SLOT_SIGNAL].revents)
			continue;
		struct signalfd_siginfo si;
		if (read(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if ((int)si.ssi_signo == SIGWINCH && term != NULL) {
			engine_terminal_resize(term);
			continue;
		}
		if ((int)si.ssi_signo != SIGCHLD) {
			kill(fg->pid, (int)si.ssi_signo);
			continue;
		}
		int status;
		if (waitpid(fg->pid, &status, WNOHANG) != fg->pid)
			continue;
		drain(fg, master_open);
		*ret_exit_code = engine_process_exit_code(status);
		return 0;
	}
}

int engine_foreground_wait(const struct engine_foreground *fg, int *ret_exit_code,
			   struct engine_error **err)
{
	/* From here on a write to a closed pipe should be an error, not death. */
	signal(SIGPIPE, SIG_IGN);
	struct engine_terminal term;
	if (fg->master >= 0)
		engine_terminal_take(&term, fg->master);
	int rc = -1;
	cleanup_close int sigfd = signalfd(-1, fg->mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		engine_error_errno(err, errno, "signalfd");
		kill(fg->pid, SIGKILL);
		while (waitpid(fg->pid, NULL, 0) < 0 && errno == EINTR)
			;
	} else if ((rc = wait_loop(fg, sigfd, fg->master >= 0 ? &term : NULL, ret_exit_code)) < 0) {
		engine_error_errno(err, -rc, "wait for %s", fg->name);
	}
	if (fg->master >= 0)
		engine_terminal_restore(&term);
	return rc < 0 ? -1 : 0;
}
