/* template.h: the part of Go's text/template that Docker users put in
 * --format: {{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}}, a method
 * with one string argument ({{.Label "k"}}: the row's "#Label" key, an
 * object, indexed by "k"), {{index .Map "key"}}, a leading "table" (a
 * header row and aligned columns), and \t \n escapes.  Keys starting
 * with '#' are methods: {{.}} and {{json .}} do not show them. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"

struct cmd_table;

/* Header names for fields whose Docker header is not just the name in
 * capitals ("ID" -> "IMAGE ID"); NULL-terminated pairs. */
struct cmd_template_header {
	const char *field;
	const char *header;
};

/* Check FORMAT's syntax before printing anything. */
int cmd_template_check(const char *format, struct engine_error **err);
/* Render one value (a json object) with FORMAT into a malloc'd string. */
char *cmd_template_render(const char *format, json_t *value);

/* Tables as Docker's tabwriter prints them: cells padded to the widest
 * cell + 3, at least 10 wide, the last column unpadded. */
struct cmd_table *cmd_table_new(void);
void cmd_table_add_row(struct cmd_table *t, const char *tab_separated_line);
void cmd_table_print(struct cmd_table *t, FILE *out);
void cmd_table_free(struct cmd_table *t);

/* Print ROWS (json objects) with FORMAT, or with DEFAULT_TABLE when FORMAT is
 * NULL.  "table ..." formats get a header row built from HEADERS. */
int cmd_template_print(const char *format, const char *default_table, json_t *rows,
		       const struct cmd_template_header *headers, FILE *out,
		       struct engine_error **err);
