/* completion.c: `engine completion bash|zsh`, a shell completion script
 * written from the command table (commands.c), as docker and podman
 * generate theirs: commands, subcommands, flags, and the names of
 * containers, images and volumes, which the script asks the engine for
 * (ps, images, volume ls) with the --root, --runroot and --storage-driver
 * of the command line being completed, so that it offers what that store
 * holds. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/commands.h"
#include "cmd/completion.h"
#include "cmd/report.h"

static const char *const kind_names[] = {
	[CMD_COMPLETE_NONE] = "none",	     [CMD_COMPLETE_FILE] = "file",
	[CMD_COMPLETE_CONTAINER] = "container", [CMD_COMPLETE_RUNNING] = "running",
	[CMD_COMPLETE_IMAGE] = "image",	     [CMD_COMPLETE_VOLUME] = "volume",
	[CMD_COMPLETE_OBJECT] = "object",	     [CMD_COMPLETE_COMMAND] = "command",
};

/* The global flags that choose the store: the names come from it. */
static const char store_flags[] = "--root --runroot --storage-driver";

/* Every spelling of C, as a case pattern: "ls|list|ps", each after PREFIX. */
static void print_pattern(FILE *out, const char *prefix, const struct cmd_command *c)
{
	fprintf(out, "%s%s", prefix, c->name);
	for (size_t i = 0; i < ARRAY_SIZE(c->aliases) && c->aliases[i] != NULL; i++)
		fprintf(out, "|%s%s", prefix, c->aliases[i]);
}

static void print_names(FILE *out, const struct cmd_command *table)
{
	const char *sep = "";
	for (const struct cmd_command *c = table; c->name != NULL; c++) {
		if (c->hidden)
			continue;
		fprintf(out, "%s%s", sep, c->name);
		sep = " ";
		for (size_t i = 0; i < ARRAY_SIZE(c->aliases) && c->aliases[i] != NULL; i++)
			fprintf(out, " %s", c->aliases[i]);
	}
}

/* The shown flags: every spelling (VALUED: only those that take a value). */
static void print_flag_words(FILE *out, const struct cmd_flag *flags, bool valued)
{
	const char *sep = "";
	for (const struct cmd_flag *f = flags; f != NULL && f->name != NULL; f++) {
		if (f->help == NULL || (valued && (f->value == NULL || cmd_flag_value_optional(f))))
			continue;
		if (f->letter)
			fprintf(out, "%s-%c", sep, f->letter), sep = " ";
		fprintf(out, "%s--%s", sep, f->name);
		sep = " ";
	}
}

/* The bash data of one command: flags, valued, kind, first_only. */
static void bash_spec(FILE *out, const char *prefix, const struct cmd_command *c)
{
	fputs("\t", out);
	print_pattern(out, prefix, c);
	fputs(")\n\t\tflags='", out);
	print_flag_words(out, c->flags, false);
	fputs("'\n\t\tvalued='", out);
	print_flag_words(out, c->flags, true);
	fprintf(out, "'\n\t\tkind=%s first_only=%d ;;\n", kind_names[c->complete],
		c->order == CMD_FLAGS_FIRST);
}

/* FUNCTION: a shell function that sets the data of the command its
 * argument names ("rm", "volume ls"), as SPEC writes it; false for none. */
static void print_specs(FILE *out, const char *function,
			void (*spec)(FILE *out, const char *prefix, const struct cmd_command *c))
{
	fprintf(out, "%s() {\n\tcase $1 in\n", function);
	for (const struct cmd_command *c = cmd_engine.subcommands; c->name != NULL; c++) {
		if (c->hidden)
			continue;
		if (c->subcommands == NULL) {
			spec(out, "", c);
			continue;
		}
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "'%s '", c->name);
		for (const struct cmd_command *s = c->subcommands; s->name != NULL; s++)
			if (!s->hidden)
				spec(out, prefix, s);
	}
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n", out);
}

