/* terminal.h: the container's pseudo-terminal (-t). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "common/error.h"

/* In the container, after pivot_root: open a pty in the container's own
 * devpts, send the master to the parent over SOCK (SCM_RIGHTS), make the
 * slave our controlling terminal and stdin/stdout/stderr. */
int engine_terminal_child_setup(int sock, struct engine_error **err);
/* The same for a process joining a running container (exec): BIND_CONSOLE
 * false leaves the container's /dev/console as its init set it up. */
int engine_terminal_child_open(int sock, bool bind_console, struct engine_error **err);
/* The size the next ptys of this process (and its children) start with,
 * in place of its own terminal's: a monitor has none (0: unset). */
void engine_terminal_set_console_size(unsigned short rows, unsigned short cols);

/* Receive a file descriptor sent with SCM_RIGHTS; the data is copied to
 * buf (size bytes).  Returns the data length, 0 on EOF. */
int engine_recv_fd(int sock, void *buf, size_t size, int *ret_fd, struct engine_error **err);
int engine_send_fd(int sock, const void *buf, size_t size, int fd, struct engine_error **err);

/* The caller's side of -t: raw mode on the user's terminal (restored by
 * engine_terminal_restore), window size copied to the master. */
struct engine_terminal {
	int master;
	int user_fd;     /* the user's terminal (stdin or stdout), -1 when none */
	bool raw;
	struct termios saved;
};
void engine_terminal_init(struct engine_terminal *t, int master);
/* init, then size the pty as our terminal and make ours raw: what the CLI
 * does once the container's pty master is here (run -t, exec -t). */
void engine_terminal_take(struct engine_terminal *t, int master);
int engine_terminal_make_raw(struct engine_terminal *t);
void engine_terminal_resize(struct engine_terminal *t);
void engine_terminal_restore(struct engine_terminal *t);
