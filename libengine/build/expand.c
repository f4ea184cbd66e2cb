/* expand.c: Docker's shell-like word expansion for Dockerfile words.
 *
 * Not a shell: no command substitution, no globbing, no arithmetic; the
 * lexer only removes quotes, honours the escape character and replaces
 * variables, as Docker's own does before an instruction runs.  One
 * recursive scanner serves the three callers: one word, words split at
 * blanks (EXPOSE), and heredoc content (quotes kept). */
#include "libengine/build/expand.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "libengine/build/dockerfile-args.h"

/* ${a:-${b:-...}} nests; a bound keeps hostile input off the stack. */
#define MAX_DEPTH 64

/* What an expansion writes to: a memory stream, which grows itself. */
struct buf {
	FILE *f;
	char *s;
	size_t len;
};

struct lexer {
	const struct engine_build_expander *x;
	const char *s;
	size_t pos;
	bool split;	  /* engine_build_expand_words */
	bool keep_quotes; /* heredoc content */
	int depth;
	/* split: the words so far and whether one is open in CUR */
	char **words;
	size_t n_words;
	bool in_word;
	struct engine_error **err;
};

static int no_memory(struct engine_error **err)
{
	return engine_error_set(err, ENOMEM, "out of memory");
}

static int buf_open(struct lexer *lx, struct buf *b)
{
	*b = (struct buf){ 0 };
	b->f = open_memstream(&b->s, &b->len);
	return b->f != NULL ? 0 : no_memory(lx->err);
}

