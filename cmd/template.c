/* template.c: --format for the listing and inspect commands.  Only the
 * constructs Docker users write in practice are supported; anything else is
 * a clear error instead of silently wrong output. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

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

/* Go's default formatting of a value: strings bare, arrays "[a b]",
 * objects "map[k:v]" (sorted keys), null "<no value>" as text/template. */
static void render_value(struct buf *b, json_t *v)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_STRING:
		put(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		puts_b(b, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		puts_b(b, num);
		break;
	case JSON_TRUE:
		puts_b(b, "true");
		break;
	case JSON_FALSE:
		puts_b(b, "false");
		break;
	case JSON_ARRAY: {
		puts_b(b, "[");
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (i > 0)
				puts_b(b, " ");
			render_value(b, e);
		}
		puts_b(b, "]");
		break;
	}
	case JSON_OBJECT: {
		puts_b(b, "map[");
		size_t n = json_object_size(v), k = 0;
		const char **keys = calloc(n + 1, sizeof(char *));
		const char *key;
		json_t *e;
		json_object_foreach(v, key, e) if (keys && key[0] != '#') keys[k++] = key;
		for (size_t i = 0; keys && i < k; i++)
			for (size_t j = i + 1; j < k; j++)
				if (strcmp(keys[j], keys[i]) < 0) {
					const char *t = keys[i];
					keys[i] = keys[j];
					keys[j] = t;
				}
		for (size_t i = 0; keys && i < k; i++) {
			if (i > 0)
				puts_b(b, " ");
			puts_b(b, keys[i]);
			puts_b(b, ":");
			render_value(b, json_object_get(v, keys[i]));
		}
		free(keys);
		puts_b(b, "]");
		break;
	}
	case JSON_NULL:
		puts_b(b, "<no value>");
		break;
	}
}

static json_t *lookup_path(json_t *root, const char *path, size_t len)
{
	/* "." is the value itself; ".A.B" walks objects. */
	if (len == 1 && path[0] == '.')
		return root;
	json_t *v = root;
	size_t i = 0;
	while (i < len && v != NULL) {
		if (path[i] != '.')
			return NULL;
		size_t s = ++i;
		while (i < len && path[i] != '.')
			i++;
		char key[256];
		if (i - s == 0 || i - s >= sizeof(key))
			return NULL;
		memcpy(key, path + s, i - s);
		key[i - s] = '\0';
		v = json_object_get(v, key);
	}
	return v;
}

/* A key starting with '#' is a method of the row (ps's "#Label": the
 * labels as an object for {{.Label "k"}}): found by {{.Label ...}}, never
 * shown by {{.}} or {{json .}}. */
static bool hidden_key(const char *k)
{
	return k[0] == '#';
}

static json_t *without_hidden(json_t *v)
{
	if (!json_is_object(v))
		return json_incref(v);
	json_t *copy = json_object();
	const char *k;
	json_t *e;
	json_object_foreach(v, k, e) if (!hidden_key(k)) json_object_set(copy, k, e);
	return copy;
}

/* Split an action into words: bare words and "quoted strings" (with \"
 * and \\ escapes).  Returns the number of words, -1 on a syntax error. */
#define MAX_WORDS 4
static int split_words(const char *a, size_t n, char words[MAX_WORDS][256], bool quoted[MAX_WORDS])
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && isspace((unsigned char)a[i]))
			i++;
		if (i == n)
			break;
		if (w == MAX_WORDS)
			return -1;
		size_t l = 0;
		quoted[w] = a[i] == '"';
		if (quoted[w]) {
			for (i++; i < n && a[i] != '"'; i++) {
				if (a[i] == '\\' && i + 1 < n)
					i++;
				if (l + 1 >= 256)
					return -1;
				words[w][l++] = a[i];
			}
			if (i == n)
				return -1;
			i++;
			if (i < n && !isspace((unsigned char)a[i]))
				return -1;
		} else {
			for (; i < n && !isspace((unsigned char)a[i]); i++) {
				if (!(isalnum((unsigned char)a[i]) || a[i] == '.' || a[i] == '_'))
					return -1;
				if (l + 1 >= 256)
					return -1;
				words[w][l++] = a[i];
			}
		}
		words[w++][l] = '\0';
	}
	return w;
}

/* Walk ".A.B" from ROOT; a key not found is looked for as a method ("#B"). */
static json_t *lookup(json_t *root, const char *path)
{
	json_t *v = lookup_path(root, path, strlen(path));
	if (v == NULL) {
		const char *last = strrchr(path, '.');
		char method[260];
		snprintf(method, sizeof(method), "#%s", last ? last + 1 : path);
		json_t *parent = last == path ? root : lookup_path(root, path, (size_t)(last - path));
		v = json_object_get(parent, method);
	}
	return v;
}

