/* udp-relay.h: published UDP ports relayed by a process of ours instead of
 * slirp4netns's add_hostfwd.
 *
 * Why: with --disable-host-loopback (our default, so the container cannot
 * reach the host's 127.0.0.1 services) slirp4netns 1.2 drops the
 * container's UDP replies to a client on the host's 127.0.0.1: it sees that
 * client as 10.0.2.2, the host loopback it was told to refuse.  The relay
 * (what Podman's rootlessport does) binds the host port in the host's
 * namespace, then enters the container's user and network namespaces and
 * sends each client's datagrams from a socket of its own there to
 * 127.0.0.1:CONTAINERPORT, relaying the replies back.  The container sees
 * its clients as 127.0.0.1, as with Podman's default port handler. */
#pragma once

#include <sys/types.h>

#include "common/error.h"
#include "netns/ports.h"

struct netns_udp_relay {
	pid_t pid;   /* our child */
	int exit_fd; /* write end of its exit pipe, close-on-exec: closing it stops the relay */
};

/* Bind every UDP port of PORTS (others are ignored) on the host and start
 * the relay for the namespaces of TARGET_PID; returns once the relay is in
 * them.  A host port that cannot be bound is one line naming it.  The relay
 * is a fork without exec: call this from a single-threaded process (the
 * monitor).  It keeps none of the caller's fds but its own sockets and its
 * exit pipe, so it ends with the caller, SIGKILL included. */
int netns_udp_relay_start(pid_t target_pid, const struct netns_port_list *ports, int timeout_ms,
			  struct netns_udp_relay **ret, struct engine_error **err);

/* the same relay for the UDP ports of PORTS and, when
 * TCP is not 0, their TCP ports too (each client accepted on the host and
 * spliced to its own connection to 127.0.0.1:PORT in the container: the
 * container sees it as 127.0.0.1, as with Podman's rootlessport; ~2x
 * slirp4netns's add_hostfwd throughput here, see docs/performance.md). */
int netns_relay_start(pid_t target_pid, const struct netns_port_list *ports, int tcp, int timeout_ms,
		      struct netns_udp_relay **ret, struct engine_error **err);

/* Close the exit pipe and wait up to TIMEOUT_MS (then SIGKILL); frees R. */
int netns_udp_relay_stop(struct netns_udp_relay *r, int timeout_ms, struct engine_error **err);
