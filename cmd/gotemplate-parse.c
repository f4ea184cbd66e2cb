/* gotemplate-parse.c: the lexer and parser of Go's text/template, written
 * after Go's text/template/parse so that the same formats parse and the
 * same mistakes give the same messages ("template: :1: unexpected \"}\" in
 * operand", "unclosed action", "function \"foo\" not defined").  A parse
 * error unwinds with longjmp: every node lives in the template's arena, so
 * nothing leaks.  {{define}}, {{template}} and {{block}} are refused: a
 * --format is one template. */
#include "cmd/gotemplate-parse.h"
#include "cmd/gotemplate-funcs.h"

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_type {
	TK_EOF,
	TK_TEXT,
	TK_LEFT,
	TK_RIGHT,
	TK_SPACE,
	TK_FIELD,
	TK_VARIABLE,
	TK_IDENT,
	TK_DOT,
	TK_STRING,
	TK_RAWSTRING,
	TK_CHARCONST,
	TK_NUMBER,
	TK_PIPE,
	TK_DECLARE,
	TK_ASSIGN,
	TK_LPAREN,
	TK_RPAREN,
	TK_CHAR, /* any other printable character, ',' among them */
	TK_ERROR, /* the lexer stopped here; the parser fails when it gets here */
};

struct token {
	enum tok_type type;
	size_t pos, len;
	int line;
	char *msg; /* TK_ERROR */
};

struct parser {
	struct gotemplate *t;
	const char *src;
	size_t src_len;
	struct token *toks;
	size_t n_toks, cap_toks, next;
	const char *vars[256]; /* the variables in scope, for "undefined variable" */
	size_t n_vars;
	int depth, range_depth;
	jmp_buf fail, lex_stop;
	struct engine_error **err;
};

__attribute__((noreturn, format(printf, 3, 4))) static void fail_at(struct parser *p, int line,
								     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gt_vformat(fmt, ap);
	va_end(ap);
	engine_error_set(p->err, EINVAL, "template: :%d: %s", line, msg ? msg : "out of memory");
	free(msg);
	longjmp(p->fail, 1);
}

static void release_json(void *v)
{
	json_decref(v);
}

/* Keep PTR (NULL: out of memory) in LIST until the template is freed; when
 * the list cannot grow, PTR is released at once with RELEASE. */
static void *own(struct parser *p, struct gt_owned *list, void *ptr, void (*release)(void *))
{
	if (ptr == NULL)
		fail_at(p, 1, "out of memory");
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 32;
		void **a = realloc(list->items, cap * sizeof(*a));
		if (a == NULL) {
			release(ptr);
			fail_at(p, 1, "out of memory");
		}
		list->items = a;
		list->cap = cap;
	}
	list->items[list->n++] = ptr;
	return ptr;
}

static void owned_free(struct gt_owned *list, void (*release)(void *))
{
	for (size_t i = 0; i < list->n; i++)
		release(list->items[i]);
	free(list->items);
}

static void *arena_add(struct parser *p, void *ptr)
{
	return own(p, &p->t->allocs, ptr, free);
}

static void *alloc0(struct parser *p, size_t size)
{
	return arena_add(p, calloc(1, size));
}

static char *dup_n(struct parser *p, const char *s, size_t n)
{
	return arena_add(p, strndup(s, n));
}

static json_t *constant(struct parser *p, json_t *v)
{
	return own(p, &p->t->constants, v, release_json);
}

/* Append pointer E to the array *ARR of *N elements (arena-owned). */
static void push_ptr(struct parser *p, void ***arr, size_t *n, void *e)
{
	void **a = arena_add(p, malloc((*n + 1) * sizeof(void *)));
	if (*n > 0)
		memcpy(a, *arr, *n * sizeof(void *));
	a[(*n)++] = e;
	*arr = a; /* the old array stays in the arena until the end */
}

/* ---- lexer ---------------------------------------------------------------- */

static int line_at(const struct parser *p, size_t pos)
{
	int line = 1;
	for (size_t i = 0; i < pos && i < p->src_len; i++)
		line += p->src[i] == '\n';
	return line;
}

