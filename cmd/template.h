/* template.h: --format as Docker evaluates it: Go's text/template
 * (actions, pipelines, if/else if/range/with, variables, Go's builtins and
 * Docker's json, join, split, lower, upper, title, pad, truncate; see
 * gotemplate.h) over a json value, a leading "table" (a header row and
 * aligned columns), and \t \n escapes in the text.  Keys starting with
 * '#' are methods: {{.Label "k"}} finds the row's "#Label" key (an object)
 * and indexes it by "k"; {{.}} and {{json .}} do not show them. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "common/error.h"

struct cmd_table;

/* Header names for fields whose Docker header is not just the name in
 * capitals ("ID" -> "IMAGE ID"); NULL-terminated pairs. */
struct cmd_template_header {
	const char *field;
	const char *header;
};

/* Check FORMAT's syntax before printing anything. */
int cmd_template_check(const char *format, struct engine_error **err);
/* Render one value (a json object) with FORMAT into a malloc'd string;
 * NULL on an error (cmd_template_execute says which). */
char *cmd_template_render(const char *format, json_t *value);
/* As cmd_template_render, with the error: a parse error ("template parsing
 * error: template: :1: ...") or an execution error with Go's text
 * ("template: :1:2: executing \"\" at <.Foo>: map has no entry for key
 * \"Foo\""). */
char *cmd_template_execute(const char *format, json_t *value, struct engine_error **err);

/* Tables as Docker's tabwriter prints them: cells padded to the widest
 * cell + 3, at least 10 wide, the last column unpadded. */
struct cmd_table *cmd_table_new(void);
void cmd_table_add_row(struct cmd_table *t, const char *tab_separated_line);
void cmd_table_print(struct cmd_table *t, FILE *out);
void cmd_table_free(struct cmd_table *t);

/* Print ROWS (json objects) with FORMAT, or with DEFAULT_TABLE when FORMAT is
 * NULL.  "table ..." formats get a header row built from HEADERS.  Every
 * row is rendered first: on an error nothing is printed. */
int cmd_template_print(const char *format, const char *default_table, json_t *rows,
		       const struct cmd_template_header *headers, FILE *out,
		       struct engine_error **err);

/* Print the document J as FORMAT says: "json" (dumped with JSON_FLAGS) or
 * a template, then a newline. */
int cmd_template_print_document(const char *format, json_t *j, size_t json_flags, FILE *out,
				struct engine_error **err);
