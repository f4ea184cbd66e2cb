/* ports.c: -p and -P as Docker parses and checks them (the CLI prints them:
 * cmd/ports-format.c).
 *
 * The grammar and the messages follow Docker's (go-connections' nat package):
 * the spec splits on ':' from the right, so "[::1]:8080:80" and
 * "::1:8080:80" both read as IP ::1; a host range paired with one container
 * port means "any free port of the range"; ranges of different sizes are an
 * error.  Every message starts with "published port SPEC:" (the CLI puts
 * "-p" there) so the user sees which of several flags is at fault.
 *
 * Host ports are checked by binding them ourselves: the kernel's answer
 * (EACCES below ip_unprivileged_port_start for a rootless user, EADDRINUSE
 * when taken) is the same slirp4netns would get a moment later, but here it
 * comes before any process is started and names the port. */
#include "netns/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"

const char *netns_proto_name(enum netns_proto proto)
{
	switch (proto) {
	case NETNS_PROTO_UDP:
		return "udp";
	case NETNS_PROTO_SCTP:
		return "sctp";
	case NETNS_PROTO_TCP:
		break;
	}
	return "tcp";
}

static int proto_parse(const char *s, enum netns_proto *ret)
{
	if (strcasecmp(s, "tcp") == 0)
		*ret = NETNS_PROTO_TCP;
	else if (strcasecmp(s, "udp") == 0)
		*ret = NETNS_PROTO_UDP;
	else if (strcasecmp(s, "sctp") == 0)
		*ret = NETNS_PROTO_SCTP;
	else
		return -1;
	return 0;
}

/* One port, decimal digits only, 1..65535 (Docker's ParseUint refuses signs
 * and spaces; 0 is not a port anyone can publish or reach). */
static int port_number_parse(const char *s, size_t len, uint16_t *ret)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*ret = (uint16_t)v;
	return 0;
}

/* "80" or "80-81" (start <= end). */
static int port_range_parse(const char *s, uint16_t *ret_first, uint16_t *ret_last)
{
	const char *dash = strchr(s, '-');
	uint16_t first, last;
	if (dash == NULL) {
		if (port_number_parse(s, strlen(s), &first) < 0)
			return -1;
		last = first;
	} else if (port_number_parse(s, (size_t)(dash - s), &first) < 0 ||
		   port_number_parse(dash + 1, strlen(dash + 1), &last) < 0 || last < first) {
		return -1;
	}
	*ret_first = first;
	*ret_last = last;
	return 0;
}

static int ip_is_valid(const char *ip)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

static int list_grow(struct netns_port_list *list, size_t more)
{
	if (more > SIZE_MAX / sizeof(struct netns_port) - list->count)
		return -1;
	struct netns_port *p = realloc(list->ports, (list->count + more) * sizeof(*p));
	if (p == NULL)
		return -1;
	list->ports = p;
	return 0;
}

int netns_ports_parse(struct netns_port_list *list, const char *spec, struct engine_error **err)
{
	cleanup_free char *copy = strdup(spec);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");

	/* CONTAINERPORT[/PROTO] is after the last ':'; what is before the one
	 * before it is the IP, however many ':' it has itself (IPv6). */
	char *ip = NULL, *host = NULL, *container = copy;
	char *last_colon = strrchr(copy, ':');
	if (last_colon != NULL) {
		*last_colon = '\0';
		container = last_colon + 1;
		host = copy;
		char *second = strrchr(copy, ':');
		if (second != NULL) {
			*second = '\0';
			ip = copy;
			host = second + 1;
		}
	}

	enum netns_proto proto = NETNS_PROTO_TCP;
	char *slash = strchr(container, '/');
	if (slash != NULL) {
		*slash = '\0';
		/* Docker reads "80/" as tcp. */
		if (slash[1] != '\0' && proto_parse(slash + 1, &proto) < 0)
			return engine_error_setting(err, "published port", EINVAL, "published port %s: invalid proto: %s", spec, slash + 1);
	}

	if (ip != NULL && ip[0] == '[') {
		size_t n = strlen(ip);
		if (n < 2 || ip[n - 1] != ']')
			return engine_error_setting(err, "published port", EINVAL, "published port %s: invalid IP address: %s", spec, ip);
		ip[n - 1] = '\0';
		ip++;
	}
	if (ip != NULL && ip[0] != '\0' && !ip_is_valid(ip))
		return engine_error_setting(err, "published port", EINVAL, "published port %s: invalid IP address: %s", spec, ip);
	if (container[0] == '\0')
		return engine_error_setting(err, "published port", EINVAL, "published port %s: no port specified: %s<empty>", spec, spec);

	uint16_t c_first, c_last, h_first = 0, h_last = 0;
	if (port_range_parse(container, &c_first, &c_last) < 0)
		return engine_error_setting(err, "published port", EINVAL, "published port %s: invalid containerPort: %s", spec, container);
	/* Host port 0 asks for a free one, as Docker reads "-p 0:80". */
	int have_host = host != NULL && host[0] != '\0' && strcmp(host, "0") != 0;
	if (have_host && port_range_parse(host, &h_first, &h_last) < 0)
		return engine_error_setting(err, "published port", EINVAL, "published port %s: invalid hostPort: %s", spec, host);
	/* A host range for one container port is a range to choose from;
	 * otherwise the sizes must agree. */
	if (have_host && c_last - c_first != h_last - h_first && c_first != c_last)
		return engine_error_setting(err, "published port", EINVAL,
					"published port %s: invalid ranges specified for container and host Ports: %s and %s",
					spec, container, host);

	size_t n = (size_t)(c_last - c_first) + 1;
	if (list_grow(list, n) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct netns_port *p = &list->ports[list->count + i];
		memset(p, 0, sizeof(*p));
		if (ip != NULL)
			snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip);
		p->container_port = (uint16_t)(c_first + i);
		p->proto = proto;
		if (have_host && c_first == c_last) {
			p->host_port = h_first;
			p->host_port_last = h_last > h_first ? h_last : 0;
		} else if (have_host) {
			p->host_port = (uint16_t)(h_first + i);
		}
	}
	list->count += n;
	return 0;
}