static void emit(struct parser *p, enum tok_type type, size_t start, size_t end)
{
	if (p->n_toks == p->cap_toks) {
		size_t cap = p->cap_toks ? p->cap_toks * 2 : 64;
		struct token *a = realloc(p->toks, cap * sizeof(*a));
		if (a == NULL)
			fail_at(p, 1, "out of memory");
		p->toks = a;
		p->cap_toks = cap;
	}
	p->toks[p->n_toks++] = (struct token){ type, start, end - start, line_at(p, start) };
}

/* As Go's lexer: an error is a token, so that a parse error met before
 * it (an unexpected "}" before the unclosed action) is the one reported. */
__attribute__((noreturn, format(printf, 3, 4))) static void lex_error(struct parser *p, size_t pos,
								      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gt_vformat(fmt, ap);
	va_end(ap);
	emit(p, TK_ERROR, pos, pos);
	p->toks[p->n_toks - 1].msg = arena_add(p, msg);
	longjmp(p->lex_stop, 1);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) || c == '_' || ((unsigned char)c & 0x80);
}

/* " -}}" or "}}" at I: returns the length of the delimiter (with its trim
 * marker), 0 if none; *TRIM says whether the marker was there. */
static size_t at_right_delim(const struct parser *p, size_t i, bool *trim)
{
	const char *s = p->src + i;
	size_t left = p->src_len - i;
	if (left >= 4 && is_space(s[0]) && s[1] == '-' && s[2] == '}' && s[3] == '}') {
		*trim = true;
		return 4;
	}
	if (left >= 2 && s[0] == '}' && s[1] == '}') {
		*trim = false;
		return 2;
	}
	return 0;
}

static size_t lex_quote(struct parser *p, size_t i, char q)
{
	size_t start = i++;
	while (i < p->src_len && p->src[i] != q) {
		if (q != '`' && p->src[i] == '\\' && i + 1 < p->src_len)
			i++;
		else if (q != '`' && p->src[i] == '\n')
			break;
		i++;
	}
	if (i >= p->src_len || p->src[i] != q)
		lex_error(p, start, "%s",
			q == '"' ? "unterminated quoted string" :
			q == '`' ? "unterminated raw quoted string" : "unterminated character constant");
	i++;
	emit(p, q == '"' ? TK_STRING : q == '`' ? TK_RAWSTRING : TK_CHARCONST, start, i);
	return i;
}

static size_t lex_number(struct parser *p, size_t i)
{
	size_t start = i;
	if (p->src[i] == '+' || p->src[i] == '-')
		i++;
	while (i < p->src_len &&
	       (isalnum((unsigned char)p->src[i]) || p->src[i] == '.' || p->src[i] == '_' ||
		((p->src[i] == '+' || p->src[i] == '-') && (p->src[i - 1] == 'e' || p->src[i - 1] == 'E' ||
							    p->src[i - 1] == 'p' || p->src[i - 1] == 'P'))))
		i++;
	emit(p, TK_NUMBER, start, i);
	return i;
}

