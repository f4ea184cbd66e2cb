/* ports.h: published ports (-p, -P), as Docker parses them.
 *
 * A -p spec expands to one struct netns_port per container port (as Docker's
 * nat.ParsePortSpec does), so every later step (choosing free host ports,
 * add_hostfwd, `engine port`) works port by port; the CLI's ps column
 * (cmd/ports-format.c) collapses consecutive ports back into ranges. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <netinet/in.h>

#include "common/error.h"

enum netns_proto {
	NETNS_PROTO_TCP = 0,
	NETNS_PROTO_UDP,
	NETNS_PROTO_SCTP,
};

struct netns_port {
	/* Host address as given, without IPv6 brackets; "" means every IPv4
	 * address (0.0.0.0), as Docker shows it. */
	char host_ip[INET6_ADDRSTRLEN];
	/* 0: a free port is chosen by netns_ports_allocate(). */
	uint16_t host_port;
	/* > host_port: "8080-8090:80", any free port of the range will do. */
	uint16_t host_port_last;
	uint16_t container_port;
	enum netns_proto proto;
};

struct netns_port_list {
	struct netns_port *ports;
	size_t count;
};

/* "tcp", "udp", "sctp". */
const char *netns_proto_name(enum netns_proto proto);

/* Parse one -p SPEC, [IP:][HOSTPORT:]CONTAINERPORT[/PROTO], and append its
 * ports to LIST.  Errors are one line naming the spec ("-p 80-81:80: ...").
 * On failure LIST is unchanged. */
int netns_ports_parse(struct netns_port_list *list, const char *spec, struct engine_error **err);

/* -P: append every EXPOSEd port ("80", "80/tcp", "8000-8001/udp", as image
 * configs spell them) not already published by LIST, with host port 0 on
 * every address.  On failure LIST is unchanged. */
int netns_ports_publish_exposed(struct netns_port_list *list, const char *const *exposed,
				size_t count, struct engine_error **err);

/* Give every port with host port 0 (or a host range) a free host port, and
 * check that every fixed host port is free and allowed for this user (see
 * netns_port_check_host).  Ports chosen here are free now; another process
 * may take one before slirp4netns binds it (the same race as Docker's). */
int netns_ports_allocate(struct netns_port_list *list, struct engine_error **err);

/* Whether PROTO port PORT on address IP ("" for every address) can be bound
 * by us now.  EACCES below net.ipv4.ip_unprivileged_port_start and
 * EADDRINUSE each become one line naming the port. */
int netns_port_check_host(const char *ip, uint16_t port, enum netns_proto proto,
			  struct engine_error **err);

/* A socket bound to PROTO port PORT on IP (close-on-exec), not listening
 * yet, or -1 with the same messages as netns_port_check_host. */
int netns_port_bind(const char *ip, uint16_t port, enum netns_proto proto, struct engine_error **err);

/* A free PROTO port on IP (bind to port 0, read it back, close). */
int netns_port_find_free(const char *ip, enum netns_proto proto, uint16_t *ret_port,
			 struct engine_error **err);

/* Order for output: container port, protocol, address, host port (Docker's
 * comparePorts); a qsort comparator of struct netns_port. */
int netns_port_compare(const void *a, const void *b);
/* LIST's ports in that order: a malloc'd copy (never NULL when LIST is
 * empty) or NULL on ENOMEM.  The CLI's columns are built from it. */
struct netns_port *netns_ports_sorted(const struct netns_port_list *list);

/* Host address to bind or to show: "0.0.0.0" for "". */
const char *netns_port_host_ip(const struct netns_port *port);

/* Split LIST into the ports of PROTO and the others (UDP goes to the relay,
 * the rest to slirp4netns).  Both are filled only on success. */
int netns_ports_split(const struct netns_port_list *list, enum netns_proto proto,
		      struct netns_port_list *ret_matching, struct netns_port_list *ret_others,
		      struct engine_error **err);

void netns_port_list_clear(struct netns_port_list *list);

/* The list as config.json keeps it: [{"container_port":80,"proto":"tcp",
 * "host_ip":"","host_port":8080,"host_port_last":0}, ...].  NULL on ENOMEM. */
json_t *netns_ports_to_json(const struct netns_port_list *list);
/* Back from that form, strictly (unknown keys and bad values refused);
 * *ret is filled only on success. */
int netns_ports_from_json(const json_t *json, struct netns_port_list *ret, struct engine_error **err);
/* inspect's NetworkSettings.Ports, as Docker shows it:
 * {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}; a port not yet given
 * a host port is null.  NULL on ENOMEM. */
json_t *netns_ports_inspect_json(const struct netns_port_list *list);
