/* slirp4netns.c: starting slirp4netns for a container and talking to its
 * API socket.
 *
 * Why slirp4netns: a rootless user cannot create a veth pair into the host's
 * namespace; slirp4netns (a user-space TCP/IP stack behind a tap device in
 * the container's namespace) needs no privilege and is what Podman uses.
 *
 * Lifetime: slirp4netns polls --exit-fd and exits when the pipe's write end
 * closes.  Only the caller (the container's monitor) holds that end, close-
 * on-exec, so slirp4netns ends with the monitor whatever kills it.  The
 * --ready-fd pipe says "1" once tap0 is configured; its EOF before that
 * means slirp4netns died, and its stderr (an anonymous memfd we read back)
 * says why.
 *
 * What this version (1.2.0, Debian 12) leaves to us: it does not remove its
 * API socket when it exits, and an add_hostfwd that cannot bind answers only
 * "slirp_add_hostfwd failed".  So we remove the socket ourselves and probe
 * the port to tell the user why. */
#include "netns/slirp4netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/proc.h"

#define SLIRP_DEFAULT_MTU 65520u
#define SLIRP_MAX_MTU 65521u
#define SLIRP_DEFAULT_CIDR "10.0.2.0/24"
#define SLIRP_READY_FD 3
#define SLIRP_EXIT_FD 4
#define API_REPLY_MAX (64 * 1024)

void netns_slirp_options_init(struct netns_slirp_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mtu = SLIRP_DEFAULT_MTU;
}

static int bool_parse(const char *value, int *ret)
{
	if (strcmp(value, "true") == 0)
		*ret = 1;
	else if (strcmp(value, "false") == 0)
		*ret = 0;
	else
		return -1;
	return 0;
}

/* "A.B.C.D/N" with N small enough that .100 is inside the network. */
static int cidr_parse(const char *cidr, struct in_addr *ret_net, unsigned *ret_prefix)
{
	char buf[INET_ADDRSTRLEN + 4];
	if (snprintf(buf, sizeof(buf), "%s", cidr) >= (int)sizeof(buf))
		return -1;
	char *slash = strchr(buf, '/');
	if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) > 2)
		return -1;
	*slash = '\0';
	char *end;
	unsigned long prefix = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] < '0' || slash[1] > '9' || prefix < 1 || prefix > 25)
		return -1;
	if (inet_pton(AF_INET, buf, ret_net) != 1)
		return -1;
	uint32_t mask = 0xffffffffu << (32 - prefix);
	ret_net->s_addr = htonl(ntohl(ret_net->s_addr) & mask);
	*ret_prefix = (unsigned)prefix;
	return 0;
}

