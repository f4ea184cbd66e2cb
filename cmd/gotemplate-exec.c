/* gotemplate-exec.c: evaluation of a parsed template over jansson values,
 * following Go's text/template/exec.go: pipelines pass the previous value
 * as the last argument, variables are scoped to the control structure
 * that declares them, {{range}} over an object walks its keys in sorted
 * order as Go walks a map, and errors carry Go's position and context:
 * `template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"`.
 *
 * A JSON object stands for a Go struct (ps's rows, inspect's documents)
 * and for a Go map (Labels, Networks) alike, and the two answer a missing
 * key differently: a struct has no such field (an error, as Docker's
 * inspect reports it), a map gives Go's "<no value>".  The value the
 * template runs on (the row, the inspected object) is taken for a struct
 * when all its keys start with a capital letter, as Go's exported fields
 * do.  Below it, a missing key is "<no value>" even in a struct-like
 * object: Docker's structs have fields our documents leave out when empty
 * (State.Health without a healthcheck), and `{{if .State.Health}}` must
 * then be false, not an error.
 *
 * Work per render is bounded (GOTEMPLATE_MAX_STEPS, GOTEMPLATE_MAX_OUTPUT)
 * so a hostile --format cannot hang the CLI or exhaust its memory. */
#include "cmd/gotemplate-exec.h"
#include "cmd/gotemplate-funcs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct variable {
	const char *name;
	json_t *value; /* owned; NULL: Go's invalid value */
};

struct state {
	const struct gotemplate *t;
	json_t *root; /* the value the template runs on: a struct (see above) */
	struct gt_buf out;
	struct variable *vars;
	size_t n_vars, cap_vars;
	size_t steps;
	int depth;
	/* the node being evaluated, for the error's position and context */
	size_t at_pos;
	const char *at_text;
	struct engine_error **err;
};

enum { WALK_OK = 0, WALK_BREAK = 1, WALK_CONTINUE = 2, WALK_ERROR = -1 };

void gt_buf_put(struct gt_buf *b, const char *s, size_t n)
{
	if (b->overflow)
		return;
	if (b->len + n + 1 > GOTEMPLATE_MAX_OUTPUT) {
		b->overflow = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (d == NULL) {
			b->overflow = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void gt_buf_puts(struct gt_buf *b, const char *s)
{
	gt_buf_put(b, s, strlen(s));
}

static void at(struct state *s, size_t pos, const char *text)
{
	s->at_pos = pos;
	s->at_text = text;
}

__attribute__((format(printf, 2, 3))) static int fail(struct state *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = gt_vformat(fmt, ap);
	va_end(ap);
	/* Go's ErrorContext: line and byte in the line, 0-based */
	const char *src = s->t->source;
	size_t line = 1, col = 0;
	for (size_t i = 0; i < s->at_pos && src[i]; i++) {
		if (src[i] == '\n') {
			line++;
			col = 0;
		} else {
			col++;
		}
	}
	const char *text = s->at_text ? s->at_text : "";
	engine_error_set(s->err, EINVAL, "template: :%zu:%zu: executing \"\" at <%.20s%s>: %s", line, col,
			 text, strlen(text) > 20 ? "..." : "", msg ? msg : "out of memory");
	free(msg);
	return -1;
}

static int step(struct state *s)
{
	if (++s->steps > GOTEMPLATE_MAX_STEPS)
		return fail(s, "template too complex: more than %d steps", GOTEMPLATE_MAX_STEPS);
	if (s->out.overflow)
		return fail(s, "output larger than %u bytes", GOTEMPLATE_MAX_OUTPUT);
	return 0;
}

/* ---- values --------------------------------------------------------------- */

const char *gt_type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_OBJECT:
		return "map[string]interface {}";
	default:
		return "<nil>";
	}
}

bool gt_truth(json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT: {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) if (k[0] != '#') return true;
		return false;
	}
	default:
		return false;
	}
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **gt_sorted_keys(json_t *obj, size_t *n)
{
	const char **keys = calloc(json_object_size(obj) + 1, sizeof(char *));
	size_t k = 0;
	const char *key;
	json_t *e;
	if (keys == NULL) {
		*n = 0;
		return NULL;
	}
	json_object_foreach(obj, key, e) if (key[0] != '#') keys[k++] = key;
	qsort(keys, k, sizeof(*keys), compare_keys);
	*n = k;
	return keys;
}