/* The text written, the stream closed; NULL when memory ran short. */
static char *buf_take(struct buf *b)
{
	bool failed = ferror(b->f) != 0;
	if (fclose(b->f) != 0 || failed) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

static void buf_drop(struct buf *b)
{
	free(buf_take(b));
}

static int put(struct lexer *lx, struct buf *b, const char *s, size_t len)
{
	return len == 0 || fwrite(s, 1, len, b->f) == len ? 0 : no_memory(lx->err);
}

static int put_char(struct lexer *lx, struct buf *b, char c)
{
	lx->in_word = true;
	return put(lx, b, &c, 1);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Close the open word of a split expansion. */
static int end_word(struct lexer *lx, struct buf *b)
{
	if (!lx->in_word)
		return 0;
	char *word = buf_take(b);
	char **grown = word != NULL ? realloc(lx->words, (lx->n_words + 2) * sizeof(*grown)) : NULL;
	if (grown == NULL) {
		free(word);
		b->f = NULL;
		return no_memory(lx->err);
	}
	grown[lx->n_words++] = word;
	grown[lx->n_words] = NULL;
	lx->words = grown;
	lx->in_word = false;
	return buf_open(lx, b);
}

/* A variable's value where it lands: split at its blanks when it stands
 * unquoted in a split expansion. */
static int put_value(struct lexer *lx, struct buf *b, const char *value, bool split)
{
	if (!split)
		return *value != '\0' ? (lx->in_word = true, put(lx, b, value, strlen(value))) : 0;
	for (const char *p = value; *p != '\0'; p++)
		if ((blank(*p) ? end_word(lx, b) : put_char(lx, b, *p)) < 0)
			return -1;
	return 0;
}

/* The name after '$': digits, one special parameter, or a name. */
static size_t name_length(const char *s)
{
	size_t n = 0;
	if (isdigit((unsigned char)s[0])) {
		while (isdigit((unsigned char)s[n]))
			n++;
		return n;
	}
	if (s[0] != '\0' && strchr("@*#?$!-", s[0]) != NULL)
		return 1;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

static const char *lookup(struct lexer *lx, const char *name)
{
	return lx->x->lookup != NULL ? lx->x->lookup(lx->x->ctx, name) : NULL;
}

static int scan(struct lexer *lx, struct buf *out, char stop, bool top);

/* ${NAME...}: the lexer stands after "${". */
static int braced(struct lexer *lx, struct buf *out, bool split)
{
	if (++lx->depth > MAX_DEPTH)
		return engine_error_set(lx->err, EINVAL, "substitution nested too deeply");
	size_t len = name_length(lx->s + lx->pos);
	cleanup_free char *name = strndup(lx->s + lx->pos, len);
	if (name == NULL)
		return no_memory(lx->err);
	lx->pos += len;
	const char *value = lookup(lx, name);
	char c = lx->s[lx->pos];
	if (c == '}') {
		lx->pos++;
		lx->depth--;
		return value != NULL ? put_value(lx, out, value, split) : 0;
	}
	if (c == '\0')
		return engine_error_set(lx->err, EINVAL, "missing '}' in substitution");
	bool colon = c == ':';
	if (colon)
		c = lx->s[++lx->pos];
	if (c != '-' && c != '+' && c != '?') {
		if (colon)
			return engine_error_set(lx->err, EINVAL, "unsupported modifier (%c) in substitution",
						c != '\0' ? c : ' ');
		return engine_error_set(lx->err, EINVAL, "missing ':' in substitution");
	}
	lx->pos++;
	/* the word after the modifier: quotes, escapes and variables inside,
	 * never split on its own */
	struct buf word;
	bool was_in_word = lx->in_word;
	if (buf_open(lx, &word) < 0)
		return -1;
	if (scan(lx, &word, '}', false) < 0) {
		buf_drop(&word);
		return -1;
	}
	cleanup_free char *w = buf_take(&word);
	if (w == NULL)
		return no_memory(lx->err);
	lx->in_word = was_in_word;
	lx->depth--;
	bool is_set = value != NULL && (!colon || *value != '\0');
	int r = 0;
	if (c == '-')
		r = put_value(lx, out, is_set ? value : w, split);
	else if (c == '+')
		r = is_set ? put_value(lx, out, w, split) : 0;
	else if (!is_set)
		/* a heredoc's word may span lines; an error is one */
		r = *w != '\0' ? engine_error_set(lx->err, EINVAL, "%s: %.*s", name, (int)strcspn(w, "\n"), w)
			       : engine_error_set(lx->err, EINVAL, "%s: is not allowed to be %s", name,
						  colon ? "empty" : "unset");
	else
		r = put_value(lx, out, value, split);
	return r;
}

/* '$' at the lexer: a variable, or a literal '$' when no name follows. */
static int dollar(struct lexer *lx, struct buf *out, bool split)
{
	lx->pos++;
	if (lx->s[lx->pos] == '{') {
		lx->pos++;
		return braced(lx, out, split);
	}
	size_t len = name_length(lx->s + lx->pos);
	if (len == 0)
		return put_char(lx, out, '$');
	cleanup_free char *name = strndup(lx->s + lx->pos, len);
	if (name == NULL)
		return no_memory(lx->err);
	lx->pos += len;
	const char *value = lookup(lx, name);
	return value != NULL ? put_value(lx, out, value, split) : 0;
}

/* The inside of "...", or the whole of heredoc content (CLOSING 0). */
static int double_quoted(struct lexer *lx, struct buf *out, char closing)
{
	char escape = lx->x->escape;
	for (;;) {
		char c = lx->s[lx->pos];
		if (c == '\0') {
			if (closing == 0)
				return 0;
			return engine_error_set(lx->err, EINVAL,
						"unexpected end of statement while looking for matching double-quote");
		}
		if (c == '$') {
			if (dollar(lx, out, false) < 0)
				return -1;
			continue;
		}
		lx->pos++;
		if (c == closing)
			return 0;
		if (c == escape) {
			char next = lx->s[lx->pos];
			if (next == '\0')
				continue; /* an escape at the very end is dropped */
			if (next == '$' || next == escape || (next == '"' && closing != 0)) {
				c = next;
				lx->pos++;
			}
		}
		if (put_char(lx, out, c) < 0)
			return -1;
	}
}

/* Up to STOP (or the end when STOP is 0).  TOP: the outermost level,
 * where a split expansion splits. */
static int scan(struct lexer *lx, struct buf *out, char stop, bool top)
{
	bool split = top && lx->split;
	for (;;) {
		char c = lx->s[lx->pos];
		if (c == '\0') {
			if (stop != 0)
				return engine_error_set(lx->err, EINVAL, "missing '%c' in substitution", stop);
			return 0;
		}
		if (c == stop) {
			lx->pos++;
			return 0;
		}
		if (c == '$') {
			if (dollar(lx, out, split) < 0)
				return -1;
			continue;
		}
		lx->pos++;
		if (c == '\'') {
			const char *end = strchr(lx->s + lx->pos, '\'');
			if (end == NULL)
				return engine_error_set(lx->err, EINVAL,
							"unexpected end of statement while looking for matching single-quote");
			lx->in_word = true;
			if (put(lx, out, lx->s + lx->pos, (size_t)(end - (lx->s + lx->pos))) < 0)
				return -1;
			lx->pos = (size_t)(end - lx->s) + 1;
			continue;
		}
		if (c == '"') {
			lx->in_word = true;
			if (double_quoted(lx, out, '"') < 0)
				return -1;
			continue;
		}
		if (c == lx->x->escape) {
			if (lx->s[lx->pos] == '\0')
				continue; /* an escape at the very end is dropped */
			c = lx->s[lx->pos++];
		} else if (split && blank(c)) {
			if (end_word(lx, out) < 0)
				return -1;
			continue;
		}
		if (put_char(lx, out, c) < 0)
			return -1;
	}
}

/* TEXT expanded as one word or, KEEP_QUOTES, as heredoc content. */
static int expand_text(const struct engine_build_expander *x, const char *text, bool keep_quotes, char **ret,
		       struct engine_error **err)
{
	struct lexer lx = { .x = x, .s = text, .keep_quotes = keep_quotes, .err = err };
	struct buf out;
	if (buf_open(&lx, &out) < 0)
		return -1;
	if ((keep_quotes ? double_quoted(&lx, &out, 0) : scan(&lx, &out, 0, true)) < 0) {
		buf_drop(&out);
		return -1;
	}
	if ((*ret = buf_take(&out)) == NULL)
		return no_memory(err);
	return 0;
}

int engine_build_expand_word(const struct engine_build_expander *x, const char *word, char **ret,
			     struct engine_error **err)
{
	return expand_text(x, word, false, ret, err);
}

int engine_build_expand_heredoc(const struct engine_build_expander *x, const char *content, char **ret,
				struct engine_error **err)
{
	return expand_text(x, content, true, ret, err);
}

int engine_build_expand_words(const struct engine_build_expander *x, const char *word, char ***ret, size_t *n,
			      struct engine_error **err)
{
	struct lexer lx = { .x = x, .s = word, .split = true, .err = err };
	struct buf out;
	if (buf_open(&lx, &out) < 0)
		return -1;
	int r = scan(&lx, &out, 0, true);
	if (r == 0)
		r = end_word(&lx, &out);
	if (out.f != NULL)
		buf_drop(&out);
	if (r == 0 && lx.words == NULL && (lx.words = calloc(1, sizeof(*lx.words))) == NULL)
		r = no_memory(err);
	if (r < 0) {
		engine_dockerfile_strv_free(lx.words);
		return -1;
	}
	*ret = lx.words;
	*n = lx.n_words;
	return 0;
}

const char *engine_build_env_lookup(void *ctx, const char *name)
{
	char *const *env = ctx;
	const char *found = NULL;
	size_t len = strlen(name);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			found = env[i] + len + 1;
	return found;
}

bool engine_build_expands(enum engine_dockerfile_kind kind)
{
	switch (kind) {
	case ENGINE_DOCKERFILE_FROM:
	case ENGINE_DOCKERFILE_ADD:
	case ENGINE_DOCKERFILE_COPY:
	case ENGINE_DOCKERFILE_ENV:
	case ENGINE_DOCKERFILE_EXPOSE:
	case ENGINE_DOCKERFILE_LABEL:
	case ENGINE_DOCKERFILE_STOPSIGNAL:
	case ENGINE_DOCKERFILE_USER:
	case ENGINE_DOCKERFILE_VOLUME:
	case ENGINE_DOCKERFILE_WORKDIR:
	case ENGINE_DOCKERFILE_ARG:
		return true;
	default:
		return false;
	}
}

/* *S replaced by its expansion (S may be NULL: nothing to do). */
static int expand_in_place(const struct engine_build_expander *x, char **s, struct engine_error **err)
{
	char *expanded;
	if (*s == NULL)
		return 0;
	if (engine_build_expand_word(x, *s, &expanded, err) < 0)
		return -1;
	free(*s);
	*s = expanded;
	return 0;
}

/* EXPOSE: every argument's words in place of it. */
static int expand_split_args(const struct engine_build_expander *x, struct engine_dockerfile_instruction *in,
			     struct engine_error **err)
{
	char **all = calloc(1, sizeof(*all));
	size_t n_all = 0;
	int r = all != NULL ? 0 : no_memory(err);
	for (size_t i = 0; i < in->n_args && r == 0; i++) {
		char **words;
		size_t n;
		if ((r = engine_build_expand_words(x, in->args[i], &words, &n, err)) < 0)
			break;
		char **grown = realloc(all, (n_all + n + 1) * sizeof(*grown));
		if (grown == NULL) {
			engine_dockerfile_strv_free(words);
			r = no_memory(err);
			break;
		}
		all = grown;
		memcpy(all + n_all, words, n * sizeof(*words));
		n_all += n;
		all[n_all] = NULL;
		free(words);
	}
	if (r < 0) {
		engine_dockerfile_strv_free(all);
		return -1;
	}
	engine_dockerfile_strv_free(in->args);
	in->args = all;
	in->n_args = n_all;
	return 0;
}

static int expand_instruction(const struct engine_build_expander *x, struct engine_dockerfile_instruction *in,
			      struct engine_error **err)
{
	static const char *const expanding_flags[] = { "platform", "from", "chown", "chmod", "checksum" };
	if (!engine_build_expands(in->kind))
		return 0;
	for (size_t i = 0; i < in->n_flags; i++)
		for (size_t k = 0; k < sizeof(expanding_flags) / sizeof(*expanding_flags); k++)
			if (strcmp(in->flags[i].name, expanding_flags[k]) == 0 &&
			    expand_in_place(x, &in->flags[i].value, err) < 0)
				return -1;
	for (size_t i = 0; i < in->n_pairs; i++) {
		if (in->kind != ENGINE_DOCKERFILE_ARG && expand_in_place(x, &in->pairs[i].key, err) < 0)
			return -1;
		if (expand_in_place(x, &in->pairs[i].value, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < in->n_heredocs; i++) {
		char *content;
		if (!in->heredocs[i].expand)
			continue;
		if (engine_build_expand_heredoc(x, in->heredocs[i].content, &content, err) < 0)
			return -1;
		free(in->heredocs[i].content);
		in->heredocs[i].content = content;
	}
	if (in->kind == ENGINE_DOCKERFILE_EXPOSE)
		return expand_split_args(x, in, err);
	for (size_t i = 0; i < in->n_args; i++) {
		/* a heredoc's marker names it; it is no path to expand */
		if (in->n_heredocs > 0 && strstr(in->args[i], "<<") != NULL)
			continue;
		if (expand_in_place(x, &in->args[i], err) < 0)
			return -1;
	}
	return 0;
}

int engine_build_expand_instruction(const struct engine_build_expander *x, struct engine_dockerfile_instruction *in,
				    const char *file, struct engine_error **err)
{
	if (expand_instruction(x, in, err) < 0)
		return engine_error_prefix(err, "%s:%u", file != NULL ? file : "Dockerfile", in->line);
	return 0;
}
