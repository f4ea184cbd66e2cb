/* net.c: a container's network around the clone of
 * container.c: the /etc files it bind-mounts (and the container markers
 * bound beside them), slirp4netns and the UDP
 * relay for its namespaces, and their end.  Kept apart from container.c so
 * that the process code there stays about processes; netns/ has the
 * pieces, this file only decides which run for a spec. */
#include "libengine/container/net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "config.h"
#include "libengine/container/containers.h"
#include "libengine/userns/ns-join.h"
#include "netns/etc-files.h"
#include "common/fs.h"
#include "storage/paths.h"
#include "netns/ports.h"
#include "netns/slirp4netns.h"
#include "netns/udp-relay.h"

#define NET_START_TIMEOUT_MS 10000

int engine_net_socket_path(const char *run_root, const char *id, char *buf, size_t size,
			   struct engine_error **err)
{
	cleanup_free char *def = NULL;
	if (run_root == NULL || *run_root == '\0') {
		if (storage_default_runroot(&def, err) < 0)
			return -1;
		run_root = def;
	}
	/* sun_path holds 108 bytes: the short id, in a directory of its own. */
	if ((size_t)snprintf(buf, size, "%s/slirp/%.12s.sock", run_root, id) >= size)
		return engine_error_set(err, ENAMETOOLONG, "run root %s: path too long", run_root);
	return 0;
}

/* The container's hostname, as container.c's child sets it. */
static void hostname_of(const struct engine_run_spec *spec, char *buf, size_t size)
{
	snprintf(buf, size, "%s", spec->hostname ? spec->hostname : spec->id);
	if (spec->hostname == NULL && size > 12)
		buf[12] = '\0';
}

/* resolv.conf without its nameserver lines (--network none: there is
 * nothing to reach, as Podman writes it). */
static void drop_nameservers(char *text)
{
	char *out = text;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (strncmp(line, "nameserver", 10) != 0) {
			memmove(out, line, len);
			out += len;
		}
		line += len;
	}
	*out = '\0';
}

/* The container markers, /.dockerenv (Docker: an empty file) and
 * /run/.containerenv (Podman: what runs, in its key="value" lines), that
 * tools read to know they run in a container.  Rendered again at every
 * start, as the /etc files are: no fsync. */
static int write_markers(const struct engine_run_spec *spec, const char *dir,
			 struct engine_error **err)
{
	cleanup_free char *containerenv = NULL;
	if (asprintf(&containerenv,
		     "engine=\"engine-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\n"
		     "imageid=\"%s\"\nrootless=%d\n",
		     ENGINE_VERSION,
		     spec->recorded_name ? spec->recorded_name : spec->name ? spec->name : "", spec->id,
		     spec->image ? spec->image : "", spec->image_id ? spec->image_id : "",
		     geteuid() != 0) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *const texts[] = { "", containerenv };
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, engine_bound_file_names[ENGINE_ETC_FILES + i]);
		if (engine_write_file_replace(path, texts[i], strlen(texts[i]), 0644, 0, err) < 0)
			return -1;
	}
	return 0;
}

int engine_net_prepare(const struct engine_run_spec *spec, struct engine_net *net,
		       struct engine_error **err)
{
	memset(net, 0, sizeof(*net));
	bool host = spec->network == NETNS_MODE_HOST;
	bool slirp = spec->network == NETNS_MODE_DEFAULT;
	struct netns_slirp_addresses addrs = { 0 };
	if (slirp && netns_slirp_addresses(&spec->slirp, &addrs, err) < 0)
		return -1;

