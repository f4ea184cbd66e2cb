/* stdio-relay.h: a process's stdin, stdout and stderr in a container
 * without -t (run in the foreground, exec): pipes that the CLI relays to
 * and from its own stdio, so that no fd of the user's (their terminal above
 * all, where TIOCSTI would type into their shell) reaches the container. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define ENGINE_STDIO_RELAY_POLL_FDS 3

struct engine_stdio_relay {
	int child[3];            /* the process's 0, 1, 2 until the parent closes them */
	int in_write;            /* -i: our end of the process's stdin, -1 when closed */
	int out_read, err_read;  /* our ends of its stdout and stderr, -1 at EOF */
	bool stdin_open;         /* our own stdin is still read */
	bool splice_ok[2];       /* splice(2) works towards our stdout, stderr */
	char *in_buf;            /* read from our stdin, not yet written */
	size_t in_len, in_off;
	/* A recorded run's log: a copy of the output (stream 1 or 2) goes to
	 * OUTPUT (then read/write, never splice), and a QUIET stream goes
	 * only there, not to our stdout or stderr. */
	void (*output)(void *data, int stream, const char *buf, size_t len);
	void *output_data;
	bool quiet[2];
};

/* Make the pipes (stdin's only when INTERACTIVE: otherwise the process
 * reads /dev/null, as Docker gives it without -i).  All close-on-exec. */
int engine_stdio_relay_open(struct engine_stdio_relay *r, bool interactive,
			    struct engine_error **err);
/* In the process, before its exec: the pipes become its 0, 1 and 2, and
 * it leaves the caller's session, so that it has no controlling terminal
 * (opening /dev/tty fails with ENXIO) whatever the CLI has. */
int engine_stdio_relay_child(const struct engine_stdio_relay *r, struct engine_error **err);
/* In the CLI once the process exists: close the process's ends, so that
 * EOF and EPIPE travel both ways. */
void engine_stdio_relay_parent(struct engine_stdio_relay *r);
/* Fill P[0..ENGINE_STDIO_RELAY_POLL_FDS) for poll(2) (fd -1 where there is
 * nothing to wait for), then hand the revents to _ready. */
void engine_stdio_relay_poll_fds(const struct engine_stdio_relay *r, struct pollfd *p);
void engine_stdio_relay_ready(struct engine_stdio_relay *r, const struct pollfd *p);
/* Once the process has exited: relay what its pipes still hold, without
 * waiting for a writer that may outlive it (a background process of an
 * exec). */
void engine_stdio_relay_drain(struct engine_stdio_relay *r);
void engine_stdio_relay_close(struct engine_stdio_relay *r);
