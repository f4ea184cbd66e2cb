/* error.c: construction and decoration of struct engine_error, and the one
 * pluggable log hook.  See docs/errors.md for the contract. */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static int store(struct engine_error **err, int errno_value, char *msg)
{
	if (err == NULL) {
		free(msg);
		return errno_value ? -errno_value : -1;
	}
	/* The first error wins: a later one would hide the cause. */
	if (*err != NULL) {
		free(msg);
		return errno_value ? -errno_value : -1;
	}
	struct engine_error *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		free(msg);
		return -ENOMEM;
	}
	e->status = errno_value;
	e->msg = msg != NULL ? msg : strdup("out of memory while formatting an error");
	*err = e;
	return errno_value ? -errno_value : -1;
}

int engine_error_set(struct engine_error **err, int errno_value, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	return store(err, errno_value, msg);
}

int engine_error_errno(struct engine_error **err, int errno_value, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *head = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (head != NULL && asprintf(&msg, "%s: %s", head, strerror(errno_value)) < 0)
		msg = NULL;
	free(head);
	return store(err, errno_value, msg);
}

int engine_error_prefix(struct engine_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *head = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (head != NULL && asprintf(&msg, "%s: %s", head, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(head);
	return (*err)->status ? -(*err)->status : -1;
}

void engine_error_free(struct engine_error **err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int engine_error_exit_code(const struct engine_error *err)
{
	if (err == NULL || err->exit_code == 0)
		return ENGINE_EXIT_ENGINE;
	return err->exit_code;
}

static engine_log_fn log_handler;
static int log_max_level = ENGINE_LOG_WARN;

void engine_log_set_handler(engine_log_fn fn, int max_level)
{
	log_handler = fn;
	log_max_level = max_level;
}

void engine_log(int level, const char *fmt, ...)
{
	if (log_handler == NULL || level > log_max_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	if (msg != NULL)
		log_handler(level, msg);
	free(msg);
}
