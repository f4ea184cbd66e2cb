/* test-flags.c: cmd_getopt, the one flag parser of every command: flags
 * after arguments (where the command allows them), "--", bundles, and the
 * arguments left in their order at argv[optind..]. */
#include <stdlib.h>
#include <string.h>

#include "cmd/flags.h"
#include "tap.h"

static const struct option longopts[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "format", required_argument, NULL, 'F' },
	{ "time", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

/* Parse WORDS (space-separated) as "cmd WORDS" with flags -f, -v, -t N,
 * --force, --format X, --time N: "flags|arguments" as "f v tN FX |a b", or
 * "error: MESSAGE". */
static char *parse(const char *words, enum cmd_flag_order order)
{
	static char out[512];
	char copy[256], *argv[32];
	int argc = 0;
	snprintf(copy, sizeof(copy), "%s", words);
	argv[argc++] = "cmd";
	for (char *save, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "''") == 0 ? "" : w;
	argv[argc] = NULL;
	out[0] = '\0';
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "fvt:", longopts, order)) != -1) {
		size_t n = strlen(out);
		if (c == 'f' || c == 'v')
			snprintf(out + n, sizeof(out) - n, "%c ", c);
		else if (c == 't' || c == 'F')
			snprintf(out + n, sizeof(out) - n, "%c%s ", c, optarg);
		else {
			struct engine_error *err = NULL;
			cmd_flag_error(c, argc, argv, &err);
			snprintf(out, sizeof(out), "error: %s", err->msg);
			engine_error_free(&err);
			return out;
		}
	}
	size_t n = strlen(out);
	snprintf(out + n, sizeof(out) - n, "|");
	for (int i = optind; i < argc; i++) {
		n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s", i > optind ? " " : "", argv[i]);
	}
	return out;
}

#define ANY CMD_FLAGS_ANYWHERE
#define FIRST CMD_FLAGS_FIRST

int main(void)
{
	is_str(parse("-f a", ANY), "f |a", "a flag before an argument");
	is_str(parse("a -f", ANY), "f |a", "a flag after an argument");
	is_str(parse("a -t 5 b --format x c", ANY), "t5 Fx |a b c",
	       "flags with values between arguments; arguments keep their order");
	is_str(parse("a b --format={{.Id}} -fv", ANY), "F{{.Id}} f v |a b",
	       "--flag=value and a bundle after the arguments");
	is_str(parse("a -vt5 b", ANY), "v t5 |a b", "a bundle ending in a value");
	is_str(parse("-- -notaflag", ANY), "|-notaflag", "-- makes the next word an argument");
	is_str(parse("a -f -- -x -f", ANY), "f |a -x -f",
	       "after --, flags are arguments, after the ones before it");
	is_str(parse("a -- b", ANY), "|a b", "-- between arguments");
	is_str(parse("a --", ANY), "|a", "a final --");
	is_str(parse("- a -f", ANY), "f |- a", "- alone is an argument (stdin)");
	is_str(parse("a '' -f", ANY), "f |a ", "an empty argument is an argument");
	is_str(parse("", ANY), "|", "nothing");
	is_str(parse("a b", ANY), "|a b", "arguments only");
	is_str(parse("a -t0 -f", ANY), "t0 f |a", "-t0 is -t with 0 where -t takes a value");

	is_str(parse("-f a -v", FIRST), "f |a -v", "the first argument ends the flags");
	is_str(parse("img sh -c 'x'", FIRST), "|img sh -c 'x'", "everything after it belongs to it");
	is_str(parse("-fv -- -x", FIRST), "f v |-x", "-- with flags first");

	/* Docker's messages, naming the word as typed. */
	is_str(parse("a -x", ANY), "error: unknown shorthand flag: 'x' in -x",
	       "an unknown flag after an argument");
	is_str(parse("a --bogus", ANY), "error: unknown flag: --bogus", "unknown long flag");
	is_str(parse("a -fz", ANY), "error: unknown shorthand flag: 'z' in -fz",
	       "an unknown letter in a bundle");
	is_str(parse("a b -t", ANY), "error: flag needs an argument: -t", "a missing value");
	is_str(parse("a --time", ANY), "error: flag needs an argument: --time",
	       "a missing value (long)");

	/* A script's environment does not change what a command line means. */
	setenv("POSIXLY_CORRECT", "1", 1);
	is_str(parse("a -f", ANY), "f |a", "POSIXLY_CORRECT: flags after arguments still");
	unsetenv("POSIXLY_CORRECT");

	/* Back to back parses: each starts afresh with optind = 0. */
	is_str(parse("x y -v", ANY), "v |x y", "a second parse");
	is_str(parse("-f z", ANY), "f |z", "a third parse");
	return done_testing();
}
