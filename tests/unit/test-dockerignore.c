/* test-dockerignore.c: .dockerignore (libengine/build/ignore.c): how the
 * file is read and cleaned, the pattern language, the last matching line
 * winning, parent directories, and when a walk may skip a directory. */
#include <stdlib.h>
#include <string.h>

#include "libengine/build/ignore.h"
#include "tap.h"

static struct engine_dockerignore *load(const char *text)
{
	struct engine_dockerignore *ig = NULL;
	struct engine_error *err = NULL;
	if (engine_dockerignore_parse(text, strlen(text), ".dockerignore", &ig, &err) < 0) {
		printf("# unexpected error: %s\n", err != NULL ? err->msg : "(none)");
		engine_error_free(&err);
	}
	return ig;
}

static void test_read(void)
{
	struct engine_dockerignore *ig = load("\xef\xbb\xbf# comment\n\n  *.o  \r\n!important.o\n/abs\n./rel/\n"
					      "  # not a comment\na//b/./c/../d\n! spaced\n/\n..\n**/*.go\n");
	static const struct {
		const char *pattern;
		bool exception;
		unsigned line;
	} want[] = {
		{ "*.o", false, 3 },	   { "important.o", true, 4 }, { "abs", false, 5 },	    { "rel", false, 6 },
		{ "# not a comment", false, 7 }, { "a/b/d", false, 8 }, { "spaced", true, 9 }, { "/", false, 10 },
		{ "..", false, 11 },	   { "**/*.go", false, 12 },
	};
	size_t n = sizeof(want) / sizeof(*want);
	ok(ig != NULL && ig->n_patterns == n, "%zu patterns", n);
	for (size_t i = 0; ig != NULL && i < n && i < ig->n_patterns; i++) {
		is_str(ig->patterns[i].pattern, want[i].pattern, "pattern %zu", i);
		is_int(ig->patterns[i].exception, want[i].exception, "pattern %zu: exception", i);
		is_int(ig->patterns[i].line, want[i].line, "pattern %zu: line", i);
	}
	engine_dockerignore_free(&ig);
	engine_dockerignore_free(&ig);
	ok(ig == NULL, "free twice is harmless");

	ig = load("");
	ok(ig != NULL && ig->n_patterns == 0, "an empty file");
	engine_dockerignore_free(&ig);

	static const struct {
		const char *text, *message;
	} refusals[] = {
		{ "a\n!\n", ".dockerignore:2: illegal exclusion pattern: \"!\"" },
		{ "!   \n", ".dockerignore:1: illegal exclusion pattern: \"!\"" },
		{ "[a\n", ".dockerignore:1: syntax error in pattern: [a" },
		{ "x\n[]\n", ".dockerignore:2: syntax error in pattern: []" },
		{ "a\\\n", ".dockerignore:1: syntax error in pattern: a\\" },
		{ "[z-a]\n", ".dockerignore:1: syntax error in pattern: [z-a]" },
	};
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		struct engine_error *err = NULL;
		ig = NULL;
		ok(engine_dockerignore_parse(refusals[i].text, strlen(refusals[i].text), ".dockerignore", &ig, &err) <
				   0 &&
			   ig == NULL,
		   "refused: %s", refusals[i].message);
		is_str(err != NULL ? err->msg : NULL, refusals[i].message, "message %zu", i);
		engine_error_free(&err);
	}
}