int netns_ports_publish_exposed(struct netns_port_list *list, const char *const *exposed,
				size_t count, struct engine_error **err)
{
	/* One bit per (protocol, port) already published: EXPOSE ranges can be
	 * wide, and a port exposed twice is published once. */
	cleanup_free uint8_t *published = calloc(3 * 65536 / 8, 1);
	if (published == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
#define BIT(proto, port) ((size_t)(proto) * 65536 + (port))
	for (size_t i = 0; i < list->count; i++) {
		size_t b = BIT(list->ports[i].proto, list->ports[i].container_port);
		published[b / 8] |= (uint8_t)(1u << (b % 8));
	}
	size_t old_count = list->count;
	for (size_t e = 0; e < count; e++) {
		char buf[64];
		enum netns_proto proto = NETNS_PROTO_TCP;
		uint16_t first, last;
		int bad = snprintf(buf, sizeof(buf), "%s", exposed[e]) >= (int)sizeof(buf);
		char *slash = bad ? NULL : strchr(buf, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (slash[1] != '\0' && proto_parse(slash + 1, &proto) < 0) {
				list->count = old_count;
				return engine_error_setting(err, "publish all", EINVAL, "publish all: exposed port %s: invalid proto",
							exposed[e]);
			}
		}
		if (bad || port_range_parse(buf, &first, &last) < 0) {
			list->count = old_count;
			return engine_error_setting(err, "publish all", EINVAL, "publish all: exposed port %s: invalid port", exposed[e]);
		}
		if (list_grow(list, (size_t)(last - first) + 1) < 0) {
			list->count = old_count;
			return engine_error_set(err, ENOMEM, "out of memory");
		}
		for (unsigned port = first; port <= last; port++) {
			size_t b = BIT(proto, port);
			if (published[b / 8] & (1u << (b % 8)))
				continue;
			published[b / 8] |= (uint8_t)(1u << (b % 8));
			struct netns_port *p = &list->ports[list->count++];
			memset(p, 0, sizeof(*p));
			p->container_port = (uint16_t)port;
			p->proto = proto;
		}
	}
#undef BIT
	return 0;
}

const char *netns_port_host_ip(const struct netns_port *port)
{
	return port->host_ip[0] != '\0' ? port->host_ip : "0.0.0.0";
}

/* "0.0.0.0:8080" or "[::1]:8080", as Go's JoinHostPort writes them. */
static void host_port_format(char *buf, size_t size, const char *ip, unsigned port)
{
	if (strchr(ip, ':') != NULL)
		snprintf(buf, size, "[%s]:%u", ip, port);
	else
		snprintf(buf, size, "%s:%u", ip, port);
}

/* A socket bound to IP:PORT (PORT 0: any), or -errno. */
static int bind_socket(const char *ip, uint16_t port, enum netns_proto proto)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} addr;
	memset(&addr, 0, sizeof(addr));
	socklen_t len;
	int family;
	if (ip[0] == '\0' || inet_pton(AF_INET, ip, &addr.in4.sin_addr) == 1) {
		family = AF_INET;
		addr.in4.sin_family = AF_INET;
		addr.in4.sin_port = htons(port);
		len = sizeof(addr.in4);
	} else if (inet_pton(AF_INET6, ip, &addr.in6.sin6_addr) == 1) {
		family = AF_INET6;
		addr.in6.sin6_family = AF_INET6;
		addr.in6.sin6_port = htons(port);
		len = sizeof(addr.in6);
	} else {
		return -EINVAL;
	}
	int type = proto == NETNS_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int protocol = proto == NETNS_PROTO_SCTP ? IPPROTO_SCTP : 0;
	int fd = socket(family, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	/* slirp4netns (libslirp) sets SO_REUSEADDR on its listeners: a port
	 * with only TIME_WAIT connections left is free for it, so for us. */
	int one = 1;
	if (proto != NETNS_PROTO_UDP)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &addr.sa, len) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static unsigned unprivileged_port_start(void)
{
	cleanup_close int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_RDONLY | O_CLOEXEC);
	char buf[16];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return 1024;
	buf[n] = '\0';
	return (unsigned)strtoul(buf, NULL, 10);
}

