/* parse.c: a command's flags parsed from the command table (see parse.h). */
#include "cmd/parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/template.h"
#include "cmd/report.h"

/* getopt's value for the Ith flag without a letter: above every char. */
enum { LONG_ONLY = 0x100, HELP = LONG_ONLY - 1, MAX_FLAGS = 96 };

void cmd_strings_free(struct cmd_strings *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static const struct cmd_bind *bind_of(const struct cmd_bind *binds, const char *flag)
{
	for (const struct cmd_bind *b = binds; b != NULL && b->flag != NULL; b++)
		if (strcmp(b->flag, flag) == 0)
			return b;
	return NULL;
}

/* The table and the bindings name the same flags: a command that binds a
 * flag the table lacks, or leaves one unbound, is a bug that --help
 * already shows (test-commands runs every command's). */
static int check_binds(const struct cmd_command *c, const struct cmd_bind *binds,
		       struct engine_error **err)
{
	size_t n = 0;
	for (const struct cmd_flag *f = c->flags; f != NULL && f->name != NULL; f++, n++)
		if (bind_of(binds, f->name) == NULL)
			return engine_error_set(err, EINVAL, "internal: --%s of \"engine %s\" is not bound",
						f->name, c->name);
	if (n >= MAX_FLAGS)
		return engine_error_set(err, EINVAL, "internal: \"engine %s\" has too many flags", c->name);
	for (const struct cmd_bind *b = binds; b != NULL && b->flag != NULL; b++) {
		bool found = false;
		for (const struct cmd_flag *f = c->flags; f != NULL && f->name != NULL && !found; f++)
			found = strcmp(f->name, b->flag) == 0;
		if (!found)
			return engine_error_set(err, EINVAL,
						"internal: \"engine %s\" binds --%s, which it does not list",
						c->name, b->flag);
	}
	return 0;
}

/* getopt's tables for C's flags, and --help (-h where no flag has it). */
static void getopt_tables(const struct cmd_command *c, struct option *longopts, char *shortopts,
			  size_t size)
{
	size_t i = 0, s = 0;
	bool h_taken = false;
	for (const struct cmd_flag *f = c->flags; f != NULL && f->name != NULL; f++, i++) {
		bool optional = cmd_flag_value_optional(f);
		longopts[i] = (struct option){
			f->name, f->value == NULL ? no_argument : optional ? optional_argument : required_argument,
			NULL, f->letter ? f->letter : LONG_ONLY + (int)i
		};
		if (f->letter) {
			h_taken |= f->letter == 'h';
			/* The value of "-p" for a "[=BOOL]" flag is optional too:
			 * "-p=false" (pflag's spelling; the "=" is dropped in
			 * cmd_parse). */
			s += (size_t)snprintf(shortopts + s, size - s, "%c%s", f->letter,
					      f->value == NULL ? "" : optional ? "::" : ":");
		}
	}
	longopts[i++] = (struct option){ "help", no_argument, NULL, HELP };
	longopts[i] = (struct option){ NULL, 0, NULL, 0 };
	if (!h_taken)
		snprintf(shortopts + s, size - s, "h");
}

static const struct cmd_flag *flag_of(const struct cmd_command *c, int val)
{
	size_t i = 0;
	for (const struct cmd_flag *f = c->flags; f != NULL && f->name != NULL; f++, i++)
		if (val == (f->letter ? f->letter : LONG_ONLY + (int)i))
			return f;
	return NULL;
}

static int store(const struct cmd_flag *f, const struct cmd_bind *b, const char *value,
		 struct engine_error **err)
{
	switch (b->kind) {
	case CMD_BIND_BOOL:
		return cmd_parse_bool(f->name, value, b->dest, err);
	case CMD_BIND_STRING:
		*(const char **)b->dest = value;
		return 0;
	case CMD_BIND_FORMAT:
		if (strcmp(value, "json") == 0)
			value = "{{json .}}";
		else if (cmd_template_check(value, err) < 0)
			return -1;
		*(const char **)b->dest = value;
		return 0;
	case CMD_BIND_STRINGS: {
		struct cmd_strings *l = b->dest;
		const char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
		if (v == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		l->v = v;
		l->v[l->n++] = value;
		return 0;
	}
	case CMD_BIND_CALL:
		return b->fn(b->dest, value, err);
	case CMD_BIND_IGNORED:
		return 0;
	}
	return 0;
}

/* The letters after a lettered "[=BOOL]" flag in one word ("-it": "t"),
 * as getopt would have read them: each a flag; one that takes a value
 * takes the rest of the word, else the next word. */
static int bundle(const struct cmd_command *c, const struct cmd_bind *binds, const char *more,
		  int argc, char **argv, struct engine_error **err)
{
	const char *word = argv[optind - 1];
	for (const char *p = more; *p != '\0'; p++) {
		const struct cmd_flag *f = flag_of(c, (unsigned char)*p);
		if (f == NULL)
			return engine_error_set(err, EINVAL, "unknown shorthand flag: '%c' in %s", *p,
						word);
		const char *value = NULL;
		if (cmd_flag_value_optional(f)) {
			if (p[1] == '=')
				value = p + 2;
		} else if (f->value != NULL) {
			if (p[1] != '\0')
				value = p + 1;
			else if (optind < argc)
				value = argv[optind++];
			else
				return engine_error_set(err, EINVAL, "flag needs an argument: '%c' in %s",
							*p, word);
		}
		if (store(f, bind_of(binds, f->name), value, err) < 0)
			return -1;
		if (value != NULL)
			break;
	}
	return 0;
}

/* Docker's messages for an argument count outside MIN..MAX. */
static int count_error(const char *path, int min, int max, struct engine_error **err)
{
	if (min == 0 && max == 0)
		return engine_error_set(err, EINVAL, "\"engine %s\" accepts no arguments", path);
	if (min > 0 && max > min)
		return engine_error_set(err, EINVAL,
					"\"engine %s\" requires at least %d and at most %d arguments",
					path, min, max);
	const char *how = min == max ? "exactly" : max < 0 ? "at least" : "at most";
	int n = min == max || max < 0 ? min : max;
	return engine_error_set(err, EINVAL, "\"engine %s\" requires %s %d argument%s", path, how, n,
				n == 1 ? "" : "s");
}

bool cmd_parse(const struct cmd_global *g, int argc, char **argv, const struct cmd_bind *binds,
	       int *ret_rc)
{
	cleanup_error struct engine_error *err = NULL;
	const struct cmd_command *c = g->command;
	if (c == NULL) {
		engine_error_set(&err, EINVAL, "internal: \"%s\" ran outside the dispatcher", argv[0]);
		*ret_rc = cmd_report(err);
		return false;
	}
	if (check_binds(c, binds, &err) < 0) {
		*ret_rc = cmd_report(err);
		return false;
	}
	struct option longopts[MAX_FLAGS + 2];
	char shortopts[3 * MAX_FLAGS + 2];
	getopt_tables(c, longopts, shortopts, sizeof(shortopts));
	int ch;
	optind = 0;
	opterr = 0;
	while ((ch = cmd_getopt(argc, argv, shortopts, longopts, c->order)) != -1) {
		if (ch == HELP || (ch == 'h' && flag_of(c, ch) == NULL)) {
			*ret_rc = cmd_help(g->path);
			return false;
		}
		const struct cmd_flag *f = flag_of(c, ch);
		if (f == NULL) {
			*ret_rc = cmd_bad_flag(ch, argv);
			return false;
		}
		/* A lettered "[=BOOL]" flag is "X::" for getopt, so that
		 * "-p=false" works as pflag's does: getopt keeps the "=".
		 * Anything else after its letter is more letters ("-it"). */
		const char *value = optarg, *more = NULL;
		if (value != NULL && cmd_flag_value_optional(f) && f->letter &&
		    argv[optind - 1][1] != '-') {
			if (value[0] == '=')
				value++;
			else
				more = value, value = NULL;
		}
		if (store(f, bind_of(binds, f->name), value, &err) < 0 ||
		    (more != NULL && bundle(c, binds, more, argc, argv, &err) < 0)) {
			*ret_rc = cmd_report(err);
			return false;
		}
	}
	int n = argc - optind;
	if (n >= c->min_args && (c->max_args < 0 || n <= c->max_args))
		return true;
	count_error(g->path, c->min_args, c->max_args, &err);
	*ret_rc = cmd_report(err);
	return false;
}

bool cmd_parse_format(const struct cmd_global *g, int argc, char **argv, const char **format,
		      int *ret_rc)
{
	*format = NULL;
	const struct cmd_bind binds[] = { { "format", CMD_BIND_STRING, format }, { NULL } };
	if (!cmd_parse(g, argc, argv, binds, ret_rc))
		return false;
	cleanup_error struct engine_error *err = NULL;
	if (*format != NULL && strcmp(*format, "json") != 0 && cmd_template_check(*format, &err) < 0) {
		*ret_rc = cmd_report(err);
		return false;
	}
	return true;
}
