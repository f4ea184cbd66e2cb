/* foreground.h: the caller's side of a process it made and waits for
 * (run and exec in the foreground, and a monitor's wait for its
 * container): stdio relayed, signals forwarded, the exit reaped. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "libengine/runtime/container.h"
#include "libengine/runtime/stdio-relay.h"

/* Block SIGCHLD and the signals that engine_foreground_wait forwards,
 * before the process is made, so that none is lost; only SIGWINCH of
 * them when FORWARD is false (--sig-proxy=false: the caller's signals
 * keep their default action on it, and the process dies with it).
 * *RET_SAVED is the mask to restore afterwards. */
void engine_foreground_block_signals(bool forward, sigset_t *ret_mask, sigset_t *ret_saved);

struct engine_foreground {
	pid_t pid;            /* our child: reaped here */
	const sigset_t *mask; /* as engine_foreground_block_signals made it */
	const char *name;     /* what the errors call it ("the container") */
	int master;           /* -t: the pty master (still the caller's), else -1 */
	bool interactive;     /* -t -i: our stdin goes to the pty */
	bool quiet;           /* the pty's output is not written to our stdout */
	/* Without -t: the pipes, relayed to and from our stdio (NULL: none). */
	struct engine_stdio_relay *relay;
	/* A monitor's or a recorded run's hooks (container.h): its output
	 * pipes, the pty's output as a log copy, its own fds to poll.
	 * NULL: none. */
	const struct engine_container_io *io;
};

/* Wait for FG->pid to exit, relaying its terminal or pipes meanwhile:
 * the user's terminal raw (restored on return) and resized on SIGWINCH,
 * EOF on our stdin passed to a pty as its EOF character, the blocked
 * signals forwarded, and what its output still holds once it has exited
 * relayed.  SIGPIPE is ignored from here on: a reader that goes away
 * (`run busybox yes | head -1`) closes the relay, it does not kill us.
 * *RET_EXIT_CODE is its status (128+N when killed by signal N).  When
 * the wait cannot start, the process is killed and reaped. */
int engine_foreground_wait(const struct engine_foreground *fg, int *ret_exit_code,
			   struct engine_error **err);
