/* udp-relay.c: the UDP relay of udp-relay.h.
 *
 * One process per container (forked by the monitor, no exec): it binds the
 * host sockets while still in the host's network namespace (a socket stays
 * in the namespace it was made in), then setns()es into the container's
 * user and network namespaces, where each new client (host port, client
 * address) gets a socket connected to 127.0.0.1:CONTAINERPORT.  Datagrams
 * go in through that socket and its replies go back out through the host
 * socket to the client.  Clients beyond RELAY_MAX_FLOWS recycle the least
 * recently used socket, as NAT tables do.
 *
 * It needs no privilege: the monitor owns the container's user namespace,
 * so setns() into it is allowed, and from there into its network
 * namespace. */
#include "netns/udp-relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"

/* Each published port is one host socket held open by the relay, so what
 * bounds their number is the fd limit: the relay raises its soft
 * RLIMIT_NOFILE to the hard one and refuses a list that would not fit with
 * its flows and connections (each TCP connection: two sockets and two
 * pipes).  Past that, a TCP and a UDP socket per port number is all there
 * can be. */
#define RELAY_MAX_PORTS (2 * 65535)
#define RELAY_MAX_FLOWS 256
#define RELAY_MAX_CONNS 256 /* TCP connections relayed at once */
#define RELAY_FDS_RESERVED (RELAY_MAX_FLOWS + 6 * RELAY_MAX_CONNS + 32)
#define RELAY_PIPE_SIZE (1 << 20)

struct relay_flow {
	int inner_fd; /* -1: unused */
	size_t port;  /* index into the host sockets */
	struct sockaddr_storage client;
	socklen_t client_len;
	unsigned long long last_used;
};

struct relay_child {
	int ready_w, exit_r, userns_fd, netns_fd;
	size_t count;
	int *host_fds;
	uint16_t *container_ports;
	unsigned char *is_tcp; /* a listening TCP socket, not a UDP one */
};

/* one relayed TCP connection: fd[0] the client on the
 * host, fd[1] our connection to 127.0.0.1:PORT in the container; the bytes
 * of direction D (fd[D] to fd[1-D]) move through pipe[D] with splice(2),
 * never copied through user space. */
struct relay_conn {
	int fd[2];     /* -1: unused slot */
	int pipe[2][2];
	size_t queued[2];
	bool eof[2], shut[2];
};

static void conn_close(struct relay_conn *c)
{
	for (int d = 0; d < 2; d++) {
		if (c->fd[d] >= 0)
			close(c->fd[d]);
		for (int k = 0; k < 2; k++)
			if (c->pipe[d][k] >= 0)
				close(c->pipe[d][k]);
		c->fd[d] = c->pipe[d][0] = c->pipe[d][1] = -1;
		c->queued[d] = 0;
		c->eof[d] = c->shut[d] = false;
	}
}

/* A new client on a host listener: its twin in the container (a
 * non-blocking connect; a refusal shows up as an error on first use). */