void gt_print_value(struct gt_buf *b, json_t *v)
{
	char num[32];
	if (v == NULL) {
		gt_buf_puts(b, "<no value>");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		gt_buf_put(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		gt_buf_puts(b, num);
		break;
	case JSON_REAL: {
		char f[64];
		gt_format_float_shortest(f, sizeof(f), json_real_value(v));
		gt_buf_puts(b, f);
		break;
	}
	case JSON_TRUE:
		gt_buf_puts(b, "true");
		break;
	case JSON_FALSE:
		gt_buf_puts(b, "false");
		break;
	case JSON_NULL:
		gt_buf_puts(b, "<nil>");
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		gt_buf_puts(b, "[");
		json_array_foreach(v, i, e) {
			if (i > 0)
				gt_buf_puts(b, " ");
			gt_print_value(b, e);
			if (b->overflow)
				break;
		}
		gt_buf_puts(b, "]");
		break;
	}
	case JSON_OBJECT: {
		size_t n;
		const char **keys = gt_sorted_keys(v, &n);
		gt_buf_puts(b, "map[");
		for (size_t i = 0; keys && i < n && !b->overflow; i++) {
			if (i > 0)
				gt_buf_puts(b, " ");
			gt_buf_puts(b, keys[i]);
			gt_buf_puts(b, ":");
			gt_print_value(b, json_object_get(v, keys[i]));
		}
		free(keys);
		gt_buf_puts(b, "]");
		break;
	}
	}
}

/* A struct rather than a map: see the comment at the top. */
static bool looks_like_struct(json_t *obj)
{
	const char *k;
	json_t *e;
	bool any = false;
	json_object_foreach(obj, k, e) {
		if (k[0] == '#')
			continue;
		if (!(k[0] >= 'A' && k[0] <= 'Z'))
			return false;
		any = true;
	}
	return any;
}

/* ---- variables ------------------------------------------------------------ */

static int push_var(struct state *s, const char *name, json_t *value)
{
	if (s->n_vars == s->cap_vars) {
		size_t cap = s->cap_vars ? s->cap_vars * 2 : 16;
		struct variable *v = realloc(s->vars, cap * sizeof(*v));
		if (v == NULL)
			return fail(s, "out of memory");
		s->vars = v;
		s->cap_vars = cap;
	}
	s->vars[s->n_vars++] = (struct variable){ name, json_incref(value) };
	return 0;
}

static void pop_vars(struct state *s, size_t mark)
{
	while (s->n_vars > mark) {
		s->n_vars--;
		json_decref(s->vars[s->n_vars].value);
	}
}

static struct variable *find_var(struct state *s, const char *name)
{
	for (size_t i = s->n_vars; i-- > 0;)
		if (strcmp(s->vars[i].name, name) == 0)
			return &s->vars[i];
	return NULL;
}

static void set_var(struct variable *v, json_t *value)
{
	json_t *old = v->value;
	v->value = json_incref(value);
	json_decref(old);
}

/* ---- evaluation ----------------------------------------------------------- */

static int eval_pipeline(struct state *s, json_t *dot, const struct gt_pipe *pipe, json_t **ret);
static int eval_arg(struct state *s, json_t *dot, const struct gt_arg *arg, json_t **ret);

/* A method's or function's arguments: ARGS[1..N) evaluated with DOT, and
 * FINAL (the pipeline's previous value) last when HAS_FINAL. */