/* Go's index (and a method with one argument): a map's value for KEY, ""
 * when absent (Go's zero value for map[string]string), or an array's KEY'th
 * element. */
static json_t *index_value(json_t *v, const char *key)
{
	static json_t *empty;
	if (empty == NULL)
		empty = json_string("");
	if (json_is_object(v)) {
		json_t *e = json_object_get(v, key);
		return e ? e : empty;
	}
	char *end;
	long i = strtol(key, &end, 10);
	if (json_is_array(v) && *key && *end == '\0' && i >= 0)
		return json_array_get(v, (size_t)i);
	return NULL;
}

/* One action between {{ and }}: ".Path", "json .Path", ".Method "arg"",
 * "index .Path "key"". */
static int action(struct buf *b, const char *a, size_t n, json_t *root)
{
	char words[MAX_WORDS][256];
	bool quoted[MAX_WORDS];
	int nw = split_words(a, n, words, quoted);
	if (nw < 1)
		return -1;
	bool json = false, index = false;
	int w = 0;
	if (!quoted[0] && strcmp(words[0], "json") == 0)
		json = true, w++;
	else if (!quoted[0] && strcmp(words[0], "index") == 0)
		index = true, w++;
	if (w >= nw || quoted[w] || words[w][0] != '.')
		return -1;
	const char *path = words[w++];
	const char *arg = NULL;
	if (w < nw) {
		/* one string argument: .Label "k" or index .Map "k" */
		if (json || !quoted[w] || w + 1 != nw)
			return -1;
		arg = words[w];
	} else if (index) {
		return -1;
	}
	if (root == NULL)
		return 0; /* syntax check only */
	json_t *v = lookup(root, path);
	if (arg != NULL && v != NULL)
		v = index_value(v, arg);
	if (json) {
		json_t *shown = v ? without_hidden(v) : NULL;
		char *s = shown ? json_dumps(shown, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
		json_decref(shown);
		if (s)
			puts_b(b, s);
		free(s);
	} else if (v == NULL) {
		puts_b(b, "<no value>");
	} else {
		render_value(b, v);
	}
	return 0;
}

static int render(const char *format, json_t *root, struct buf *b)
{
	const char *p = format;
	while (*p) {
		if (p[0] == '{' && p[1] == '{') {
			const char *end = strstr(p + 2, "}}");
			if (end == NULL)
				return -1;
			if (action(b, p + 2, (size_t)(end - p - 2), root) < 0)
				return -1;
			p = end + 2;
		} else if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			puts_b(b, p[1] == 't' ? "\t" : "\n");
			p += 2;
		} else {
			put(b, p, 1);
			p++;
		}
	}
	return 0;
}

int cmd_template_check(const char *format, struct engine_error **err)
{
	struct buf b = { 0 };
	int r = render(format, NULL, &b);
	free(b.data);
	if (r < 0)
		return engine_error_set(err, EINVAL,
					"template parsing error in \"%s\": supported are {{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}}, {{.Label \"key\"}}, {{index .Map \"key\"}} and a leading \"table\"",
					format);
	return 0;
}

char *cmd_template_render(const char *format, json_t *value)
{
	struct buf b = { 0 };
	puts_b(&b, "");
	if (render(format, value, &b) < 0) {
		free(b.data);
		return NULL;
	}
	return b.data;
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
			while (a < end && (isspace((unsigned char)*a) || *a == '.'))
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
	const char *f = format ? format : default_table;
	bool table = strncmp(f, "table", 5) == 0;
	if (table) {
		f += 5;
		while (*f == ' ')
			f++;
		if (*f == '\0')
			f = default_table + 5 + (default_table[5] == ' ');
	}
	if (cmd_template_check(f, err) < 0)
		return -1;
	struct cmd_table *t = table ? cmd_table_new() : NULL;
	if (t != NULL) {
		/* One allocation for every row: no realloc walk through a
		 * thousand rows (ps -a). */
		size_t cap = json_array_size(rows) + 1;
		t->rows = calloc(cap, sizeof(char **));
		t->n_cells = calloc(cap, sizeof(size_t));
		t->cap = t->rows && t->n_cells ? cap : 0;
		cleanup_free char *h = header_for(f, headers);
		cmd_table_add_row(t, h ? h : "");
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		cleanup_free char *line = cmd_template_render(f, row);
		if (line == NULL)
			continue;
		if (t != NULL)
			cmd_table_add_row(t, line);
		else
			fprintf(out, "%s\n", line);
	}
	if (t != NULL) {
		cmd_table_print(t, out);
		cmd_table_free(t);
	}
	return 0;
}
