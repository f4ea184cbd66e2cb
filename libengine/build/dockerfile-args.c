/* dockerfile-args.c: what follows an instruction's keyword.  Each
 * instruction reads its arguments the way Docker's parser does: some as
 * one string (USER), some split at blanks (FROM, EXPOSE), some as a JSON
 * array or else a shell command line (RUN), some as quote-aware words of
 * pairs (ENV).  The flags before them are dockerfile-flags.c's. */
#include "libengine/build/dockerfile-args.h"
#include "libengine/build/dockerfile-flags.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "common/cleanup.h"

/* Docker's parser splits on these; a newline cannot occur in a line. */
static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int no_memory(struct engine_error **err)
{
	return engine_error_set(err, ENOMEM, "out of memory");
}

void engine_dockerfile_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Append S (taken) to the NULL-terminated *V of length *N. */
static int strv_push(char ***v, size_t *n, char *s, struct engine_error **err)
{
	if (s == NULL)
		return no_memory(err);
	char **grown = realloc(*v, (*n + 2) * sizeof(**v));
	if (grown == NULL) {
		free(s);
		return no_memory(err);
	}
	grown[(*n)++] = s;
	grown[*n] = NULL;
	*v = grown;
	return 0;
}

int engine_dockerfile_words(const char *text, char escape, char ***ret, size_t *n, struct engine_error **err)
{
	char **words = NULL;
	size_t count = 0, len = strlen(text);
	cleanup_free char *word = malloc(len + 1);
	if (word == NULL)
		return no_memory(err);
	size_t w = 0;
	bool in_word = false;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (!in_word && blank(c))
			continue;
		if (blank(c) && quote == 0) {
			word[w] = '\0';
			if (strv_push(&words, &count, strdup(word), err) < 0)
				goto fail;
			w = 0;
			in_word = false;
			continue;
		}
		in_word = true;
		if (quote == 0 && (c == '\'' || c == '"'))
			quote = c;
		else if (c == quote)
			quote = 0;
		if (c == escape) {
			if (i + 1 == len)
				continue; /* an escape at the very end is dropped */
			word[w++] = c;
			c = text[++i];
		}
		word[w++] = c;
	}
	if (in_word) {
		word[w] = '\0';
		if (strv_push(&words, &count, strdup(word), err) < 0)
			goto fail;
	}
	if (words == NULL && (words = calloc(1, sizeof(*words))) == NULL)
		return no_memory(err);
	*ret = words;
	*n = count;
	return 0;
fail:
	engine_dockerfile_strv_free(words);
	return -1;
}

/* TEXT split at runs of blanks, nothing quoted (FROM, EXPOSE, and the
 * shell form of ADD, COPY and VOLUME). */
static int split_blanks(const char *text, char ***ret, size_t *n, struct engine_error **err)
{
	char **words = NULL;
	size_t count = 0;
	for (const char *p = text; *p != '\0';) {
		while (blank(*p))
			p++;
		const char *start = p;
		while (*p != '\0' && !blank(*p))
			p++;
		if (p > start && strv_push(&words, &count, strndup(start, (size_t)(p - start)), err) < 0) {
			engine_dockerfile_strv_free(words);
			return -1;
		}
	}
	if (words == NULL && (words = calloc(1, sizeof(*words))) == NULL)
		return no_memory(err);
	*ret = words;
	*n = count;
	return 0;
}

/* Docker's exec form: TEXT is a JSON array of strings.  1 when it is,
 * 0 when TEXT is no JSON array at all (the shell form), -1 when it is an
 * array holding something else than strings, which Docker refuses. */
static int json_strings(const char *text, char ***ret, size_t *n, struct engine_error **err)
{
	if (text[0] != '[')
		return 0;
	json_error_t jerr;
	cleanup_json json_t *array = json_loads(text, 0, &jerr);
	if (array == NULL || !json_is_array(array))
		return 0;
	char **v = NULL;
	size_t count = 0;
	size_t i;
	json_t *item;
	json_array_foreach (array, i, item) {
		if (!json_is_string(item)) {
			engine_dockerfile_strv_free(v);
			return engine_error_set(err, EINVAL,
						"when using JSON array syntax, arrays must be comprised of strings only");
		}
		if (strv_push(&v, &count, strdup(json_string_value(item)), err) < 0) {
			engine_dockerfile_strv_free(v);
			return -1;
		}
	}
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		return no_memory(err);
	*ret = v;
	*n = count;
	return 1;
}

/* RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD: the exec form or one string. */
static int exec_or_shell(struct engine_dockerfile_instruction *in, const char *text, struct engine_error **err)
{
	int r = json_strings(text, &in->args, &in->n_args, err);
	if (r != 0) {
		in->json = r > 0;
		return r < 0 ? -1 : 0;
	}
	in->n_args = 0;
	if (text[0] == '\0')
		return (in->args = calloc(1, sizeof(*in->args))) != NULL ? 0 : no_memory(err);
	return strv_push(&in->args, &in->n_args, strdup(text), err);
}