static int bind_error(int r, const char *ip, uint16_t port, enum netns_proto proto,
		      struct engine_error **err)
{
	char where[INET6_ADDRSTRLEN + 16];
	host_port_format(where, sizeof(where), ip[0] != '\0' ? ip : "0.0.0.0", port);
	const char *name = netns_proto_name(proto);
	if (r == -EACCES || r == -EPERM) {
		unsigned start = unprivileged_port_start();
		return engine_error_set(err, -r,
					"cannot publish %s/%s: ports below %u (net.ipv4.ip_unprivileged_port_start) need root; use a host port >= %u",
					where, name, start, start);
	}
	if (r == -EPROTONOSUPPORT || r == -ESOCKTNOSUPPORT)
		return engine_error_set(err, -r, "cannot publish %s/%s: %s is not supported on this host",
					where, name, name);
	return engine_error_errno(err, -r, "listen %s %s: bind", name, where);
}

int netns_port_bind(const char *ip, uint16_t port, enum netns_proto proto, struct engine_error **err)
{
	int fd = bind_socket(ip, port, proto);
	if (fd < 0)
		return bind_error(fd, ip, port, proto, err);
	return fd;
}

int netns_port_check_host(const char *ip, uint16_t port, enum netns_proto proto,
			  struct engine_error **err)
{
	int fd = bind_socket(ip, port, proto);
	if (fd < 0)
		return bind_error(fd, ip, port, proto, err);
	close(fd);
	return 0;
}

int netns_port_find_free(const char *ip, enum netns_proto proto, uint16_t *ret_port,
			 struct engine_error **err)
{
	cleanup_close int fd = bind_socket(ip, 0, proto);
	if (fd < 0)
		return bind_error(fd, ip, 0, proto, err);
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} addr;
	socklen_t len = sizeof(addr);
	if (getsockname(fd, &addr.sa, &len) < 0)
		return engine_error_errno(err, errno, "getsockname");
	*ret_port = ntohs(addr.sa.sa_family == AF_INET6 ? addr.in6.sin6_port : addr.in4.sin_port);
	return 0;
}

int netns_ports_allocate(struct netns_port_list *list, struct engine_error **err)
{
	for (size_t i = 0; i < list->count; i++) {
		struct netns_port *p = &list->ports[i];
		if (p->host_port == 0) {
			if (netns_port_find_free(p->host_ip, p->proto, &p->host_port, err) < 0)
				return -1;
		} else if (p->host_port_last > p->host_port) {
			unsigned port;
			for (port = p->host_port; port <= p->host_port_last; port++) {
				struct engine_error *ignored = NULL;
				int r = netns_port_check_host(p->host_ip, (uint16_t)port, p->proto, &ignored);
				engine_error_free(&ignored);
				if (r == 0)
					break;
			}
			if (port > p->host_port_last)
				return engine_error_set(err, EADDRINUSE,
							"cannot publish %u/%s: no free host port in %u-%u on %s",
							p->container_port, netns_proto_name(p->proto),
							p->host_port, p->host_port_last, netns_port_host_ip(p));
			p->host_port = (uint16_t)port;
			p->host_port_last = 0;
		} else if (netns_port_check_host(p->host_ip, p->host_port, p->proto, err) < 0) {
			return -1;
		}
	}
	return 0;
}

int netns_port_compare(const void *a, const void *b)
{
	const struct netns_port *x = a, *y = b;
	if (x->container_port != y->container_port)
		return x->container_port < y->container_port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	int c = strcmp(x->host_ip, y->host_ip);
	if (c != 0)
		return c;
	return x->host_port < y->host_port ? -1 : x->host_port > y->host_port;
}

