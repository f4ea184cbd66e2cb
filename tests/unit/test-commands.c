/* test-commands.c: the command table (cmd/commands.c) says what each
 * command's parser takes.  Each command is run with --help, the flags its
 * getopt_long call is given are caught (the link wraps getopt_long), and
 * they must be the table's: every long option a command parses has a help
 * line there and every help line names an option it parses, with the same
 * one-letter forms, so that --help, completion and the man pages cannot
 * drift from the parsers. */
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "tap.h"

int engine_main(int argc, char **argv); /* cmd/main.c's main, renamed */

/* What the first getopt_long call of a command was given. */
static const struct option *seen_longopts;
static char seen_shortopts[128];
static bool seen;

int __real_getopt_long(int argc, char *const *argv, const char *shortopts,
		       const struct option *longopts, int *index);
int __wrap_getopt_long(int argc, char *const *argv, const char *shortopts,
		       const struct option *longopts, int *index);
int __wrap_getopt_long(int argc, char *const *argv, const char *shortopts,
		       const struct option *longopts, int *index)
{
	if (!seen) {
		seen = true;
		seen_longopts = longopts;
		snprintf(seen_shortopts, sizeof(seen_shortopts), "%s", shortopts);
	}
	return __real_getopt_long(argc, argv, shortopts, longopts, index);
}

static const struct cmd_flag *table_flag(const struct cmd_flag *flags, const char *name)
{
	for (const struct cmd_flag *f = flags; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* The letters of getopt's SHORTOPTS ("+:dit:"), each with whether it
 * takes a value. */
static bool letter_in(const char *shortopts, char letter, bool *takes_value)
{
	for (const char *p = shortopts; *p != '\0'; p++) {
		if (*p == '+' || *p == '-' || *p == ':')
			continue;
		if (*p == letter) {
			*takes_value = p[1] == ':';
			return true;
		}
	}
	return false;
}

/* Compare what PATH's parser was given with its table entry C. */
static void check(const char *path, const struct cmd_command *c)
{
	if (!ok(seen, "%s: its parser ran", path))
		return;
	bool good = true;
	/* Every parsed long option has a help line (or is listed as another
	 * spelling), and its value agrees. */
	for (const struct option *o = seen_longopts; o->name != NULL; o++) {
		if (strcmp(o->name, "help") == 0)
			continue;
		const struct cmd_flag *f = table_flag(c->flags, o->name);
		if (f == NULL) {
			printf("# %s parses --%s, which the table does not list\n", path, o->name);
			good = false;
		} else if ((o->has_arg == required_argument && (f->value == NULL || cmd_flag_value_optional(f))) ||
			   (o->has_arg == no_argument && f->value != NULL)) {
			printf("# %s --%s: the table's value disagrees with the parser's\n", path,
			       o->name);
			good = false;
		}
	}
	/* ...and every table line names a parsed option. */
	bool has_h = false;
	for (const struct cmd_flag *f = c->flags; f->name != NULL; f++) {
		bool found = false;
		for (const struct option *o = seen_longopts; o->name != NULL && !found; o++)
			found = strcmp(o->name, f->name) == 0;
		if (!found) {
			printf("# %s: the table lists --%s, which the parser does not take\n", path,
			       f->name);
			good = false;
		}
		bool value;
		if (f->letter == 'h')
			has_h = true;
		if (f->letter && !letter_in(seen_shortopts, f->letter, &value)) {
			printf("# %s: the table gives --%s the letter -%c, which the parser lacks\n",
			       path, f->name, f->letter);
			good = false;
		} else if (f->letter && value && f->value == NULL) {
			printf("# %s: -%c takes a value, the table says none\n", path, f->letter);
			good = false;
		}
	}
	/* Every parsed letter is in the table; -h alone may be --help's. */
	for (const char *p = seen_shortopts; *p != '\0'; p++) {
		if (*p == '+' || *p == '-' || *p == ':' || (*p == 'h' && !has_h))
			continue;
		bool found = false;
		for (const struct cmd_flag *f = c->flags; f->name != NULL && !found; f++)
			found = f->letter == *p;
		if (!found) {
			printf("# %s parses -%c, which the table does not list\n", path, *p);
			good = false;
		}
	}
	ok(good, "%s: the table's flags are the parser's", path);
}

/* Run `engine PATH --help` through the dispatcher, its output discarded. */
static void run_help(const struct cmd_command *parent, const char *parent_path,
		     const struct cmd_command *c, const char *path)
{
	char *argv[] = { (char *)c->name, "--help", NULL };
	struct cmd_global g = { 0 };
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(null, STDOUT_FILENO);
	close(null);
	seen = false;
	int rc = cmd_dispatch(parent, parent_path, 2, argv, &g);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	is_int(rc, 0, "%s --help: exit 0", path);
	check(path, c);
}

static void walk(const struct cmd_command *parent, const char *parent_path)
{
	for (const struct cmd_command *c = parent->subcommands; c->name != NULL; c++) {
		char path[128];
		snprintf(path, sizeof(path), "%s%s%s", parent_path, *parent_path ? " " : "", c->name);
		ok(c->summary != NULL && c->usage != NULL && c->fn != NULL, "%s: summary, usage, handler",
		   path);
		if (c->subcommands != NULL) {
			walk(c, path);
			continue;
		}
		if (c->flags == NULL) /* parses no flag (help, __monitor-resume) */
			continue;
		run_help(parent, parent_path, c, path);
	}
}

int main(void)
{
	/* engine's own flags: main's parser. */
	char *argv[] = { "engine", "--help", NULL };
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(null, STDOUT_FILENO);
	close(null);
	seen = false;
	int rc = engine_main(2, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	is_int(rc, 0, "engine --help: exit 0");
	check("engine", &cmd_engine);

	walk(&cmd_engine, "");

	/* Lookups by path and by alias. */
	ok(cmd_command_lookup("volume ls") == cmd_command_lookup("volume list"), "volume list is ls");
	ok(cmd_command_lookup("container ps") != NULL, "container ps is found");
	ok(cmd_command_lookup("bogus") == NULL, "an unknown command is not found");
	return done_testing();
}