	if (spec->store_root != NULL) {
		snprintf(net->etc_dir, sizeof(net->etc_dir), "%s/containers/%s", spec->store_root, spec->id);
		if (mkdir(net->etc_dir, 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", net->etc_dir);
	} else {
		cleanup_free char *def = NULL;
		const char *run_root = spec->run_root;
		if (run_root == NULL || *run_root == '\0') {
			if (storage_default_runroot(&def, err) < 0)
				return -1;
			run_root = def;
		}
		if (storage_runroot_check(run_root, true, err) < 0)
			return -1;
		char containers[4000];
		snprintf(containers, sizeof(containers), "%s/containers", run_root);
		(void)mkdir(containers, 0700);
		snprintf(net->etc_dir, sizeof(net->etc_dir), "%s/%s", containers, spec->id);
		if (mkdir(net->etc_dir, 0700) < 0 && errno != EEXIST)
			return engine_error_errno(err, errno, "create %s", net->etc_dir);
		net->etc_dir_created = true;
	}

	char hostname[72];
	hostname_of(spec, hostname, sizeof(hostname));
	cleanup_free char *host_hosts = NULL, *host_resolv = NULL;
	cleanup_free char *hosts = NULL, *resolv = NULL, *hostname_text = NULL;
	if (host && netns_hosts_read_host(&host_hosts, err) < 0)
		goto fail;
	if (netns_resolv_read_host(host, &host_resolv, err) < 0)
		goto fail;
	struct netns_hosts_params hp = {
		.host_mode = host,
		.hostname = hostname,
		.name = spec->name,
		.container_ip = slirp ? addrs.container : NULL,
		.host_gateway = slirp ? addrs.gateway : NULL,
		.host_containers_internal = slirp && spec->slirp.allow_host_loopback,
		.add_hosts = (const char *const *)spec->add_hosts,
		.add_hosts_count = spec->n_add_hosts,
		.host_hosts = host_hosts,
	};
	struct netns_resolv_params rp = {
		.host_mode = host,
		.slirp_dns = slirp ? addrs.dns : NULL,
		.dns = (const char *const *)spec->dns,
		.dns_count = spec->n_dns,
		.search = (const char *const *)spec->dns_search,
		.search_count = spec->n_dns_search,
		.options = (const char *const *)spec->dns_options,
		.options_count = spec->n_dns_options,
		.host_resolv = host_resolv,
	};
	if (netns_hosts_render(&hp, &hosts, err) < 0 || netns_resolv_render(&rp, &resolv, err) < 0 ||
	    netns_hostname_render(hostname, &hostname_text, err) < 0)
		goto fail;
	/* container:ID shares that container's network, and so its hosts and
	 * resolv.conf, as Podman does. */
	if (spec->network == NETNS_MODE_CONTAINER && spec->store_root != NULL) {
		static const char *const names[] = { "hosts", "resolv.conf" };
		char **texts[] = { &hosts, &resolv };
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			char path[4400];
			snprintf(path, sizeof(path), "%s/containers/%s/%s", spec->store_root,
				 spec->network_join, names[i]);
			char *text = NULL;
			size_t len = 0;
			struct engine_error *ignored = NULL;
			if (engine_read_file(AT_FDCWD, path, 0, 1 << 20, &text, &len, &ignored) == 0) {
				free(*texts[i]);
				*texts[i] = text;
			}
			engine_error_free(&ignored);
		}
	}
	if (spec->network == NETNS_MODE_NONE && spec->n_dns == 0)
		drop_nameservers(resolv);
	if (netns_etc_files_write(net->etc_dir, hosts, resolv, hostname_text, err) < 0 ||
	    write_markers(spec, net->etc_dir, err) < 0)
		goto fail;
	for (size_t i = 0; i < ENGINE_BOUND_FILES; i++) {
		if ((size_t)snprintf(net->etc_src[i], sizeof(net->etc_src[i]), "%s/%s", net->etc_dir,
				     engine_bound_file_names[i]) >= sizeof(net->etc_src[i]))
			net->etc_src[i][0] = '\0';
	}
	return 0;
fail:
	engine_net_stop(net);
	return -1;
}

int engine_net_start(const struct engine_run_spec *spec, pid_t pid, struct engine_net *net,
		     struct engine_error **err)
{
	if (spec->network != NETNS_MODE_DEFAULT)
		return 0;
	char sock[4300];
	if (engine_net_socket_path(spec->run_root, spec->id, sock, sizeof(sock), err) < 0)
		return -1;
	char dir[4300];
	snprintf(dir, sizeof(dir), "%s", sock);
	*strrchr(dir, '/') = '\0';
	/* The API socket is connected to for add_hostfwd: its directory must
	 * be the user's alone (paths.c). */
	*strrchr(dir, '/') = '\0';
	if (storage_runroot_check(dir, true, err) < 0)
		return -1;
	strcat(dir, "/slirp");
	if (engine_mkdir_p(dir, 0700, err) < 0)
		return -1;
	/* TCP and UDP ports go through our relay (netns/udp-relay.c): for TCP
	 * it splices each connection to 127.0.0.1 in the container, ~2x the
	 * throughput of slirp4netns's own forwarding (docs/performance.md);
	 * slirp4netns gets what is left (sctp, which it refuses by name). */
	struct netns_port_list udp = { 0 }, rest = { 0 }, tcp = { 0 }, others = { 0 };
	if (netns_ports_split(&spec->ports, NETNS_PROTO_UDP, &udp, &rest, err) < 0)
		return -1;
	if (netns_ports_split(&rest, NETNS_PROTO_TCP, &tcp, &others, err) < 0) {
		netns_port_list_clear(&udp);
		netns_port_list_clear(&rest);
		return -1;
	}
	int r = netns_slirp_start_published(pid, sock, &spec->slirp, &others, NET_START_TIMEOUT_MS,
					    &net->slirp, err);
	if (r == 0 && udp.count + tcp.count > 0 &&
	    netns_relay_start(pid, &spec->ports, 1, NET_START_TIMEOUT_MS, &net->relay, err) < 0) {
		r = -1;
		struct engine_error *ignored = NULL;
		netns_slirp_stop(net->slirp, 1000, &ignored);
		engine_error_free(&ignored);
		net->slirp = NULL;
	}
	netns_port_list_clear(&udp);
	netns_port_list_clear(&rest);
	netns_port_list_clear(&tcp);
	netns_port_list_clear(&others);
	return r;
}

void engine_net_export(const struct engine_net *net, int *slirp_fd, int *relay_fd,
		       const char **api_socket)
{
	*slirp_fd = net->slirp != NULL ? net->slirp->exit_fd : -1;
	*relay_fd = net->relay != NULL ? net->relay->exit_fd : -1;
	*api_socket = net->slirp != NULL ? net->slirp->api_socket : "";
}

void engine_net_stop(struct engine_net *net)
{
	struct engine_error *ignored = NULL;
	if (net->relay != NULL)
		netns_udp_relay_stop(net->relay, 1000, &ignored);
	engine_error_free(&ignored);
	net->relay = NULL;
	/* Released, not waited for: slirp4netns takes ~30 ms to exit (the
	 * kernel tearing tap0 down), a third of a `run --rm true`.  The CLI
	 * exits next and init reaps it; a monitor's engine-monitor reaps it
	 * itself (monitor/watch.c). */
	if (net->slirp != NULL)
		(void)netns_slirp_release(net->slirp);
	net->slirp = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(net->etc_src); i++)
		net->etc_src[i][0] = '\0';
	if (net->etc_dir_created) {
		char path[4300];
		for (size_t i = 0; i < ENGINE_BOUND_FILES; i++) {
			snprintf(path, sizeof(path), "%s/%s", net->etc_dir, engine_bound_file_names[i]);
			(void)unlink(path);
		}
		(void)rmdir(net->etc_dir);
		net->etc_dir_created = false;
	}
}