struct netns_port *netns_ports_sorted(const struct netns_port_list *list)
{
	struct netns_port *v = malloc((list->count ? list->count : 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	if (list->count > 0) {
		memcpy(v, list->ports, list->count * sizeof(*v));
		qsort(v, list->count, sizeof(*v), netns_port_compare);
	}
	return v;
}

int netns_ports_split(const struct netns_port_list *list, enum netns_proto proto,
		      struct netns_port_list *ret_matching, struct netns_port_list *ret_others,
		      struct engine_error **err)
{
	struct netns_port_list parts[2] = { { 0 }, { 0 } };
	for (size_t i = 0; i < list->count; i++) {
		struct netns_port_list *to = &parts[list->ports[i].proto == proto ? 0 : 1];
		if (list_grow(to, 1) < 0) {
			free(parts[0].ports);
			free(parts[1].ports);
			return engine_error_set(err, ENOMEM, "out of memory");
		}
		to->ports[to->count++] = list->ports[i];
	}
	*ret_matching = parts[0];
	*ret_others = parts[1];
	return 0;
}

void netns_port_list_clear(struct netns_port_list *list)
{
	free(list->ports);
	list->ports = NULL;
	list->count = 0;
}

json_t *netns_ports_to_json(const struct netns_port_list *list)
{
	json_t *array = json_array();
	for (size_t i = 0; array != NULL && i < list->count; i++) {
		const struct netns_port *p = &list->ports[i];
		json_t *o = json_pack("{s:i, s:s, s:s, s:i, s:i}", "container_port", (int)p->container_port,
				      "proto", netns_proto_name(p->proto), "host_ip", p->host_ip, "host_port",
				      (int)p->host_port, "host_port_last", (int)p->host_port_last);
		if (o == NULL || json_array_append_new(array, o) < 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

static int json_port(const json_t *o, const char *key, int allow_zero, uint16_t *ret)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return -1;
	json_int_t n = json_integer_value(v);
	if (n < (allow_zero ? 0 : 1) || n > 65535)
		return -1;
	*ret = (uint16_t)n;
	return 0;
}

int netns_ports_from_json(const json_t *json, struct netns_port_list *ret, struct engine_error **err)
{
	if (!json_is_array(json))
		return engine_error_set(err, EINVAL, "ports: not an array");
	struct netns_port_list list = { 0 };
	size_t n = json_array_size(json);
	if (n > 3 * 65536)
		return engine_error_set(err, EINVAL, "ports: %zu entries is too many", n);
	if (n > 0 && list_grow(&list, n) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(json, i);
		struct netns_port *p = &list.ports[i];
		memset(p, 0, sizeof(*p));
		const char *proto = json_string_value(json_object_get(o, "proto"));
		const char *ip = json_string_value(json_object_get(o, "host_ip"));
		int bad = !json_is_object(o) || json_object_size(o) != 5 || proto == NULL ||
			  proto_parse(proto, &p->proto) < 0 || ip == NULL ||
			  (ip[0] != '\0' && !ip_is_valid(ip)) || strlen(ip) >= sizeof(p->host_ip) ||
			  json_port(o, "container_port", 0, &p->container_port) < 0 || p->container_port == 0 ||
			  json_port(o, "host_port", 1, &p->host_port) < 0 ||
			  json_port(o, "host_port_last", 1, &p->host_port_last) < 0 ||
			  (p->host_port_last != 0 && p->host_port_last <= p->host_port);
		if (bad) {
			free(list.ports);
			return engine_error_set(err, EINVAL, "ports: entry %zu is not a port", i);
		}
		memcpy(p->host_ip, ip, strlen(ip) + 1);
	}
	list.count = n;
	*ret = list;
	return 0;
}

json_t *netns_ports_inspect_json(const struct netns_port_list *list)
{
	cleanup_free struct netns_port *v = netns_ports_sorted(list);
	json_t *map = v != NULL ? json_object() : NULL;
	for (size_t i = 0; map != NULL && i < list->count; i++) {
		const struct netns_port *p = &v[i];
		char key[16], host_port[8];
		snprintf(key, sizeof(key), "%u/%s", p->container_port, netns_proto_name(p->proto));
		json_t *bindings = json_object_get(map, key);
		if (p->host_port == 0) {
			if (bindings == NULL && json_object_set_new(map, key, json_null()) < 0)
				goto fail;
			continue;
		}
		if (!json_is_array(bindings)) {
			bindings = json_array();
			if (bindings == NULL || json_object_set_new(map, key, bindings) < 0)
				goto fail;
		}
		snprintf(host_port, sizeof(host_port), "%u", p->host_port);
		if (json_array_append_new(bindings, json_pack("{s:s, s:s}", "HostIp", netns_port_host_ip(p),
							      "HostPort", host_port)) < 0)
			goto fail;
	}
	return map;
fail:
	json_decref(map);
	return NULL;
}