static void conn_open(struct relay_conn *c, int client, uint16_t container_port)
{
	c->fd[0] = client;
	c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(container_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	if (c->fd[1] < 0 ||
	    (connect(c->fd[1], (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) ||
	    pipe2(c->pipe[0], O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(c->pipe[1], O_CLOEXEC | O_NONBLOCK) < 0) {
		conn_close(c);
		return;
	}
	for (int d = 0; d < 2; d++) {
		(void)setsockopt(c->fd[d], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		(void)fcntl(c->pipe[d][0], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	}
}

static short conn_events(const struct relay_conn *c, int side)
{
	short ev = 0;
	if (!c->eof[side] && c->queued[side] < RELAY_PIPE_SIZE)
		ev |= POLLIN;
	if (c->queued[1 - side] > 0)
		ev |= POLLOUT;
	return ev;
}

/* Move what can move after poll; false when the connection is done. */
static bool conn_pump(struct relay_conn *c, const short *revents)
{
	for (int d = 0; d < 2; d++) {
		if (!c->eof[d] && revents[d] != 0) {
			ssize_t n = splice(c->fd[d], NULL, c->pipe[d][1], NULL, RELAY_PIPE_SIZE,
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0)
				c->queued[d] += (size_t)n;
			else if (n == 0)
				c->eof[d] = true;
			else if (errno != EAGAIN && errno != EINTR)
				return false;
		}
		if (c->queued[d] > 0 && revents[1 - d] != 0) {
			ssize_t n = splice(c->pipe[d][0], NULL, c->fd[1 - d], NULL, c->queued[d],
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0)
				c->queued[d] -= (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				return false;
		}
		if (c->eof[d] && c->queued[d] == 0 && !c->shut[d]) {
			(void)shutdown(c->fd[1 - d], SHUT_WR);
			c->shut[d] = true;
		}
	}
	return !(c->shut[0] && c->shut[1]);
}

static int int_compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Close every fd but KEEP (sorted), so nothing of the monitor's (the
 * container's pty, its sync pipes) is held open by the relay. */
static void close_range_or_loop(int first, unsigned last)
{
	if (syscall(SYS_close_range, first, last, 0) < 0)
		for (unsigned fd = (unsigned)first; fd <= last && fd < 65536; fd++)
			(void)close((int)fd);
}

static void close_all_but(const int *keep, size_t n)
{
	int next = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < next) /* 0-2, -1 (none) or a duplicate */
			continue;
		if (keep[i] > next)
			close_range_or_loop(next, (unsigned)keep[i] - 1);
		next = keep[i] + 1;
	}
	close_range_or_loop(next, ~0U);
}

static void child_fail(int fd, const char *what, int errnum)
{
	char msg[256];
	int len = snprintf(msg, sizeof(msg), "E%s: %s", what, strerror(errnum));
	(void)!write(fd, msg, (size_t)(len < (int)sizeof(msg) ? len : (int)sizeof(msg) - 1));
	_exit(1);
}

static int flow_open(uint16_t container_port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(container_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void __attribute__((noreturn)) relay_main(struct relay_child *c)
{
	engine_reset_signals();
	/* A TCP peer that went away is an error on that connection (EPIPE
	 * from splice), not the end of every other one. */
	signal(SIGPIPE, SIG_IGN);
	(void)setsid();

	size_t nkeep = c->count + 4;
	int *keep = malloc(nkeep * sizeof(*keep));
	if (keep == NULL)
		child_fail(c->ready_w, "out of memory", ENOMEM);
	keep[0] = c->ready_w;
	keep[1] = c->exit_r;
	keep[2] = c->userns_fd;
	keep[3] = c->netns_fd;
	memcpy(keep + 4, c->host_fds, c->count * sizeof(int));
	qsort(keep, nkeep, sizeof(*keep), int_compare);
	close_all_but(keep, nkeep);
	free(keep);

	/* The user namespace first: it gives the rights over the network
	 * namespace it owns.  Not when it is already ours (root, no userns). */
	if (c->userns_fd >= 0 && setns(c->userns_fd, CLONE_NEWUSER) < 0)
		child_fail(c->ready_w, "setns user namespace", errno);
	if (setns(c->netns_fd, CLONE_NEWNET) < 0)
		child_fail(c->ready_w, "setns network namespace", errno);
	if (c->userns_fd >= 0)
		close(c->userns_fd);
	close(c->netns_fd);
	/* The host sockets wait in an epoll set, itself one entry of the poll
	 * set below: a wake-up costs the same with 1 published port or 60,000,
	 * and only the ready ones are looked at. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		child_fail(c->ready_w, "epoll_create1", errno);
	for (size_t i = 0; i < c->count; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->host_fds[i], &ev) < 0)
			child_fail(c->ready_w, "epoll_ctl", errno);
	}
	(void)!write(c->ready_w, "1", 1);
	close(c->ready_w);

	static struct relay_flow flows[RELAY_MAX_FLOWS];
	for (size_t i = 0; i < RELAY_MAX_FLOWS; i++)
		flows[i].inner_fd = -1;
	static struct relay_conn conns[RELAY_MAX_CONNS];
	for (size_t i = 0; i < RELAY_MAX_CONNS; i++) {
		memset(&conns[i], -1, sizeof(conns[i].fd) + sizeof(conns[i].pipe));
		conns[i].queued[0] = conns[i].queued[1] = 0;
		conns[i].eof[0] = conns[i].eof[1] = conns[i].shut[0] = conns[i].shut[1] = false;
	}
	enum { POLL_EXIT, POLL_HOST, POLL_FLOWS };
	size_t tcp_base = POLL_FLOWS + RELAY_MAX_FLOWS;
	size_t npoll = tcp_base + 2 * RELAY_MAX_CONNS;
	struct pollfd *p = calloc(npoll, sizeof(*p));
	if (p == NULL)
		_exit(1);
	static char buf[65536];
	unsigned long long tick = 0;
	for (;;) {
		p[POLL_EXIT] = (struct pollfd){ .fd = c->exit_r, .events = POLLIN };
		p[POLL_HOST] = (struct pollfd){ .fd = ep, .events = POLLIN };
		for (size_t i = 0; i < RELAY_MAX_FLOWS; i++)
			p[POLL_FLOWS + i] = (struct pollfd){ .fd = flows[i].inner_fd, .events = POLLIN };
		for (size_t i = 0; i < RELAY_MAX_CONNS; i++)
			for (int side = 0; side < 2; side++)
				p[tcp_base + 2 * i + (size_t)side] = (struct pollfd){
					.fd = conns[i].fd[side],
					.events = conns[i].fd[side] >= 0 ? conn_events(&conns[i], side) : 0
				};
		if (poll(p, npoll, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (p[POLL_EXIT].revents != 0) /* the monitor closed or lost the pipe */
			_exit(0);
		for (size_t i = 0; i < RELAY_MAX_CONNS; i++) {
			if (conns[i].fd[0] < 0)
				continue;
			short rev[2] = { p[tcp_base + 2 * i].revents, p[tcp_base + 2 * i + 1].revents };
			if ((rev[0] != 0 || rev[1] != 0) && !conn_pump(&conns[i], rev))
				conn_close(&conns[i]);
		}
		/* Level-triggered: sockets still ready past these 64 come back at
		 * the next wake-up. */
		struct epoll_event ready[64];
		int n_ready = (p[POLL_HOST].revents & POLLIN) ? epoll_wait(ep, ready, 64, 0) : 0;
		for (int e = 0; e < n_ready; e++) {
			size_t i = (size_t)ready[e].data.u64;
			if (c->is_tcp[i]) {
				int client;
				while ((client = accept4(c->host_fds[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					size_t k = 0;
					while (k < RELAY_MAX_CONNS && conns[k].fd[0] >= 0)
						k++;
					if (k == RELAY_MAX_CONNS) {
						close(client); /* full: refused, as a full backlog */
						continue;
					}
					conn_open(&conns[k], client, c->container_ports[i]);
				}
				continue;
			}
			struct sockaddr_storage from;
			socklen_t from_len = sizeof(from);
			ssize_t n = recvfrom(c->host_fds[i], buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
			if (n < 0)
				continue;
			struct relay_flow *f = NULL, *oldest = &flows[0];
			for (size_t k = 0; k < RELAY_MAX_FLOWS && f == NULL; k++) {
				struct relay_flow *x = &flows[k];
				if (x->inner_fd >= 0 && x->port == i && x->client_len == from_len &&
				    memcmp(&x->client, &from, from_len) == 0)
					f = x;
				else if (x->inner_fd < 0 || (oldest->inner_fd >= 0 && x->last_used < oldest->last_used))
					oldest = x;
			}
			if (f == NULL) {
				f = oldest;
				if (f->inner_fd >= 0)
					close(f->inner_fd);
				f->inner_fd = flow_open(c->container_ports[i]);
				if (f->inner_fd < 0)
					continue;
				f->port = i;
				f->client = from;
				f->client_len = from_len;
			}
			f->last_used = ++tick;
			(void)send(f->inner_fd, buf, (size_t)n, MSG_DONTWAIT);
		}
		for (size_t k = 0; k < RELAY_MAX_FLOWS; k++) {
			struct relay_flow *f = &flows[k];
			if (f->inner_fd < 0 || !(p[POLL_FLOWS + k].revents & (POLLIN | POLLERR)))
				continue;
			ssize_t n = recv(f->inner_fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0) /* ECONNREFUSED: nothing listens inside (yet) */
				continue;
			f->last_used = ++tick;
			(void)sendto(c->host_fds[f->port], buf, (size_t)n, MSG_DONTWAIT,
				     (struct sockaddr *)&f->client, f->client_len);
		}
	}
}

/* Whether /proc/PID/ns/user is the user namespace we are in. */
static int same_userns(int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

int netns_udp_relay_start(pid_t target_pid, const struct netns_port_list *ports, int timeout_ms,
			  struct netns_udp_relay **ret, struct engine_error **err)
{
	return netns_relay_start(target_pid, ports, 0, timeout_ms, ret, err);
}

/* Whether the relay takes port P: UDP always, TCP when asked. */
static bool relayed(const struct netns_port *p, int tcp)
{
	return p->proto == NETNS_PROTO_UDP || (tcp && p->proto == NETNS_PROTO_TCP);
}

int netns_relay_start(pid_t target_pid, const struct netns_port_list *ports, int tcp, int timeout_ms,
		      struct netns_udp_relay **ret, struct engine_error **err)
{
	size_t count = 0, n_tcp = 0;
	for (size_t i = 0; i < ports->count; i++) {
		count += relayed(&ports->ports[i], tcp);
		n_tcp += relayed(&ports->ports[i], tcp) && ports->ports[i].proto == NETNS_PROTO_TCP;
	}
	/* The host sockets are bound here and live on in the relay: both need
	 * room for them.  The soft limit is put back once they are handed
	 * over, so that nothing else of ours (or the container's processes)
	 * inherits the raised one. */
	struct rlimit saved_nofile = { 0 }, nofile = { 0 };
	bool raised = false;
	if (getrlimit(RLIMIT_NOFILE, &saved_nofile) == 0) {
		nofile = saved_nofile;
		if (count > 0 && nofile.rlim_cur < nofile.rlim_max) {
			nofile.rlim_cur = nofile.rlim_max;
			raised = setrlimit(RLIMIT_NOFILE, &nofile) == 0;
			if (!raised)
				nofile = saved_nofile;
		}
	}
	size_t limit = RELAY_MAX_PORTS;
	if (nofile.rlim_cur != 0 && nofile.rlim_cur != RLIM_INFINITY)
		limit = nofile.rlim_cur > RELAY_FDS_RESERVED ? (size_t)(nofile.rlim_cur - RELAY_FDS_RESERVED) : 0;
	if (limit > RELAY_MAX_PORTS)
		limit = RELAY_MAX_PORTS;
	if (count > limit) {
		if (raised)
			(void)setrlimit(RLIMIT_NOFILE, &saved_nofile);
		return engine_error_set(err, E2BIG, "%zu published %s ports: at most %zu can be relayed%s", count,
					n_tcp == count ? "TCP" : n_tcp == 0 ? "UDP" : "TCP and UDP", limit,
					limit < RELAY_MAX_PORTS ? " (the open files limit, ulimit -n)" : "");
	}
	cleanup_free int *host_fds = calloc(count ? count : 1, sizeof(int));
	cleanup_free uint16_t *container_ports = calloc(count ? count : 1, sizeof(uint16_t));
	cleanup_free unsigned char *is_tcp = calloc(count ? count : 1, 1);
	if (host_fds == NULL || container_ports == NULL || is_tcp == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	size_t bound = 0;
	int r = 0;
	for (size_t i = 0; i < ports->count && r == 0; i++) {
		const struct netns_port *p = &ports->ports[i];
		if (!relayed(p, tcp))
			continue;
		if (p->host_port == 0) {
			r = engine_error_set(err, EINVAL, "publish %u/%s: no host port chosen", p->container_port,
					     netns_proto_name(p->proto));
			break;
		}
		int fd = netns_port_bind(p->host_ip, p->host_port, p->proto, err);
		if (fd >= 0 && p->proto == NETNS_PROTO_TCP && listen(fd, 128) < 0) {
			engine_error_errno(err, errno, "listen tcp %s:%u", netns_port_host_ip(p), p->host_port);
			close(fd);
			fd = -1;
		}
		if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
			if (fd >= 0)
				close(fd);
			r = -1;
			break;
		}
		host_fds[bound] = fd;
		is_tcp[bound] = p->proto == NETNS_PROTO_TCP;
		container_ports[bound++] = p->container_port;
	}

	char path[64];
	int userns_fd = -1, netns_fd = -1, ready[2] = { -1, -1 }, exitp[2] = { -1, -1 };
	if (r == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)target_pid);
		userns_fd = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)target_pid);
		netns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (userns_fd < 0 || netns_fd < 0)
			r = engine_error_errno(err, errno, "udp relay: open %s", path);
		else if (same_userns(userns_fd))
			close(take_fd(&userns_fd));
	}
	if (r == 0 && (pipe2(ready, O_CLOEXEC) < 0 || pipe2(exitp, O_CLOEXEC) < 0))
		r = engine_error_errno(err, errno, "udp relay: pipe");
	pid_t pid = -1;
	if (r == 0) {
		pid = fork();
		if (pid < 0)
			r = engine_error_errno(err, errno, "udp relay: fork");
	}
	if (pid == 0) {
		struct relay_child c = { .ready_w = ready[1], .exit_r = exitp[0], .userns_fd = userns_fd,
					 .netns_fd = netns_fd, .count = bound, .host_fds = host_fds,
					 .container_ports = container_ports, .is_tcp = is_tcp };
		relay_main(&c);
	}
	/* The parent keeps only the read end of ready and the write end of exit. */
	for (size_t i = 0; i < bound; i++)
		close(host_fds[i]);
	if (raised)
		(void)setrlimit(RLIMIT_NOFILE, &saved_nofile);
	if (userns_fd >= 0)
		close(userns_fd);
	if (netns_fd >= 0)
		close(netns_fd);
	if (ready[1] >= 0)
		close(ready[1]);
	if (exitp[0] >= 0)
		close(exitp[0]);
	cleanup_close int ready_r = ready[0];
	cleanup_close int exit_w = exitp[1];
	if (r < 0)
		return -1;

	char msg[257] = "";
	ssize_t n = 0;
	long long deadline = engine_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		long long left = deadline - engine_monotonic_ms();
		struct pollfd pfd = { .fd = ready_r, .events = POLLIN };
		int pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return engine_error_set(err, ETIMEDOUT, "udp relay did not start within %d ms", timeout_ms);
		}
		n = read(ready_r, msg, sizeof(msg) - 1);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	msg[n > 0 ? n : 0] = '\0';
	if (strcmp(msg, "1") != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return engine_error_set(err, EIO, "udp relay for pid %d: %s", (int)target_pid,
					msg[0] == 'E' ? msg + 1 : "exited before it was ready");
	}
	struct netns_udp_relay *relay = calloc(1, sizeof(*relay));
	if (relay == NULL) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	relay->pid = pid;
	relay->exit_fd = take_fd(&exit_w);
	*ret = relay;
	return 0;
}

int netns_udp_relay_stop(struct netns_udp_relay *r, int timeout_ms, struct engine_error **err)
{
	if (r == NULL)
		return 0;
	pid_t pid = r->pid;
	int w = engine_child_stop(pid, take_fd(&r->exit_fd), timeout_ms);
	free(r);
	return w < 0 ? engine_error_errno(err, -w, "udp relay %d: waitpid", (int)pid) : 0;
}