static int eval_args(struct state *s, json_t *dot, struct gt_arg *const *args, size_t n_args,
		     json_t *final, bool has_final, json_t ***ret, size_t *ret_n)
{
	size_t n = (n_args > 0 ? n_args - 1 : 0) + (has_final ? 1 : 0);
	json_t **argv = calloc(n + 1, sizeof(*argv));
	if (argv == NULL)
		return fail(s, "out of memory");
	size_t k = 0;
	for (size_t i = 1; i < n_args; i++) {
		if (eval_arg(s, dot, args[i], &argv[k]) < 0) {
			for (size_t j = 0; j < k; j++)
				json_decref(argv[j]);
			free(argv);
			return -1;
		}
		k++;
	}
	if (has_final)
		argv[k++] = json_incref(final);
	*ret = argv;
	*ret_n = k;
	return 0;
}

static void free_args(json_t **argv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(argv[i]);
	free(argv);
}

/* One step of a field chain: RECEIVER's field NAME; the last step of a
 * chain gets the command's arguments (a method call: {{.Label "k"}}). */
static int eval_field(struct state *s, json_t *dot, const char *name, json_t *receiver,
		      struct gt_arg *const *args, size_t n_args, json_t *final, bool has_final,
		      json_t **ret)
{
	bool has_args = n_args > 1 || has_final;
	*ret = NULL;
	if (receiver == NULL)
		return 0; /* Go's missingkey=default: a missing value stays missing */
	if (json_is_null(receiver))
		return fail(s, "nil pointer evaluating interface {}.%s", name);
	if (!json_is_object(receiver))
		return fail(s, "can't evaluate field %s in type %s", name, gt_type_name(receiver));
	json_t *v = json_object_get(receiver, name);
	if (v != NULL) {
		if (has_args)
			return fail(s, "%s is not a method but has arguments", name);
		*ret = json_incref(v);
		return 0;
	}
	char method_key[256];
	snprintf(method_key, sizeof(method_key), "#%s", name);
	json_t *method = json_object_get(receiver, method_key);
	if (method != NULL) {
		json_t **argv;
		size_t argc;
		if (eval_args(s, dot, args, n_args, final, has_final, &argv, &argc) < 0)
			return -1;
		int r = 0;
		if (argc == 0) {
			*ret = json_incref(method);
		} else if (!json_is_object(method) || argc != 1) {
			r = fail(s, "wrong number of args for %s: want %d got %zu", name,
				 json_is_object(method) ? 1 : 0, argc);
		} else if (!json_is_string(argv[0])) {
			r = fail(s, "wrong type for value; expected string; got %s",
				 argv[0] ? gt_type_name(argv[0]) : "invalid value");
		} else {
			/* a map[string]string's zero value for a missing key */
			json_t *e = json_object_get(method, json_string_value(argv[0]));
			*ret = e ? json_incref(e) : json_string("");
		}
		free_args(argv, argc);
		return r;
	}
	if (has_args)
		return fail(s, "%s is not a method but has arguments", name);
	if (receiver == s->root && looks_like_struct(receiver))
		return fail(s, "map has no entry for key \"%s\"", name);
	return 0;
}

static int eval_field_chain(struct state *s, json_t *dot, json_t *receiver, const struct gt_arg *node,
			    struct gt_arg *const *args, size_t n_args, json_t *final, bool has_final,
			    json_t **ret)
{
	json_t *cur = json_incref(receiver);
	for (size_t i = 0; i < node->n_fields; i++) {
		bool last = i + 1 == node->n_fields;
		json_t *next = NULL;
		at(s, node->pos, node->text);
		int r = eval_field(s, dot, node->fields[i], cur, last ? args : NULL, last ? n_args : 0, final,
				   last && has_final, &next);
		json_decref(cur);
		if (r < 0)
			return -1;
		cur = next;
	}
	*ret = cur;
	return 0;
}

static int not_a_function(struct state *s, const struct gt_arg *first, size_t n_args, bool has_final)
{
	if (n_args > 1 || has_final)
		return fail(s, "can't give argument to non-function %s", first->text);
	return 0;
}

