/* test-docker-name.c: the name rule containers and volumes share, and the
 * JSON type names and string-array frees of common/. */
#include <stdlib.h>
#include <string.h>

#include "common/docker-name.h"
#include "common/json.h"
#include "common/strv.h"
#include "tap.h"

int main(void)
{
	ok(engine_docker_name_valid("web", 253), "a plain name");
	ok(engine_docker_name_valid("a_b.c-d9", 253), "separators after the first character");
	ok(!engine_docker_name_valid("", 253), "empty refused");
	ok(!engine_docker_name_valid("-web", 253), "a separator first refused");
	ok(!engine_docker_name_valid("we b", 253), "a space refused");
	ok(!engine_docker_name_valid("web/x", 253), "a slash refused");
	ok(engine_docker_name_valid("abcd", 4), "exactly the bound");
	ok(!engine_docker_name_valid("abcde", 4), "past the bound");

	is_str(engine_json_type_name(JSON_OBJECT), "an object", "object");
	is_str(engine_json_type_name(JSON_INTEGER), "an integer", "integer");
	is_str(engine_json_type_name(JSON_REAL), "a fractional number", "real");
	is_str(engine_json_type_name(JSON_FALSE), "a boolean", "false is a boolean");
	is_str(engine_json_type_name(JSON_NULL), "null", "null");

	/* Under ASan (CI) these leak or double-free if they are wrong. */
	char **v = calloc(3, sizeof(char *));
	v[0] = strdup("a");
	v[1] = strdup("b");
	engine_strv_free(v);
	engine_strv_free(NULL);
	char **w = calloc(2, sizeof(char *));
	w[0] = strdup("a");
	w[1] = strdup("b");
	engine_strv_free_n(w, 2);
	engine_strv_free_n(NULL, 5);
	return done_testing();
}
