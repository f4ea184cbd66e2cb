/* tap.h: a minimal TAP producer for the unit tests (meson `protocol: 'tap'`).
 * ok()/is_int()/is_str() print one "ok N - name" or "not ok N - name" line;
 * skip() prints "ok N # SKIP reason" for a test that cannot run here (say
 * which test and why: tests/run.sh lists every skip and counts it as a
 * failure unless tests/skips-allowed names it, so a test that cannot fail
 * never passes silently); done_testing() prints the plan and returns the
 * exit status. */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

/* A TAP skip is an "ok" line with the SKIP directive: harnesses (meson,
 * prove, tests/run.sh) count it apart from passes. */
static inline void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define skip(...) tap_skip(__VA_ARGS__)
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                          \
	do {                                                                            \
		long long g_ = (long long)(got), w_ = (long long)(want);               \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                \
			printf("#   got %lld, want %lld\n", g_, w_);                       \
	} while (0)
#define is_str(got, want, ...)                                                          \
	do {                                                                            \
		const char *g_ = (got), *w_ = (want);                                   \
		int same_ = (g_ == NULL && w_ == NULL) ||                              \
			    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);          \
		if (!tap_ok(same_, __FILE__, __LINE__, __VA_ARGS__))                   \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",            \
			       w_ ? w_ : "(null)");                                        \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