/* The names a store holds, in both shells' syntax. */
static const char names_function[] =
	"# The names a store holds: KIND, then the global flags of the line.\n"
	"__engine_names() {\n"
	"\tlocal kind=$1\n"
	"\tshift\n"
	"\tcase $kind in\n"
	"\tcontainer) \"$__engine_bin\" \"$@\" ps -a --format '{{.Names}}' ;;\n"
	"\trunning) \"$__engine_bin\" \"$@\" ps --format '{{.Names}}' ;;\n"
	"\timage) \"$__engine_bin\" \"$@\" images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' ;;\n"
	"\tvolume) \"$__engine_bin\" \"$@\" volume ls -q ;;\n"
	"\tobject) __engine_names container \"$@\"; __engine_names image \"$@\" ;;\n"
	"\tesac 2>/dev/null\n"
	"}\n";

static const char bash_body[] =
	"_engine() {\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal __engine_bin=${COMP_WORDS[0]} i=1 w key subs flags valued kind first_only\n"
	"\tlocal -a store=()\n"
	"\tCOMPREPLY=()\n"
	"\t# The global flags, before the command.\n"
	"\twhile ((i < COMP_CWORD)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tcase \" $__engine_global_valued \" in\n"
	"\t\t*\" $w \"*)\n"
	"\t\t\t[[ \" $__engine_store_flags \" == *\" $w \"* ]] && store+=(\"$w\" \"${COMP_WORDS[i+1]}\")\n"
	"\t\t\ti=$((i + 2))\n"
	"\t\t\tcontinue ;;\n"
	"\t\tesac\n"
	"\t\tcase $w in\n"
	"\t\t--root=* | --runroot=* | --storage-driver=*) store+=(\"$w\") ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) break ;;\n"
	"\t\tesac\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\tif ((i >= COMP_CWORD)); then\n"
	"\t\tcase $prev in\n"
	"\t\t--root | --runroot) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	"\t\t--storage-driver) COMPREPLY=($(compgen -W 'overlay fuse-overlayfs vfs' -- \"$cur\")); return ;;\n"
	"\t\t--log-level) COMPREPLY=($(compgen -W 'error warn info debug' -- \"$cur\")); return ;;\n"
	"\t\t--cgroup-manager) COMPREPLY=($(compgen -W 'systemd cgroupfs' -- \"$cur\")); return ;;\n"
	"\t\tesac\n"
	"\t\tif [[ $cur == -* ]]; then\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$__engine_global_flags --help\" -- \"$cur\"))\n"
	"\t\telse\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$__engine_commands\" -- \"$cur\"))\n"
	"\t\tfi\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tkey=${COMP_WORDS[i]}\n"
	"\ti=$((i + 1))\n"
	"\tsubs=$(__engine_subcommands \"$key\")\n"
	"\tif [[ -n $subs ]]; then\n"
	"\t\tif ((i >= COMP_CWORD)); then\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
	"\t\t\treturn\n"
	"\t\tfi\n"
	"\t\tkey=\"$key ${COMP_WORDS[i]}\"\n"
	"\t\ti=$((i + 1))\n"
	"\tfi\n"
	"\t__engine_spec \"$key\" || return\n"
	"\t# A flag's value: a path is the best guess.\n"
	"\tif [[ $prev == -* && \" $valued \" == *\" $prev \"* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$flags --help\" -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t# The arguments before this one: after the first, a command that takes\n"
	"\t# its flags first has handed the rest to the container's program.\n"
	"\tlocal n=0\n"
	"\twhile ((i < COMP_CWORD)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\t[[ $w != *=* && \" $valued \" == *\" $w \"* ]] && i=$((i + 1))\n"
	"\t\telse\n"
	"\t\t\tn=$((n + 1))\n"
	"\t\tfi\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\t((first_only && n > 0)) && kind=file\n"
	"\tcase $kind in\n"
	"\tfile) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	"\tcommand) COMPREPLY=($(compgen -c -- \"$cur\")) ;;\n"
	"\tnone) ;;\n"
	"\t*)\n"
	"\t\tlocal IFS=$'\\n'\n"
	"\t\tCOMPREPLY=($(compgen -W \"$(__engine_names \"$kind\" \"${store[@]}\")\" -- \"$cur\")) ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"complete -F _engine engine\n";

static void print_bash(FILE *out)
{
	fputs("# bash completion for engine, generated by `engine completion bash`\n"
	      "# from its command table.  Enable it for a session with\n"
	      "#   source <(engine completion bash)\n\n", out);
	fputs("__engine_commands='", out);
	print_names(out, cmd_engine.subcommands);
	fputs("'\n__engine_global_flags='", out);
	print_flag_words(out, cmd_engine.flags, false);
	fputs("'\n__engine_global_valued='", out);
	print_flag_words(out, cmd_engine.flags, true);
	fprintf(out, "'\n__engine_store_flags='%s'\n\n", store_flags);

	fputs("__engine_subcommands() {\n\tcase $1 in\n", out);
	for (const struct cmd_command *c = cmd_engine.subcommands; c->name != NULL; c++) {
		if (c->subcommands == NULL)
			continue;
		fprintf(out, "\t%s) echo '", c->name);
		print_names(out, c->subcommands);
		fputs("' ;;\n", out);
	}
	fputs("\tesac\n}\n\n", out);

	fputs("# The flags of a command, those that take a value, and what its\n"
	      "# arguments name.\n", out);
	print_specs(out, "__engine_spec", bash_spec);
	fputs(names_function, out);
	fputs("\n", out);
	fputs(bash_body, out);
}

/* TEXT in single quotes for zsh, with what _describe and _arguments
 * read specially (':' and the brackets) escaped. */
static void zsh_quoted(FILE *out, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else if (*p == ':' || *p == '[' || *p == ']')
			fprintf(out, "\\%c", *p);
		else
			fputc(*p, out);
	}
}

static void zsh_describe(FILE *out, const char *array, const struct cmd_command *table)
{
	fprintf(out, "\t\t%s=(\n", array);
	for (const struct cmd_command *c = table; c->name != NULL; c++) {
		if (c->hidden)
			continue;
		fprintf(out, "\t\t\t'%s:", c->name);
		zsh_quoted(out, c->summary);
		fputs("'\n", out);
		for (size_t i = 0; i < ARRAY_SIZE(c->aliases) && c->aliases[i] != NULL; i++) {
			fprintf(out, "\t\t\t'%s:", c->aliases[i]);
			zsh_quoted(out, c->summary);
			fputs("'\n", out);
		}
	}
	fputs("\t\t)\n", out);
}

/* One command's flags, as _engine_flags' arrays: "-x:help" pairs, and
 * the spellings that take a value. */
static void zsh_spec(FILE *out, const char *prefix, const struct cmd_command *c)
{
	fputs("\t", out);
	print_pattern(out, prefix, c);
	fputs(")\n\t\tflags=(\n", out);
	for (const struct cmd_flag *f = c->flags; f != NULL && f->name != NULL; f++) {
		if (f->help == NULL)
			continue;
		fprintf(out, "\t\t\t'--%s:", f->name);
		zsh_quoted(out, f->help);
		fputs("'\n", out);
		if (f->letter) {
			fprintf(out, "\t\t\t'-%c:", f->letter);
			zsh_quoted(out, f->help);
			fputs("'\n", out);
		}
	}
	fputs("\t\t\t'--help:print this help'\n\t\t)\n\t\tvalued=(", out);
	print_flag_words(out, c->flags, true);
	fprintf(out, ")\n\t\tkind=%s first_only=%d ;;\n", kind_names[c->complete],
		c->order == CMD_FLAGS_FIRST);
}

static const char zsh_body[] =
	"_engine() {\n"
	"\tlocal __engine_bin=${words[1]} i=2 w key kind first_only\n"
	"\tlocal -a store cmds flags valued names\n"
	"\twhile ((i < CURRENT)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif ((${__engine_global_valued[(Ie)$w]})); then\n"
	"\t\t\t((${__engine_store_flags[(Ie)$w]})) && store+=($w ${words[i+1]})\n"
	"\t\t\ti=$((i + 2))\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tcase $w in\n"
	"\t\t--root=* | --runroot=* | --storage-driver=*) store+=($w) ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) break ;;\n"
	"\t\tesac\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\tif ((i >= CURRENT)); then\n"
	"\t\tif [[ ${words[CURRENT]} == -* ]]; then\n"
	"\t\t\t_describe -t flags 'global flag' __engine_global_described\n"
	"\t\telse\n"
	"\t\t\t_engine_commands ''\n"
	"\t\t\t_describe -t commands 'engine command' cmds\n"
	"\t\tfi\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tkey=${words[i]}\n"
	"\ti=$((i + 1))\n"
	"\tif _engine_commands $key; then\n"
	"\t\tif ((i >= CURRENT)); then\n"
	"\t\t\t_describe -t commands \"engine $key command\" cmds\n"
	"\t\t\treturn\n"
	"\t\tfi\n"
	"\t\tkey=\"$key ${words[i]}\"\n"
	"\t\ti=$((i + 1))\n"
	"\tfi\n"
	"\t_engine_spec $key || return 1\n"
	"\tif [[ ${words[CURRENT-1]} == -* ]] && ((${valued[(Ie)${words[CURRENT-1]}]})); then\n"
	"\t\t_files\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ ${words[CURRENT]} == -* ]]; then\n"
	"\t\t_describe -t flags 'flag' flags\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tlocal n=0\n"
	"\twhile ((i < CURRENT)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\t[[ $w != *=* ]] && ((${valued[(Ie)$w]})) && i=$((i + 1))\n"
	"\t\telse\n"
	"\t\t\tn=$((n + 1))\n"
	"\t\tfi\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\t((first_only && n > 0)) && kind=file\n"
	"\tcase $kind in\n"
	"\tfile) _files ;;\n"
	"\tcommand) _command_names ;;\n"
	"\tnone) ;;\n"
	"\t*)\n"
	"\t\tnames=(${(f)\"$(__engine_names $kind $store)\"})\n"
	"\t\tcompadd -a names ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"# Autoloaded from $fpath, this file is _engine\'s body: the first call\n"
	"# defines the functions above, then completes; sourced, it registers.\n"
	"if [[ $funcstack[1] == _engine ]]; then\n"
	"\t_engine \"$@\"\n"
	"elif (($+functions[compdef])); then\n"
	"\tcompdef _engine engine\n"
	"fi\n";

static void print_zsh(FILE *out)
{
	fputs("#compdef engine\n"
	      "# zsh completion for engine, generated by `engine completion zsh` from\n"
	      "# its command table.  Install it as _engine in a directory of $fpath,\n"
	      "# or enable it for a session, after compinit, with:\n"
	      "#   source <(engine completion zsh)\n\n", out);
	fputs("__engine_global_valued=(", out);
	print_flag_words(out, cmd_engine.flags, true);
	fprintf(out, ")\n__engine_store_flags=(%s)\n__engine_global_described=(\n", store_flags);
	for (const struct cmd_flag *f = cmd_engine.flags; f->name != NULL; f++) {
		fprintf(out, "\t'--%s:", f->name);
		zsh_quoted(out, f->help);
		fputs("'\n", out);
	}
	fputs("\t'--help:print this help'\n)\n\n", out);

	fputs("# cmds: the commands of the group $1 ('': engine's own); false for\n"
	      "# a command that is no group.\n_engine_commands() {\n\tcase $1 in\n\t'')\n", out);
	zsh_describe(out, "cmds", cmd_engine.subcommands);
	fputs("\t\t;;\n", out);
	for (const struct cmd_command *c = cmd_engine.subcommands; c->name != NULL; c++) {
		if (c->subcommands == NULL)
			continue;
		fprintf(out, "\t%s)\n", c->name);
		zsh_describe(out, "cmds", c->subcommands);
		fputs("\t\t;;\n", out);
	}
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n", out);

	print_specs(out, "_engine_spec", zsh_spec);
	fputs(names_function, out);
	fputs("\n", out);
	fputs(zsh_body, out);
}

int cmd_completion(int argc, char **argv, struct cmd_global *g)
{
	(void)argc, (void)g;
	const char *shell = argv[optind];
	if (strcmp(shell, "bash") == 0)
		print_bash(stdout);
	else if (strcmp(shell, "zsh") == 0)
		print_zsh(stdout);
	else {
		cleanup_error struct engine_error *err = NULL;
		engine_error_set(&err, EINVAL, "completion %s: expected bash or zsh", shell);
		return cmd_report(err);
	}
	return fflush(stdout) == 0 ? 0 : 125;
}
