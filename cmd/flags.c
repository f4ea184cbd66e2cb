/* flags.c: flag values that several commands take (see flags.h). */
#include "flags.h"

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
