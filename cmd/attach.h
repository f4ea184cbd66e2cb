/* attach.h: what cmd/attach.c gives the other commands. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"

struct engine_container;
struct engine_run_spec;

/* The monitor: attach (cmd/attach.c), shared with start -a. */
int cmd_attach(int argc, char **argv, struct cmd_global *g);
struct cmd_attach_opts {
	bool use_stdin;          /* send our stdin to the container */
	bool close_stdin_at_eof; /* start -a -i: our EOF closes its stdin */
	bool sig_proxy;
	unsigned char keys[16];  /* the detach keys */
	size_t n_keys;
	bool quiet_stdout, quiet_stderr; /* run -a: streams not relayed */
};
/* -t: our terminal's size into SPEC, for the monitor to size the pty
 * with before the command runs. */
void cmd_console_size(struct engine_run_spec *spec);
/* A connection to the container's attach socket, or -1. */
int cmd_attach_connect(const struct engine_container *c, struct engine_error **err);
/* Relay until detach (0) or the container's exit (its exit code). */
int cmd_attach_stream(const struct cmd_global *g, const struct engine_container *c, int sock,
		      const struct cmd_attach_opts *o);
