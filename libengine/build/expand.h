/* expand.h: Docker's word expansion for the instructions that expand
 * (FROM, ADD, COPY, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME,
 * WORKDIR, ARG's defaults; never RUN, CMD, ENTRYPOINT, SHELL, ONBUILD).
 *
 * `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`, `${VAR:?word}` and the
 * forms without the colon (unset only, not empty), the escape character
 * taking the next character literally, single quotes literal, double
 * quotes with `$` expanded and only `"`, `$` and the escape character
 * escaped inside, as Docker's shell lexer.  A variable that is not set
 * is empty, as there. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "libengine/build/dockerfile.h"

/* The value of NAME, or NULL when it is not set. */
typedef const char *(*engine_build_lookup_fn)(void *ctx, const char *name);

struct engine_build_expander {
	char escape; /* the Dockerfile's escape character, '\\' or '`' */
	engine_build_lookup_fn lookup;
	void *ctx;
};

/* A lookup over a NULL-terminated array of "NAME=value" strings (pass
 * it as CTX); a later entry wins over an earlier one, as in ENV. */
const char *engine_build_env_lookup(void *ctx, const char *name);

/* WORD expanded and unquoted, as one word (ENV values, WORKDIR). */
int engine_build_expand_word(const struct engine_build_expander *x, const char *word, char **ret,
			     struct engine_error **err);
/* WORD expanded and split into words at blanks outside quotes, a
 * variable's value split too where it stands unquoted (EXPOSE). */
int engine_build_expand_words(const struct engine_build_expander *x, const char *word, char ***ret, size_t *n,
			      struct engine_error **err);
/* A heredoc's content: variables expanded, quotes left as they are. */
int engine_build_expand_heredoc(const struct engine_build_expander *x, const char *content, char **ret,
				struct engine_error **err);

/* Whether the words of an instruction of KIND are expanded. */
bool engine_build_expands(enum engine_dockerfile_kind kind);
/* Expand IN's words in place as Docker does for its kind: the arguments,
 * ENV and LABEL keys and values, ARG defaults, the flags that take
 * variables (--platform, --from, --chown, --chmod, --checksum), the
 * unquoted heredocs of COPY and ADD; EXPOSE's words are split.  An error
 * reads "FILE:LINE: message". */
int engine_build_expand_instruction(const struct engine_build_expander *x, struct engine_dockerfile_instruction *in,
				    const char *file, struct engine_error **err);
