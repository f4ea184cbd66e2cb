/* container-net.c: a container's network (issue #5) around the clone of
 * container.c: the /etc files it bind-mounts, slirp4netns and the UDP
 * relay for its namespaces, and their end.  Kept apart from container.c so
 * that the process code there stays about processes; netns/ has the
 * pieces, this file only decides which run for a spec. */
#include "container-net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "etc-files.h"
#include "fs.h"
#include "paths.h"
#include "ports.h"
#include "slirp4netns.h"
#include "udp-relay.h"

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
		if (engine_mkdir_p(run_root, 0700, err) < 0)
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
	if (spec->network == NETNS_MODE_NONE && spec->n_dns == 0)
		drop_nameservers(resolv);
	if (netns_etc_files_write(net->etc_dir, hosts, resolv, hostname_text, err) < 0)
		goto fail;
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
	if (engine_mkdir_p(dir, 0700, err) < 0)
		return -1;
	struct netns_port_list udp = { 0 }, others = { 0 };
	if (netns_ports_split(&spec->ports, NETNS_PROTO_UDP, &udp, &others, err) < 0)
		return -1;
	int r = netns_slirp_start_published(pid, sock, &spec->slirp, &others, NET_START_TIMEOUT_MS,
					    &net->slirp, err);
	if (r == 0 && udp.count > 0 &&
	    netns_udp_relay_start(pid, &udp, NET_START_TIMEOUT_MS, &net->relay, err) < 0) {
		r = -1;
		struct engine_error *ignored = NULL;
		netns_slirp_stop(net->slirp, 1000, &ignored);
		engine_error_free(&ignored);
		net->slirp = NULL;
	}
	netns_port_list_clear(&udp);
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
	/* Waited for (~30 ms), not released: a CLI that exits leaves no
	 * zombie for an init that may not reap it. */
	if (net->slirp != NULL)
		(void)netns_slirp_stop(net->slirp, 1000, &ignored);
	engine_error_free(&ignored);
	net->slirp = NULL;
	if (net->etc_dir_created) {
		static const char *const files[] = { "hosts", "resolv.conf", "hostname" };
		char path[4300];
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), "%s/%s", net->etc_dir, files[i]);
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
