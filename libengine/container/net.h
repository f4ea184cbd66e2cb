/* net.h: a container's network, as whoever runs the
 * container drives it: the /etc files before the clone, slirp4netns and
 * the UDP relay once the namespaces exist, their end with the container.
 * The pieces themselves are in netns/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "libengine/runtime/mounts.h"
#include "libengine/runtime/spec.h"
#include "libengine/userns/userns.h"

struct netns_slirp;
struct netns_udp_relay;

struct engine_net {
	struct netns_slirp *slirp;     /* NULL unless slirp4netns runs */
	struct netns_udp_relay *relay; /* NULL unless UDP ports are published */
	char etc_dir[4200];            /* where hosts, resolv.conf, hostname are ("" none) */
	bool etc_dir_created;          /* ... a directory of ours to remove afterwards */
	char etc_src[ENGINE_BOUND_FILES][4300]; /* ETC_DIR/engine_bound_file_names[i] */
};

/* The slirp4netns API socket of container ID under RUN_ROOT (NULL: the
 * default): short enough for sun_path. */
int engine_net_socket_path(const char *run_root, const char *id, char *buf, size_t size,
			   struct engine_error **err);

/* Before the clone: render and write /etc/hosts, /etc/resolv.conf and
 * /etc/hostname for SPEC into the container's directory (the store's, or
 * under the run root for an unrecorded --rootfs run). */
int engine_net_prepare(const struct engine_run_spec *spec, struct engine_net *net,
		       struct engine_error **err);

/* The container's init PID exists with its namespaces and id maps: start
 * slirp4netns (TCP ports through its API socket) and the UDP relay.  The
 * caller holds their exit fds (close-on-exec) from now on. */
int engine_net_start(const struct engine_run_spec *spec, pid_t pid, struct engine_net *net,
		     struct engine_error **err);

/* The exit fds and the API socket, for a monitor that hands them over to
 * engine-monitor across exec (-1 / "" when there is none). */
void engine_net_export(const struct engine_net *net, int *slirp_fd, int *relay_fd,
		       const char **api_socket);

/* The container ended: stop the relay, let slirp4netns go (its exit pipe
 * closed, it ends by itself) and remove what engine_net_prepare created
 * outside the store. */
void engine_net_stop(struct engine_net *net);

/* container:NAME and ns:PATH: clone the container (as engine_userns_clone
 * would, FN running in it with the socket) into the network namespace to
 * join and its owning user namespace, with FLAGS' other namespaces new
 * (without CLONE_NEWUSER or CLONE_NEWNET).  The ids are those of the
 * joined user namespace: already mapped, nothing to write. */
int engine_net_join_clone(const struct engine_run_spec *spec, unsigned long flags,
			  engine_userns_fn fn, void *data, pid_t *ret_pid, int *ret_sock,
			  struct engine_error **err);

/* rm after a monitor that was killed: the API socket slirp4netns leaves. */
void engine_net_cleanup(const char *run_root, const char *id);
