/* dockerfile.c: a Dockerfile's lines into stages of instructions.
 *
 * The reading follows Docker's parser: parser directives are looked for
 * only before the first comment, blank line or instruction, and an
 * unknown one ends them (it is a comment); a line that ends in the escape
 * character (blanks after it allowed) continues on the next, where
 * comment lines and empty lines are skipped, not ended on; a RUN, COPY or
 * ADD line that names heredocs (<<EOF, <<-EOF, <<"EOF") takes the raw
 * lines after it, up to each delimiter, in order.  The arguments of each
 * instruction are read by dockerfile-args.c. */
#include "libengine/build/dockerfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "libengine/build/dockerfile-args.h"

/* In the order of enum engine_dockerfile_kind. */
static const char *const kind_names[] = {
	"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
	"USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
};
_Static_assert(ARRAY_SIZE(kind_names) == ENGINE_DOCKERFILE_SHELL + 1, "a name for every kind");

const char *engine_dockerfile_kind_name(enum engine_dockerfile_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

int engine_dockerfile_kind_of(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcasecmp(word, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

struct reader {
	const char *data;
	size_t size, pos;
	unsigned line; /* number of the line next_line returned last */
	const char *file;
};

/* The next line (without its "\n" or "\r\n") as START and LEN; false at
 * the end of the input. */
static bool next_line(struct reader *r, const char **start, size_t *len)
{
	if (r->pos >= r->size)
		return false;
	const char *s = r->data + r->pos;
	const char *nl = memchr(s, '\n', r->size - r->pos);
	size_t n = nl != NULL ? (size_t)(nl - s) : r->size - r->pos;
	r->pos += n + (nl != NULL);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	r->line++;
	*start = s;
	*len = n;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static size_t skip_blanks(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && blank(s[i]))
		i++;
	return i;
}

__attribute__((format(printf, 4, 5))) static int fail_at(struct engine_error **err, const struct reader *r,
							  unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return engine_error_set(err, EINVAL, "%s:%u: %s", r->file, line, msg);
}

/* An error from dockerfile-args.c, given its place. */
static int locate(struct engine_error **err, const struct reader *r, unsigned line)
{
	if (err != NULL && *err != NULL)
		return engine_error_prefix(err, "%s:%u", r->file, line);
	return fail_at(err, r, line, "out of memory");
}

/* `# name = value` at the top.  1 when LINE is a known directive (taken
 * into DF), 0 when it is not a directive and directives end, -1 on error. */
static int directive(struct engine_dockerfile *df, const char *line, size_t len, bool seen[2],
		     const struct reader *r, struct engine_error **err)
{
	size_t i = 0;
	if (len == 0 || line[i++] != '#')
		return 0;
	i += skip_blanks(line + i, len - i);
	size_t name = i;
	if (i >= len || !isalpha((unsigned char)line[i]))
		return 0;
	while (i < len && isalnum((unsigned char)line[i]))
		i++;
	size_t name_len = i - name;
	i += skip_blanks(line + i, len - i);
	if (i >= len || line[i++] != '=')
		return 0;
	i += skip_blanks(line + i, len - i);
	size_t end = len;
	while (end > i && blank(line[end - 1]))
		end--;
	if (end == i)
		return 0;
	const char *value = line + i;
	size_t value_len = end - i;
	int which;
	if (name_len == 6 && strncasecmp(line + name, "syntax", 6) == 0)
		which = 0;
	else if (name_len == 6 && strncasecmp(line + name, "escape", 6) == 0)
		which = 1;
	else if (name_len == 5 && strncasecmp(line + name, "check", 5) == 0)
		return 1; /* BuildKit's lint settings: known, not used here */
	else
		return 0;
	if (seen[which])
		return fail_at(err, r, r->line, "only one %s parser directive can be used", which ? "escape" : "syntax");
	seen[which] = true;
	if (which == 0) {
		free(df->syntax);
		df->syntax = strndup(value, value_len);
		return df->syntax != NULL ? 1 : fail_at(err, r, r->line, "out of memory");
	}
	if (value_len != 1 || (value[0] != '\\' && value[0] != '`'))
		return fail_at(err, r, r->line, "invalid escape token '%.*s' does not match ` or \\", (int)value_len,
			       value);
	df->escape = value[0];
	return 1;
}

/* Whether LINE (LEN bytes, leading blanks removed) ends in the escape
 * character, blanks after it allowed; *KEEP is the length before it. */
static bool continues(const char *line, size_t len, char escape, size_t *keep)
{
	while (len > 0 && blank(line[len - 1]))
		len--;
	if (len == 0 || line[len - 1] != escape)
		return false;
	*keep = len - 1;
	return true;
}

/* A memory stream closed into *RET (NULL, and -1, when memory ran
 * short while it was written). */
static int close_stream(FILE *f, char **ret)
{
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed) {
		free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

/* The logical line that starts with LINE, into *RET: continuations
 * joined, comment and blank lines inside them skipped. */
static int logical_line(struct reader *r, const char *line, size_t len, char escape, char **ret)
{
	size_t size, keep;
	FILE *out = open_memstream(ret, &size);
	if (out == NULL)
		return -1;
	bool more = continues(line, len, escape, &keep);
	fwrite(line, 1, more ? keep : len, out);
	while (more && next_line(r, &line, &len)) {
		size_t lead = skip_blanks(line, len);
		if (lead == len || line[lead] == '#')
			continue;
		more = continues(line, len, escape, &keep);
		fwrite(line, 1, more ? keep : len, out);
	}
	return close_stream(out, ret);
}

/* ---------------------------------------------------------------- heredocs */

static bool heredoc_kind(enum engine_dockerfile_kind kind)
{
	return kind == ENGINE_DOCKERFILE_RUN || kind == ENGINE_DOCKERFILE_COPY || kind == ENGINE_DOCKERFILE_ADD;
}

/* If WORD is a heredoc marker ([fd]<<[-]NAME, NAME maybe quoted), add it
 * to IN. */
static int heredoc_marker(struct engine_dockerfile_instruction *in, const char *word, char escape,
			  struct engine_error **err)
{
	const char *p = word;
	int fd = 0;
	while (isdigit((unsigned char)*p) && fd < 1000)
		fd = fd * 10 + (*p++ - '0');
	if (strncmp(p, "<<", 2) != 0)
		return 0;
	p += 2;
	bool strip_tabs = *p == '-';
	if (strip_tabs)
		p++;
	if (*p == '\0' || strchr(p, '<') != NULL)
		return 0;
	/* the delimiter with its quotes and escapes removed */
	size_t n = strlen(p);
	cleanup_free char *name = malloc(n + 1);
	if (name == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	size_t w = 0;
	bool quoted = false;
	char quote = 0;
	for (; *p != '\0'; p++) {
		if (quote == 0 && (*p == '\'' || *p == '"')) {
			quote = *p;
			quoted = true;
		} else if (*p == quote) {
			quote = 0;
		} else if (*p == escape && quote != '\'' && p[1] != '\0') {
			name[w++] = *++p;
			quoted = true;
		} else {
			name[w++] = *p;
		}
	}
	name[w] = '\0';
	if (w == 0)
		return 0;
	struct engine_dockerfile_heredoc *grown = realloc(in->heredocs, (in->n_heredocs + 1) * sizeof(*grown));
	if (grown == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	in->heredocs = grown;
	grown[in->n_heredocs++] = (struct engine_dockerfile_heredoc){
		.name = steal_pointer(&name), .expand = !quoted, .strip_tabs = strip_tabs, .fd = fd
	};
	return 0;
}

/* The heredocs REST names, their contents read from the lines after. */
static int heredocs(struct engine_dockerfile_instruction *in, const char *rest, char escape, struct reader *r,
		    struct engine_error **err)
{
	char **words = NULL;
	size_t n = 0;
	if (engine_dockerfile_words(rest, escape, &words, &n, err) < 0)
		return locate(err, r, in->line);
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = heredoc_marker(in, words[i], escape, err);
	engine_dockerfile_strv_free(words);
	if (ret < 0)
		return locate(err, r, in->line);
	for (size_t i = 0; i < in->n_heredocs; i++) {
		struct engine_dockerfile_heredoc *h = &in->heredocs[i];
		const char *line;
		size_t len, size;
		bool ended = false;
		FILE *content = open_memstream(&h->content, &size);
		if (content == NULL)
			return fail_at(err, r, in->line, "out of memory");
		while (!ended && next_line(r, &line, &len)) {
			if (h->strip_tabs)
				while (len > 0 && *line == '\t')
					line++, len--;
			if (len == strlen(h->name) && memcmp(line, h->name, len) == 0)
				ended = true;
			else if (fwrite(line, 1, len, content) != len || fputc('\n', content) == EOF)
				break; /* close_stream reports it */
		}
		if (close_stream(content, &h->content) < 0)
			return fail_at(err, r, in->line, "out of memory");
		if (!ended)
			return fail_at(err, r, in->line, "unterminated heredoc %s", h->name);
	}
	return 0;
}

/* ------------------------------------------------------------ instructions */

/* The instruction LINE holds (its keyword and arguments) into IN, whose
 * line is set; heredocs are read from R when READ_HEREDOCS. */
static int instruction(struct engine_dockerfile_instruction *in, const char *line, char escape, struct reader *r,
		       bool read_heredocs, struct engine_error **err)
{
	size_t lead = skip_blanks(line, strlen(line));
	const char *word = line + lead;
	size_t word_len = strcspn(word, " \t\v\f\r");
	if ((in->keyword = strndup(word, word_len)) == NULL)
		return fail_at(err, r, in->line, "out of memory");
	int kind = engine_dockerfile_kind_of(in->keyword);
	if (kind < 0)
		return fail_at(err, r, in->line, "unknown instruction: %s", in->keyword);
	in->kind = (enum engine_dockerfile_kind)kind;
	const char *rest = word + word_len;
	rest += skip_blanks(rest, strlen(rest));
	if (read_heredocs && heredoc_kind(in->kind) && heredocs(in, rest, escape, r, err) < 0)
		return -1;
	in->end_line = r->line;
	if (engine_dockerfile_args_parse(in, rest, escape, err) < 0)
		return locate(err, r, in->line);
	if (in->kind != ENGINE_DOCKERFILE_ONBUILD)
		return 0;
	/* ONBUILD's trigger: an instruction of its own, never FROM,
	 * MAINTAINER or ONBUILD again */
	if (in->text[0] == '\0')
		return fail_at(err, r, in->line, "ONBUILD requires at least one argument");
	size_t trigger_len = strcspn(in->text, " \t\v\f\r");
	cleanup_free char *trigger = strndup(in->text, trigger_len);
	if (trigger == NULL)
		return fail_at(err, r, in->line, "out of memory");
	int trigger_kind = engine_dockerfile_kind_of(trigger);
	if (trigger_kind == ENGINE_DOCKERFILE_ONBUILD)
		return fail_at(err, r, in->line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (trigger_kind == ENGINE_DOCKERFILE_FROM || trigger_kind == ENGINE_DOCKERFILE_MAINTAINER)
		return fail_at(err, r, in->line, "%s isn't allowed as an ONBUILD trigger",
			       engine_dockerfile_kind_name((enum engine_dockerfile_kind)trigger_kind));
	if ((in->trigger = calloc(1, sizeof(*in->trigger))) == NULL)
		return fail_at(err, r, in->line, "out of memory");
	in->trigger->line = in->line;
	int ret = instruction(in->trigger, in->text, escape, r, false, err);
	in->trigger->end_line = in->end_line;
	return ret;
}

/* Docker's stage names: a letter, then letters, digits, '-', '_', '.'. */
static bool stage_name_valid(const char *name)
{
	if (!islower((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static int add_stage(struct engine_dockerfile *df, struct engine_dockerfile_instruction *from, const struct reader *r,
		     struct engine_error **err)
{
	struct engine_dockerfile_stage *grown = realloc(df->stages, (df->n_stages + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail_at(err, r, from->line, "out of memory");
	df->stages = grown;
	struct engine_dockerfile_stage *st = &grown[df->n_stages++];
	*st = (struct engine_dockerfile_stage){ .from = *from };
	*from = (struct engine_dockerfile_instruction){ 0 };
	const char *platform = engine_dockerfile_flag(&st->from, "platform", NULL);
	st->base = strdup(st->from.args[0]);
	st->platform = platform != NULL ? strdup(platform) : NULL;
	if (st->from.n_args == 3)
		st->name = strdup(st->from.args[2]);
	if (st->base == NULL || (platform != NULL && st->platform == NULL) || (st->from.n_args == 3 && st->name == NULL))
		return fail_at(err, r, st->from.line, "out of memory");
	if (st->name == NULL)
		return 0;
	for (char *p = st->name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!stage_name_valid(st->name))
		return fail_at(err, r, st->from.line,
			       "invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
			       st->from.args[2]);
	for (size_t i = 0; i + 1 < df->n_stages; i++)
		if (df->stages[i].name != NULL && strcmp(df->stages[i].name, st->name) == 0)
			return fail_at(err, r, st->from.line, "duplicate stage name \"%s\"", st->name);
	return 0;
}

static int append(struct engine_dockerfile_instruction **list, size_t *n, struct engine_dockerfile_instruction *in)
{
	struct engine_dockerfile_instruction *grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	grown[(*n)++] = *in;
	*list = grown;
	*in = (struct engine_dockerfile_instruction){ 0 };
	return 0;
}

/* Place IN, parsed: a FROM opens a stage, an ARG before any is a meta
 * argument, anything else joins the current stage. */
static int place(struct engine_dockerfile *df, struct engine_dockerfile_instruction *in, const struct reader *r,
		 struct engine_error **err)
{
	if (in->kind == ENGINE_DOCKERFILE_FROM)
		return add_stage(df, in, r, err);
	int ret;
	if (df->n_stages == 0) {
		if (in->kind != ENGINE_DOCKERFILE_ARG)
			return fail_at(err, r, in->line, "no build stage in current context");
		ret = append(&df->meta_args, &df->n_meta_args, in);
	} else {
		struct engine_dockerfile_stage *st = &df->stages[df->n_stages - 1];
		ret = append(&st->instructions, &st->n_instructions, in);
	}
	return ret < 0 ? fail_at(err, r, in->line, "out of memory") : 0;
}

static int parse_lines(struct engine_dockerfile *df, struct reader *r, struct engine_error **err)
{
	bool seen[2] = { false, false };
	bool directives = true;
	bool any = false;
	const char *line;
	size_t len;
	/* the words are C strings: a NUL byte would cut one short unseen */
	const char *nul = memchr(r->data, '\0', r->size);
	if (nul != NULL) {
		unsigned at = 1;
		for (const char *p = r->data; p < nul; p++)
			at += *p == '\n';
		return fail_at(err, r, at, "NUL byte in line");
	}
	while (next_line(r, &line, &len)) {
		if (directives) {
			int d = directive(df, line, len, seen, r, err);
			if (d < 0)
				return -1;
			if (d > 0)
				continue;
			directives = false;
		}
		size_t lead = skip_blanks(line, len);
		if (lead == len || line[lead] == '#')
			continue;
		unsigned first = r->line;
		cleanup_free char *logical = NULL;
		int ret = logical_line(r, line + lead, len - lead, df->escape, &logical);
		if (ret < 0)
			ret = fail_at(err, r, first, "out of memory");
		struct engine_dockerfile_instruction in = { .line = first };
		if (ret == 0)
			ret = instruction(&in, logical, df->escape, r, true, err);
		if (ret == 0)
			ret = place(df, &in, r, err);
		engine_dockerfile_instruction_clear(&in);
		if (ret < 0)
			return -1;
		any = true;
	}
	if (!any)
		return fail_at(err, r, r->line > 0 ? r->line : 1, "file with no instructions");
	if (df->n_stages == 0)
		return fail_at(err, r, r->line, "dockerfile contains no stages to build");
	return 0;
}

int engine_dockerfile_parse(const char *data, size_t size, const char *file_name, struct engine_dockerfile **ret,
			    struct engine_error **err)
{
	struct reader r = { .data = data, .size = size, .file = file_name != NULL ? file_name : "Dockerfile" };
	/* a UTF-8 byte order mark is no part of the first line */
	if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	struct engine_dockerfile *df = calloc(1, sizeof(*df));
	if (df == NULL)
		return engine_error_set(err, ENOMEM, "%s: out of memory", r.file);
	df->escape = '\\';
	if (parse_lines(df, &r, err) < 0) {
		engine_dockerfile_free(&df);
		return -1;
	}
	*ret = df;
	return 0;
}

void engine_dockerfile_free(struct engine_dockerfile **dfp)
{
	struct engine_dockerfile *df = *dfp;
	if (df == NULL)
		return;
	for (size_t i = 0; i < df->n_meta_args; i++)
		engine_dockerfile_instruction_clear(&df->meta_args[i]);
	free(df->meta_args);
	free(df->syntax);
	for (size_t i = 0; i < df->n_stages; i++) {
		struct engine_dockerfile_stage *st = &df->stages[i];
		free(st->name);
		free(st->base);
		free(st->platform);
		engine_dockerfile_instruction_clear(&st->from);
		for (size_t k = 0; k < st->n_instructions; k++)
			engine_dockerfile_instruction_clear(&st->instructions[k]);
		free(st->instructions);
	}
	free(df->stages);
	free(df);
	*dfp = NULL;
}

const struct engine_dockerfile_stage *engine_dockerfile_stage_find(const struct engine_dockerfile *df,
								    const char *name)
{
	for (size_t i = 0; i < df->n_stages; i++)
		if (df->stages[i].name != NULL && strcasecmp(df->stages[i].name, name) == 0)
			return &df->stages[i];
	char *end;
	errno = 0;
	unsigned long index = name[0] >= '0' && name[0] <= '9' ? strtoul(name, &end, 10) : df->n_stages;
	if (errno == 0 && name[0] >= '0' && name[0] <= '9' && *end == '\0' && index < df->n_stages)
		return &df->stages[index];
	return NULL;
}

const char *engine_dockerfile_flag(const struct engine_dockerfile_instruction *in, const char *name, bool *present)
{
	const char *value = NULL;
	bool found = false;
	for (size_t i = 0; i < in->n_flags; i++)
		if (strcmp(in->flags[i].name, name) == 0) {
			value = in->flags[i].value;
			found = true;
		}
	if (present != NULL)
		*present = found;
	return value;
}