int netns_slirp_options_parse(const char *opts, struct netns_slirp_options *ret,
			      struct engine_error **err)
{
	struct netns_slirp_options o;
	netns_slirp_options_init(&o);
	cleanup_free char *copy = strdup(opts != NULL ? opts : "");
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *opt = strtok_r(copy, ",", &save); opt != NULL; opt = strtok_r(NULL, ",", &save)) {
		char *value = strchr(opt, '=');
		if (value == NULL)
			return engine_error_set(err, EINVAL,
						"slirp4netns: option %s: expected KEY=VALUE", opt);
		*value++ = '\0';
		int bad = 0;
		if (strcmp(opt, "allow_host_loopback") == 0) {
			bad = bool_parse(value, &o.allow_host_loopback) < 0;
		} else if (strcmp(opt, "enable_ipv6") == 0) {
			bad = bool_parse(value, &o.enable_ipv6) < 0;
		} else if (strcmp(opt, "mtu") == 0) {
			char *end;
			errno = 0;
			unsigned long mtu = strtoul(value, &end, 10);
			/* IPv4 needs 68 bytes; slirp4netns refuses more than 65521. */
			bad = value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 || mtu < 68 ||
			      mtu > SLIRP_MAX_MTU;
			o.mtu = (unsigned)mtu;
		} else if (strcmp(opt, "cidr") == 0) {
			struct in_addr net;
			unsigned prefix;
			bad = cidr_parse(value, &net, &prefix) < 0 ||
			      snprintf(o.cidr, sizeof(o.cidr), "%s", value) >= (int)sizeof(o.cidr);
		} else if (strcmp(opt, "outbound_addr") == 0) {
			struct in_addr a;
			bad = inet_pton(AF_INET, value, &a) != 1;
			snprintf(o.outbound_addr, sizeof(o.outbound_addr), "%s", value);
		} else if (strcmp(opt, "outbound_addr6") == 0) {
			struct in6_addr a;
			bad = inet_pton(AF_INET6, value, &a) != 1;
			snprintf(o.outbound_addr6, sizeof(o.outbound_addr6), "%s", value);
		} else if (strcmp(opt, "port_handler") == 0) {
			if (strcmp(value, "rootlesskit") == 0)
				return engine_error_set(err, ENOTSUP,
							"slirp4netns: port_handler=rootlesskit is not supported (use port_handler=slirp4netns)");
			bad = strcmp(value, "slirp4netns") != 0;
		} else {
			return engine_error_set(err, EINVAL, "slirp4netns: unknown option %s", opt);
		}
		if (bad)
			return engine_error_set(err, EINVAL, "slirp4netns: invalid value for %s: %s",
						opt, value);
	}
	*ret = o;
	return 0;
}

int netns_slirp_network_parse(const char *value, struct netns_slirp_options *ret,
			      struct engine_error **err)
{
	if (strncmp(value, "slirp4netns", 11) != 0 || (value[11] != '\0' && value[11] != ':'))
		return 0;
	if (netns_slirp_options_parse(value[11] == ':' ? value + 12 : NULL, ret, err) < 0)
		return -1;
	return 1;
}

int netns_slirp_addresses(const struct netns_slirp_options *opts, struct netns_slirp_addresses *ret,
			  struct engine_error **err)
{
	struct in_addr net;
	unsigned prefix;
	const char *cidr = opts->cidr[0] != '\0' ? opts->cidr : SLIRP_DEFAULT_CIDR;
	if (cidr_parse(cidr, &net, &prefix) < 0)
		return engine_error_set(err, EINVAL, "slirp4netns: invalid cidr %s", cidr);
	struct netns_slirp_addresses a = { .prefix_len = prefix };
	uint32_t base = ntohl(net.s_addr);
	struct {
		char *out;
		uint32_t host;
	} want[] = { { a.container, 100 }, { a.gateway, 2 }, { a.dns, 3 } };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct in_addr x = { .s_addr = htonl(base + want[i].host) };
		inet_ntop(AF_INET, &x, want[i].out, INET_ADDRSTRLEN);
	}
	*ret = a;
	return 0;
}

/* The absolute path of slirp4netns from $PATH, or NULL. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return NULL;
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = NULL;
		if (dir[0] == '\0' || asprintf(&candidate, "%s/%s", dir, name) < 0)
			continue;
		struct stat st;
		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
			return candidate;
		free(candidate);
	}
	return NULL;
}

/* Whether a log line says nothing about why slirp4netns failed: its
 * warnings, its start-up banner (stdout, buffered, so it lands after the
 * error written to stderr), its tap fd hand-over, and its processes' echo of
 * each other's failure, which we report ourselves. */
