/* test-net-slirp.c: slirp4netns for real, through netns/slirp4netns.c.
 *
 * The processes, as the monitor will have them:
 *   test (T, a child subreaper)
 *    ├─ ns   (N): unshare(CLONE_NEWUSER|CLONE_NEWNET), one-id map; checks
 *    │            tap0 from inside and serves TCP and UDP on port 80
 *    └─ holder (M): netns_slirp_start() for N, keeps the exit fd, sleeps
 *         └─ slirp4netns
 * T publishes ports through the API socket, talks to N through them on
 * 127.0.0.1, checks that slirp4netns got none of M's fds, SIGKILLs M and
 * checks that slirp4netns (re-parented to T) exits by itself.
 *
 * Before that, without a process: --network slirp4netns:OPTS parsing, and
 * the errors for a missing slirp4netns, a dead target and a missing
 * /dev/net/tun (a tmpfs over /dev/net in a mount namespace of the test's
 * own, never the host's).
 *
 * No traffic leaves loopback and the namespace made here: the forwarded
 * ports are bound on 127.0.0.1 and N never connects anywhere. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns/slirp4netns.h"
#include "netns/udp-relay.h"
#include "fixtures.h"
#include "loopback.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

#define TIMEOUT_MS 10000

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	return r;
}

/* One message of at most SIZE-1 bytes on a SOCK_SEQPACKET pair. */
static int msg_recv(int fd, char *buf, size_t size)
{
	if (wait_readable(fd, TIMEOUT_MS) <= 0)
		return -1;
	ssize_t n = recv(fd, buf, size - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void msg_send(int fd, const char *s)
{
	(void)!send(fd, s, strlen(s), MSG_NOSIGNAL);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* N: what tap0 looks like from inside, as one line. */
static void describe_tap0(char *out, size_t size)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	char addr[INET_ADDRSTRLEN] = "?", mask[INET_ADDRSTRLEN] = "?", gw[INET_ADDRSTRLEN] = "?";
	int mtu = -1, up = 0;
	strcpy(ifr.ifr_name, "tap0");
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, addr, sizeof(addr));
	if (ioctl(fd, SIOCGIFNETMASK, &ifr) == 0)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr, mask, sizeof(mask));
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) != 0;
	close(fd);
	/* /proc/net is the reader's namespace: N's. */
	FILE *f = fopen("/proc/net/route", "re");
	char line[256], iface[IFNAMSIZ + 1];
	unsigned dest, gateway;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%16s %x %x", iface, &dest, &gateway) == 3 && dest == 0 &&
		    strcmp(iface, "tap0") == 0) {
			struct in_addr g = { .s_addr = gateway };
			inet_ntop(AF_INET, &g, gw, sizeof(gw));
		}
	if (f != NULL)
		fclose(f);
	snprintf(out, size, "%s/%s via %s mtu %d%s", addr, mask, gw, mtu, up ? " up" : " down");
}

static int listen_on(int type, uint16_t port)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0))
		return -1;
	return fd;
}

/* N: try the host's 127.0.0.1:PORT as slirp4netns's gateway 10.0.2.2 sees
 * it; "connected" or why not. */
static void connect_host(uint16_t port, char *out, size_t size)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, "10.0.2.2", &a.sin_addr);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	if (r < 0 && e == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		socklen_t len = sizeof(e);
		if (poll(&p, 1, 3000) <= 0)
			e = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
			r = 0;
	}
	snprintf(out, size, "%s", r == 0 ? "connected" : strerror(e));
	close(fd);
}

