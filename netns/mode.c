/* mode.c: network modes and the loopback device of a private namespace.
 *
 * A new network namespace starts with lo down; programs expect 127.0.0.1 to
 * work, so the container's setup brings it up with one ioctl (no netlink
 * library needed for a single flag). */
#include "mode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

int netns_mode_parse(const char *value, enum netns_mode *ret, struct engine_error **err)
{
	if (strcmp(value, "none") == 0)
		*ret = NETNS_MODE_NONE;
	else if (strcmp(value, "host") == 0)
		*ret = NETNS_MODE_HOST;
	else if (strcmp(value, "private") == 0 || strcmp(value, "default") == 0)
		*ret = NETNS_MODE_DEFAULT;
	else if (strncmp(value, "slirp4netns", 11) == 0 || strncmp(value, "pasta", 5) == 0 ||
		 strncmp(value, "container:", 10) == 0 || strncmp(value, "ns:", 3) == 0 ||
		 strcmp(value, "bridge") == 0)
		return engine_error_set(err, ENOTSUP, "--network %s: not supported yet (use none or host)",
					value);
	else
		return engine_error_set(err, EINVAL, "--network %s: unknown network mode", value);
	return 0;
}

const char *netns_mode_name(enum netns_mode mode)
{
	switch (mode) {
	case NETNS_MODE_NONE:
		return "none";
	case NETNS_MODE_HOST:
		return "host";
	case NETNS_MODE_DEFAULT:
		break;
	}
	return "private";
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