static int log_line_is_noise(const char *line)
{
	static const char *const prefixes[] = { "WARNING:", "* ", "Starting slirp", "sent tapfd",
						"received tapfd", "child failed", "parent failed" };
	if (line[0] == '\0')
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(line, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* The last informative line slirp4netns wrote to its log (for an error). */
static void log_tail(int fd, char *buf, size_t size)
{
	buf[0] = '\0';
	off_t end = lseek(fd, 0, SEEK_END);
	if (end <= 0)
		return;
	char tmp[4096];
	off_t start = end > (off_t)sizeof(tmp) - 1 ? end - (off_t)sizeof(tmp) + 1 : 0;
	ssize_t n = pread(fd, tmp, (size_t)(end - start), start);
	if (n <= 0)
		return;
	tmp[n] = '\0';
	for (;;) {
		while (n > 0 && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r' || tmp[n - 1] == ' '))
			tmp[--n] = '\0';
		if (n == 0)
			return;
		char *line = strrchr(tmp, '\n');
		const char *from = line != NULL ? line + 1 : tmp;
		if (!log_line_is_noise(from)) {
			size_t len = strlen(from) < size - 1 ? strlen(from) : size - 1;
			memcpy(buf, from, len);
			buf[len] = '\0';
			return;
		}
		if (line == NULL)
			return;
		*line = '\0';
		n = line - tmp;
	}
}

/* In the forked child, before exec: only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(const char *binary, char *const argv[], int ready_w, int exit_r, int log_fd)
{
	engine_reset_signals();
	/* A session of its own: ^C in the caller's terminal is not for it. */
	(void)setsid();
	/* A mount namespace of its own, private all the way down, where we
	 * may make one (root).  slirp4netns 1.2's --enable-sandbox unshares a
	 * mount namespace, makes only "/" private and detaches the old root
	 * after pivot_root: every shared mount under it (on a systemd host,
	 * all of them: /sys/fs/cgroup, /run, ...) is unmounted in its peers
	 * too, the host's included.  In a private copy the unmount stays
	 * there.  Rootless, the unshare fails (EPERM) and nothing is needed:
	 * slirp4netns runs in the container's user namespace, from whose
	 * mounts no unmount propagates back. */
	if (unshare(CLONE_NEWNS) == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(126);
	} else if (geteuid() == 0) {
		_exit(126);
	}

	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* First above every target number, so dup2 below cannot clobber a
	 * source that happens to be 0..4. */
	int r = fcntl(ready_w, F_DUPFD_CLOEXEC, 10);
	int e = fcntl(exit_r, F_DUPFD_CLOEXEC, 10);
	int l = fcntl(log_fd, F_DUPFD_CLOEXEC, 10);
	int n = fcntl(devnull, F_DUPFD_CLOEXEC, 10);
	if (devnull < 0 || r < 0 || e < 0 || l < 0 || n < 0 || dup2(n, 0) < 0 || dup2(l, 1) < 0 ||
	    dup2(l, 2) < 0 || dup2(r, SLIRP_READY_FD) < 0 || dup2(e, SLIRP_EXIT_FD) < 0)
		_exit(126);
	/* Nothing else of ours: close everything above the exit fd. */
	if (syscall(SYS_close_range, SLIRP_EXIT_FD + 1, ~0U, 0) < 0) {
		long max = sysconf(_SC_OPEN_MAX);
		for (long fd = SLIRP_EXIT_FD + 1; fd < (max > 0 ? max : 65536); fd++)
			(void)close((int)fd);
	}
	execv(binary, argv);
	static const char msg[] = "slirp4netns: exec failed\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

/* slirp4netns forks a helper that joins the namespaces and hands tap0's fd
 * back; killing only the main process would leave that helper to finish on
 * its own.  Both are in the process group of the session setsid() made. */
static void kill_group(pid_t pid)
{
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
}

static void reap(pid_t pid, int *ret_status)
{
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret_status != NULL)
		*ret_status = status;
}

static void status_describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %d", status);
}

int netns_slirp_start(pid_t target_pid, const char *api_socket, const struct netns_slirp_options *opts,
		      int timeout_ms, struct netns_slirp **ret, struct engine_error **err)
{
	cleanup_free char *binary = find_in_path("slirp4netns");
	if (binary == NULL)
		return engine_error_setting(err, "network", ENOENT,
					"slirp4netns not found in $PATH: install it (apt-get install slirp4netns, dnf install slirp4netns) or use network none|host");
	struct stat st;
	if (stat("/dev/net/tun", &st) < 0 || !S_ISCHR(st.st_mode))
		return engine_error_setting(err, "network", ENODEV,
					"/dev/net/tun is missing: slirp4netns needs the TUN device (modprobe tun) or use network none|host");
	struct sockaddr_un sun;
	if (strlen(api_socket) >= sizeof(sun.sun_path))
		return engine_error_set(err, ENAMETOOLONG, "slirp4netns API socket %s: path too long",
					api_socket);
	if (unlink(api_socket) < 0 && errno != ENOENT)
		return engine_error_errno(err, errno, "remove stale %s", api_socket);

	const char *cidr = opts->cidr[0] != '\0' ? opts->cidr : NULL;
	char mtu[32], ready_fd[32], exit_fd_arg[32], pid[32], cidr_arg[64], out4[64], out6[80];
	snprintf(mtu, sizeof(mtu), "--mtu=%u", opts->mtu != 0 ? opts->mtu : SLIRP_DEFAULT_MTU);
	snprintf(ready_fd, sizeof(ready_fd), "--ready-fd=%d", SLIRP_READY_FD);
	snprintf(exit_fd_arg, sizeof(exit_fd_arg), "--exit-fd=%d", SLIRP_EXIT_FD);
	snprintf(pid, sizeof(pid), "%d", (int)target_pid);
	snprintf(cidr_arg, sizeof(cidr_arg), "--cidr=%s", cidr != NULL ? cidr : "");
	snprintf(out4, sizeof(out4), "--outbound-addr=%s", opts->outbound_addr);
	snprintf(out6, sizeof(out6), "--outbound-addr6=%s", opts->outbound_addr6);
	char *argv[24];
	size_t argc = 0;
	argv[argc++] = "slirp4netns";
	argv[argc++] = "--configure";
	argv[argc++] = mtu;
	if (!opts->allow_host_loopback)
		argv[argc++] = "--disable-host-loopback";
	argv[argc++] = "--enable-sandbox";
	argv[argc++] = "--enable-seccomp";
	if (opts->enable_ipv6)
		argv[argc++] = "--enable-ipv6";
	if (cidr != NULL)
		argv[argc++] = cidr_arg;
	if (opts->outbound_addr[0] != '\0')
		argv[argc++] = out4;
	if (opts->outbound_addr6[0] != '\0')
		argv[argc++] = out6;
	argv[argc++] = ready_fd;
	argv[argc++] = exit_fd_arg;
	argv[argc++] = "--api-socket";
	argv[argc++] = (char *)api_socket;
	argv[argc++] = pid;
	argv[argc++] = "tap0";
	argv[argc] = NULL;

	int ready[2], exitp[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return engine_error_errno(err, errno, "slirp4netns: pipe");
	cleanup_close int ready_r = ready[0];
	cleanup_close int ready_w = ready[1];
	if (pipe2(exitp, O_CLOEXEC) < 0)
		return engine_error_errno(err, errno, "slirp4netns: pipe");
	cleanup_close int exit_r = exitp[0];
	cleanup_close int exit_w = exitp[1];
	cleanup_close int log_fd = memfd_create("slirp4netns.log", MFD_CLOEXEC);
	if (log_fd < 0)
		return engine_error_errno(err, errno, "slirp4netns: memfd_create");

	engine_debug("starting %s for pid %d, API socket %s", binary, (int)target_pid, api_socket);
	pid_t child = fork();
	if (child < 0)
		return engine_error_errno(err, errno, "slirp4netns: fork");
	if (child == 0)
		child_exec(binary, argv, ready_w, exit_r, log_fd);
	close(take_fd(&ready_w));
	close(take_fd(&exit_r));

	long long deadline = engine_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	char byte = 0;
	int state = 0; /* 1 ready, -1 EOF, -2 timeout */
	while (state == 0) {
		long long left = deadline - engine_monotonic_ms();
		if (left <= 0) {
			state = -2;
			break;
		}
		struct pollfd pfd = { .fd = ready_r, .events = POLLIN };
		int n = poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			kill_group(child);
			reap(child, NULL);
			return engine_error_errno(err, saved, "slirp4netns: poll");
		}
		if (n == 0)
			continue;
		ssize_t r = read(ready_r, &byte, 1);
		if (r < 0 && errno == EINTR)
			continue;
		state = r == 1 ? 1 : -1;
	}

	if (state < 0) {
		/* Timed out, or EOF on the ready pipe: slirp4netns exited (or
		 * is exiting).  It may have made its socket before failing. */
		int status = 0;
		char last[512], how[64];
		kill_group(child);
		reap(child, &status);
		(void)unlink(api_socket);
		log_tail(log_fd, last, sizeof(last));
		if (state == -2)
			return engine_error_set(err, ETIMEDOUT, "slirp4netns did not configure tap0 within %d ms%s%s",
						timeout_ms, last[0] ? ": " : "", last);
		status_describe(status, how, sizeof(how));
		return engine_error_set(err, ECHILD, "slirp4netns failed (%s)%s%s", how, last[0] ? ": " : "",
					last);
	}

	struct netns_slirp *s = calloc(1, sizeof(*s));
	if (s != NULL)
		s->api_socket = strdup(api_socket);
	if (s == NULL || s->api_socket == NULL) {
		free(s);
		kill_group(child);
		reap(child, NULL);
		(void)unlink(api_socket);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	s->pid = child;
	s->exit_fd = take_fd(&exit_w);
	engine_debug("slirp4netns %d ready", (int)child);
	*ret = s;
	return 0;
}

/* One request, one reply: slirp4netns answers after our write side is
 * shut down, then closes.  Bounded in size and in time. */
static json_t *api_call(const char *api_socket, json_t *request, struct engine_error **err)
{
	cleanup_free char *text = json_dumps(request, JSON_COMPACT);
	if (text == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		engine_error_errno(err, errno, "slirp4netns API: socket");
		return NULL;
	}
	struct timeval tv = { .tv_sec = 10 };
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(api_socket) >= sizeof(sun.sun_path)) {
		engine_error_set(err, ENAMETOOLONG, "slirp4netns API socket %s: path too long", api_socket);
		return NULL;
	}
	strcpy(sun.sun_path, api_socket);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		engine_error_errno(err, errno, "slirp4netns API socket %s: connect", api_socket);
		return NULL;
	}
	int r = engine_write_all(fd, text, strlen(text));
	if (r < 0 || shutdown(fd, SHUT_WR) < 0) {
		engine_error_errno(err, r < 0 ? -r : errno, "slirp4netns API socket %s: write", api_socket);
		return NULL;
	}
	cleanup_free char *buf = malloc(API_REPLY_MAX + 1);
	size_t len = 0;
	if (buf == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, API_REPLY_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			engine_error_errno(err, errno, "slirp4netns API socket %s: read", api_socket);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == API_REPLY_MAX) {
			engine_error_set(err, EFBIG, "slirp4netns API socket %s: reply too large", api_socket);
			return NULL;
		}
	}
	json_error_t jerr;
	json_t *reply = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (reply == NULL || !json_is_object(reply)) {
		json_decref(reply);
		engine_error_set(err, EPROTO, "slirp4netns API socket %s: unreadable reply", api_socket);
		return NULL;
	}
	return reply;
}

