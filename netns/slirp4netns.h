/* slirp4netns.h: user-mode networking for a rootless container.
 *
 * The container's monitor starts slirp4netns against the container's
 * network namespace (by the pid of a process in it), keeps the write end of
 * its exit pipe for as long as the container lives, and publishes ports
 * through slirp4netns's API socket.  When the monitor exits, for whatever
 * reason (SIGKILL included), the kernel closes that pipe and slirp4netns
 * ends with it. */
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include "common/error.h"
#include "netns/ports.h"

/* What --network slirp4netns:OPTS can say, with Podman's spellings. */
struct netns_slirp_options {
	int allow_host_loopback;              /* allow_host_loopback=true: 10.0.2.2 is the host's 127.0.0.1 */
	unsigned mtu;                         /* mtu=N, 0 = 65520 */
	char cidr[INET_ADDRSTRLEN + 4];       /* cidr=A.B.C.D/N, "" = 10.0.2.0/24 */
	int enable_ipv6;                      /* enable_ipv6=true */
	char outbound_addr[INET_ADDRSTRLEN];  /* outbound_addr=IPv4, "" = the kernel's choice */
	char outbound_addr6[INET6_ADDRSTRLEN]; /* outbound_addr6=IPv6 */
};

/* Defaults: host loopback refused, MTU 65520, 10.0.2.0/24. */
void netns_slirp_options_init(struct netns_slirp_options *opts);

/* Parse the OPTS of "--network slirp4netns:OPTS" (comma-separated
 * key=value; port_handler=slirp4netns is accepted, rootlesskit refused).
 * OPTS may be NULL or "".  One line naming the option on error. */
int netns_slirp_options_parse(const char *opts, struct netns_slirp_options *ret,
			      struct engine_error **err);

/* Whether VALUE is "slirp4netns" or "slirp4netns:OPTS"; when it is, the
 * options are parsed into *ret (1 returned).  0: another mode. */
int netns_slirp_network_parse(const char *value, struct netns_slirp_options *ret,
			      struct engine_error **err);

/* The addresses slirp4netns gives the container for OPTS' network:
 * the container (.100), the gateway/host (.2), the DNS forwarder (.3). */
struct netns_slirp_addresses {
	char container[INET_ADDRSTRLEN];
	char gateway[INET_ADDRSTRLEN];
	char dns[INET_ADDRSTRLEN];
	unsigned prefix_len;
};
int netns_slirp_addresses(const struct netns_slirp_options *opts, struct netns_slirp_addresses *ret,
			  struct engine_error **err);

/* A running slirp4netns, owned by the caller. */
struct netns_slirp {
	pid_t pid;        /* our child */
	int exit_fd;      /* write end of --exit-fd's pipe, close-on-exec: closing it stops slirp4netns */
	char *api_socket; /* the --api-socket path */
};

/* Start slirp4netns for the network namespace of TARGET_PID (and its user
 * namespace, which slirp4netns joins to create tap0), with the API socket
 * at API_SOCKET (a stale file there is removed), and wait up to TIMEOUT_MS
 * for it to report the interface configured.  slirp4netns gets no fd of
 * ours but the ready and exit pipes, default signal handling, and a session
 * of its own (a terminal's ^C does not reach it).  Errors: slirp4netns not
 * in $PATH, /dev/net/tun missing, an exit or a timeout before ready (with
 * slirp4netns's own last line). */
int netns_slirp_start(pid_t target_pid, const char *api_socket, const struct netns_slirp_options *opts,
		      int timeout_ms, struct netns_slirp **ret, struct engine_error **err);

/* Publish one port through the API socket (add_hostfwd); the port must
 * have its host port (netns_ports_allocate).  A port slirp4netns cannot
 * bind is reported as the kernel's reason, naming the port. */
int netns_slirp_add_hostfwd(const char *api_socket, const struct netns_port *port,
			    struct engine_error **err);
/* Every port of LIST, stopping at the first failure. */
int netns_slirp_add_ports(const char *api_socket, const struct netns_port_list *list,
			  struct engine_error **err);

/* netns_slirp_start, then every port of PORTS; when a port cannot be
 * published, slirp4netns is stopped (and its socket removed) before the
 * error returns: the caller has nothing to clean up. */
int netns_slirp_start_published(pid_t target_pid, const char *api_socket,
				const struct netns_slirp_options *opts, const struct netns_port_list *ports,
				int timeout_ms, struct netns_slirp **ret, struct engine_error **err);

/* Stop: close the exit pipe, wait up to TIMEOUT_MS for slirp4netns to exit
 * (SIGKILL after that), remove the API socket, free S. */
int netns_slirp_stop(struct netns_slirp *s, int timeout_ms, struct engine_error **err);

/* Let go without waiting: close the exit pipe (slirp4netns exits by
 * itself, in ~30 ms here, mostly the kernel tearing tap0 down), remove the
 * API socket, free S.  For a monitor about to exit, whose exit must not
 * wait for that; slirp4netns stays its child (a zombie) until it exits or
 * reaps it.  Returns the pid to reap. */
pid_t netns_slirp_release(struct netns_slirp *s);

/* After a monitor died without stopping slirp4netns (it exits by itself,
 * but slirp4netns leaves its API socket behind): remove the socket. */
int netns_slirp_cleanup(const char *api_socket, struct engine_error **err);
