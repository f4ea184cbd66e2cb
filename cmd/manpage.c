/* manpage.c: `engine __man DIR` writes the man pages, engine(1) and one
 * engine-COMMAND(1) per command and subcommand (engine-volume-ls(1)), in
 * man(7) roff, from the command table (commands.c): the build runs it, so
 * the pages always list the flags the commands take. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/commands.h"
#include "config.h"
#include "cmd/manpage.h"
#include "cmd/report.h"

/* TEXT with roff's special characters escaped: a backslash, a '-' (a
 * hyphen, not a minus, to man), and a '.' or '\'' starting a line. */
static void roff(FILE *out, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else if ((*p == '.' || *p == '\'') && (p == text || p[-1] == '\n'))
			fprintf(out, "\\&%c", *p);
		else
			fputc(*p, out);
	}
}

/* "engine volume ls" -> "engine-volume-ls" */
static void page_name(char *out, size_t size, const char *path)
{
	int n = snprintf(out, size, "engine%s%s", *path ? "-" : "", path);
	if (n < 0 || (size_t)n >= size) /* no command's path is that long */
		out[0] = '\0';
	for (char *p = out; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
}

static void print_options(FILE *out, const struct cmd_flag *flags)
{
	for (const struct cmd_flag *f = flags; f != NULL && f->name != NULL; f++) {
		if (f->help == NULL)
			continue;
		fputs(".TP\n\\fB", out);
		if (f->letter)
			fprintf(out, "\\-%c\\fR, \\fB", f->letter);
		fputs("\\-\\-", out);
		roff(out, f->name);
		fputs("\\fR", out);
		if (f->value != NULL) {
			fputs(cmd_flag_value_optional(f) ? "\\fI" : " \\fI", out);
			roff(out, f->value);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff(out, f->help);
		fputc('\n', out);
	}
	fputs(".TP\n\\fB\\-\\-help\\fR\nprint the command's help\n", out);
}

static void print_page(FILE *out, const struct cmd_command *c, const char *path)
{
	char name[128], upper[128];
	page_name(name, sizeof(name), path);
	size_t i = 0;
	for (; name[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : name[i];
	upper[i] = '\0';
	fprintf(out, ".TH %s 1 \"\" \"engine %s\" \"User Commands\"\n.SH NAME\n", upper,
		ENGINE_VERSION);
	roff(out, name);
	fputs(" \\- ", out);
	roff(out, c == &cmd_engine ? "a rootless, daemonless container engine" : c->summary);
	fputs("\n.SH SYNOPSIS\n", out);
	for (const char *u = c->usage; *u != '\0';) {
		size_t n = strcspn(u, "\n");
		fputs(".B engine\n", out);
		char line[256];
		snprintf(line, sizeof(line), "%.*s", (int)n, u);
		roff(out, line);
		fputs("\n.br\n", out);
		u += n + (u[n] == '\n');
	}
	fputs(".SH DESCRIPTION\n", out);
	if (c == &cmd_engine)
		fputs("A rootless, daemonless container engine with the command line of Docker and "
		      "Podman.\nEach command has its own page, named below.\n", out);
	else if (c->description != NULL) {
		roff(out, c->description);
		fputc('\n', out);
	} else {
		fprintf(out, "%c", c->summary[0] & ~0x20);
		roff(out, c->summary + 1);
		fputs(".\n", out);
	}
	if (c->aliases[0] != NULL) {
		fputs(".PP\nAlso spelled:", out);
		const char *last = strrchr(path, ' ');
		int parent = last != NULL ? (int)(last - path) + 1 : 0;
		for (size_t a = 0; a < ARRAY_SIZE(c->aliases) && c->aliases[a] != NULL; a++)
			fprintf(out, "%s \\fBengine %.*s%s\\fR", a ? "," : "", parent, path,
				c->aliases[a]);
		fputs(".\n", out);
	}
	if (c->subcommands != NULL) {
		fputs(".SH COMMANDS\n", out);
		for (const struct cmd_command *s = c->subcommands; s->name != NULL; s++) {
			if (s->hidden)
				continue;
			char sub[128];
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "", s->name);
			page_name(name, sizeof(name), sub);
			fprintf(out, ".TP\n.BR %s (1)\n", name);
			roff(out, s->summary);
			fputc('\n', out);
		}
	}
	if (c->flags != NULL && (c->flags[0].name != NULL || c->subcommands == NULL)) {
		fputs(c == &cmd_engine ? ".SH GLOBAL OPTIONS\n" : ".SH OPTIONS\n", out);
		print_options(out, c->flags);
	}
	fputs(".SH EXIT STATUS\n"
	      ".TP\n.B 0\nsuccess\n"
	      ".TP\n.B 125\nthe engine itself failed (a bad flag, a missing container or image, ...)\n"
	      ".TP\n.B 126\nthe container's command could not be invoked (run, exec)\n"
	      ".TP\n.B 127\nthe container's command was not found (run, exec)\n"
	      ".PP\nOtherwise run, start \\-a and exec exit with the status of the container's "
	      "command.\n",
	      out);
	fputs(".SH SEE ALSO\n", out);
	if (c == &cmd_engine)
		fputs(".BR engine\\-run (1),\n.BR engine\\-ps (1),\n.BR engine\\-images (1)\n", out);
	else
		fputs(".BR engine (1)\n", out);
}

static int write_page(const char *dir, const struct cmd_command *c, const char *path,
		      struct engine_error **err)
{
	char name[128], file[4096];
	page_name(name, sizeof(name), path);
	snprintf(file, sizeof(file), "%s/%s.1", dir, name);
	cleanup_fclose FILE *out = fopen(file, "we");
	if (out == NULL)
		return engine_error_errno(err, errno, "%s", file);
	print_page(out, c, path);
	if (fflush(out) != 0 || ferror(out))
		return engine_error_errno(err, errno, "%s", file);
	return 0;
}

int cmd_man(int argc, char **argv, struct cmd_global *g)
{
	(void)argc, (void)g;
	const char *dir = argv[optind];
	cleanup_error struct engine_error *err = NULL;
	if (write_page(dir, &cmd_engine, "", &err) < 0)
		return cmd_report(err);
	for (const struct cmd_command *c = cmd_engine.subcommands; c->name != NULL; c++) {
		if (c->hidden)
			continue;
		if (write_page(dir, c, c->name, &err) < 0)
			return cmd_report(err);
		for (const struct cmd_command *s = c->subcommands; s != NULL && s->name != NULL; s++) {
			char path[128];
			snprintf(path, sizeof(path), "%s %s", c->name, s->name);
			if (!s->hidden && write_page(dir, s, path, &err) < 0)
				return cmd_report(err);
		}
	}
	return 0;
}