/* N: answer "pong:" + what arrives, on TCP and UDP port 80, until T hangs up. */
static void __attribute__((noreturn)) ns_main(int ctl, int with_userns)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64], buf[256];
	if (unshare((with_userns ? CLONE_NEWUSER : 0) | CLONE_NEWNET) < 0) {
		snprintf(buf, sizeof(buf), "unshare: %s", strerror(errno));
		msg_send(ctl, buf);
		_exit(1);
	}
	int r = 0;
	if (with_userns) {
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		r = write_file("/proc/self/uid_map", map);
		(void)write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		r |= write_file("/proc/self/gid_map", map);
	}
	msg_send(ctl, r == 0 ? "ns" : "id maps failed");
	if (msg_recv(ctl, buf, sizeof(buf)) < 0) /* "check": slirp4netns is ready */
		_exit(1);
	describe_tap0(buf, sizeof(buf));
	msg_send(ctl, buf);
	int tcp = listen_on(SOCK_STREAM, 80), udp = listen_on(SOCK_DGRAM, 80);
	msg_send(ctl, tcp >= 0 && udp >= 0 ? "listening" : "listen failed");
	for (;;) {
		struct pollfd p[3] = { { .fd = ctl, .events = POLLIN }, { .fd = tcp, .events = POLLIN },
				       { .fd = udp, .events = POLLIN } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			_exit(1);
		char in[128], reply[160];
		if (p[0].revents) {
			ssize_t n = recv(ctl, in, sizeof(in) - 1, 0);
			if (n <= 0)
				_exit(0);
			in[n] = '\0';
			connect_host((uint16_t)atoi(in), reply, sizeof(reply));
			msg_send(ctl, reply);
		}
		if (p[1].revents & POLLIN) {
			int c = accept4(tcp, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0 && wait_readable(c, TIMEOUT_MS) > 0) {
				ssize_t n = read(c, in, sizeof(in) - 1);
				in[n > 0 ? n : 0] = '\0';
				int len = snprintf(reply, sizeof(reply), "pong:%s", in);
				(void)!write(c, reply, (size_t)len);
			}
			if (c >= 0)
				close(c);
		}
		if (p[2].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);
			ssize_t n = recvfrom(udp, in, sizeof(in) - 1, 0, (struct sockaddr *)&from, &flen);
			in[n > 0 ? n : 0] = '\0';
			int len = snprintf(reply, sizeof(reply), "pong:%s", in);
			sendto(udp, reply, (size_t)len, 0, (struct sockaddr *)&from, flen);
		}
	}
}

/* A child running ns_main (WITH_USERNS as it takes it); *RET_CTL is our end
 * of its control socket. */
static pid_t fork_ns(int with_userns, int *ret_ctl)
{
	int pair[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair);
	pid_t child = fork();
	if (child == 0) {
		close(pair[0]);
		ns_main(pair[1], with_userns);
	}
	close(pair[1]);
	*ret_ctl = pair[0];
	return child;
}

/* M: start slirp4netns and the UDP relay for N, report "SLIRPPID RELAYPID"
 * or the error, hold both exit fds. */
static void __attribute__((noreturn)) holder_main(int ctl, pid_t ns_pid, const char *sock, int marker,
						  const struct netns_port_list *ports)
{
	struct netns_slirp_options opts;
	netns_slirp_options_init(&opts);
	struct netns_slirp *s = NULL;
	struct engine_error *err = NULL;
	char buf[512];
	if (netns_slirp_start(ns_pid, sock, &opts, TIMEOUT_MS, &s, &err) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err->msg);
		msg_send(ctl, buf);
		_exit(1);
	}
	struct netns_udp_relay *relay = NULL;
	if (netns_udp_relay_start(ns_pid, ports, TIMEOUT_MS, &relay, &err) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err->msg);
		msg_send(ctl, buf);
		_exit(1);
	}
	snprintf(buf, sizeof(buf), "%d %d", (int)s->pid, (int)relay->pid);
	msg_send(ctl, buf);
	(void)marker; /* stays open, not close-on-exec, for as long as M lives */
	for (;;)
		pause();
}

/* How many fds PID holds, and in *RET_FOUND (where MATCH is not NULL)
 * whether one of them is the object MATCH describes; -1 when /proc does
 * not say. */
static int scan_fds(pid_t pid, const struct stat *match, int *ret_found)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return -1;
	int n = 0, found = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		struct stat other;
		if (match != NULL && fstatat(dirfd(d), e->d_name, &other, 0) == 0 &&
		    other.st_ino == match->st_ino && other.st_dev == match->st_dev)
			found = 1;
	}
	closedir(d);
	if (ret_found != NULL)
		*ret_found = found;
	return n;
}

/* Whether any fd of PID is the object behind our fd MINE. */
static int has_fd_of(pid_t pid, int mine)
{
	struct stat st;
	int found = 0;
	if (fstat(mine, &st) < 0 || scan_fds(pid, &st, &found) < 0)
		return -1;
	return found;
}

static int count_fds(pid_t pid)
{
	return scan_fds(pid, NULL, NULL);
}