/* Inside {{ }}: from I to the right delimiter; returns the index after it. */
static size_t lex_action(struct parser *p, size_t i, bool *trim_after)
{
	int parens = 0;
	for (;;) {
		bool trim;
		size_t d = at_right_delim(p, i, &trim);
		if (d > 0 && parens == 0) {
			emit(p, TK_RIGHT, i, i + d);
			*trim_after = trim;
			return i + d;
		}
		if (i >= p->src_len)
			lex_error(p, i, "unclosed action");
		char c = p->src[i];
		size_t start = i;
		if (d > 0) /* "}}" inside parentheses */
			lex_error(p, i, "unclosed left paren");
		if (is_space(c)) {
			while (i < p->src_len && is_space(p->src[i]) && at_right_delim(p, i, &trim) == 0)
				i++;
			if (i == start) /* " -}}" */
				i++;
			emit(p, TK_SPACE, start, i);
		} else if (c == '=') {
			emit(p, TK_ASSIGN, i, i + 1);
			i++;
		} else if (c == ':') {
			if (i + 1 >= p->src_len || p->src[i + 1] != '=')
				lex_error(p, i, "expected :=");
			emit(p, TK_DECLARE, i, i + 2);
			i += 2;
		} else if (c == '|') {
			emit(p, TK_PIPE, i, i + 1);
			i++;
		} else if (c == '"' || c == '`' || c == '\'') {
			i = lex_quote(p, i, c);
		} else if (c == '$' || (c == '.' && !(i + 1 < p->src_len && isdigit((unsigned char)p->src[i + 1])))) {
			i++;
			while (i < p->src_len && is_alnum(p->src[i]))
				i++;
			emit(p, c == '$' ? TK_VARIABLE : i - start == 1 ? TK_DOT : TK_FIELD, start, i);
		} else if (c == '.' || c == '+' || c == '-' || isdigit((unsigned char)c)) {
			i = lex_number(p, i);
		} else if (is_alnum(c)) {
			while (i < p->src_len && is_alnum(p->src[i]))
				i++;
			emit(p, TK_IDENT, start, i);
		} else if (c == '(') {
			parens++;
			emit(p, TK_LPAREN, i, i + 1);
			i++;
		} else if (c == ')') {
			if (--parens < 0)
				lex_error(p, i, "unexpected right paren");
			emit(p, TK_RPAREN, i, i + 1);
			i++;
		} else if ((unsigned char)c < 0x80 && isprint((unsigned char)c)) {
			emit(p, TK_CHAR, i, i + 1);
			i++;
		} else {
			lex_error(p, i, "unrecognized character in action: U+%04X", (unsigned char)c);
		}
	}
}

static void lex(struct parser *p)
{
	if (setjmp(p->lex_stop) != 0)
		return;
	size_t i = 0;
	bool trim_next = false;
	while (i < p->src_len) {
		const char *open = memmem(p->src + i, p->src_len - i, "{{", 2);
		size_t text_end = open ? (size_t)(open - p->src) : p->src_len;
		size_t text_start = i;
		if (trim_next)
			while (text_start < text_end && is_space(p->src[text_start]))
				text_start++;
		if (open == NULL) {
			if (text_start < text_end)
				emit(p, TK_TEXT, text_start, text_end);
			break;
		}
		size_t after = text_end + 2;
		bool trim_before = after + 1 < p->src_len && p->src[after] == '-' && is_space(p->src[after + 1]);
		size_t te = text_end;
		if (trim_before)
			while (te > text_start && is_space(p->src[te - 1]))
				te--;
		if (text_start < te)
			emit(p, TK_TEXT, text_start, te);
		size_t inner = after + (trim_before ? 2 : 0);
		if (p->src_len - inner >= 2 && memcmp(p->src + inner, "/*", 2) == 0) {
			const char *end = memmem(p->src + inner + 2, p->src_len - inner - 2, "*/", 2);
			if (end == NULL)
				lex_error(p, inner, "unclosed comment");
			size_t d = at_right_delim(p, (size_t)(end - p->src) + 2, &trim_next);
			if (d == 0)
				lex_error(p, inner, "comment ends before closing delimiter");
			i = (size_t)(end - p->src) + 2 + d;
			continue;
		}
		emit(p, TK_LEFT, text_end, inner);
		i = lex_action(p, inner, &trim_next);
	}
	emit(p, TK_EOF, p->src_len, p->src_len);
}

/* ---- parser --------------------------------------------------------------- */

static struct token *peek(struct parser *p)
{
	struct token *t = &p->toks[p->next];
	if (t->type == TK_ERROR)
		fail_at(p, t->line, "%s", t->msg ? t->msg : "out of memory");
	return t;
}

static struct token *next_tok(struct parser *p)
{
	struct token *t = peek(p);
	if (t->type != TK_EOF)
		p->next++;
	return t;
}

static struct token *peek_non_space(struct parser *p)
{
	while (peek(p)->type == TK_SPACE)
		p->next++;
	return peek(p);
}

