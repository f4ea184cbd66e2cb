/* error.c: construction and decoration of struct engine_error, and the one
 * pluggable log hook.  See docs/errors.md for the contract. */
#include "common/error.h"

#include <errno.h>
#include <stdbool.h>
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

/* Record where each of SETTINGS (','-separated names) sits in the message
 * FMT and AP made: for a name written in FMT, formatting FMT up to it
 * gives its offset, whatever the values before it hold; a name passed as
 * an argument is where it next appears in the message. */
__attribute__((format(printf, 3, 0))) static void mark_settings(struct engine_error *e, const char *settings,
								const char *fmt, va_list ap)
{
	size_t len = strlen(e->msg), fmt_from = 0, msg_from = 0;
	for (const char *name = settings; *name != '\0' && e->n_settings < ENGINE_ERROR_SETTINGS;) {
		size_t n = strcspn(name, ",");
		char want[sizeof(e->settings[0].name)];
		if (n >= sizeof(want))
			break;
		memcpy(want, name, n);
		want[n] = '\0';
		const char *in_fmt = strstr(fmt + fmt_from, want);
		int at = -1;
		if (in_fmt != NULL) {
			char *head = strndup(fmt, (size_t)(in_fmt - fmt));
			va_list copy;
			va_copy(copy, ap);
			/* HEAD is a prefix of FMT, which the callers' format
			 * attribute checked against its arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			at = head != NULL ? vsnprintf(NULL, 0, head, copy) : -1;
#pragma GCC diagnostic pop
			va_end(copy);
			free(head);
			fmt_from = (size_t)(in_fmt - fmt) + n;
		} else if (msg_from <= len) {
			/* Passed as an argument: where it next appears. */
			const char *in_msg = strstr(e->msg + msg_from, want);
			at = in_msg != NULL ? (int)(in_msg - e->msg) : -1;
		}
		if (at >= 0 && (size_t)at + n <= len && memcmp(e->msg + at, want, n) == 0) {
			struct engine_error_setting *s = &e->settings[e->n_settings++];
			memcpy(s->name, want, n + 1);
			s->from_end = (unsigned)(len - (size_t)at);
			msg_from = (size_t)at + n;
		}
		name += n;
		if (*name == ',')
			name++;
	}
}

/* engine_error_set or, WITH_ERRNO, engine_error_errno, marking SETTINGS
 * in a message made here (a set error keeps its own). */
__attribute__((format(printf, 4, 0))) static int store_setting(struct engine_error **err, const char *settings,
								int errno_value, const char *fmt, va_list ap,
								bool with_errno)
{
	bool fresh = err != NULL && *err == NULL;
	va_list copy;
	va_copy(copy, ap);
	char *msg = vformat(fmt, copy);
	va_end(copy);
	if (with_errno && msg != NULL) {
		char *head = msg;
		if (asprintf(&msg, "%s: %s", head, strerror(errno_value)) < 0)
			msg = NULL;
		free(head);
	}
	int r = store(err, errno_value, msg);
	if (fresh && *err != NULL && (*err)->msg == msg)
		mark_settings(*err, settings, fmt, ap);
	return r;
}

int engine_error_setting(struct engine_error **err, const char *settings, int errno_value,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = store_setting(err, settings, errno_value, fmt, ap, false);
	va_end(ap);
	return r;
}

int engine_error_setting_errno(struct engine_error **err, const char *settings, int errno_value,
			       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = store_setting(err, settings, errno_value, fmt, ap, true);
	va_end(ap);
	return r;
}

int engine_error_setting_prefix(struct engine_error **err, const char *settings, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	struct engine_error *e = *err;
	char *before = e->msg;
	va_list ap;
	va_start(ap, fmt);
	char *head = vformat(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	if (head != NULL && asprintf(&msg, "%s: %s", head, e->msg) >= 0) {
		e->msg = msg;
		free(before);
		/* The prefix's settings come first in the message, so first
		 * in the list. */
		struct engine_error_setting later[ENGINE_ERROR_SETTINGS];
		unsigned n_later = e->n_settings;
		memcpy(later, e->settings, sizeof(later));
		e->n_settings = 0;
		va_start(ap, fmt);
		mark_settings(e, settings, fmt, ap);
		va_end(ap);
		for (unsigned i = 0; i < n_later && e->n_settings < ENGINE_ERROR_SETTINGS; i++)
			e->settings[e->n_settings++] = later[i];
	}
	free(head);
	return e->status ? -e->status : -1;
}

char *engine_error_text(const struct engine_error *err, const char *(*name_of)(const char *setting))
{
	const char *msg = err && err->msg ? err->msg : "unknown error";
	size_t len = strlen(msg);
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (f == NULL)
		return NULL;
	size_t done = 0;
	/* Marked in the order they appear, so nearest the end last. */
	for (unsigned i = 0; err != NULL && i < err->n_settings && i < ENGINE_ERROR_SETTINGS; i++) {
		const struct engine_error_setting *s = &err->settings[i];
		size_t n = strnlen(s->name, sizeof(s->name));
		const char *name = name_of != NULL ? name_of(s->name) : NULL;
		if (name == NULL || s->from_end > len || len - s->from_end < done)
			continue;
		size_t at = len - s->from_end;
		/* A message changed behind the error's back is left as it is. */
		if (n > s->from_end || memcmp(msg + at, s->name, n) != 0)
			continue;
		fwrite(msg + done, 1, at - done, f);
		fputs(name, f);
		done = at + n;
	}
	fputs(msg + done, f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
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
