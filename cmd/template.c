/* template.c: --format for the listing and inspect commands: Go's
 * text/template (gotemplate*.c) as Docker's CLI applies it: a leading
 * "table" prints a header row and aligned columns, "\t" and "\n" in the
 * text are a tab and a newline, and errors read as Docker's ("template
 * parsing error: template: :1: unexpected \"}\" in operand"). */
#include "cmd/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/gotemplate-exec.h"
#include "cmd/gotemplate-parse.h"

struct buf {
	char *data;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 128);
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (d == NULL)
			return;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_b(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* "\t" and "\n" typed in a format's text are a tab and a newline, as
 * Docker's formatter replaces them (ps --format '{{.ID}}\t{{.Names}}');
 * inside an action they stay what Go's lexer makes of them. */
static void unescape_text(struct gt_list *list)
{
	for (size_t i = 0; list && i < list->n_nodes; i++) {
		struct gt_node *n = list->nodes[i];
		if (n->type == GT_TEXT) {
			size_t o = 0;
			for (size_t k = 0; k < n->len; k++) {
				if (n->text[k] == '\\' && k + 1 < n->len && (n->text[k + 1] == 't' || n->text[k + 1] == 'n')) {
					n->text[o++] = n->text[k + 1] == 't' ? '\t' : '\n';
					k++;
				} else {
					n->text[o++] = n->text[k];
				}
			}
			n->len = o;
			n->text[o] = '\0';
		}
		unescape_text(n->list);
		unescape_text(n->else_list);
	}
}

static int parse(const char *format, struct gotemplate **ret, struct engine_error **err)
{
	if (gotemplate_parse(format, ret, err) < 0)
		return engine_error_prefix(err, "template parsing error");
	unescape_text((*ret)->root);
	return 0;
}

int cmd_template_check(const char *format, struct engine_error **err)
{
	struct gotemplate *t = NULL;
	if (parse(format, &t, err) < 0)
		return -1;
	gotemplate_free(t);
	return 0;
}

char *cmd_template_execute(const char *format, json_t *value, struct engine_error **err)
{
	struct gotemplate *t = NULL;
	if (parse(format, &t, err) < 0)
		return NULL;
	char *s = gotemplate_execute(t, value, err);
	gotemplate_free(t);
	return s;
}

char *cmd_template_render(const char *format, json_t *value)
{
	struct engine_error *err = NULL;
	char *s = cmd_template_execute(format, value, &err);
	engine_error_free(&err);
	return s;
}

/* ---- tables ------------------------------------------------------------ */

struct cmd_table {
	char ***rows;
	size_t *n_cells;
	size_t n_rows, cap; /* grown by doubling: ps -a lists thousands */
};

struct cmd_table *cmd_table_new(void)
{
	return calloc(1, sizeof(struct cmd_table));
}

void cmd_table_add_row(struct cmd_table *t, const char *line)
{
	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char ***rows = realloc(t->rows, cap * sizeof(char **));
		if (rows == NULL)
			return;
		t->rows = rows;
		size_t *nc = realloc(t->n_cells, cap * sizeof(size_t));
		if (nc == NULL)
			return;
		t->n_cells = nc;
		t->cap = cap;
	}
	size_t n = 1;
	for (const char *c = line; *c; c++)
		n += *c == '\t';
	char **cells = calloc(n, sizeof(char *));
	const char *s = line;
	for (size_t i = 0; cells && i < n; i++) {
		const char *tab = strchr(s, '\t');
		size_t l = tab ? (size_t)(tab - s) : strlen(s);
		cells[i] = strndup(s, l);
		s = tab ? tab + 1 : s + l;
	}
	t->rows[t->n_rows] = cells;
	t->n_cells[t->n_rows] = cells ? n : 0;
	t->n_rows++;
}

/* Width in characters, as tabwriter counts runes: UTF-8 continuation
 * bytes take no column ("…" in ps's COMMAND). */
static size_t text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void cmd_table_print(struct cmd_table *t, FILE *out)
{
	size_t cols = 0;
	for (size_t r = 0; r < t->n_rows; r++)
		if (t->n_cells[r] > cols)
			cols = t->n_cells[r];
	size_t *w = calloc(cols + 1, sizeof(size_t));
	for (size_t r = 0; w && r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cells[r]; c++)
			if (text_width(t->rows[r][c]) + 3 > w[c])
				w[c] = text_width(t->rows[r][c]) + 3;
	for (size_t r = 0; w && r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cells[r]; c++) {
			size_t width = w[c] < 10 ? 10 : w[c];
			if (c + 1 == t->n_cells[r])
				fputs(t->rows[r][c], out);
			else
				fprintf(out, "%s%*s", t->rows[r][c],
					(int)(width - text_width(t->rows[r][c])), "");
		}
		fputc('\n', out);
	}
	free(w);
}

