/* etc-files.h: the container's /etc/hosts, /etc/resolv.conf and /etc/hostname.
 *
 * Each is rendered by a pure function from the run's options (and, where
 * the host's own file matters, its contents passed in), then written into
 * the container's directory, from where the container's setup bind-mounts
 * them: the container may edit its copies; nothing goes back to the host. */
#pragma once

#include <stddef.h>
#include <netinet/in.h>

#include "common/error.h"

/* --add-host NAME:IP (or NAME=IP, Docker's newer spelling; IPv6 may be
 * bracketed).  IP "host-gateway" means HOST_GATEWAY (refused when NULL). */
struct netns_host_entry {
	char name[256];
	char ip[INET6_ADDRSTRLEN];
};
int netns_add_host_parse(const char *spec, const char *host_gateway, struct netns_host_entry *ret,
			 struct engine_error **err);

struct netns_hosts_params {
	int host_mode;            /* --network host: the host's file, plus ours */
	const char *hostname;     /* required */
	const char *name;         /* the container's name, NULL for none */
	/* The container's address (10.0.2.100 with slirp4netns); NULL when it
	 * has none (--network none): the names go on 127.0.1.1 then. */
	const char *container_ip;
	/* The host as the container reaches it (10.0.2.2 with slirp4netns), for
	 * host-gateway in --add-host; NULL when there is no such address. */
	const char *host_gateway;
	/* Add host.containers.internal and host.docker.internal for
	 * host_gateway: only when the host's loopback is reachable through it
	 * (slirp4netns:allow_host_loopback=true). */
	int host_containers_internal;
	const char *const *add_hosts; /* --add-host specs */
	size_t add_hosts_count;
	const char *host_hosts;   /* host mode: the host's /etc/hosts (NULL: empty) */
};

/* The /etc/hosts text; --add-host entries come before the generated names
 * (the first match wins for the resolver, so the user's entry does). */
int netns_hosts_render(const struct netns_hosts_params *p, char **ret, struct engine_error **err);

struct netns_resolv_params {
	int host_mode;            /* the host's resolvers as they are */
	const char *slirp_dns;    /* "10.0.2.3" with slirp4netns, else NULL */
	const char *const *dns;   /* --dns: replaces every resolver */
	size_t dns_count;
	const char *const *search; /* --dns-search: replaces the host's ("." = none) */
	size_t search_count;
	const char *const *options; /* --dns-option: replaces the host's */
	size_t options_count;
	const char *host_resolv;  /* the host's resolv.conf (NULL: empty) */
};

/* The /etc/resolv.conf text.  Outside host mode, the host's 127.0.0.0/8 and
 * ::1 resolvers are dropped (unreachable from another network namespace);
 * with slirp4netns its forwarder comes first; when nothing is left,
 * 8.8.8.8 and 8.8.4.4, as Podman does. */
int netns_resolv_render(const struct netns_resolv_params *p, char **ret, struct engine_error **err);

/* The host's resolv.conf as the container should see it: /etc/resolv.conf,
 * or, outside host mode, when that names only systemd-resolved's stub
 * (127.0.0.53), /run/systemd/resolve/resolv.conf with the real upstreams
 * (as Podman does).  A missing file reads as "". */
int netns_resolv_read_host(int host_mode, char **ret, struct engine_error **err);

/* The host's /etc/hosts ("" when missing). */
int netns_hosts_read_host(char **ret, struct engine_error **err);

/* "HOSTNAME\n", the hostname checked (1-64 chars of [A-Za-z0-9.-_]). */
int netns_hostname_render(const char *hostname, char **ret, struct engine_error **err);

/* Write hosts, resolv.conf and hostname into DIR (each NULL to skip), each
 * through a temp file and rename, mode 0644 (no fsync: they are rendered
 * again at every start). */
int netns_etc_files_write(const char *dir, const char *hosts, const char *resolv, const char *hostname,
			  struct engine_error **err);