/* Send MSG to 127.0.0.1:PORT over TYPE and return the reply (static). */
static const char *exchange(int type, uint16_t port, const char *msg)
{
	static char reply[256];
	reply[0] = '\0';
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		snprintf(reply, sizeof(reply), "connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return reply;
	}
	/* UDP through slirp4netns: the first datagram may race the guest's
	 * ARP; resend a few times, as any UDP client would. */
	for (int attempt = 0; attempt < (type == SOCK_DGRAM ? 10 : 1); attempt++) {
		(void)!write(fd, msg, strlen(msg));
		if (type == SOCK_STREAM)
			shutdown(fd, SHUT_WR);
		if (wait_readable(fd, type == SOCK_DGRAM ? 500 : TIMEOUT_MS) > 0) {
			ssize_t n = read(fd, reply, sizeof(reply) - 1);
			reply[n > 0 ? n : 0] = '\0';
			break;
		}
	}
	close(fd);
	return reply;
}

/* How many of our children (not zombies) have COMM as their name. */
static int children_named(const char *comm)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], stat_line[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, stat_line, sizeof(stat_line) - 1);
		close(fd);
		if (len <= 0)
			continue;
		stat_line[len] = '\0';
		/* pid (comm) state ppid */
		char *open_paren = strchr(stat_line, '('), *close_paren = strrchr(stat_line, ')');
		char state;
		int ppid;
		if (open_paren == NULL || close_paren == NULL ||
		    sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
			continue;
		*close_paren = '\0';
		if (ppid == getpid() && state != 'Z' && strcmp(open_paren + 1, comm) == 0)
			n++;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

/* children_named, polled until it reaches 0 (a killed process takes a
 * moment to die) or TIMEOUT_MS passes; the last count. */
static int children_named_settle(const char *comm)
{
	int n = children_named(comm);
	for (int waited = 0; n > 0 && waited < TIMEOUT_MS; waited += 10) {
		struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		n = children_named(comm);
	}
	return n;
}

static int socket_refuses(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return 0;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(fd);
	return r < 0 && e == ECONNREFUSED;
}

/* Wait for our (re-parented) child PID to exit; its status or -1. */
static int wait_exit(pid_t pid, int ms)
{
	for (int waited = 0; waited < ms; waited += 10) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0)
			return -1;
		struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* --network slirp4netns:OPTS and the addresses it implies (no process). */
static void options(void)
{
	struct netns_slirp_options o;
	struct engine_error *err = NULL;
	is_int(netns_slirp_network_parse("slirp4netns", &o, &err), 1, "slirp4netns recognised");
	is_int(o.mtu, 65520, "default MTU 65520");
	is_int(o.allow_host_loopback, 0, "host loopback refused by default");
	is_int(netns_slirp_network_parse("host", &o, &err), 0, "another mode is not ours");
	is_int(netns_slirp_network_parse("slirp4netnsx", &o, &err), 0, "a longer word is not ours");
	is_int(netns_slirp_network_parse("slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.9.8.0/24,"
					 "enable_ipv6=false,port_handler=slirp4netns,outbound_addr=192.0.2.2",
					 &o, &err), 1, "every option of Podman's");
	ok(o.allow_host_loopback && o.mtu == 1500 && strcmp(o.cidr, "10.9.8.0/24") == 0 && !o.enable_ipv6 &&
	   strcmp(o.outbound_addr, "192.0.2.2") == 0, "... read");
	struct netns_slirp_addresses a;
	is_int(netns_slirp_addresses(&o, &a, &err), 0, "addresses for cidr=10.9.8.0/24");
	ok(strcmp(a.container, "10.9.8.100") == 0 && strcmp(a.gateway, "10.9.8.2") == 0 &&
	   strcmp(a.dns, "10.9.8.3") == 0 && a.prefix_len == 24, "... .100, .2, .3");
	netns_slirp_options_init(&o);
	is_int(netns_slirp_addresses(&o, &a, &err), 0, "default addresses");
	ok(strcmp(a.container, "10.0.2.100") == 0 && strcmp(a.gateway, "10.0.2.2") == 0 &&
	   strcmp(a.dns, "10.0.2.3") == 0, "... 10.0.2.100, 10.0.2.2, 10.0.2.3");
	static const struct text_case bad[] = {
		{ "slirp4netns:foo=1", "slirp4netns: unknown option foo" },
		{ "slirp4netns:mtu", "slirp4netns: option mtu: expected KEY=VALUE" },
		{ "slirp4netns:mtu=70000", "slirp4netns: invalid value for mtu: 70000" },
		{ "slirp4netns:mtu=-1", "slirp4netns: invalid value for mtu: -1" },
		{ "slirp4netns:allow_host_loopback=yes", "slirp4netns: invalid value for allow_host_loopback: yes" },
		{ "slirp4netns:cidr=10.0.2.0", "slirp4netns: invalid value for cidr: 10.0.2.0" },
		{ "slirp4netns:cidr=10.0.2.0/30", "slirp4netns: invalid value for cidr: 10.0.2.0/30" },
		{ "slirp4netns:outbound_addr=eth0", "slirp4netns: invalid value for outbound_addr: eth0" },
		{ "slirp4netns:port_handler=rootlesskit",
		  "slirp4netns: port_handler=rootlesskit is not supported (use port_handler=slirp4netns)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(netns_slirp_network_parse(bad[i].input, &o, &err), -1, "%s refused", bad[i].input);
		is_str(err ? err->msg : NULL, bad[i].want, "%s message", bad[i].input);
		engine_error_free(&err);
	}
}

/* /dev/net/tun missing: a private mount namespace (ours, never the host's)
 * with a tmpfs over /dev/net.  Returns the start's message. */
static void tun_missing(const char *dir, char *out, size_t size)
{
	int pair[2];
	snprintf(out, size, "(no answer)");
	if (pipe2(pair, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char map[64], msg[512] = "setup failed";
		uid_t uid = getuid();
		gid_t gid = getgid();
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0) {
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
			write_file("/proc/self/uid_map", map);
			write_file("/proc/self/setgroups", "deny");
			snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
			write_file("/proc/self/gid_map", map);
			if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
			    mount("tmpfs", "/dev/net", "tmpfs", 0, NULL) == 0) {
				struct netns_slirp_options o;
				struct netns_slirp *s = NULL;
				struct engine_error *err = NULL;
				char sock[256];
				netns_slirp_options_init(&o);
				snprintf(sock, sizeof(sock), "%s/tun.sock", dir);
				if (netns_slirp_start(getppid(), sock, &o, TIMEOUT_MS, &s, &err) < 0) {
					cleanup_free char *text = cmd_error_text(err);
					snprintf(msg, sizeof(msg), "%s", text);
				} else
					snprintf(msg, sizeof(msg), "started");
			}
		}
		(void)!write(pair[1], msg, strlen(msg));
		_exit(0);
	}
	close(pair[1]);
	if (wait_readable(pair[0], TIMEOUT_MS) > 0) {
		ssize_t n = read(pair[0], out, size - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	close(pair[0]);
	waitpid(pid, NULL, 0);
}

static void error_paths(const char *dir)
{
	struct netns_slirp_options opts;
	netns_slirp_options_init(&opts);
	struct netns_slirp *s = NULL;
	struct engine_error *err = NULL;
	char sock[256];
	snprintf(sock, sizeof(sock), "%s/err.sock", dir);

	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", dir, 1);
	ok(netns_slirp_start(getpid(), sock, &opts, TIMEOUT_MS, &s, &err) < 0, "no slirp4netns in $PATH: refused");
	ok(err && strstr(err->msg, "slirp4netns not found in $PATH: install it") == err->msg,
	   "no slirp4netns: says how to install (%s)", err ? err->msg : "");
	engine_error_free(&err);
	if (saved != NULL)
		setenv("PATH", saved, 1);
	free(saved);

	/* A pid that is gone: slirp4netns exits at once and says why. */
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	ok(netns_slirp_start(gone, sock, &opts, TIMEOUT_MS, &s, &err) < 0, "a dead target: refused");
	char want[256];
	snprintf(want, sizeof(want), "slirp4netns failed (exit status 1): /proc/%d/ns/net: No such file or directory",
		 (int)gone);
	ok(err && strcmp(err->msg, want) == 0,
	   "a dead target: slirp4netns's status and last line (%s)", err ? err->msg : "");
	engine_error_free(&err);
	ok(access(sock, F_OK) < 0, "a failed start leaves no API socket");

	char msg[512];
	tun_missing(dir, msg, sizeof(msg));
	is_str(msg, "/dev/net/tun is missing: slirp4netns needs the TUN device (modprobe tun) or use --network none|host",
	       "no /dev/net/tun: one line saying what to do");
}

/* Root's containers have no user namespace (libengine/userns/idmap.c): slirp4netns
 * and the relay then enter the network namespace alone.  Only root can make
 * one; the rootless pass below covers the other kind. */
static void root_without_userns(const char *dir)
{
	/* The rootless pass is a copy of this run: root's run has this test. */
	if (getenv("TEST_NET_SLIRP_ROOTLESS") != NULL)
		return;
	if (geteuid() != 0) {
		skip("root: slirp4netns and the relays in a network namespace without a user "
		     "namespace: not run as root");
		return;
	}
	char buf[256], sock[256];
	struct engine_error *err = NULL;
	snprintf(sock, sizeof(sock), "%s/root.sock", dir);
	int ctl;
	pid_t ns = fork_ns(0, &ctl);
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "ns") == 0, "root: a network namespace alone");
	struct netns_port_list ports = { 0 }, udp, rest;
	netns_ports_parse(&ports, "127.0.0.1::80", &err);
	netns_ports_parse(&ports, "127.0.0.1::80/udp", &err);
	netns_ports_allocate(&ports, &err);
	netns_ports_split(&ports, NETNS_PROTO_UDP, &udp, &rest, &err);
	struct netns_slirp_options opts;
	netns_slirp_options_init(&opts);
	struct netns_slirp *s = NULL;
	struct netns_udp_relay *relay = NULL;
	is_int(netns_slirp_start_published(ns, sock, &opts, &rest, TIMEOUT_MS, &s, &err), 0,
	       "root: slirp4netns started and the TCP port published");
	is_int(netns_udp_relay_start(ns, &udp, TIMEOUT_MS, &relay, &err), 0, "root: the UDP relay started");
	if (err)
		printf("# %s\n", err->msg), engine_error_free(&err);
	msg_send(ctl, "check");
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strncmp(buf, "10.0.2.100/", 11) == 0, "root: tap0 (%s)", buf);
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "listening") == 0, "root: listening");
	is_str(exchange(SOCK_STREAM, rest.ports[0].host_port, "root-tcp"), "pong:root-tcp", "root: TCP through slirp4netns");
	is_str(exchange(SOCK_DGRAM, udp.ports[0].host_port, "root-udp"), "pong:root-udp", "root: UDP through the relay");
	is_int(netns_udp_relay_stop(relay, TIMEOUT_MS, &err), 0, "root: relay stopped");
	/* TCP through our relay (splice), as run publishes it */
	struct netns_port_list tcp2 = { 0 };
	netns_ports_parse(&tcp2, "127.0.0.1::80", &err);
	netns_ports_allocate(&tcp2, &err);
	struct netns_udp_relay *trelay = NULL;
	is_int(netns_relay_start(ns, &tcp2, 1, TIMEOUT_MS, &trelay, &err), 0, "root: the TCP relay started");
	is_str(exchange(SOCK_STREAM, tcp2.ports[0].host_port, "relay-tcp"), "pong:relay-tcp",
	       "root: TCP through the relay");
	is_str(exchange(SOCK_STREAM, tcp2.ports[0].host_port, "relay-tcp2"), "pong:relay-tcp2",
	       "root: a second connection through it");
	is_int(netns_udp_relay_stop(trelay, TIMEOUT_MS, &err), 0, "root: TCP relay stopped");
	ok(netns_port_check_host("127.0.0.1", tcp2.ports[0].host_port, NETNS_PROTO_TCP, &err) == 0,
	   "root: its host port is free again");
	engine_error_free(&err);
	netns_port_list_clear(&tcp2);
	is_int(netns_slirp_stop(s, TIMEOUT_MS, &err), 0, "root: slirp4netns stopped");
	close(ctl);
	waitpid(ns, NULL, 0);
	netns_port_list_clear(&ports);
	netns_port_list_clear(&udp);
	netns_port_list_clear(&rest);
}

