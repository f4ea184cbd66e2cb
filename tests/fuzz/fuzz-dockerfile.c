/* fuzz-dockerfile.c: libFuzzer harness for build's front end
 * (libengine/build/): the input is parsed as a Dockerfile, every
 * instruction's words are expanded (one word, split, heredoc), and the
 * same bytes are read as a .dockerignore and matched against paths taken
 * from them.  Beyond no crash and no leak: an error is one line that names
 * a line of the input, an accepted file's instructions sit on lines of
 * the input in order, and a directory the walk may skip is excluded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/build/dockerfile.h"
#include "libengine/build/expand.h"
#include "libengine/build/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const env[] = { "HOME=/root", "EMPTY=", "LIST=80 443", "V=1", NULL };

/* The lines of the input: what an error may name, at least 1. */
static unsigned count_lines(const char *text, size_t size)
{
	unsigned n = 0;
	for (size_t i = 0; i < size; i++)
		n += text[i] == '\n';
	if (size > 0 && text[size - 1] != '\n')
		n++;
	return n > 0 ? n : 1;
}

/* ERR reads "Dockerfile:N: ..." on one line, N a line of the input. */
static void check_error(const struct engine_error *err, unsigned lines)
{
	unsigned line = 0;
	int used = 0;
	if (err == NULL || err->msg == NULL || strchr(err->msg, '\n') != NULL ||
	    sscanf(err->msg, "Dockerfile:%u:%n", &line, &used) != 1 || used == 0 || line < 1 || line > lines)
		abort();
}

static void check_instruction(const struct engine_dockerfile_instruction *in, unsigned lines)
{
	if (in->line < 1 || in->end_line < in->line || in->end_line > lines || in->keyword == NULL ||
	    in->text == NULL)
		abort();
	if (in->args != NULL && in->args[in->n_args] != NULL)
		abort();
	if (in->args == NULL && in->n_args != 0)
		abort();
	for (size_t i = 0; i < in->n_heredocs; i++)
		if (in->heredocs[i].name == NULL || in->heredocs[i].content == NULL)
			abort();
}

/* Expand IN every way there is; the errors must name its line. */
static void expand(const struct engine_build_expander *x, struct engine_dockerfile_instruction *in, unsigned lines)
{
	struct engine_error *err = NULL;
	for (size_t i = 0; i < in->n_args; i++) {
		char **words = NULL;
		size_t n = 0;
		if (engine_build_expand_words(x, in->args[i], &words, &n, &err) == 0) {
			for (size_t k = 0; k < n; k++)
				free(words[k]);
			if (words[n] != NULL)
				abort();
			free(words);
		} else if (err == NULL || strchr(err->msg, '\n') != NULL) {
			abort();
		}
		engine_error_free(&err);
	}
	for (size_t i = 0; i < in->n_heredocs; i++) {
		char *content = NULL;
		if (engine_build_expand_heredoc(x, in->heredocs[i].content, &content, &err) < 0 && err == NULL)
			abort();
		free(content);
		engine_error_free(&err);
	}
	if (engine_build_expand_instruction(x, in, "Dockerfile", &err) < 0)
		check_error(err, lines);
	engine_error_free(&err);
}

static void fuzz_dockerfile(const char *text, size_t size)
{
	unsigned lines = count_lines(text, size);
	struct engine_dockerfile *df = NULL;
	struct engine_error *err = NULL;
	if (engine_dockerfile_parse(text, size, "Dockerfile", &df, &err) < 0) {
		check_error(err, lines);
		if (df != NULL)
			abort();
		engine_error_free(&err);
		return;
	}
	if (df->n_stages == 0 || (df->escape != '\\' && df->escape != '`'))
		abort();
	const struct engine_build_expander x = { df->escape, engine_build_env_lookup, (void *)env };
	unsigned previous = 0;
	for (size_t i = 0; i < df->n_meta_args; i++) {
		check_instruction(&df->meta_args[i], lines);
		expand(&x, &df->meta_args[i], lines);
	}
	for (size_t s = 0; s < df->n_stages; s++) {
		struct engine_dockerfile_stage *st = &df->stages[s];
		if (st->base == NULL || st->from.line <= previous)
			abort();
		if (st->name != NULL && engine_dockerfile_stage_find(df, st->name) != st)
			abort();
		check_instruction(&st->from, lines);
		previous = st->from.end_line;
		expand(&x, &st->from, lines);
		for (size_t i = 0; i < st->n_instructions; i++) {
			struct engine_dockerfile_instruction *in = &st->instructions[i];
			check_instruction(in, lines);
			if (in->line <= previous)
				abort();
			previous = in->end_line;
			if (in->trigger != NULL)
				expand(&x, in->trigger, lines);
			expand(&x, in, lines);
		}
	}
	engine_dockerfile_free(&df);
}

static void fuzz_dockerignore(const char *text, size_t size)
{
	struct engine_dockerignore *ig = NULL;
	struct engine_error *err = NULL;
	if (engine_dockerignore_parse(text, size, ".dockerignore", &ig, &err) < 0) {
		if (err == NULL || ig != NULL)
			abort();
		engine_error_free(&err);
		return;
	}
	/* each pattern's own text, and a path below it, as paths */
	for (size_t i = 0; i < ig->n_patterns && i < 16; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s", ig->patterns[i].pattern);
		int skipped = 0;
		for (int below = 0; below < 2; below++) {
			int excluded = engine_dockerignore_excluded(ig, path);
			int skip = engine_dockerignore_skip_dir(ig, path);
			if (excluded < 0 || excluded > 1 || skip < 0 || skip > excluded || (skipped && !excluded))
				abort();
			skipped = skip;
			strncat(path, "/x", sizeof(path) - strlen(path) - 1);
		}
	}
	engine_dockerignore_free(&ig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	fuzz_dockerfile((const char *)data, size);
	/* the patterns are C strings: no NUL to cut one short */
	if (memchr(data, '\0', size) == NULL)
		fuzz_dockerignore((const char *)data, size);
	return 0;
}