/* and/or: Go evaluates their arguments lazily, left to right, and
 * returns the first that decides. */
static int eval_and_or(struct state *s, json_t *dot, bool is_and, struct gt_arg *const *args, size_t n_args,
		       json_t *final, bool has_final, json_t **ret)
{
	size_t n = (n_args > 0 ? n_args - 1 : 0) + (has_final ? 1 : 0);
	if (n < 1)
		return fail(s, "wrong number of args for %s: want at least 1 got 0", is_and ? "and" : "or");
	json_t *v = NULL;
	for (size_t i = 0; i < n; i++) {
		json_decref(v);
		v = NULL;
		if (i + 1 < n_args) {
			if (eval_arg(s, dot, args[i + 1], &v) < 0)
				return -1;
		} else {
			v = json_incref(final);
		}
		if (gt_truth(v) != is_and)
			break;
	}
	*ret = v;
	return 0;
}

static int eval_function(struct state *s, json_t *dot, const struct gt_arg *ident, const struct gt_command *cmd,
			 struct gt_arg *const *args, size_t n_args, json_t *final, bool has_final, json_t **ret)
{
	if (++s->depth > GOTEMPLATE_MAX_DEPTH) {
		s->depth--;
		return fail(s, "max call depth exceeded");
	}
	int r;
	const char *name = ident->name;
	if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0) {
		at(s, ident->pos, ident->text);
		r = eval_and_or(s, dot, name[0] == 'a', args, n_args, final, has_final, ret);
		s->depth--;
		return r;
	}
	json_t **argv;
	size_t argc;
	if (eval_args(s, dot, args, n_args, final, has_final, &argv, &argc) < 0) {
		s->depth--;
		return -1;
	}
	char *msg = NULL;
	r = gt_call_function(name, argv, argc, ret, &msg);
	free_args(argv, argc);
	s->depth--;
	if (r == 0)
		return 0;
	/* argument errors are the identifier's, a failed call the command's */
	if (r == -2 && cmd != NULL)
		at(s, cmd->pos, cmd->text);
	else
		at(s, ident->pos, ident->text);
	if (r == -2)
		fail(s, "error calling %s: %s", name, msg ? msg : "out of memory");
	else
		fail(s, "%s", msg ? msg : "out of memory");
	free(msg);
	return -1;
}

static int eval_variable(struct state *s, json_t *dot, const struct gt_arg *var, struct gt_arg *const *args,
			 size_t n_args, json_t *final, bool has_final, json_t **ret)
{
	at(s, var->pos, var->text);
	struct variable *v = find_var(s, var->name);
	if (v == NULL)
		return fail(s, "undefined variable: %s", var->name);
	if (var->n_fields == 0) {
		if (args != NULL && not_a_function(s, var, n_args, has_final) < 0)
			return -1;
		*ret = json_incref(v->value);
		return 0;
	}
	return eval_field_chain(s, dot, v->value, var, args, n_args, final, has_final, ret);
}

/* An argument of a function (or a method): evaluated on its own. */
static int eval_arg(struct state *s, json_t *dot, const struct gt_arg *arg, json_t **ret)
{
	at(s, arg->pos, arg->text);
	switch (arg->type) {
	case GT_ARG_DOT:
		*ret = json_incref(dot);
		return 0;
	case GT_ARG_NIL:
		*ret = json_null();
		return 0;
	case GT_ARG_FIELD:
		return eval_field_chain(s, dot, dot, arg, NULL, 0, NULL, false, ret);
	case GT_ARG_VARIABLE:
		return eval_variable(s, dot, arg, NULL, 0, NULL, false, ret);
	case GT_ARG_IDENTIFIER:
		return eval_function(s, dot, arg, NULL, NULL, 0, NULL, false, ret);
	case GT_ARG_PIPE: {
		json_t *v = NULL;
		if (eval_pipeline(s, dot, arg->pipe, &v) < 0)
			return -1;
		if (arg->n_fields == 0) {
			*ret = v;
			return 0;
		}
		int r = eval_field_chain(s, dot, v, arg, NULL, 0, NULL, false, ret);
		json_decref(v);
		return r;
	}
	default:
		*ret = json_incref(arg->constant);
		return 0;
	}
}

