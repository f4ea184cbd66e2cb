/* gotemplate.h: Go's text/template over jansson values, with Docker's
 * functions (json, join, split, lower, upper, title, pad, truncate).  The
 * parse tree and the evaluator are shared by gotemplate-parse.c (lexer and
 * parser), gotemplate-exec.c (evaluation) and gotemplate-funcs.c (the
 * functions).  template.c builds the --format API on top of it.
 *
 * Values are json_t: a JSON object stands for both a Go struct and a Go
 * map (see gotemplate-exec.c for how a missing key is told apart), a key
 * starting with '#' is a method of the value ({{.Label "k"}}), and NULL is
 * Go's invalid value (printed "<no value>").
 *
 * The parse tree is here; the calls are in the header of the file that
 * defines them (gotemplate-parse.h, gotemplate-exec.h, gotemplate-funcs.h).
 *
 * Nothing here prints or exits: errors come back as engine_error with Go's
 * text ("template: :1: unexpected \"}\" in operand"). */
#pragma once

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

/* Limits that keep a hostile format from exhausting the machine. */
#define GOTEMPLATE_MAX_DEPTH 100 /* nested blocks, parentheses, calls */
#define GOTEMPLATE_MAX_STEPS 1000000 /* range iterations and actions per render */
#define GOTEMPLATE_MAX_OUTPUT (16u << 20) /* bytes per render */

enum gt_node_type {
	GT_TEXT,
	GT_ACTION,
	GT_IF,
	GT_RANGE,
	GT_WITH,
	GT_BREAK,
	GT_CONTINUE,
};

enum gt_arg_type {
	GT_ARG_FIELD,      /* .A.B (dot's fields) */
	GT_ARG_VARIABLE,   /* $x.A.B */
	GT_ARG_DOT,        /* . */
	GT_ARG_IDENTIFIER, /* a function's name */
	GT_ARG_STRING,
	GT_ARG_NUMBER,
	GT_ARG_BOOL,
	GT_ARG_NIL,
	GT_ARG_PIPE, /* (pipeline), maybe followed by .A.B */
};

struct gt_pipe;

/* One operand of a command. */
struct gt_arg {
	enum gt_arg_type type;
	size_t pos;      /* byte offset in the template, for error text */
	char *text;      /* the operand as written, for error text */
	char *name;      /* identifier, variable name ("$x"), string's value */
	char **fields;   /* a field chain: .A.B -> {"A", "B"} */
	size_t n_fields;
	json_t *constant; /* string, number, bool */
	struct gt_pipe *pipe;
};

struct gt_command {
	size_t pos;
	char *text;
	struct gt_arg **args;
	size_t n_args;
};

struct gt_pipe {
	size_t pos;
	bool is_assign; /* $x = ... rather than $x := ... */
	char *vars[2];  /* declared variables, "$x" */
	size_t n_vars;
	struct gt_command **cmds;
	size_t n_cmds;
};

struct gt_list;

struct gt_node {
	enum gt_node_type type;
	size_t pos;
	char *text; /* GT_TEXT: the text; GT_ACTION: the action as written */
	size_t len;
	struct gt_pipe *pipe;      /* action, if, range, with */
	struct gt_list *list;      /* if, range, with: the body */
	struct gt_list *else_list; /* if, range, with: {{else}} */
};

struct gt_list {
	struct gt_node **nodes;
	size_t n_nodes;
};

/* Pointers a template owns, released together when it is freed. */
struct gt_owned {
	void **items;
	size_t n, cap;
};

struct gotemplate {
	char *source;
	struct gt_list *root;
	/* Every allocation of the tree, freed together (a parse error
	 * unwinds without freeing node by node), and the JSON constants
	 * (released with json_decref). */
	struct gt_owned allocs, constants;
};

/* An error message formatted, malloc'd; NULL when memory is short (the
 * callers then say "out of memory"). */
__attribute__((format(printf, 1, 0))) static inline char *gt_vformat(const char *fmt, va_list ap)
{
	char *msg;
	return vasprintf(&msg, fmt, ap) < 0 ? NULL : msg;
}