/* ADD, COPY, VOLUME: the exec form's strings or the words. */
static int json_or_words(struct engine_dockerfile_instruction *in, const char *text, struct engine_error **err)
{
	int r = json_strings(text, &in->args, &in->n_args, err);
	if (r != 0) {
		in->json = r > 0;
		return r < 0 ? -1 : 0;
	}
	return split_blanks(text, &in->args, &in->n_args, err);
}

static int one_string(struct engine_dockerfile_instruction *in, const char *text, struct engine_error **err)
{
	if (text[0] == '\0')
		return engine_error_set(err, EINVAL, "%s requires exactly one argument",
					engine_dockerfile_kind_name(in->kind));
	return strv_push(&in->args, &in->n_args, strdup(text), err);
}

static int push_pair(struct engine_dockerfile_instruction *in, const char *key, size_t key_len, const char *value,
		     struct engine_error **err)
{
	struct engine_dockerfile_pair *grown = realloc(in->pairs, (in->n_pairs + 1) * sizeof(*grown));
	if (grown == NULL)
		return no_memory(err);
	in->pairs = grown;
	struct engine_dockerfile_pair *p = &grown[in->n_pairs];
	p->key = strndup(key, key_len);
	p->value = value != NULL ? strdup(value) : NULL;
	in->n_pairs++;
	if (p->key == NULL || (value != NULL && p->value == NULL))
		return no_memory(err);
	return 0;
}

/* ENV and LABEL: `k=v k2="v 2"`, or the old `k v w` with the rest of the
 * line as the value. */
static int name_values(struct engine_dockerfile_instruction *in, const char *text, char escape,
		       struct engine_error **err)
{
	const char *what = engine_dockerfile_kind_name(in->kind);
	char **words = NULL;
	size_t n = 0;
	if (engine_dockerfile_words(text, escape, &words, &n, err) < 0)
		return -1;
	int r = 0;
	if (n == 0) {
		r = engine_error_set(err, EINVAL, "%s requires at least one argument", what);
	} else if (strchr(words[0], '=') == NULL) {
		size_t key_len = strcspn(text, " \t\v\f\r");
		const char *value = text + key_len;
		while (blank(*value))
			value++;
		if (*value == '\0')
			r = engine_error_set(err, EINVAL, "%s must have two arguments", what);
		else
			r = push_pair(in, text, key_len, value, err);
	} else {
		for (size_t i = 0; i < n && r == 0; i++) {
			const char *eq = strchr(words[i], '=');
			if (eq == NULL)
				r = engine_error_set(err, EINVAL,
						     "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
						     words[i]);
			else if (eq == words[i])
				r = engine_error_set(err, EINVAL, "%s names can not be blank", what);
			else
				r = push_pair(in, words[i], (size_t)(eq - words[i]), eq + 1, err);
		}
	}
	engine_dockerfile_strv_free(words);
	return r;
}

/* ARG name[=default] ... */
static int arg_names(struct engine_dockerfile_instruction *in, const char *text, char escape,
		     struct engine_error **err)
{
	char **words = NULL;
	size_t n = 0;
	if (engine_dockerfile_words(text, escape, &words, &n, err) < 0)
		return -1;
	int r = 0;
	if (n == 0)
		r = engine_error_set(err, EINVAL, "ARG requires at least one argument");
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *eq = strchr(words[i], '=');
		size_t key_len = eq != NULL ? (size_t)(eq - words[i]) : strlen(words[i]);
		if (key_len == 0)
			r = engine_error_set(err, EINVAL, "ARG names can not be blank");
		else
			r = push_pair(in, words[i], key_len, eq != NULL ? eq + 1 : NULL, err);
	}
	engine_dockerfile_strv_free(words);
	return r;
}

static int healthcheck(struct engine_dockerfile_instruction *in, const char *text, struct engine_error **err)
{
	if (text[0] == '\0')
		return engine_error_set(err, EINVAL, "HEALTHCHECK requires at least one argument");
	size_t type_len = strcspn(text, " \t\v\f\r");
	const char *rest = text + type_len;
	while (blank(*rest))
		rest++;
	if (type_len == 4 && strncasecmp(text, "NONE", 4) == 0) {
		if (*rest != '\0')
			return engine_error_set(err, EINVAL, "HEALTHCHECK NONE takes no arguments");
		if (in->n_flags > 0)
			return engine_error_set(err, EINVAL, "HEALTHCHECK NONE takes no flags");
		in->health.none = true;
		in->health.retries = -1;
		return 0;
	}
	if (type_len != 3 || strncasecmp(text, "CMD", 3) != 0)
		return engine_error_set(err, EINVAL, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)", (int)type_len,
					text);
	if (*rest == '\0')
		return engine_error_set(err, EINVAL, "Missing command after HEALTHCHECK CMD");
	if (engine_dockerfile_health_options(in, err) < 0)
		return -1;
	return exec_or_shell(in, rest, err);
}

/* ------------------------------------------------------------ the entry */

