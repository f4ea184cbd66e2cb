/* loopback.h: a TCP listener on 127.0.0.1, for the unit tests that need a
 * port that is taken or a peer to reach. */
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

/* A TCP socket listening on 127.0.0.1 with BACKLOG, on a port the kernel
 * chooses (in *RET_PORT): its fd, or -1. */
static inline int listen_loopback(int backlog, uint16_t *ret_port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}
