/* mode.c: network modes and the loopback device of a private namespace.
 *
 * A new network namespace starts with lo down; programs expect 127.0.0.1 to
 * work, so the container's setup brings it up with one ioctl (no netlink
 * library needed for a single flag). */
#include "netns/mode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "netns/slirp4netns.h"
#include <stdlib.h>

/* Whether NAME is an executable in $PATH. */
static int in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	char buf[4096];
	for (const char *p = path; *p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0 && len + strlen(name) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}

int netns_mode_parse(const char *value, enum netns_mode *ret, struct netns_slirp_options *ret_slirp_opts,
		     struct engine_error **err)
{
	struct netns_slirp_options opts;
	netns_slirp_options_init(&opts);
	int slirp = netns_slirp_network_parse(value, &opts, err);
	if (slirp < 0)
		return -1;
	if (slirp == 1 || strcmp(value, "bridge") == 0 || strcmp(value, "private") == 0 ||
	    strcmp(value, "default") == 0) {
		/* Docker's bridge and Podman's private are slirp4netns for a
		 * rootless engine, as with Podman. */
		*ret = NETNS_MODE_DEFAULT;
		if (ret_slirp_opts != NULL)
			*ret_slirp_opts = opts;
	} else if (strcmp(value, "none") == 0) {
		*ret = NETNS_MODE_NONE;
	} else if (strcmp(value, "host") == 0) {
		*ret = NETNS_MODE_HOST;
	} else if (strcmp(value, "pasta") == 0 || strncmp(value, "pasta:", 6) == 0) {
		if (!in_path("pasta"))
			return engine_error_set(err, ENOENT,
						"%s: pasta (from passt) is not installed in $PATH",
						value);
		return engine_error_set(err, ENOTSUP,
					"%s: pasta is not supported by this engine yet (use slirp4netns)",
					value);
	} else if (strncmp(value, "container:", 10) == 0) {
		if (value[10] == '\0')
			return engine_error_set(err, EINVAL, "%s: no container named", value);
		*ret = NETNS_MODE_CONTAINER;
	} else if (strncmp(value, "ns:", 3) == 0) {
		if (value[3] != '/')
			return engine_error_set(err, EINVAL, "%s: the path must be absolute", value);
		*ret = NETNS_MODE_NS;
	} else {
		return engine_error_set(err, EINVAL, "%s: unknown network mode", value);
	}
	return 0;
}

const char *netns_mode_name(enum netns_mode mode)
{
	switch (mode) {
	case NETNS_MODE_NONE:
		return "none";
	case NETNS_MODE_HOST:
		return "host";
	case NETNS_MODE_CONTAINER:
		return "container";
	case NETNS_MODE_NS:
		return "ns";
	case NETNS_MODE_DEFAULT:
		break;
	}
	return "slirp4netns";
}

int netns_mode_is_private(enum netns_mode mode)
{
	return mode != NETNS_MODE_HOST;
}

int netns_loopback_up(struct engine_error **err)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return engine_error_errno(err, errno, "socket for lo");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return engine_error_errno(err, errno, "read lo flags");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return engine_error_errno(err, errno, "bring lo up");
	return 0;
}

int netns_ping_group_range_set(unsigned first, unsigned last, struct engine_error **err)
{
	cleanup_close int fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open net.ipv4.ping_group_range");
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%u %u", first, last);
	if (write(fd, buf, (size_t)n) != n)
		return engine_error_errno(err, errno, "set net.ipv4.ping_group_range");
	return 0;
}
