/* fuzz-template.c: libFuzzer harness for --format templates (Go's
 * text/template and Docker's functions, cmd/gotemplate*.c).  The input is
 * a format, or a line of JSON (the data) and then the format.  Whatever
 * the input: parsing and rendering end (bounded steps and output), a
 * refused format or a failed render gives one error in Go's words, a
 * format that parses renders or fails with an execution error, and the
 * table printer takes whatever rendered. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"
#include "cmd/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_data[] =
	"{\"Id\":\"3f4e8a9c\",\"Name\":\"/web\",\"Args\":[\"300\"],\"Ratio\":0.5,"
	"\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":42},"
	"\"Config\":{\"Env\":[\"A=1\",\"B=2\"],\"Labels\":{\"app\":\"web\"},\"Entrypoint\":null},"
	"\"NetworkSettings\":{\"Networks\":{\"slirp4netns\":{\"IPAddress\":\"10.0.2.100\"}}},"
	"\"#Label\":{\"app\":\"web\"}}";

static void check_error(const struct engine_error *err, const char *prefix)
{
	if (err == NULL || err->msg == NULL || strncmp(err->msg, prefix, strlen(prefix)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_input_string(data, size, 4096);
	if (copy == NULL)
		return 0;
	const char *format = copy;
	json_t *value = NULL;
	char *nl = strchr(copy, '\n');
	if (copy[0] == '{' && nl != NULL) {
		value = json_loadb(copy, (size_t)(nl - copy), JSON_REJECT_DUPLICATES, NULL);
		if (value != NULL)
			format = nl + 1;
	}
	if (value == NULL)
		value = json_loads(default_data, 0, NULL);
	if (strlen(format) != (size_t)(copy + size - format)) /* a NUL inside */
		goto out;

	struct engine_error *err = NULL;
	int parsed = cmd_template_check(format, &err);
	if (parsed < 0) {
		check_error(err, "template parsing error: template: :");
		engine_error_free(&err);
	}
	char *s = cmd_template_execute(format, value, &err);
	if ((s == NULL) != (err != NULL))
		abort();
	if (s == NULL) {
		check_error(err, parsed < 0 ? "template parsing error: template: :" : "template: :");
		engine_error_free(&err);
	} else if (parsed < 0 || strlen(s) > (16u << 20)) {
		abort();
	}
	free(s);

	/* the listing printer: a row of it, as a table */
	json_t *rows = json_pack("[O]", value);
	char table_format[4200];
	snprintf(table_format, sizeof(table_format), "table %s", format);
	FILE *out = fopen("/dev/null", "we");
	if (rows != NULL && out != NULL && cmd_template_print(table_format, NULL, rows, NULL, out, &err) < 0)
		engine_error_free(&err);
	if (out != NULL)
		fclose(out);
	json_decref(rows);
out:
	json_decref(value);
	free(copy);
	return 0;
}
