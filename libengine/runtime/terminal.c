/* terminal.c: -t, done the way crun does it.
 *
 * The pty is opened inside the container, in its own devpts instance, so the
 * container sees /dev/pts/0 and `tty` names it; only the master fd crosses
 * to the CLI, over the sync socket.  The CLI then relays bytes between the
 * user's terminal (in raw mode, so ^C and ^Z reach the container's line
 * discipline instead of killing the CLI) and the master. */
#include "libengine/runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "libengine/runtime/mounts.h"

int engine_send_fd(int sock, const void *buf, size_t size, int fd, struct engine_error **err)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return engine_error_errno(err, errno, "send to the engine");
	}
	return 0;
}

int engine_recv_fd(int sock, void *buf, size_t size, int *ret_fd, struct engine_error **err)
{
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	ssize_t r;
	while ((r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
		if (errno != EINTR)
			return engine_error_errno(err, errno, "receive from the container");
	}
	*ret_fd = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
	return (int)r;
}

/* The CLI sizes the pty once the master reaches it, but by then the command
 * may already have asked (`run -it IMAGE stty size` saw 0 0 half the time).
 * Our stdio is still what the CLI gave us, the user's terminal when it has
 * one: its size goes onto the slave before the command can run.  The CLI's
 * own resize stays, for a process whose stdio is not the user's terminal
 * (a monitor's child) and for SIGWINCH later. */
static struct winsize console_size;

void engine_terminal_set_console_size(unsigned short rows, unsigned short cols)
{
	console_size.ws_row = rows;
	console_size.ws_col = cols;
}

static void copy_inherited_size(int slave)
{
	struct winsize ws;
	/* A monitor's stdio is no terminal: the size its caller gave. */
	if (console_size.ws_row > 0 && console_size.ws_col > 0) {
		(void)ioctl(slave, TIOCSWINSZ, &console_size);
		return;
	}
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
			(void)ioctl(slave, TIOCSWINSZ, &ws);
			return;
		}
}

int engine_terminal_child_setup(int sock, struct engine_error **err)
{
	return engine_terminal_child_open(sock, true, err);
}

int engine_terminal_child_open(int sock, bool bind_console, struct engine_error **err)
{
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return engine_error_errno(err, errno, "open /dev/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return engine_error_errno(err, errno, "unlock pty");
	/* TIOCGPTPEER opens the slave from the master itself: no path lookup
	 * that a process in the container could race. */
	cleanup_close int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return engine_error_errno(err, errno, "open pty slave");
	int ptn = 0;
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		return engine_error_errno(err, errno, "pty number");
	char pts[32];
	snprintf(pts, sizeof(pts), "/dev/pts/%d", ptn);
	if (bind_console && engine_mounts_bind_console(pts, err) < 0)
		return -1;
	copy_inherited_size(slave);
	static const char tag[] = "pty";
	if (engine_send_fd(sock, tag, sizeof(tag), master, err) < 0)
		return -1;
	if (setsid() < 0)
		return engine_error_errno(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return engine_error_errno(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return engine_error_errno(err, errno, "dup2 pty");
	return 0;
}

void engine_terminal_init(struct engine_terminal *t, int master)
{
	memset(t, 0, sizeof(*t));
	t->master = master;
	t->user_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : isatty(STDOUT_FILENO) ? STDOUT_FILENO : -1;
}

void engine_terminal_take(struct engine_terminal *t, int master)
{
	engine_terminal_init(t, master);
	engine_terminal_resize(t);
	engine_terminal_make_raw(t);
}

int engine_terminal_make_raw(struct engine_terminal *t)
{
	if (t->user_fd < 0)
		return 0;
	if (tcgetattr(t->user_fd, &t->saved) < 0)
		return -errno;
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	/* Keep output post-processing off too: the container's line discipline
	 * already turned \n into \r\n. */
	if (tcsetattr(t->user_fd, TCSADRAIN, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

void engine_terminal_resize(struct engine_terminal *t)
{
	struct winsize ws;
	if (t->user_fd >= 0 && ioctl(t->user_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		(void)ioctl(t->master, TIOCSWINSZ, &ws);
}

void engine_terminal_restore(struct engine_terminal *t)
{
	if (t->raw) {
		(void)tcsetattr(t->user_fd, TCSADRAIN, &t->saved);
		t->raw = false;
	}
}