int netns_slirp_add_hostfwd(const char *api_socket, const struct netns_port *port,
			    struct engine_error **err)
{
	const char *ip = netns_port_host_ip(port);
	const char *proto = netns_proto_name(port->proto);
	char where[INET6_ADDRSTRLEN + 16];
	snprintf(where, sizeof(where), strchr(ip, ':') != NULL ? "[%s]:%u" : "%s:%u", ip, port->host_port);
	if (port->proto == NETNS_PROTO_SCTP)
		return engine_error_set(err, ENOTSUP, "publish %s->%u/%s: slirp4netns forwards tcp and udp only",
					where, port->container_port, proto);
	/* slirp4netns 1.2's add_hostfwd takes IPv4 host addresses only
	 * ("bad arguments.host_addr" for ::1). */
	if (strchr(ip, ':') != NULL)
		return engine_error_set(err, ENOTSUP,
					"publish %s->%u/%s: slirp4netns publishes on IPv4 host addresses only",
					where, port->container_port, proto);
	if (port->host_port == 0)
		return engine_error_set(err, EINVAL, "publish %u/%s: no host port chosen",
					port->container_port, proto);
	cleanup_json json_t *request = json_pack("{s:s, s:{s:s, s:s, s:i, s:i}}", "execute", "add_hostfwd",
						 "arguments", "proto", proto, "host_addr", ip,
						 "host_port", (int)port->host_port, "guest_port",
						 (int)port->container_port);
	if (request == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_json json_t *reply = api_call(api_socket, request, err);
	if (reply == NULL)
		return engine_error_prefix(err, "publish %s->%u/%s", where, port->container_port, proto);
	json_t *error = json_object_get(reply, "error");
	if (error == NULL && json_is_object(json_object_get(reply, "return")))
		return 0;
	/* slirp4netns says only "slirp_add_hostfwd failed": find out why by
	 * trying the bind ourselves, which names the port and the reason. */
	if (netns_port_check_host(port->host_ip, port->host_port, port->proto, err) < 0)
		return -1;
	const char *desc = json_string_value(json_object_get(error, "desc"));
	return engine_error_set(err, EIO, "publish %s->%u/%s: slirp4netns: %s", where, port->container_port,
				proto, desc != NULL ? desc : "add_hostfwd failed");
}

int netns_slirp_add_ports(const char *api_socket, const struct netns_port_list *list,
			  struct engine_error **err)
{
	for (size_t i = 0; i < list->count; i++)
		if (netns_slirp_add_hostfwd(api_socket, &list->ports[i], err) < 0)
			return -1;
	return 0;
}

int netns_slirp_start_published(pid_t target_pid, const char *api_socket,
				const struct netns_slirp_options *opts, const struct netns_port_list *ports,
				int timeout_ms, struct netns_slirp **ret, struct engine_error **err)
{
	struct netns_slirp *s = NULL;
	if (netns_slirp_start(target_pid, api_socket, opts, timeout_ms, &s, err) < 0)
		return -1;
	if (netns_slirp_add_ports(api_socket, ports, err) < 0) {
		struct engine_error *ignored = NULL;
		netns_slirp_stop(s, timeout_ms, &ignored);
		engine_error_free(&ignored);
		return -1;
	}
	*ret = s;
	return 0;
}

int netns_slirp_stop(struct netns_slirp *s, int timeout_ms, struct engine_error **err)
{
	if (s == NULL)
		return 0;
	int r = 0, w = engine_child_stop(s->pid, take_fd(&s->exit_fd), timeout_ms);
	if (w < 0)
		r = engine_error_errno(err, -w, "slirp4netns %d: waitpid", (int)s->pid);
	else if (w > 0)
		engine_debug("slirp4netns %d ignored its exit fd: killed", (int)s->pid);
	struct engine_error *ignored = NULL;
	if (netns_slirp_cleanup(s->api_socket, r < 0 ? &ignored : err) < 0 && r == 0)
		r = -1;
	engine_error_free(&ignored);
	free(s->api_socket);
	free(s);
	return r;
}

pid_t netns_slirp_release(struct netns_slirp *s)
{
	if (s == NULL)
		return 0;
	pid_t pid = s->pid;
	close(take_fd(&s->exit_fd));
	(void)unlink(s->api_socket);
	free(s->api_socket);
	free(s);
	return pid;
}

int netns_slirp_cleanup(const char *api_socket, struct engine_error **err)
{
	if (unlink(api_socket) < 0 && errno != ENOENT)
		return engine_error_errno(err, errno, "remove %s", api_socket);
	return 0;
}
