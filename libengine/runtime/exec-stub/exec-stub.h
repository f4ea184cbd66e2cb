/* exec-stub.h: what the sealed exec stub (stub.c) and the engine agree on.
 * The stub is built freestanding, without libc: this header uses plain C
 * types only. */
#ifndef ENGINE_EXEC_STUB_H
#define ENGINE_EXEC_STUB_H

/* The stub's argv: ENGINE_EXEC_STUB_ARGV0, the sync socket's fd number in
 * decimal, the path to exec, then the command's argv (argv[0] first). */
#define ENGINE_EXEC_STUB_ARGV0 "engine-exec"

/* The message the stub sends on the sync socket when its execve fails.  It
 * has the layout of userns.c's error message (type, status, exit code,
 * text); the text is the command's argv[0] and the status its errno, so
 * that the engine words the error exactly as a failed execve of its own
 * ("exec NAME: strerror"). */
enum { ENGINE_EXEC_STUB_SYNC_EXEC_ERROR = 2 };
#define ENGINE_EXEC_STUB_MSG_SIZE 2048

struct engine_exec_stub_error {
	int type;
	int status;
	int exit_code;
	char msg[ENGINE_EXEC_STUB_MSG_SIZE];
};

#endif