static const struct {
	const char *patterns;
	const char *path;
	int excluded;
} matches[] = {
	{ "*.o", "a.o", 1 },
	{ "*.o", "dir/a.o", 0 }, /* no basename matching, unlike .gitignore */
	{ "*.o", "a.c", 0 },
	{ "*.o", "./a.o", 1 },
	{ "*.o", "dir/../a.o", 1 },
	{ "*.o", "/a.o", 1 },
	{ "**/*.o", "dir/sub/a.o", 1 },
	{ "**/*.o", "a.o", 1 },
	{ "**/*.o", "a.c", 0 },
	{ "docs", "docs", 1 },
	{ "docs", "docs/x/y.md", 1 }, /* a parent directory matches */
	{ "docs", "docsx", 0 },
	{ "docs", "a/docs", 0 },
	{ "*/temp*", "somedir/temporary.txt", 1 },
	{ "*/temp*", "somedir/temp", 1 },
	{ "*/temp*", "temp", 0 },
	{ "*/temp*", "a/b/temporary", 0 },
	{ "*/*/temp*", "somedir/subdir/temporary.txt", 1 },
	{ "temp?", "tempa", 1 },
	{ "temp?", "temp", 0 },
	{ "temp?", "tempab", 0 },
	{ "temp?", "temp/", 0 },
	{ "*.md\n!README.md", "README.md", 0 },
	{ "*.md\n!README.md", "x.md", 1 },
	{ "*.md\n!README*.md\nREADME-secret.md", "README-secret.md", 1 },
	{ "*.md\n!README*.md\nREADME-secret.md", "README-x.md", 0 },
	{ "!README.md\n*.md", "README.md", 1 }, /* the last line wins */
	{ "[a-c].txt", "b.txt", 1 },
	{ "[a-c].txt", "d.txt", 0 },
	{ "[^a].txt", "b.txt", 1 },
	{ "[^a].txt", "a.txt", 0 },
	{ "[abc\\]].txt", "].txt", 1 },
	{ "a?b", "a/b", 0 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "axb", 0 },
	{ "dir/**", "dir/x", 1 },
	{ "dir/**", "dir/x/y", 1 },
	{ "dir/**", "dir", 0 },
	{ "**", "anything/at/all", 1 },
	{ "a/**/b", "a/b", 1 },
	{ "a/**/b", "a/x/y/b", 1 },
	{ "a/**/b", "a/xb", 0 },
	{ "a/**/b", "a/x/b/c", 1 },
	{ "/x", "x", 1 },
	{ "./x/", "x/y", 1 },
	{ ".git\nnode_modules", "node_modules/pkg/index.js", 1 },
	{ ".git\nnode_modules", "src/node_modules", 0 },
	{ "*\n!src\nsrc/*.tmp", "src/main.c", 0 },
	{ "*\n!src\nsrc/*.tmp", "src/x.tmp", 1 },
	{ "*\n!src\nsrc/*.tmp", "lib/x", 1 },
	{ "docs\n!docs/keep", "docs/keep/file", 0 },
	{ "docs\n!docs/keep", "docs/other", 1 },
	{ "", "x", 0 },
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(matches) / sizeof(*matches); i++) {
		struct engine_dockerignore *ig = load(matches[i].patterns);
		ok(ig != NULL && engine_dockerignore_excluded(ig, matches[i].path) == matches[i].excluded,
		   "[%s] %s '%s'", matches[i].patterns, matches[i].excluded ? "excludes" : "keeps", matches[i].path);
		engine_dockerignore_free(&ig);
	}
}

static const struct {
	const char *patterns;
	const char *dir;
	int skip;
} skips[] = {
	{ "node_modules", "node_modules", 1 },
	{ "node_modules\n!node_modules/keep", "node_modules", 0 },
	{ "node_modules\n!node_modules/keep", "node_modules/other", 1 },
	{ "node_modules\n!node_modules/keep", "node_modules/keep", 0 },
	{ "build\n!**/*.keep", "build", 0 },
	{ "build\n!docs/*.md", "build", 1 },
	{ "build\n!b*/x", "build", 0 },
	{ "build\n!*/x", "build", 0 },
	{ "build\n!*", "build", 0 },
	{ "*", "anything", 1 },
	{ "*\n!src", "lib", 1 },
	{ "*\n!src", "src", 0 },
	{ "a/b\n!a/b/c/d", "a/b", 0 },
	{ "a/b\n!a/b/c/d", "a/b/x", 1 },
	{ "a/b\n!a/b/c/d", "a/b/c", 0 },
	{ "a\n!a/*.txt", "a", 0 },
	{ "x", "y", 0 },
	{ "a\n!a?", "a", 1 }, /* "a?" matches no path under a/ */
	{ "a\n!a[/]b", "a", 1 },
	{ "**/cache", "deep/down/cache", 1 },
};

static void test_skip(void)
{
	for (size_t i = 0; i < sizeof(skips) / sizeof(*skips); i++) {
		struct engine_dockerignore *ig = load(skips[i].patterns);
		ok(ig != NULL && engine_dockerignore_skip_dir(ig, skips[i].dir) == skips[i].skip, "[%s] %s '%s'",
		   skips[i].patterns, skips[i].skip ? "skips" : "enters", skips[i].dir);
		engine_dockerignore_free(&ig);
	}
}

int main(void)
{
	test_read();
	test_match();
	test_skip();
	return done_testing();
}