/* Run as root (CI runs unit tests as root), run everything again as an
 * unprivileged user (nobody) from a copy of this binary that user can
 * read: the rootless path (slirp4netns joining a user namespace we do not
 * own as root) is the one users take.  Its TAP lines come out as comments;
 * one test line here says whether they all passed. */
static void rootless_pass(void)
{
	if (geteuid() != 0 || getenv("TEST_NET_SLIRP_ROOTLESS") != NULL)
		return;
	char dir[] = "/tmp/test-net-slirp-bin.XXXXXX", copy[64];
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0) {
		ok(0, "rootless run: temp dir");
		return;
	}
	snprintf(copy, sizeof(copy), "%s/test-net-slirp", dir);
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	char chunk[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, chunk, sizeof(chunk))) > 0)
		if (write(out, chunk, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ok(0, "rootless run: pipe");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0 || chdir("/") < 0)
			_exit(126);
		setenv("TEST_NET_SLIRP_ROOTLESS", "1", 1);
		execl(copy, copy, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	FILE *f = fdopen(pipefd[0], "r");
	char line[1024];
	int plan = 0, failed = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		printf("# rootless: %s", line);
		if (strncmp(line, "not ok", 6) == 0)
			failed++;
		if (strncmp(line, "1..", 3) == 0)
			plan = atoi(line + 3);
	}
	if (f != NULL)
		fclose(f);
	int status = 0;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && plan > 0 && failed == 0,
	   "the same as nobody (uid 65534): %d tests, %d failed", plan, failed);
	unlink(copy);
	rmdir(dir);
}

