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

/* A setting the message names in the library's words ("user", "cgroup
 * parent"), so that a face can put its own name for it there: cmd/ puts
 * the flag ("--user").  Where it sits is counted from the message's end,
 * so that context prefixed on the way up does not move it. */
struct engine_error_setting {
	char name[32];
	unsigned from_end;
};
#define ENGINE_ERROR_SETTINGS 3

struct engine_error {
	int status; /* errno value (positive) or 0 when none applies */
	int exit_code; /* process exit status the CLI should use, 0 = 125 */
	char *msg;
	struct engine_error_setting settings[ENGINE_ERROR_SETTINGS];
	unsigned n_settings;
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
/* As engine_error_set and engine_error_errno, for a message about the
 * settings named in SETTINGS (one name, or several separated by ','),
 * each written literally in FMT, or passed as an argument where it is
 * the next appearance of the name in the message), in the order they
 * appear: the error records where each sits, so that a face can name the
 * setting as its users know it. */
int engine_error_setting(struct engine_error **err, const char *settings, int errno_value,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int engine_error_setting_errno(struct engine_error **err, const char *settings, int errno_value,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* As engine_error_prefix, for context that names SETTINGS. */
int engine_error_setting_prefix(struct engine_error **err, const char *settings, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ERR's message with each setting it names replaced by NAME_OF(setting)
 * where that is not NULL (newly allocated; NULL when out of memory). */
char *engine_error_text(const struct engine_error *err, const char *(*name_of)(const char *setting));
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
