/* conf-parse.h: what the unit tests of a strict configuration parser
 * (storage.conf, registries.conf) check the same way: a mistake is refused
 * with one line that says where, a NUL byte and a huge file are refused. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "tap.h"

/* The parser under test on LEN bytes of TEXT: negative with *ERR set when
 * it refuses them; what it parsed is freed again. */
typedef int (*conf_parse_fn)(const char *text, size_t len, struct engine_error **err);

/* TEXT is refused with one line that contains WANT_MSG. */
static inline void conf_refused(conf_parse_fn parse, const char *text, const char *want_msg,
				const char *what)
{
	struct engine_error *err = NULL;
	int r = parse(text, strlen(text), &err);
	const char *msg = r < 0 && err != NULL ? err->msg : "";
	ok(r < 0 && strstr(msg, want_msg) != NULL && strchr(msg, '\n') == NULL,
	   "refused with one line: %s", what);
	if (r >= 0 || strstr(msg, want_msg) == NULL)
		printf("#   got '%s', want it to contain '%s'\n", msg, want_msg);
	engine_error_free(&err);
}

/* A NUL byte after the valid LINE is refused, and so is a file of 70,000
 * bytes (with EFBIG where WANT_EFBIG). */
static inline void conf_limits(conf_parse_fn parse, const char *line, int want_efbig)
{
	struct engine_error *err = NULL;
	size_t n = strlen(line);
	char *nul = malloc(n + 2);
	memcpy(nul, line, n);
	nul[n] = '\0';
	nul[n + 1] = 'x';
	ok(parse(nul, n + 2, &err) < 0 && strstr(err->msg, "NUL") != NULL, "a NUL byte is refused");
	engine_error_free(&err);
	free(nul);

	char *big = malloc(70000);
	memset(big, '#', 69999);
	big[69999] = '\0';
	ok(parse(big, strlen(big), &err) < 0 && (!want_efbig || err->status == EFBIG),
	   "a huge file is refused");
	engine_error_free(&err);
	free(big);
}