int main(void)
{
	char dir[] = "/tmp/test-net-slirp.XXXXXX";
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	char sock[256];
	snprintf(sock, sizeof(sock), "%s/slirp.sock", dir);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);

	options();
	error_paths(dir);

	int holder_pair[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, holder_pair);
	int ctl;
	pid_t ns = fork_ns(1, &ctl);
	char buf[512];
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "ns") == 0, "namespaces made (%s)", buf);

	struct engine_error *err = NULL;
	struct netns_port_list ports = { 0 };
	netns_ports_parse(&ports, "127.0.0.1::80", &err);
	netns_ports_parse(&ports, "127.0.0.1::80/udp", &err);
	is_int(netns_ports_allocate(&ports, &err), 0, "free host ports chosen");

	/* An fd M holds without close-on-exec: slirp4netns must not get it. */
	int marker[2];
	(void)!pipe(marker);
	pid_t holder = fork();
	if (holder == 0) {
		close(holder_pair[0]);
		holder_main(holder_pair[1], ns, sock, marker[0], &ports);
	}
	close(holder_pair[1]);
	ok(msg_recv(holder_pair[0], buf, sizeof(buf)) == 0 && strncmp(buf, "error", 5) != 0,
	   "slirp4netns and the UDP relay started and ready (%s)", buf);
	pid_t slirp = 0, relay = 0;
	sscanf(buf, "%d %d", &slirp, &relay);
	if (slirp <= 0 || relay <= 0) {
		kill(holder, SIGKILL);
		kill(ns, SIGKILL);
		return done_testing();
	}
	ok(has_fd_of(slirp, marker[0]) == 0, "slirp4netns did not inherit a non-close-on-exec fd");
	ok(has_fd_of(slirp, ctl) == 0, "slirp4netns did not inherit the test's sockets");
	ok(has_fd_of(relay, marker[0]) == 0 && has_fd_of(relay, ctl) == 0,
	   "the UDP relay (a fork, no exec) kept none of its parent's fds");
	int nfds = count_fds(slirp);
	ok(nfds > 0 && nfds < 16, "slirp4netns holds only its own few fds (%d)", nfds);
	ok(access(sock, F_OK) == 0, "API socket created");

	msg_send(ctl, "check");
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0, "tap0 described from inside");
	is_str(buf, "10.0.2.100/255.255.255.0 via 10.0.2.2 mtu 65520 up", "tap0: 10.0.2.100/24, default via 10.0.2.2, MTU 65520");
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "listening") == 0, "listeners on port 80 inside (%s)", buf);

	is_int(netns_slirp_add_hostfwd(sock, &ports.ports[0], &err), 0, "add_hostfwd through the API socket");
	if (err)
		printf("# %s\n", err->msg), engine_error_free(&err);
	is_str(exchange(SOCK_STREAM, ports.ports[0].host_port, "tcp-hello"), "pong:tcp-hello",
	       "TCP 127.0.0.1:%u -> 80 inside", ports.ports[0].host_port);
	/* UDP through the relay: with --disable-host-loopback slirp4netns's
	 * own add_hostfwd would drop the replies to a client on 127.0.0.1
	 * (checked with host loopback allowed, below). */
	is_str(exchange(SOCK_DGRAM, ports.ports[1].host_port, "relayed"), "pong:relayed",
	       "UDP 127.0.0.1:%u -> 80/udp inside, through the relay", ports.ports[1].host_port);
	is_str(exchange(SOCK_DGRAM, ports.ports[1].host_port, "second client"), "pong:second client",
	       "UDP: a second client gets its own flow");
	struct netns_port_list taken_udp = { 0 };
	char spec[64];
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:81/udp", ports.ports[1].host_port);
	netns_ports_parse(&taken_udp, spec, &err);
	struct netns_udp_relay *second = NULL;
	ok(netns_udp_relay_start(ns, &taken_udp, TIMEOUT_MS, &second, &err) < 0, "a relay for a taken UDP port fails");
	snprintf(buf, sizeof(buf), "listen udp 127.0.0.1:%u: bind: Address already in use", ports.ports[1].host_port);
	is_str(err ? err->msg : NULL, buf, "... naming the port");
	engine_error_free(&err);
	netns_port_list_clear(&taken_udp);

	/* The host's 127.0.0.1 is out of reach by default. */
	uint16_t host_port = 0;
	int host_listener = listen_loopback(4, &host_port);
	snprintf(buf, sizeof(buf), "%u", host_port);
	msg_send(ctl, buf);
	ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "connected") != 0,
	   "default: the host's 127.0.0.1 is unreachable as 10.0.2.2 (%s)", buf);

	/* A taken host port: one line naming it. */
	struct netns_port taken = ports.ports[0];
	ok(netns_slirp_add_hostfwd(sock, &taken, &err) < 0, "the same host port twice: refused");
	snprintf(buf, sizeof(buf), "listen tcp 127.0.0.1:%u: bind: Address already in use", taken.host_port);
	is_str(err ? err->msg : NULL, buf, "taken port: the kernel's reason, naming the port");
	engine_error_free(&err);
	taken.proto = NETNS_PROTO_SCTP;
	ok(netns_slirp_add_hostfwd(sock, &taken, &err) < 0 && strstr(err->msg, "tcp and udp only"),
	   "sctp refused by name");
	engine_error_free(&err);
	struct netns_port_list v6 = { 0 };
	netns_ports_parse(&v6, "[::1]:8080:80", &err);
	ok(netns_slirp_add_hostfwd(sock, &v6.ports[0], &err) < 0, "an IPv6 host address refused");
	is_str(err ? err->msg : NULL, "publish [::1]:8080->80/tcp: slirp4netns publishes on IPv4 host addresses only",
	       "... in one line naming it");
	engine_error_free(&err);
	netns_port_list_clear(&v6);

	/* The monitor dies without a word: slirp4netns follows. */
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	int status = wait_exit(slirp, TIMEOUT_MS);
	ok(status >= 0, "slirp4netns exited after its exit-fd holder was killed");
	ok(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "... cleanly (status 0x%x)", status);
	ok(kill(slirp, 0) < 0 && errno == ESRCH, "no slirp4netns process left");
	status = wait_exit(relay, TIMEOUT_MS);
	ok(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the UDP relay exited too (status 0x%x)", status);
	is_int(netns_port_check_host("127.0.0.1", ports.ports[1].host_port, NETNS_PROTO_UDP, &err), 0,
	       "its host port is free again");
	engine_error_free(&err);
	ok(socket_refuses(sock), "its API socket is dead (slirp4netns 1.2 leaves the file)");
	is_int(netns_slirp_cleanup(sock, &err), 0, "netns_slirp_cleanup");
	ok(access(sock, F_OK) < 0 && errno == ENOENT, "API socket gone after cleanup");
	ok(strncmp(exchange(SOCK_STREAM, ports.ports[0].host_port, "x"), "connect:", 8) == 0,
	   "the published port is closed");

	/* Started again, stopped in order: netns_slirp_stop reaps and cleans. */
	struct netns_slirp_options opts;
	is_int(netns_slirp_options_parse("allow_host_loopback=true,port_handler=slirp4netns", &opts, &err), 0,
	       "allow_host_loopback=true");
	struct netns_slirp *s = NULL;
	is_int(netns_slirp_start(ns, sock, &opts, TIMEOUT_MS, &s, &err), 0, "second start in the same namespace");
	if (err)
		printf("# %s\n", err->msg), engine_error_free(&err);
	if (s != NULL) {
		pid_t pid = s->pid;
		is_int(children_named("slirp4netns"), 1, "one slirp4netns child while it runs");
		ok(fcntl(s->exit_fd, F_GETFD) & FD_CLOEXEC, "the exit fd we hold is close-on-exec");
		is_int(netns_slirp_add_hostfwd(sock, &ports.ports[0], &err), 0, "the port again");
		is_str(exchange(SOCK_STREAM, ports.ports[0].host_port, "again"), "pong:again", "TCP again");
		is_int(netns_slirp_add_hostfwd(sock, &ports.ports[1], &err), 0, "a udp port");
		is_str(exchange(SOCK_DGRAM, ports.ports[1].host_port, "udp-hello"), "pong:udp-hello",
		       "UDP 127.0.0.1:%u -> 80/udp inside", ports.ports[1].host_port);
		snprintf(buf, sizeof(buf), "%u", host_port);
		msg_send(ctl, buf);
		ok(msg_recv(ctl, buf, sizeof(buf)) == 0 && strcmp(buf, "connected") == 0,
		   "allow_host_loopback=true: the host's 127.0.0.1 is 10.0.2.2 (%s)", buf);
		is_int(netns_slirp_stop(s, TIMEOUT_MS, &err), 0, "netns_slirp_stop");
		ok(kill(pid, 0) < 0 && errno == ESRCH, "stopped: process reaped");
		ok(access(sock, F_OK) < 0, "stopped: API socket removed");
	}

	/* A start that times out (1 ms: slirp4netns's exec alone takes longer)
	 * leaves no process and no socket. */
	s = NULL;
	ok(netns_slirp_start(ns, sock, &opts, 1, &s, &err) < 0, "a start past its timeout fails");
	ok(err && strncmp(err->msg, "slirp4netns did not configure tap0 within 1 ms", 46) == 0,
	   "... saying so (%s)", err ? err->msg : "");
	engine_error_free(&err);
	is_int(children_named_settle("slirp4netns"), 0, "... and no slirp4netns is left");
	ok(access(sock, F_OK) < 0, "... nor its API socket");

	/* Start and publish as one step: a port that cannot be published
	 * leaves nothing running. */
	struct netns_port_list two = { 0 };
	uint16_t busy = 0;
	int busy_fd = listen_loopback(4, &busy);
	netns_ports_parse(&two, "127.0.0.1::80", &err);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:81", busy);
	netns_ports_parse(&two, spec, &err);
	netns_ports_allocate(&two, &err); /* refuses the busy one, after the first */
	engine_error_free(&err);
	s = NULL;
	ok(netns_slirp_start_published(ns, sock, &opts, &two, TIMEOUT_MS, &s, &err) < 0,
	   "start_published with a taken port fails");
	snprintf(buf, sizeof(buf), "listen tcp 127.0.0.1:%u: bind: Address already in use", busy);
	is_str(err ? err->msg : NULL, buf, "... naming the port");
	engine_error_free(&err);
	is_int(children_named_settle("slirp4netns"), 0, "... and no slirp4netns is left");
	ok(access(sock, F_OK) < 0, "... nor its API socket");
	close(busy_fd);
	netns_port_list_clear(&two);

	/* Released (the monitor on its way out): no wait, slirp4netns follows. */
	s = NULL;
	is_int(netns_slirp_start(ns, sock, &opts, TIMEOUT_MS, &s, &err), 0, "third start");
	if (s != NULL) {
		pid_t pid = netns_slirp_release(s);
		ok(access(sock, F_OK) < 0, "released: API socket removed at once");
		int st = wait_exit(pid, TIMEOUT_MS);
		ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "released: slirp4netns exited by itself");
	}

	/* The relay stopped in order. */
	struct netns_udp_relay *relay2 = NULL;
	is_int(netns_udp_relay_start(ns, &ports, TIMEOUT_MS, &relay2, &err), 0, "the UDP relay started alone");
	if (relay2 != NULL) {
		pid_t pid = relay2->pid;
		is_str(exchange(SOCK_DGRAM, ports.ports[1].host_port, "alone"), "pong:alone", "UDP through it");
		is_int(netns_udp_relay_stop(relay2, TIMEOUT_MS, &err), 0, "netns_udp_relay_stop");
		ok(kill(pid, 0) < 0 && errno == ESRCH, "relay stopped: process reaped");
		is_int(netns_port_check_host("127.0.0.1", ports.ports[1].host_port, NETNS_PROTO_UDP, &err), 0,
		       "relay stopped: host port free");
	}
	engine_error_free(&err);

	close(host_listener);
	close(ctl);
	waitpid(ns, NULL, 0);
	netns_port_list_clear(&ports);
	root_without_userns(dir);
	rmdir(dir);
	rootless_pass();
	return done_testing();
}
