/* commands.h: the one description of the CLI: every command and
 * subcommand, what it is for, its synopsis, how many arguments it takes,
 * what those arguments name, and each flag with its help line.  Dispatch,
 * --help, the argument-count checks of the commands with no flag of their
 * own, shell completion and the man pages all come from it. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/flags.h"

/* What a command's arguments name, so that a completion offers those. */
enum cmd_complete {
	CMD_COMPLETE_NONE,      /* something new (an image to pull, a new name) */
	CMD_COMPLETE_FILE,      /* a path on the host */
	CMD_COMPLETE_CONTAINER, /* any container */
	CMD_COMPLETE_RUNNING,   /* a running container */
	CMD_COMPLETE_IMAGE,     /* an image in the store */
	CMD_COMPLETE_VOLUME,    /* a volume */
	CMD_COMPLETE_OBJECT,    /* a container or an image (inspect) */
	CMD_COMPLETE_COMMAND,   /* a program and its arguments (unshare) */
};

/* One flag as users see it: "-m, --memory SIZE   memory limit". */
struct cmd_flag {
	const char *name;  /* the long name, without "--" */
	char letter;       /* its one-letter form, or 0 */
	/* What its value is called ("SIZE"); "[=BOOL]": one that may follow
	 * an "=" only; NULL: it takes none. */
	const char *value;
	/* One line.  NULL: accepted but not shown (another spelling of a
	 * shown flag, such as --net for --network, or one kept for a
	 * shared parser). */
	const char *help;
};

/* The flag's value may follow an "=" only ("--rm", "--rm=false"). */
static inline bool cmd_flag_value_optional(const struct cmd_flag *f)
{
	return f->value != NULL && strncmp(f->value, "[=", 2) == 0;
}

struct cmd_command {
	const char *name;
	const char *aliases[3]; /* other names, as Docker spells them */
	const char *summary;    /* one line, lower case, no full stop */
	/* The synopsis after "engine ", one per form, separated by '\n'. */
	const char *usage;
	int min_args, max_args; /* max_args < 0: no limit */
	enum cmd_complete complete;
	/* Where its flags may stand; the dispatcher's own parse (below)
	 * uses it. */
	enum cmd_flag_order order;
	/* The command takes no flag but --help: the dispatcher parses that
	 * and counts the arguments (min_args..max_args), so that the
	 * command starts at argv[optind]. */
	bool args_checked;
	bool hidden; /* not listed: internal, or kept for scripts */
	const struct cmd_flag *flags; /* ended by a NULL name; --help is implied */
	/* Handles the command; for a group, what runs when no subcommand
	 * matches (its help, or the unknown-command error). */
	int (*fn)(int argc, char **argv, struct cmd_global *g);
	const struct cmd_command *subcommands; /* ended by a NULL name */
	/* More than the summary says, for --help and the man page; NULL:
	 * the summary, as a sentence. */
	const char *description;
};

/* The root of the table: `engine` itself, with the global flags, and every
 * command as its subcommands. */
extern const struct cmd_command cmd_engine;

/* NAME or one of its aliases in TABLE (ended by a NULL name), or NULL. */
const struct cmd_command *cmd_command_find(const struct cmd_command *table, const char *name);

/* The command named by PATH, its words separated by spaces ("volume ls"),
 * or NULL. */
const struct cmd_command *cmd_command_lookup(const char *path);

/* Run the command argv[0] of PARENT's subcommands: a group descends to
 * the subcommand argv[1] names; a command with args_checked has its
 * --help and argument count handled here.  Returns the exit code, 125
 * with Docker's message for an unknown command. */
int cmd_dispatch(const struct cmd_command *parent, const char *parent_path, int argc,
		 char **argv, struct cmd_global *g);

/* The help of the command at PATH ("" for engine itself): usage, summary,
 * flags, subcommands. */
void cmd_help_print(FILE *out, const char *path);
/* For a command's -h/--help case: print its help to stdout, return 0. */
int cmd_help(const char *path);

/* `engine help [COMMAND]`: that command's help. */
int cmd_help_command(int argc, char **argv, struct cmd_global *g);

/* A group (container, image, volume, system) with no subcommand it knows:
 * its help, with NO_COMMAND_RC when none was given (0 for --help), else
 * Docker's unknown-command error. */
int cmd_group(int argc, char **argv, const char *path, int no_command_rc);
