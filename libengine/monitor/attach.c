/* attach.c: the monitor's attach socket, which `engine attach`
 * and `start -a` connect to.
 *
 * RUNROOT/containers/ID/attach, a unix stream socket (0600 in a 0700
 * directory).  sun_path holds 108 bytes, so both sides name it as
 * /proc/self/fd/N/attach, N an O_PATH fd of the directory.
 *
 * The protocol: every message from a client is a frame, an 8-byte header
 * [TYPE, 0, 0, 0, LEN (4 bytes, big-endian)] and LEN bytes (at most 64 KiB):
 *   TYPE 0  input for the container's stdin (the pty with -t)
 *   TYPE 1  resize: rows and columns, 2 bytes each, big-endian (-t only)
 *   TYPE 2  close the container's stdin (start -a -i at its input's EOF)
 * The monitor sends the container's output: with -t the pty's bytes as
 * they are; without, frames as Docker's stdcopy: TYPE 1 stdout, 2 stderr.
 * When the container exits the monitor closes the connection (after its
 * exit is recorded in state.json, where the client reads the code).
 *
 * The monitor never waits for a client: what a client does not read is
 * queued up to CLIENT_QUEUE bytes, and output beyond that is dropped for
 * that client alone.  One exception: the CLI of `run -it`, which started
 * the container and stands for its terminal, is waited for (its output
 * is all there, as Docker's run gives it).  Input goes to the container
 * without blocking either: what its stdin pipe cannot take at once is
 * dropped. */
#include "libengine/monitor/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/fs.h"

#define MAX_CLIENTS 16
#define CLIENT_QUEUE (256 * 1024)
#define FRAME_MAX (64 * 1024)

struct client {
	int fd;
	bool lossless; /* run -it's CLI: waited for, not dropped */
	char *queue; /* output not sent yet */
	size_t queued;
	unsigned char in[8 + FRAME_MAX]; /* a frame being received */
	size_t in_len;
};

struct monitor_attach {
	char *dir; /* removed with the socket at the end */
	int dirfd;
	int listen_fd;
	bool tty;
	int input;
	bool input_is_master;
	struct client *clients[MAX_CLIENTS];
	size_t n;
};

static void client_add(struct monitor_attach *a, int fd)
{
	struct client *c = a->n < MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->fd = fd;
	a->clients[a->n++] = c;
}

static void client_drop(struct monitor_attach *a, size_t i)
{
	struct client *c = a->clients[i];
	close(c->fd);
	free(c->queue);
	free(c);
	a->clients[i] = a->clients[--a->n];
}

struct monitor_attach *monitor_attach_open(int dirfd, bool tty, int first_client)
{
	struct monitor_attach *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		if (dirfd >= 0)
			close(dirfd);
		return NULL;
	}
	a->tty = tty;
	a->input = -1;
	a->listen_fd = -1;
	a->dirfd = dirfd;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->dirfd);
	if (a->dirfd >= 0)
		a->dir = realpath(path, NULL);
	if (first_client >= 0)
		client_add(a, first_client);
	if (a->dirfd < 0)
		return a; /* no socket: attach says the container cannot be reached */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", a->dirfd);
	(void)unlinkat(a->dirfd, "attach", 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    fchmodat(a->dirfd, "attach", 0600, 0) == 0 && listen(fd, 8) == 0) {
		a->listen_fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	return a;
}

void monitor_attach_format_clients(char *buf, size_t size, const int *clients, size_t n)
{
	int off = snprintf(buf, size, "clients=");
	for (size_t i = 0; i < n && off >= 0 && (size_t)off < size; i++)
		off += snprintf(buf + off, size - (size_t)off, "%s%d", i ? "," : "", clients[i]);
}

size_t monitor_attach_export(struct monitor_attach *a, int *dirfd, int *listen_fd, int *clients,
			     size_t max)
{
	*dirfd = a ? a->dirfd : -1;
	*listen_fd = a ? a->listen_fd : -1;
	size_t n = 0;
	for (size_t i = 0; a != NULL && i < a->n && n < max; i++)
		clients[n++] = a->clients[i]->fd;
	return n;
}

struct monitor_attach *monitor_attach_adopt(int dirfd, int listen_fd, bool tty,
					    const int *clients, size_t n)
{
	struct monitor_attach *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->tty = tty;
	a->input = -1;
	a->listen_fd = listen_fd;
	a->dirfd = dirfd;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (dirfd >= 0)
		a->dir = realpath(path, NULL);
	for (size_t i = 0; i < n; i++)
		client_add(a, clients[i]);
	return a;
}

void monitor_attach_wait_for(struct monitor_attach *a, int fd)
{
	for (size_t i = 0; a != NULL && fd >= 0 && i < a->n; i++)
		if (a->clients[i]->fd == fd)
			a->clients[i]->lossless = true;
}

int monitor_attach_waited(const struct monitor_attach *a)
{
	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (a->clients[i]->lossless)
			return a->clients[i]->fd;
	return -1;
}

void monitor_attach_set_input(struct monitor_attach *a, int input, bool is_master)
{
	if (a == NULL)
		return;
	a->input = input;
	a->input_is_master = is_master;
}

static bool client_flush(struct client *c);

/* run -it's CLI gets all of the output, as Docker's run: the container
 * waits while that client's queue is full (its input is a user's typing,
 * which the socket's buffer holds meanwhile). */
static bool client_make_room(struct client *c, size_t total)
{
	while (c->queued + total > CLIENT_QUEUE) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return false;
		if (!client_flush(c))
			return false;
	}
	return true;
}

/* Queue or send LEN bytes (a whole frame or nothing) to client I; false
 * when the client has gone. */
