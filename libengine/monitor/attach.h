/* attach.h: a detached container's attach socket, served by its
 * monitor (attach.c).  Internal to libengine. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct monitor_attach;
/* Listen on DIRFD/attach (DIRFD: RUNROOT/containers/ID, owned from now
 * on); FIRST_CLIENT (or -1) is a connected socket to serve as a client
 * from the start (start -a). */
struct monitor_attach *monitor_attach_open(int dirfd, bool tty, int first_client);
/* Hand the sockets over to engine-monitor (watch.c): the fds of
 * the directory, the listening socket and up to MAX clients (returns how
 * many), and take them up again on the other side. */
size_t monitor_attach_export(struct monitor_attach *a, int *dirfd, int *listen_fd, int *clients,
			     size_t max);
/* The exported CLIENTS as engine-monitor's "clients=FD,FD" argument. */
void monitor_attach_format_clients(char *buf, size_t size, const int *clients, size_t n);
struct monitor_attach *monitor_attach_adopt(int dirfd, int listen_fd, bool tty,
					    const int *clients, size_t n);
/* FD's client (run -it's CLI) is waited for: its output is never dropped
 * (-1: none); _waited says which one is, for engine-monitor. */
void monitor_attach_wait_for(struct monitor_attach *a, int fd);
int monitor_attach_waited(const struct monitor_attach *a);
/* Where clients' input goes: the stdin pipe or the pty master (-1: none);
 * MASTER also takes resizes.  Set for each run of the container. */
void monitor_attach_set_input(struct monitor_attach *a, int input, bool is_master);
void monitor_attach_output(struct monitor_attach *a, int stream, const char *buf, size_t len);
size_t monitor_attach_poll_fds(struct monitor_attach *a, struct pollfd *p, size_t max);
void monitor_attach_poll_ready(struct monitor_attach *a, const struct pollfd *p, size_t n);
/* The container exited: send what is pending (briefly), then close every
 * client: an attach ends with its container, as Docker's. */
void monitor_attach_hangup(struct monitor_attach *a);
void monitor_attach_close(struct monitor_attach *a);
