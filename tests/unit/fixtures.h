/* fixtures.h: small helpers that several unit tests share. */
#pragma once

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "storage/reference.h"
#include "tap.h"

/* One row of a table-driven test: an input and what the code under test
 * must make of it (its output, its error message, or why it is refused). */
struct text_case {
	const char *input, *want;
};

/* PATH's first SIZE - 1 bytes in BUF, NUL-terminated, opened with
 * O_RDONLY | O_CLOEXEC | FLAGS: BUF, or NULL when PATH cannot be opened. */
static inline char *read_text(const char *path, int flags, char *buf, size_t size)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The directory tree ROOT (a test's temporary store) removed: one test. */
static inline void clean_up_tree(const char *root)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ok(system(cmd) == 0, "clean up");
}

/* The parsed reference S (zeroed, with the error as a TAP comment, when
 * it does not parse); storage_reference_clear frees it. */
static inline struct storage_reference ref_of(const char *s)
{
	struct storage_reference r = { 0 };
	struct engine_error *err = NULL;
	if (storage_reference_parse(s, &r, &err) < 0) {
		printf("#   cannot parse %s: %s\n", s, err->msg);
		engine_error_free(&err);
	}
	return r;
}
