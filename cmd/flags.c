/* flags.c: flag values that several commands take (see flags.h). */
#include "cmd/flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

int cmd_parse_bool(const char *flag, const char *value, bool *ret, struct engine_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*ret = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*ret = false;
	else
		return engine_error_set(err, EINVAL,
					"invalid argument \"%s\" for \"--%s\" flag: expected true or false",
					value, flag);
	return 0;
}

/* Docker's CLI (pflag) reads flags wherever they stand; getopt only does
 * when it permutes, which POSIXLY_CORRECT turns off.  So the permuting is
 * ours: getopt runs in its return-in-order mode ('-': an argument comes
 * back as 1), and before each call the words that the previous call took
 * as flags are moved before the arguments seen so far.  The word getopt is
 * in the middle of (a bundle, -fv) is never moved, so its state holds.
 * Between calls argv stays exactly as getopt left it, for cmd_flag_error
 * to name the word at fault.
 *
 * The invariant, for one parse: argv[1..args_start) are flags (with their
 * values), argv[args_start..scanned) are arguments, in order. */
static int args_start, scanned;

/* argv[first..middle) and argv[middle..end) trade places, each kept in
 * its order. */
static void rotate(char **argv, int first, int middle, int end)
{
	int ends[3][2] = { { first, middle - 1 }, { middle, end - 1 }, { first, end - 1 } };
	for (int r = 0; r < 3; r++)
		for (int i = ends[r][0], j = ends[r][1]; i < j; i++, j--) {
			char *t = argv[i];
			argv[i] = argv[j];
			argv[j] = t;
		}
}

/* The words from `scanned` to optind were flags: before the arguments. */
static void flags_before_arguments(char **argv)
{
	if (optind <= scanned)
		return;
	rotate(argv, args_start, scanned, optind);
	args_start += optind - scanned;
	scanned = optind;
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       enum cmd_flag_order order)
{
	/* '+': stop at the first argument; '-': hand arguments back in order;
	 * ':': a missing value is ':', not '?'. */
	char spec[128];
	snprintf(spec, sizeof(spec), "%c:%s", order == CMD_FLAGS_FIRST ? '+' : '-',
		 shortopts + (shortopts[0] == ':'));
	opterr = 0;
	if (order == CMD_FLAGS_FIRST)
		return getopt_long(argc, argv, spec, longopts, NULL);
	if (optind == 0) /* a new parse (glibc's convention) */
		args_start = scanned = 1;
	for (;;) {
		flags_before_arguments(argv);
		int c = getopt_long(argc, argv, spec, longopts, NULL);
		if (c == 1) { /* an argument: it stays, at the end of the block */
			scanned = optind;
			continue;
		}
		if (c == -1) {
			/* A "--" it took goes before the arguments too: they and
			 * the words after it are then one run. */
			flags_before_arguments(argv);
			optind = args_start;
		}
		return c;
	}
}

bool cmd_confirm(const char *warning)
{
	if (warning != NULL)
		fputs(warning, stdout);
	printf("Are you sure you want to continue? [y/N] ");
	fflush(stdout);
	char answer[16] = "";
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	answer[strcspn(answer, "\r\n")] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

/* The word of ARGV that holds the flag getopt stopped at.  An unknown
 * letter with more letters after it ("-t0": 't' unknown, "0" left) leaves
 * optind on its word; anything else has moved optind past its word.  So
 * argv[optind - 1] alone named the word before ("rm" in "rm -t0"). */
static const char *flag_word(int c, int argc, char **argv)
{
	const char *prev = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";
	const char *cur = optind >= 0 && optind < argc ? argv[optind] : NULL;
	if (c == ':' || optopt <= 0 || optopt >= 128 || optopt == '?' || cur == NULL ||
	    cur[0] != '-' || cur[1] == '-')
		return prev;
	/* "-ft -t0": the 't' of the word before, when it ends that word. */
	if (prev[0] == '-' && prev[1] != '-' && prev[1] != '\0' && prev[strlen(prev) - 1] == optopt)
		return prev;
	for (const char *p = strchr(cur + 1, optopt); p != NULL; p = strchr(p + 1, optopt))
		if (p[1] != '\0')
			return cur;
	return prev;
}

int cmd_flag_error(int c, int argc, char **argv, struct engine_error **err)
{
	const char *word = flag_word(c, argc, argv);
	/* glibc leaves optopt 0 for an unknown long flag, and sets it to the
	 * letter (or a long option's value) otherwise. */
	bool shorthand = optopt > 0 && optopt < 128 && optopt != '?' && word[0] == '-' &&
			 word[1] != '-';
	if (c == ':')
		return engine_error_set(err, EINVAL, "flag needs an argument: %s", word);
	if (shorthand)
		return engine_error_set(err, EINVAL, "unknown shorthand flag: '%c' in %s", optopt,
					word);
	return engine_error_set(err, EINVAL, "unknown flag: %s", word);
}