int engine_dockerfile_args_parse(struct engine_dockerfile_instruction *in, const char *rest, char escape,
				 struct engine_error **err)
{
	const char *text = rest;
	const char *what = engine_dockerfile_kind_name(in->kind);
	if (engine_dockerfile_flags_take(in, rest, escape, &text, err) < 0)
		return -1;
	if ((in->text = strdup(text)) == NULL)
		return no_memory(err);
	/* trailing blanks are no part of the arguments */
	for (size_t len = strlen(in->text); len > 0 && blank(in->text[len - 1]); len--)
		in->text[len - 1] = '\0';
	text = in->text;
	switch (in->kind) {
	case ENGINE_DOCKERFILE_HEALTHCHECK:
		return healthcheck(in, text, err);
	case ENGINE_DOCKERFILE_RUN:
		if (text[0] == '\0')
			return engine_error_set(err, EINVAL, "RUN requires at least one argument");
		if (engine_dockerfile_run_options(in, err) < 0)
			return -1;
		return exec_or_shell(in, text, err);
	case ENGINE_DOCKERFILE_CMD:
	case ENGINE_DOCKERFILE_ENTRYPOINT:
		return exec_or_shell(in, text, err);
	case ENGINE_DOCKERFILE_SHELL: {
		int r = json_strings(text, &in->args, &in->n_args, err);
		if (r == 0)
			return engine_error_set(err, EINVAL, "SHELL requires the arguments to be in JSON form");
		in->json = r > 0;
		if (r > 0 && in->n_args == 0)
			return engine_error_set(err, EINVAL, "SHELL requires at least one argument");
		return r < 0 ? -1 : 0;
	}
	case ENGINE_DOCKERFILE_ADD:
	case ENGINE_DOCKERFILE_COPY:
		if (json_or_words(in, text, err) < 0)
			return -1;
		if (in->n_args < 2)
			return engine_error_set(err, EINVAL,
						"%s requires at least two arguments, but only one was provided. "
						"Destination could not be determined.",
						what);
		return 0;
	case ENGINE_DOCKERFILE_VOLUME:
		if (json_or_words(in, text, err) < 0)
			return -1;
		if (in->n_args == 0)
			return engine_error_set(err, EINVAL, "VOLUME requires at least one argument");
		for (size_t i = 0; i < in->n_args; i++)
			if (in->args[i][strspn(in->args[i], " \t")] == '\0')
				return engine_error_set(err, EINVAL, "VOLUME specified can not be an empty string");
		return 0;
	case ENGINE_DOCKERFILE_FROM:
	case ENGINE_DOCKERFILE_EXPOSE:
		if (split_blanks(text, &in->args, &in->n_args, err) < 0)
			return -1;
		if (in->kind == ENGINE_DOCKERFILE_EXPOSE && in->n_args == 0)
			return engine_error_set(err, EINVAL, "EXPOSE requires at least one argument");
		if (in->kind == ENGINE_DOCKERFILE_FROM &&
		    !(in->n_args == 1 || (in->n_args == 3 && strcasecmp(in->args[1], "AS") == 0)))
			return engine_error_set(err, EINVAL, "FROM requires either one or three arguments");
		return 0;
	case ENGINE_DOCKERFILE_ENV:
	case ENGINE_DOCKERFILE_LABEL:
		return name_values(in, text, escape, err);
	case ENGINE_DOCKERFILE_ARG:
		return arg_names(in, text, escape, err);
	case ENGINE_DOCKERFILE_USER:
	case ENGINE_DOCKERFILE_WORKDIR:
	case ENGINE_DOCKERFILE_STOPSIGNAL:
	case ENGINE_DOCKERFILE_MAINTAINER:
		return one_string(in, text, err);
	case ENGINE_DOCKERFILE_ONBUILD:
		/* the trigger is read by dockerfile.c, which knows keywords */
		return 0;
	}
	return engine_error_set(err, EINVAL, "unknown instruction: %s", what);
}

void engine_dockerfile_instruction_clear(struct engine_dockerfile_instruction *in)
{
	free(in->keyword);
	free(in->text);
	for (size_t i = 0; i < in->n_flags; i++) {
		free(in->flags[i].name);
		free(in->flags[i].value);
	}
	free(in->flags);
	engine_dockerfile_strv_free(in->args);
	for (size_t i = 0; i < in->n_pairs; i++) {
		free(in->pairs[i].key);
		free(in->pairs[i].value);
	}
	free(in->pairs);
	for (size_t i = 0; i < in->n_heredocs; i++) {
		free(in->heredocs[i].name);
		free(in->heredocs[i].content);
	}
	free(in->heredocs);
	for (size_t i = 0; i < in->n_mounts; i++)
		engine_dockerfile_mount_clear(&in->mounts[i]);
	free(in->mounts);
	if (in->trigger != NULL) {
		engine_dockerfile_instruction_clear(in->trigger);
		free(in->trigger);
	}
	*in = (struct engine_dockerfile_instruction){ 0 };
}