static struct token *next_non_space(struct parser *p)
{
	peek_non_space(p);
	return next_tok(p);
}

static bool tok_is(const struct parser *p, const struct token *t, const char *word)
{
	return t->type == TK_IDENT && t->len == strlen(word) && memcmp(p->src + t->pos, word, t->len) == 0;
}

/* Go's item text in messages: "}", "<end>" for keywords, "EOF". */
static const char *tok_desc(struct parser *p, const struct token *t, char *buf, size_t size)
{
	static const char *const keywords[] = { "if", "else", "end", "range", "with", "break",
						"continue", "define", "template", "block", NULL };
	if (t->type == TK_EOF)
		return "EOF";
	if (t->type == TK_RIGHT)
		return "<right delim>"; /* unused: callers say what they expected */
	for (size_t i = 0; keywords[i]; i++)
		if (tok_is(p, t, keywords[i])) {
			snprintf(buf, size, "<%s>", keywords[i]);
			return buf;
		}
	snprintf(buf, size, "%s%.*s%s", t->type == TK_CHAR ? "\"" : "", (int)(t->len > 40 ? 40 : t->len),
		 p->src + t->pos, t->type == TK_CHAR ? "\"" : "");
	return buf;
}

__attribute__((noreturn)) static void unexpected(struct parser *p, const struct token *t, const char *context)
{
	char buf[64];
	if (t->type == TK_LPAREN || t->type == TK_RPAREN || t->type == TK_PIPE || t->type == TK_ASSIGN ||
	    t->type == TK_DECLARE)
		fail_at(p, t->line, "unexpected \"%.*s\" in %s", (int)t->len, p->src + t->pos, context);
	fail_at(p, t->line, "unexpected %s in %s", tok_desc(p, t, buf, sizeof(buf)), context);
}

static bool is_keyword(const struct parser *p, const struct token *t)
{
	static const char *const keywords[] = { "if", "else", "end", "range", "with", "break", "continue",
						"define", "template", "block", NULL };
	for (size_t i = 0; keywords[i]; i++)
		if (tok_is(p, t, keywords[i]))
			return true;
	return false;
}

static struct gt_pipe *pipeline(struct parser *p, const char *context, enum tok_type end);

static json_t *parse_number(struct parser *p, const struct token *t)
{
	char buf[128];
	size_t n = 0;
	for (size_t i = 0; i < t->len && n + 1 < sizeof(buf); i++)
		if (p->src[t->pos + i] != '_')
			buf[n++] = p->src[t->pos + i];
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 0);
	if (*end == '\0' && errno == 0 && n > 0)
		return constant(p, json_integer(v));
	errno = 0;
	double d = strtod(buf, &end);
	if (*end == '\0' && n > 0 && errno == 0 && strpbrk(buf, "xX") == NULL)
		return constant(p, json_real(d));
	fail_at(p, t->line, "bad number syntax: \"%.*s\"", (int)(t->len > 40 ? 40 : t->len), p->src + t->pos);
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? (tolower((unsigned char)c) - 'a' + 10) : -1;
}

