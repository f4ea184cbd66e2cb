/* error.h: the one error type every layer returns.
 *
 * Fallible functions take `struct engine_error **err` last and return a
 * negative value on failure, having set *err.  Callers add context while the
 * error travels up (engine_error_prefix), and only cmd/ prints it.  The
 * contract is written down in docs/errors.md. */
#pragma once

#include <stdarg.h>

/* Exit statuses as Docker's CLI documents them. */
enum {
	ENGINE_EXIT_ENGINE = 125,     /* the engine itself failed */
	ENGINE_EXIT_CANNOT_INVOKE = 126, /* the command exists but can't run */
	ENGINE_EXIT_NOT_FOUND = 127,  /* the command was not found */
};

struct engine_error {
	int status; /* errno value (positive) or 0 when none applies */
	int exit_code; /* process exit status the CLI should use, 0 = 125 */
	char *msg;
};

/* Set *err (when err is non-NULL) and return -1 (or -errno_value when
 * errno_value is non-zero): lets callers write `return engine_error_set(...)`. */
int engine_error_set(struct engine_error **err, int errno_value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As engine_error_set, appending ": strerror(errno_value)". */
int engine_error_errno(struct engine_error **err, int errno_value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend "context: " to an existing error's message. Returns -1. */
int engine_error_prefix(struct engine_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void engine_error_free(struct engine_error **err);
/* The exit code an error maps to (125 unless the error says otherwise). */
int engine_error_exit_code(const struct engine_error *err);

/* Debug logging: the library never prints; it calls this hook, which cmd/
 * points at stderr for --log-level=debug.  NULL means silent. */
typedef void (*engine_log_fn)(int level, const char *msg);
enum { ENGINE_LOG_ERROR = 0, ENGINE_LOG_WARN = 1, ENGINE_LOG_INFO = 2, ENGINE_LOG_DEBUG = 3 };
void engine_log_set_handler(engine_log_fn fn, int max_level);
void engine_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define engine_debug(...) engine_log(ENGINE_LOG_DEBUG, __VA_ARGS__)