static int eval_command(struct state *s, json_t *dot, const struct gt_command *cmd, json_t *final,
			bool has_final, json_t **ret)
{
	const struct gt_arg *first = cmd->args[0];
	at(s, first->pos, first->text);
	switch (first->type) {
	case GT_ARG_FIELD:
		return eval_field_chain(s, dot, dot, first, cmd->args, cmd->n_args, final, has_final, ret);
	case GT_ARG_VARIABLE:
		return eval_variable(s, dot, first, cmd->args, cmd->n_args, final, has_final, ret);
	case GT_ARG_IDENTIFIER:
		return eval_function(s, dot, first, cmd, cmd->args, cmd->n_args, final, has_final, ret);
	case GT_ARG_PIPE:
		if (not_a_function(s, first, cmd->n_args, has_final) < 0)
			return -1;
		return eval_arg(s, dot, first, ret);
	case GT_ARG_NIL:
		return fail(s, "nil is not a command");
	default:
		if (not_a_function(s, first, cmd->n_args, has_final) < 0)
			return -1;
		return eval_arg(s, dot, first, ret);
	}
}

/* Evaluates PIPE; declares or assigns its variables. */
static int eval_pipeline(struct state *s, json_t *dot, const struct gt_pipe *pipe, json_t **ret)
{
	json_t *value = NULL;
	bool has_value = false;
	if (++s->depth > GOTEMPLATE_MAX_DEPTH) {
		s->depth--;
		return fail(s, "max expression depth exceeded");
	}
	for (size_t i = 0; i < pipe->n_cmds; i++) {
		json_t *next = NULL;
		int r = eval_command(s, dot, pipe->cmds[i], value, has_value, &next);
		json_decref(value);
		if (r < 0) {
			s->depth--;
			return -1;
		}
		value = next;
		has_value = true;
	}
	s->depth--;
	for (size_t i = 0; i < pipe->n_vars; i++) {
		if (pipe->is_assign) {
			struct variable *v = find_var(s, pipe->vars[i]);
			if (v == NULL) {
				json_decref(value);
				return fail(s, "undefined variable: %s", pipe->vars[i]);
			}
			set_var(v, value);
		} else if (push_var(s, pipe->vars[i], value) < 0) {
			json_decref(value);
			return -1;
		}
	}
	*ret = value;
	return 0;
}

static int walk_list(struct state *s, json_t *dot, const struct gt_list *list);

static int walk_if_with(struct state *s, json_t *dot, const struct gt_node *n)
{
	size_t mark = s->n_vars;
	json_t *v = NULL;
	int r = eval_pipeline(s, dot, n->pipe, &v);
	if (r == 0) {
		if (gt_truth(v))
			r = walk_list(s, n->type == GT_WITH ? v : dot, n->list);
		else if (n->else_list != NULL)
			r = walk_list(s, dot, n->else_list);
	}
	json_decref(v);
	pop_vars(s, mark);
	return r;
}

/* One pass of a {{range}} body with ELEM as dot and KEY as its index. */
static int range_once(struct state *s, const struct gt_node *n, size_t mark, json_t *key, json_t *elem)
{
	if (step(s) < 0)
		return WALK_ERROR;
	if (n->pipe->n_vars > 0) {
		/* the last declared variable gets the element, the first the key */
		if (n->pipe->is_assign) {
			struct variable *v = find_var(s, n->pipe->vars[n->pipe->n_vars - 1]);
			if (v)
				set_var(v, elem);
			if (n->pipe->n_vars > 1 && (v = find_var(s, n->pipe->vars[0])) != NULL)
				set_var(v, key);
		} else {
			set_var(&s->vars[mark + n->pipe->n_vars - 1], elem);
			if (n->pipe->n_vars > 1)
				set_var(&s->vars[mark], key);
		}
	}
	size_t inner = s->n_vars;
	int r = walk_list(s, elem, n->list);
	pop_vars(s, inner);
	return r;
}

