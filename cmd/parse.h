/* parse.h: a command's flags and arguments parsed from the command table.
 *
 * The table (commands.c) lists each command's flags; a command names, per
 * flag, where its value goes (a binding), and cmd_parse does the rest with
 * Docker's grammar (cmd_getopt): --help, unknown flags, missing values and
 * the command's argument count, each with Docker's message.  A command's
 * flags are then listed once, in the table, and parsed by one loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"
#include "common/error.h"

/* Where a flag's value goes. */
enum cmd_bind_kind {
	/* bool *: true when given; a flag whose table value is "[=BOOL]"
	 * takes "--flag=false" too, and "-f=false" where it has a letter
	 * (cmd_parse_bool). */
	CMD_BIND_BOOL,
	CMD_BIND_STRING,  /* const char **: the value, the last one given */
	CMD_BIND_STRINGS, /* struct cmd_strings *: every value, in order */
	/* const char **: a --format: a Go template that parses, "table
	 * ...", or "json" (stored as "{{json .}}", one object a line). */
	CMD_BIND_FORMAT,
	/* fn(data, value, err): a value that needs checking as it comes;
	 * VALUE is NULL for a flag that takes none. */
	CMD_BIND_CALL,
	CMD_BIND_IGNORED, /* accepted, and has no effect */
};

/* Values of a flag given more than once: V points into argv. */
struct cmd_strings {
	const char **v;
	size_t n;
};

void cmd_strings_free(struct cmd_strings *s);
#define cleanup_cmd_strings __attribute__((cleanup(cmd_strings_free)))

struct cmd_bind {
	const char *flag; /* its long name in the command's table */
	enum cmd_bind_kind kind;
	void *dest; /* CMD_BIND_CALL: the data passed to FN */
	int (*fn)(void *data, const char *value, struct engine_error **err);
};

/* Parse ARGV (ARGV[0] the command's word) against the flags that the
 * command G->command lists, each stored through its entry in BINDS (ended
 * by a NULL flag; every flag of the table has one).  True when the
 * command goes on, its arguments in ARGV[optind..ARGC) in the number the
 * table allows; false when it is done: *RET_RC is 0 after --help, else the
 * exit code of the error printed. */
bool cmd_parse(const struct cmd_global *g, int argc, char **argv, const struct cmd_bind *binds,
	       int *ret_rc);

/* The commands whose one flag is --format (info, version, volume inspect,
 * system df): cmd_parse, then the template checked ("json" is the
 * document itself), so that a bad one is refused before anything runs.
 * True when the command goes on, *FORMAT NULL where none was given; false
 * when it is done, *RET_RC its exit code (0 after --help). */
bool cmd_parse_format(const struct cmd_global *g, int argc, char **argv, const char **format,
		      int *ret_rc);

/* A command's usual start: cmd_parse with the bindings listed in place
 * (the NULL entry added), returning cmd_parse's exit code from the
 * calling command when it is done (after --help or an error). */
#define CMD_PARSE_OR_RETURN(g, argc, argv, ...)                                     \
	do {                                                                        \
		const struct cmd_bind cmd_binds_[] = { __VA_ARGS__, { NULL } };     \
		int cmd_rc_;                                                        \
		if (!cmd_parse((g), (argc), (argv), cmd_binds_, &cmd_rc_))         \
			return cmd_rc_;                                             \
	} while (0)