void cmd_table_free(struct cmd_table *t)
{
	if (t == NULL)
		return;
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cells[r]; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	free(t->rows);
	free(t->n_cells);
	free(t);
}

/* "{{.ID}}\t{{.Names}}" -> "IMAGE ID\tNAMES" */
static char *header_for(const char *format, const struct cmd_template_header *headers)
{
	struct buf b = { 0 };
	puts_b(&b, "");
	const char *p = format;
	while (*p) {
		if (p[0] == '{' && p[1] == '{') {
			const char *end = strstr(p + 2, "}}");
			if (end == NULL)
				break;
			const char *a = p + 2;
			/* "{{- .Names}}": the trim marker is no part of the name */
			while (a < end && (isspace((unsigned char)*a) || *a == '.' || *a == '-'))
				a++;
			if (strncmp(a, "json", 4) == 0)
				a += 4;
			while (a < end && (isspace((unsigned char)*a) || *a == '.'))
				a++;
			const char *e = a;
			/* the field's name: up to a method's argument */
			while (e < end && !isspace((unsigned char)*e))
				e++;
			char field[128];
			size_t l = (size_t)(e - a) < sizeof(field) - 1 ? (size_t)(e - a) : sizeof(field) - 1;
			memcpy(field, a, l);
			field[l] = '\0';
			const char *h = NULL;
			for (size_t i = 0; headers && headers[i].field; i++)
				if (strcmp(headers[i].field, field) == 0)
					h = headers[i].header;
			if (h != NULL) {
				puts_b(&b, h);
			} else {
				for (size_t i = 0; i < l; i++) {
					/* CamelCase -> CAMEL CASE */
					if (i > 0 && isupper((unsigned char)field[i]) &&
					    islower((unsigned char)field[i - 1]))
						puts_b(&b, " ");
					char c = (char)toupper((unsigned char)field[i]);
					put(&b, &c, 1);
				}
			}
			p = end + 2;
		} else if (p[0] == '\\' && p[1] == 't') {
			puts_b(&b, "\t");
			p += 2;
		} else {
			put(&b, p, 1);
			p++;
		}
	}
	return b.data;
}

int cmd_template_print(const char *format, const char *default_table, json_t *rows,
		       const struct cmd_template_header *headers, FILE *out,
		       struct engine_error **err)
{
	const char *f = format ? format : default_table ? default_table : "";
	bool table = strncmp(f, "table", 5) == 0;
	if (table) {
		f += 5;
		while (*f == ' ')
			f++;
		if (*f == '\0' && default_table != NULL && strncmp(default_table, "table", 5) == 0)
			for (f = default_table + 5; *f == ' ';)
				f++;
	}
	struct gotemplate *tmpl = NULL;
	if (parse(f, &tmpl, err) < 0)
		return -1;
	/* Every row is rendered before anything is printed: a row that fails
	 * (an unknown field) leaves no half-printed listing, as Docker. */
	size_t n = json_array_size(rows);
	char **lines = calloc(n + 1, sizeof(char *));
	if (lines == NULL) {
		gotemplate_free(tmpl);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		lines[i] = gotemplate_execute(tmpl, json_array_get(rows, i), err);
		if (lines[i] == NULL)
			r = -1;
	}
	gotemplate_free(tmpl);
	if (r == 0 && table) {
		struct cmd_table *t = cmd_table_new();
		if (t != NULL) {
			/* One allocation for every row: no realloc walk through a
			 * thousand rows (ps -a). */
			t->rows = calloc(n + 1, sizeof(char **));
			t->n_cells = calloc(n + 1, sizeof(size_t));
			t->cap = t->rows && t->n_cells ? n + 1 : 0;
			cleanup_free char *h = header_for(f, headers);
			cmd_table_add_row(t, h ? h : "");
			for (size_t i = 0; i < n; i++)
				cmd_table_add_row(t, lines[i]);
			cmd_table_print(t, out);
			cmd_table_free(t);
		}
	} else if (r == 0) {
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s\n", lines[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return r;
}

int cmd_template_print_document(const char *format, json_t *j, size_t json_flags, FILE *out,
				struct engine_error **err)
{
	cleanup_free char *s = NULL;
	if (strcmp(format, "json") == 0) {
		s = json_dumps(j, json_flags);
		if (s == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	} else if ((s = cmd_template_execute(format, j, err)) == NULL) {
		return -1;
	}
	fprintf(out, "%s\n", s);
	return 0;
}