static bool client_send(struct client *c, const void *head, size_t hl, const char *buf, size_t len)
{
	size_t total = hl + len;
	if (c->lossless && !client_make_room(c, total))
		return false;
	if (c->queued + total > CLIENT_QUEUE)
		return true; /* a client that does not read loses output, not us */
	if (c->queue == NULL && (c->queue = malloc(CLIENT_QUEUE)) == NULL)
		return true;
	memcpy(c->queue + c->queued, head, hl);
	memcpy(c->queue + c->queued + hl, buf, len);
	c->queued += total;
	return true;
}

static bool client_flush(struct client *c)
{
	size_t off = 0;
	while (off < c->queued) {
		ssize_t w = send(c->fd, c->queue + off, c->queued - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return false;
		}
		off += (size_t)w;
	}
	memmove(c->queue, c->queue + off, c->queued - off);
	c->queued -= off;
	if (c->queued == 0) {
		/* An idle client holds no buffer. */
		free(c->queue);
		c->queue = NULL;
	}
	return true;
}

void monitor_attach_output(struct monitor_attach *a, int stream, const char *buf, size_t len)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n;) {
		struct client *c = a->clients[i];
		bool ok = true;
		for (size_t off = 0; ok && off < len;) {
			size_t n = len - off > FRAME_MAX ? FRAME_MAX : len - off;
			unsigned char head[8] = { (unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24),
						  (unsigned char)(n >> 16), (unsigned char)(n >> 8),
						  (unsigned char)n };
			ok = client_send(c, head, a->tty ? 0 : 8, buf + off, n);
			off += n;
		}
		if (!ok || !client_flush(c)) {
			client_drop(a, i);
			continue;
		}
		i++;
	}
}

size_t monitor_attach_poll_fds(struct monitor_attach *a, struct pollfd *p, size_t max)
{
	size_t n = 0;
	if (a == NULL)
		return 0;
	if (a->listen_fd >= 0 && n < max)
		p[n++] = (struct pollfd){ .fd = a->listen_fd, .events = POLLIN };
	for (size_t i = 0; i < a->n && n < max; i++)
		p[n++] = (struct pollfd){ .fd = a->clients[i]->fd,
					  .events = POLLIN | (a->clients[i]->queued ? POLLOUT : 0) };
	return n;
}

static void to_input(struct monitor_attach *a, const unsigned char *buf, size_t len)
{
	for (size_t off = 0; a->input >= 0 && off < len;) {
		ssize_t w = write(a->input, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* full (dropped) or gone */
		off += (size_t)w;
	}
}

static void frame(struct monitor_attach *a, unsigned type, const unsigned char *data, size_t len)
{
	if (type == 0) {
		to_input(a, data, len);
	} else if (type == 1 && len == 4 && a->input_is_master && a->input >= 0) {
		struct winsize ws = { .ws_row = (unsigned short)(data[0] << 8 | data[1]),
				      .ws_col = (unsigned short)(data[2] << 8 | data[3]) };
		(void)ioctl(a->input, TIOCSWINSZ, &ws);
	} else if (type == 2 && !a->input_is_master && a->input >= 0) {
		close(a->input);
		a->input = -1;
	}
}

/* Read what client C sent and act on each complete frame; false when it
 * has gone. */
static bool client_read(struct monitor_attach *a, struct client *c)
{
	ssize_t r = engine_read_some(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (r <= 0)
		return r == 0;
	c->in_len += (size_t)r;
	for (;;) {
		if (c->in_len < 8)
			return true;
		size_t len = (size_t)c->in[4] << 24 | (size_t)c->in[5] << 16 | (size_t)c->in[6] << 8 | c->in[7];
		if (len > FRAME_MAX)
			return false; /* not our protocol */
		if (c->in_len < 8 + len)
			return true;
		frame(a, c->in[0], c->in + 8, len);
		memmove(c->in, c->in + 8 + len, c->in_len - 8 - len);
		c->in_len -= 8 + len;
	}
}

void monitor_attach_poll_ready(struct monitor_attach *a, const struct pollfd *p, size_t n)
{
	if (a == NULL)
		return;
	size_t k = 0;
	if (a->listen_fd >= 0 && k < n) {
		if (p[k].revents & POLLIN) {
			int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				client_add(a, fd);
		}
		k++;
	}
	/* Clients are matched by fd: one may have been added or dropped. */
	for (; k < n; k++) {
		if (p[k].revents == 0)
			continue;
		for (size_t i = 0; i < a->n; i++) {
			struct client *c = a->clients[i];
			if (c->fd != p[k].fd)
				continue;
			bool ok = true;
			if (p[k].revents & (POLLIN | POLLHUP | POLLERR))
				ok = client_read(a, c);
			if (ok && (p[k].revents & POLLOUT))
				ok = client_flush(c);
			if (!ok)
				client_drop(a, i);
			break;
		}
	}
}

void monitor_attach_hangup(struct monitor_attach *a)
{
	if (a == NULL)
		return;
	/* Up to a second for the clients to take the last output. */
	for (int round = 0; round < 50; round++) {
		bool pending = false;
		for (size_t i = 0; i < a->n; i++)
			if (a->clients[i]->queued > 0 && client_flush(a->clients[i]))
				pending = pending || a->clients[i]->queued > 0;
		if (!pending)
			break;
		struct pollfd p = { .fd = -1 };
		(void)poll(&p, 0, 20);
	}
	while (a->n > 0)
		client_drop(a, a->n - 1);
	a->input = -1;
}

void monitor_attach_close(struct monitor_attach *a)
{
	if (a == NULL)
		return;
	monitor_attach_hangup(a);
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	if (a->dirfd >= 0) {
		(void)unlinkat(a->dirfd, "attach", 0);
		close(a->dirfd);
	}
	if (a->dir != NULL)
		(void)rmdir(a->dir);
	free(a->dir);
	free(a);
}