static void put_utf8(char *out, size_t *n, unsigned long cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | ((cp >> 18) & 0x07));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/* Go's strconv.Unquote of a "..." or '...' literal: the bytes, in *LEN. */
static char *unquote(struct parser *p, const struct token *t, size_t *len)
{
	const char *s = p->src + t->pos + 1;
	size_t n = t->len - 2, o = 0;
	char *out = arena_add(p, malloc(n * 2 + 8));
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i >= n)
			break;
		char c = s[i];
		const char *simple = strchr("abfnrtv\\\"'", c);
		if (simple != NULL && c != '\0') {
			static const char map[] = "\a\b\f\n\r\t\v\\\"'";
			out[o++] = map[simple - "abfnrtv\\\"'"];
		} else if (c == 'x' || c == 'u' || c == 'U') {
			size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			unsigned long v = 0;
			for (size_t k = 0; k < digits; k++) {
				if (i + 1 >= n || hexval(s[i + 1]) < 0)
					fail_at(p, t->line, "invalid syntax");
				v = v * 16 + (unsigned long)hexval(s[++i]);
			}
			if (c == 'x')
				out[o++] = (char)v;
			else if (v > 0x10FFFF)
				fail_at(p, t->line, "invalid syntax");
			else
				put_utf8(out, &o, v);
		} else if (c >= '0' && c <= '7') {
			unsigned v = (unsigned)(c - '0');
			for (int k = 0; k < 2; k++) {
				if (i + 1 >= n || s[i + 1] < '0' || s[i + 1] > '7')
					fail_at(p, t->line, "invalid syntax");
				v = v * 8 + (unsigned)(s[++i] - '0');
			}
			if (v > 255)
				fail_at(p, t->line, "invalid syntax");
			out[o++] = (char)v;
		} else {
			fail_at(p, t->line, "invalid syntax");
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static bool var_defined(struct parser *p, const char *name, size_t len)
{
	for (size_t i = p->n_vars; i-- > 0;)
		if (strlen(p->vars[i]) == len && memcmp(p->vars[i], name, len) == 0)
			return true;
	return false;
}

static void add_var(struct parser *p, const char *name, int line)
{
	if (p->n_vars == sizeof(p->vars) / sizeof(p->vars[0]))
		fail_at(p, line, "too many variables");
	p->vars[p->n_vars++] = name;
}

static struct gt_arg *new_arg(struct parser *p, enum gt_arg_type type, const struct token *t)
{
	struct gt_arg *a = alloc0(p, sizeof(*a));
	a->type = type;
	a->pos = t->pos;
	a->text = dup_n(p, p->src + t->pos, t->len);
	return a;
}

static void add_field(struct parser *p, struct gt_arg *a, const struct token *t)
{
	push_ptr(p, (void ***)&a->fields, &a->n_fields, dup_n(p, p->src + t->pos + 1, t->len - 1));
	size_t old = strlen(a->text);
	char *text = alloc0(p, old + t->len + 1);
	memcpy(text, a->text, old);
	memcpy(text + old, p->src + t->pos, t->len);
	a->text = text;
}

static struct gt_arg *term(struct parser *p)
{
	struct token *t = next_non_space(p);
	struct gt_arg *a;
	switch (t->type) {
	case TK_IDENT:
		if (tok_is(p, t, "true") || tok_is(p, t, "false")) {
			a = new_arg(p, GT_ARG_BOOL, t);
			a->constant = constant(p, json_boolean(tok_is(p, t, "true")));
			return a;
		}
		if (tok_is(p, t, "nil"))
			return new_arg(p, GT_ARG_NIL, t);
		if (is_keyword(p, t)) {
			p->next--;
			return NULL;
		}
		a = new_arg(p, GT_ARG_IDENTIFIER, t);
		a->name = a->text;
		if (!gt_function_exists(a->name))
			fail_at(p, t->line, "function \"%s\" not defined", a->name);
		return a;
	case TK_DOT:
		return new_arg(p, GT_ARG_DOT, t);
	case TK_VARIABLE:
		if (!var_defined(p, p->src + t->pos, t->len))
			fail_at(p, t->line, "undefined variable \"%.*s\"", (int)t->len, p->src + t->pos);
		a = new_arg(p, GT_ARG_VARIABLE, t);
		a->name = a->text;
		return a;
	case TK_FIELD:
		a = new_arg(p, GT_ARG_FIELD, t);
		a->text = dup_n(p, "", 0);
		add_field(p, a, t);
		return a;
	case TK_NUMBER:
		a = new_arg(p, GT_ARG_NUMBER, t);
		a->constant = parse_number(p, t);
		return a;
	case TK_CHARCONST: {
		size_t len;
		char *s = unquote(p, t, &len);
		/* one character: its code point */
		unsigned long cp = (unsigned char)s[0];
		if (len == 0)
			fail_at(p, t->line, "malformed character constant: %.*s", (int)t->len, p->src + t->pos);
		if (cp >= 0xC0 && len > 1) {
			int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : 1;
			cp &= 0x3Fu >> extra;
			for (int k = 1; k <= extra && (size_t)k < len; k++)
				cp = (cp << 6) | ((unsigned char)s[k] & 0x3F);
		}
		a = new_arg(p, GT_ARG_NUMBER, t);
		a->constant = constant(p, json_integer((json_int_t)cp));
		return a;
	}
	case TK_STRING:
	case TK_RAWSTRING: {
		a = new_arg(p, GT_ARG_STRING, t);
		size_t len = t->len - 2;
		char *s = t->type == TK_STRING ? unquote(p, t, &len) : dup_n(p, p->src + t->pos + 1, len);
		a->name = s;
		a->constant = constant(p, json_stringn_nocheck(s, len));
		return a;
	}
	case TK_LPAREN: {
		if (++p->depth > GOTEMPLATE_MAX_DEPTH)
			fail_at(p, t->line, "max expression depth exceeded");
		a = new_arg(p, GT_ARG_PIPE, t);
		a->pipe = pipeline(p, "parenthesized pipeline", TK_RPAREN);
		struct token *r = next_tok(p);
		if (r->type != TK_RPAREN)
			unexpected(p, r, "parenthesized pipeline");
		p->depth--;
		a->text = dup_n(p, p->src + t->pos, r->pos + 1 - t->pos);
		return a;
	}
	default:
		p->next--;
		return NULL;
	}
}

static struct gt_arg *operand(struct parser *p)
{
	struct gt_arg *a = term(p);
	if (a == NULL)
		return NULL;
	if (peek(p)->type == TK_FIELD) {
		if (a->type != GT_ARG_FIELD && a->type != GT_ARG_VARIABLE && a->type != GT_ARG_PIPE)
			fail_at(p, peek(p)->line, "unexpected . after term \"%s\"", a->text);
		while (peek(p)->type == TK_FIELD)
			add_field(p, a, next_tok(p));
	}
	return a;
}

static struct gt_command *command(struct parser *p)
{
	struct gt_command *cmd = alloc0(p, sizeof(*cmd));
	cmd->pos = peek_non_space(p)->pos;
	for (;;) {
		peek_non_space(p);
		struct gt_arg *a = operand(p);
		if (a != NULL)
			push_ptr(p, (void ***)&cmd->args, &cmd->n_args, a);
		struct token *t = next_tok(p);
		if (t->type == TK_SPACE)
			continue;
		if (t->type == TK_RIGHT || t->type == TK_RPAREN) {
			p->next--;
		} else if (t->type != TK_PIPE) {
			unexpected(p, t, "operand");
		}
		break;
	}
	if (cmd->n_args == 0)
		fail_at(p, peek(p)->line, "empty command");
	const struct gt_arg *last = cmd->args[cmd->n_args - 1];
	size_t end = last->pos + strlen(last->text);
	cmd->text = dup_n(p, p->src + cmd->pos, end > cmd->pos ? end - cmd->pos : 0);
	return cmd;
}

static struct gt_pipe *pipeline(struct parser *p, const char *context, enum tok_type end)
{
	struct gt_pipe *pipe = alloc0(p, sizeof(*pipe));
	struct token *first = peek_non_space(p);
	pipe->pos = first->pos;
	/* declarations: $x := ..., $x = ..., $i, $v := ... */
	for (;;) {
		struct token *v = peek_non_space(p);
		if (v->type != TK_VARIABLE)
			break;
		size_t save = p->next;
		next_tok(p);
		struct token *after = peek_non_space(p);
		if (after->type == TK_DECLARE || after->type == TK_ASSIGN) {
			next_tok(p);
			pipe->is_assign = after->type == TK_ASSIGN;
			char *name = dup_n(p, p->src + v->pos, v->len);
			if (pipe->is_assign && !var_defined(p, name, v->len))
				fail_at(p, v->line, "undefined variable \"%s\"", name);
			pipe->vars[pipe->n_vars++] = name;
			break;
		}
		if (after->type == TK_CHAR && p->src[after->pos] == ',') {
			next_tok(p);
			pipe->vars[pipe->n_vars++] = dup_n(p, p->src + v->pos, v->len);
			if (strcmp(context, "range") == 0 && pipe->n_vars < 2) {
				struct token *n = peek_non_space(p);
				if (n->type == TK_VARIABLE)
					continue;
				fail_at(p, n->line, "range can only initialize variables");
			}
			fail_at(p, v->line, "too many declarations in %s", context);
		}
		p->next = save;
		break;
	}
	for (size_t i = 0; i < pipe->n_vars; i++)
		add_var(p, pipe->vars[i], first->line);
	for (;;) {
		struct token *t = next_non_space(p);
		if (t->type == end) {
			p->next--;
			break;
		}
		switch (t->type) {
		case TK_IDENT:
			if (is_keyword(p, t) && !tok_is(p, t, "true"))
				unexpected(p, t, context);
			/* fall through */
		case TK_DOT:
		case TK_FIELD:
		case TK_VARIABLE:
		case TK_STRING:
		case TK_RAWSTRING:
		case TK_CHARCONST:
		case TK_NUMBER:
		case TK_LPAREN:
			p->next--;
			push_ptr(p, (void ***)&pipe->cmds, &pipe->n_cmds, command(p));
			continue;
		default:
			unexpected(p, t, context);
		}
	}
	if (pipe->n_cmds == 0)
		fail_at(p, peek(p)->line, "missing value for %s", context);
	for (size_t i = 1; i < pipe->n_cmds; i++) {
		enum gt_arg_type ty = pipe->cmds[i]->args[0]->type;
		if (ty == GT_ARG_BOOL || ty == GT_ARG_DOT || ty == GT_ARG_NIL || ty == GT_ARG_NUMBER ||
		    ty == GT_ARG_STRING)
			fail_at(p, peek(p)->line, "non executable command in pipeline stage %zu", i + 1);
	}
	return pipe;
}

static void expect_right(struct parser *p, const char *context)
{
	struct token *t = next_non_space(p);
	if (t->type != TK_RIGHT)
		unexpected(p, t, context);
}

/* What ended a list: {{end}} or {{else}} (with the token after "else"). */
enum list_end { END_EOF, END_END, END_ELSE };

static struct gt_node *text_or_action(struct parser *p, enum list_end *ended);

static struct gt_list *item_list(struct parser *p, enum list_end *ended, bool top)
{
	struct gt_list *list = alloc0(p, sizeof(*list));
	for (;;) {
		if (peek(p)->type == TK_EOF) {
			if (!top)
				fail_at(p, peek(p)->line, "unexpected EOF");
			*ended = END_EOF;
			return list;
		}
		enum list_end e = END_EOF;
		struct gt_node *n = text_or_action(p, &e);
		if (e != END_EOF) {
			if (top)
				fail_at(p, peek(p)->line, "unexpected {{%s}}", e == END_END ? "end" : "else");
			*ended = e;
			return list;
		}
		if (n != NULL)
			push_ptr(p, (void ***)&list->nodes, &list->n_nodes, n);
	}
}

static struct gt_node *control(struct parser *p, enum gt_node_type type, const char *context,
			       const struct token *kw)
{
	if (++p->depth > GOTEMPLATE_MAX_DEPTH)
		fail_at(p, kw->line, "max nesting depth exceeded");
	size_t vars = p->n_vars;
	struct gt_node *n = alloc0(p, sizeof(*n));
	n->type = type;
	n->pos = kw->pos;
	n->pipe = pipeline(p, context, TK_RIGHT);
	expect_right(p, context);
	if (type == GT_RANGE)
		p->range_depth++;
	enum list_end e;
	n->list = item_list(p, &e, false);
	if (type == GT_RANGE)
		p->range_depth--;
	if (e == END_ELSE) {
		struct token *t = peek_non_space(p);
		if ((type == GT_IF && tok_is(p, t, "if")) || (type == GT_WITH && tok_is(p, t, "with"))) {
			/* {{else if X}}: an if in the else branch that shares our {{end}} */
			next_tok(p);
			n->else_list = alloc0(p, sizeof(*n->else_list));
			struct gt_node *inner = control(p, type, context, t);
			push_ptr(p, (void ***)&n->else_list->nodes, &n->else_list->n_nodes, inner);
		} else {
			expect_right(p, "else");
			n->else_list = item_list(p, &e, false);
			if (e != END_END)
				fail_at(p, peek(p)->line, "expected end; found {{else}}");
		}
	}
	p->n_vars = vars;
	p->depth--;
	return n;
}

static struct gt_node *text_or_action(struct parser *p, enum list_end *ended)
{
	struct token *t = next_tok(p);
	if (t->type == TK_TEXT) {
		struct gt_node *n = alloc0(p, sizeof(*n));
		n->type = GT_TEXT;
		n->pos = t->pos;
		n->text = dup_n(p, p->src + t->pos, t->len);
		n->len = t->len;
		return n;
	}
	if (t->type != TK_LEFT)
		unexpected(p, t, "input");
	struct token *k = peek_non_space(p);
	if (tok_is(p, k, "end") || tok_is(p, k, "else")) {
		next_tok(p);
		*ended = tok_is(p, k, "end") ? END_END : END_ELSE;
		if (*ended == END_END)
			expect_right(p, "end");
		return NULL;
	}
	if (tok_is(p, k, "if") || tok_is(p, k, "range") || tok_is(p, k, "with")) {
		next_tok(p);
		enum gt_node_type type = tok_is(p, k, "if") ? GT_IF : tok_is(p, k, "range") ? GT_RANGE : GT_WITH;
		return control(p, type, type == GT_IF ? "if" : type == GT_RANGE ? "range" : "with", k);
	}
	if (tok_is(p, k, "break") || tok_is(p, k, "continue")) {
		next_tok(p);
		bool brk = tok_is(p, k, "break");
		if (p->range_depth == 0)
			fail_at(p, k->line, "{{%s}} outside {{range}}", brk ? "break" : "continue");
		struct token *r = next_non_space(p);
		if (r->type != TK_RIGHT)
			unexpected(p, r, brk ? "{{break}}" : "{{continue}}");
		struct gt_node *n = alloc0(p, sizeof(*n));
		n->type = brk ? GT_BREAK : GT_CONTINUE;
		n->pos = k->pos;
		return n;
	}
	if (tok_is(p, k, "define") || tok_is(p, k, "template") || tok_is(p, k, "block"))
		fail_at(p, k->line, "{{%.*s}} is not supported in a --format template", (int)k->len,
			p->src + k->pos);
	struct gt_node *n = alloc0(p, sizeof(*n));
	n->type = GT_ACTION;
	n->pos = k->pos;
	n->pipe = pipeline(p, "command", TK_RIGHT);
	struct token *r = next_tok(p);
	n->text = dup_n(p, p->src + k->pos, r->pos > k->pos ? r->pos - k->pos : 0);
	return n;
}

int gotemplate_parse(const char *text, struct gotemplate **ret, struct engine_error **err)
{
	struct gotemplate *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return engine_error_set(err, ENOMEM, "template: out of memory");
	struct parser *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		free(t);
		return engine_error_set(err, ENOMEM, "template: out of memory");
	}
	p->t = t;
	p->err = err;
	p->src = text;
	p->src_len = strlen(text);
	if (setjmp(p->fail) != 0) {
		free(p->toks);
		free(p);
		gotemplate_free(t);
		return -1;
	}
	t->source = arena_add(p, strdup(text));
	lex(p);
	p->vars[p->n_vars++] = "$";
	enum list_end e;
	t->root = item_list(p, &e, true);
	free(p->toks);
	free(p);
	*ret = t;
	return 0;
}

void gotemplate_free(struct gotemplate *t)
{
	if (t == NULL)
		return;
	owned_free(&t->allocs, free);
	owned_free(&t->constants, release_json);
	free(t);
}
