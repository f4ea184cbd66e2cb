/* dockerfile-args.h: the arguments of one Dockerfile instruction (its
 * flags, exec or shell form, pairs, words, mounts, health options), for
 * dockerfile.c, which reads the lines, directives, heredocs and stages. */
#pragma once

#include "libengine/build/dockerfile.h"

/* Read REST (the line after the keyword, continuations joined) into IN,
 * whose kind is set.  Messages carry no file or line: the caller adds
 * them. */
int engine_dockerfile_args_parse(struct engine_dockerfile_instruction *in, const char *rest, char escape,
				 struct engine_error **err);

/* The words of TEXT, split at blanks outside quotes, quotes and escapes
 * kept as written (a NULL-terminated array in *RET, its length in *N). */
int engine_dockerfile_words(const char *text, char escape, char ***ret, size_t *n, struct engine_error **err);

void engine_dockerfile_instruction_clear(struct engine_dockerfile_instruction *in);
void engine_dockerfile_strv_free(char **v);
