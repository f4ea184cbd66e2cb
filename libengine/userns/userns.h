/* userns.h: the user-namespace helper: a child process in a new user
 * namespace (plus any other namespaces asked for), mapped from outside,
 * that runs a function and reports errors back over a socket. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "libengine/userns/idmap.h"

/* Runs in the child once the maps are written; returns the exit status. */
typedef int (*engine_userns_fn)(void *data, int sock);

/* Clone a child with CLONE_NEWUSER (unless MAP is root mode) | EXTRA_FLAGS,
 * write its maps, and let it run FN.  The child's end of the socket is
 * close-on-exec: EOF tells the parent an exec happened (or the child ended).
 * Returns the parent's end of the socket in *ret_sock. */
int engine_userns_clone(const struct engine_idmap *map, unsigned long extra_flags,
			engine_userns_fn fn, void *data, pid_t *ret_pid, int *ret_sock,
			struct engine_error **err);

/* Child side: send ERR (with its exit code) to the parent. */
void engine_userns_report(int sock, const struct engine_error *err);

/* Parent side: wait for the next message.  Returns 0 at EOF, 1 when a file
 * descriptor arrived (*ret_fd), -1 with *err set to the child's error. */
int engine_userns_receive(int sock, int *ret_fd, struct engine_error **err);
/* As engine_userns_receive, with the text sent along with an fd (its
 * kind: "pty", ENGINE_FUSE_OVERLAYFS_TAG) in TAG, NUL-terminated. */
int engine_userns_receive_tagged(int sock, char *tag, size_t tag_size, int *ret_fd,
				 struct engine_error **err);

/* Parent side, to the end: read the child's messages until EOF (closing
 * any fd it sends), then reap it.  0 when it exited 0; -1 with the error
 * it sent, else with how it ended (EPIPE where a reader of its output went
 * away). */
int engine_userns_wait(pid_t pid, int sock, struct engine_error **err);

/* Run FN in a mapped user namespace (and a mount namespace of its own) and
 * wait for it: 0 when it returned 0, -1 with the child's error otherwise. */
int engine_userns_run(const struct engine_idmap *map, engine_userns_fn fn, void *data,
		      struct engine_error **err);