static int walk_range(struct state *s, json_t *dot, const struct gt_node *n)
{
	size_t mark = s->n_vars;
	json_t *v = NULL;
	int r = eval_pipeline(s, dot, n->pipe, &v);
	bool any = false;
	if (r < 0)
		goto out;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			json_t *key = json_integer((json_int_t)i);
			any = true;
			r = range_once(s, n, mark, key, e);
			json_decref(key);
			if (r == WALK_ERROR || r == WALK_BREAK)
				break;
		}
	} else if (json_is_object(v)) {
		size_t nk;
		const char **keys = gt_sorted_keys(v, &nk);
		for (size_t i = 0; keys && i < nk; i++) {
			json_t *key = json_string(keys[i]);
			any = true;
			r = range_once(s, n, mark, key, json_object_get(v, keys[i]));
			json_decref(key);
			if (r == WALK_ERROR || r == WALK_BREAK)
				break;
		}
		free(keys);
	} else if (json_is_integer(v)) {
		/* Go 1.22: {{range 3}} counts 0, 1, 2 */
		for (json_int_t i = 0; i < json_integer_value(v); i++) {
			json_t *e = json_integer(i);
			any = true;
			r = range_once(s, n, mark, e, e);
			json_decref(e);
			if (r == WALK_ERROR || r == WALK_BREAK)
				break;
		}
	} else if (v != NULL && !json_is_null(v)) {
		at(s, n->pos, "range");
		r = fail(s, "range can't iterate over %s", json_is_string(v) ? json_string_value(v) : gt_type_name(v));
		goto out;
	}
	if (r != WALK_ERROR)
		r = WALK_OK;
	if (!any && r == WALK_OK && n->else_list != NULL)
		r = walk_list(s, dot, n->else_list);
out:
	json_decref(v);
	pop_vars(s, mark);
	return r;
}

static int walk_node(struct state *s, json_t *dot, const struct gt_node *n)
{
	if (step(s) < 0)
		return WALK_ERROR;
	switch (n->type) {
	case GT_TEXT:
		gt_buf_put(&s->out, n->text, n->len);
		return WALK_OK;
	case GT_ACTION: {
		json_t *v = NULL;
		if (eval_pipeline(s, dot, n->pipe, &v) < 0)
			return WALK_ERROR;
		if (n->pipe->n_vars == 0)
			gt_print_value(&s->out, v);
		json_decref(v);
		return WALK_OK;
	}
	case GT_IF:
	case GT_WITH:
		return walk_if_with(s, dot, n);
	case GT_RANGE:
		return walk_range(s, dot, n);
	case GT_BREAK:
		return WALK_BREAK;
	case GT_CONTINUE:
		return WALK_CONTINUE;
	}
	return WALK_OK;
}

static int walk_list(struct state *s, json_t *dot, const struct gt_list *list)
{
	for (size_t i = 0; list && i < list->n_nodes; i++) {
		int r = walk_node(s, dot, list->nodes[i]);
		if (r != WALK_OK)
			return r;
	}
	return WALK_OK;
}

char *gotemplate_execute(const struct gotemplate *t, json_t *dot, struct engine_error **err)
{
	struct state s = { .t = t, .root = dot, .err = err };
	gt_buf_puts(&s.out, "");
	int r = push_var(&s, "$", dot);
	if (r == 0)
		r = walk_list(&s, dot, t->root);
	if (r >= 0 && s.out.overflow)
		r = fail(&s, "output larger than %u bytes", GOTEMPLATE_MAX_OUTPUT);
	pop_vars(&s, 0);
	free(s.vars);
	if (r < 0) {
		free(s.out.data);
		return NULL;
	}
	return s.out.data;
}