void engine_net_cleanup(const char *run_root, const char *id)
{
	char sock[4300];
	struct engine_error *ignored = NULL;
	if (engine_net_socket_path(run_root, id, sock, sizeof(sock), &ignored) == 0)
		netns_slirp_cleanup(sock, &ignored);
	engine_error_free(&ignored);
}

/* ---- container:NAME and ns:PATH ---------------------------------------- */

/* The network namespace to join, opened into NS: container:ID's init
 * (running, and the same process that state.json names), or ns:PATH. */
static int join_netns_open(const struct engine_run_spec *spec, struct engine_ns_set *ns,
			   struct engine_error **err)
{
	if (spec->network == NETNS_MODE_NS) {
		int fd = open(spec->network_join, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return engine_error_setting_errno(err, "network", errno, "network ns:%s", spec->network_join);
		return engine_ns_adopt(ns, CLONE_NEWNET, fd, err);
	}
	if (spec->store_root == NULL)
		return engine_error_setting(err, "network", EINVAL, "network container:%s: no store", spec->network_join);
	struct storage_store *store = NULL;
	struct engine_container *c = NULL;
	if (storage_store_open(spec->store_root, &store, err) < 0)
		return -1;
	int r = -1;
	if (engine_container_get(store, spec->network_join, &c, err) < 0) {
		engine_error_setting_prefix(err, "network", "network container:%s", spec->network_join);
	} else {
		/* Its init, checked against the start time state.json holds. */
		r = c->state.status == ENGINE_CONTAINER_RUNNING
			    ? engine_ns_open(c->state.pid, c->state.pid_start, CLONE_NEWNET, NULL, ns, NULL)
			    : -ESRCH;
		if (r == -ESRCH)
			r = engine_error_setting(err, "network", EINVAL, "network container:%s: the container is not running",
					 spec->network_join);
		else if (r < 0)
			engine_error_setting_errno(err, "network", -r, "network container:%s: open its network namespace",
					   spec->network_join);
	}
	engine_container_free(c);
	storage_store_close(store);
	return r;
}

int engine_net_join_clone(const struct engine_run_spec *spec, unsigned long flags,
			  engine_userns_fn fn, void *data, pid_t *ret_pid, int *ret_sock,
			  struct engine_error **err)
{
	cleanup_ns_set struct engine_ns_set ns = ENGINE_NS_SET_INIT;
	if (join_netns_open(spec, &ns, err) < 0)
		return -1;
	/* The namespace's owner: the other container's user namespace (ours
	 * as root, with none of its own, which the join leaves out). */
	int r = engine_ns_adopt_owner(&ns, CLONE_NEWNET, NULL);
	if (r < 0)
		return engine_error_errno(err, -r, "the user namespace of the network to join");
	int sp[2], pp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return engine_error_errno(err, errno, "socketpair");
	if (pipe2(pp, O_CLOEXEC) < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return engine_error_errno(err, e, "pipe");
	}
	/* A helper enters the namespaces (setns of a user namespace needs a
	 * single-threaded process that may change its own), then clones the
	 * container as our child (CLONE_PARENT), in new mount, PID, UTS and
	 * IPC namespaces owned by that user namespace. */
	pid_t helper = fork();
	if (helper == 0) {
		close(sp[0]);
		close(pp[0]);
		struct engine_error *e = NULL;
		if (engine_ns_join(&ns, spec->network_join, &e) < 0) {
			engine_userns_report(sp[1], e);
			_exit(1);
		}
		long pid = syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid == 0) {
			close(pp[1]);
			_exit(fn(data, sp[1]));
		}
		if (pid < 0) {
			engine_error_errno(&e, errno, "clone into the namespaces of %s", spec->network_join);
			engine_userns_report(sp[1], e);
			_exit(1);
		}
		pid_t p = (pid_t)pid;
		_exit(write(pp[1], &p, sizeof(p)) == sizeof(p) ? 0 : 1);
	}
	close(sp[1]);
	close(pp[1]);
	if (helper < 0) {
		int e = errno;
		close(sp[0]);
		close(pp[0]);
		return engine_error_errno(err, e, "fork");
	}
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	pid_t pid = -1;
	ssize_t n = read(pp[0], &pid, sizeof(pid));
	close(pp[0]);
	if (n != sizeof(pid)) {
		int fd = -1;
		if (engine_userns_receive(sp[0], &fd, err) >= 0) {
			if (fd >= 0)
				close(fd);
			engine_error_setting(err, "network", EIO, "network %s: the namespace helper failed",
					 spec->network_join);
		}
		close(sp[0]);
		return -1;
	}
	*ret_pid = pid;
	*ret_sock = sp[0];
	return 0;
}
