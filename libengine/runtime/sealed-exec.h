/* sealed-exec.h: run our last code in a container from sealed memfds (see
 * sealed-exec.c). */
#ifndef ENGINE_SEALED_EXEC_H
#define ENGINE_SEALED_EXEC_H

#include "common/error.h"

/* A close-on-exec memfd holding the exec stub, sealed: its fd, or -1 with
 * *err set. */
int engine_sealed_exec_stub(struct engine_error **err);

/* A close-on-exec sealed memfd holding a copy of the file open at SRC_FD
 * (NAME: the memfd's name): its fd, or -1 with *err set. */
int engine_sealed_copy(int src_fd, const char *name, struct engine_error **err);

/* Exec the program held in FD (a sealed memfd).  Returns only on failure:
 * -errno. */
int engine_sealed_fexecve(int fd, char *const argv[], char *const envp[]);

/* Exec ARGV (found at EXE) with ENVP through the stub in STUB_FD, which
 * reports a failed execve on SOCK (the sync socket, close-on-exec again in
 * the command) as userns.c's receiver expects.  Returns only when the stub
 * itself could not be executed: -errno. */
int engine_sealed_exec(int stub_fd, int sock, const char *exe, char *const argv[],
		       char *const envp[]);

#endif
