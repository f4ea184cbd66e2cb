/* gotemplate-exec.h: a parsed template executed over jansson values, and
 * Go's formatting of them (gotemplate-exec.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "cmd/gotemplate.h"

/* Execute T with DOT as {{.}}: the output, malloc'd, NUL-terminated. */
char *gotemplate_execute(const struct gotemplate *t, json_t *dot, struct engine_error **err);

/* Go's default formatting of a value (fmt's %v): strings bare, "map[a:b]",
 * "[a b]", "<nil>" for null, "<no value>" for NULL.  Appends to *BUF. */
struct gt_buf {
	char *data;
	size_t len, cap;
	bool overflow; /* GOTEMPLATE_MAX_OUTPUT reached, or out of memory */
};
void gt_buf_put(struct gt_buf *b, const char *s, size_t n);
void gt_buf_puts(struct gt_buf *b, const char *s);
void gt_print_value(struct gt_buf *b, json_t *v);
/* Go's truth: false, 0, "", nil, empty array or object are false. */
bool gt_truth(json_t *v);
/* Go's type name of a JSON value as our data models it ("string", "int"). */
const char *gt_type_name(json_t *v);
/* Keys of an object in sorted order without the '#' methods; malloc'd
 * array of N pointers into the object. */
const char **gt_sorted_keys(json_t *obj, size_t *n);
