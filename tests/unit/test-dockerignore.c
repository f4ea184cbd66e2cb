/* test-dockerignore.c: .dockerignore (libengine/build/ignore.c): how the
 * file is read and cleaned, the pattern language, the last matching line
 * winning, parent directories, and when a walk may skip a directory. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "libengine/build/ignore.h"
#include "tap.h"

/* TEXT read, which must succeed. */
static struct engine_dockerignore *load(const char *text)
{
	struct engine_dockerignore *ig = NULL;
	cleanup_error struct engine_error *err = NULL;
	int r = engine_dockerignore_parse(text, strlen(text), ".dockerignore", &ig, &err);
	ok(r == 0 && ig != NULL, "read [%s]%s%s", text, err != NULL ? ": " : "", err != NULL ? err->msg : "");
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

	/* the file, the line at fault, what is wrong there */
	static const struct {
		const char *text;
		unsigned line;
		const char *message;
	} refusals[] = {
		{ "a\n!\n", 2, "illegal exclusion pattern: \"!\"" },
		{ "!   \n", 1, "illegal exclusion pattern: \"!\"" },
		{ "[a\n", 1, "syntax error in pattern: [a" },
		{ "x\n[]\n", 2, "syntax error in pattern: []" },
		{ "a\\\n", 1, "syntax error in pattern: a\\" },
		{ "[z-a]\n", 1, "syntax error in pattern: [z-a]" },
	};
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		cleanup_error struct engine_error *err = NULL;
		char expected[128];
		snprintf(expected, sizeof(expected), ".dockerignore:%u: %s", refusals[i].line, refusals[i].message);
		ig = NULL;
		int r = engine_dockerignore_parse(refusals[i].text, strlen(refusals[i].text), ".dockerignore", &ig, &err);
		ok(r < 0 && ig == NULL, "refused: %s", expected);
		is_str(err != NULL ? err->msg : NULL, expected, "message %zu", i);
	}
}

/* A .dockerignore, the paths it excludes, the paths it keeps. */
static const struct {
	const char *patterns;
	const char *excluded[6];
	const char *kept[5];
} matches[] = {
	/* no basename matching, unlike .gitignore; paths are cleaned */
	{ "*.o", { "a.o", "./a.o", "dir/../a.o", "/a.o" }, { "dir/a.o", "a.c" } },
	{ "**/*.o", { "dir/sub/a.o", "a.o" }, { "a.c" } },
	/* a parent directory that matches excludes what is below it */
	{ "docs", { "docs", "docs/x/y.md" }, { "docsx", "a/docs" } },
	{ "*/temp*", { "somedir/temporary.txt", "somedir/temp" }, { "temp", "a/b/temporary" } },
	{ "*/*/temp*", { "somedir/subdir/temporary.txt" }, { "temp" } },
	{ "temp?", { "tempa" }, { "temp", "tempab", "temp/" } },
	{ "*.md\n!README.md", { "x.md" }, { "README.md" } },
	{ "*.md\n!README*.md\nREADME-secret.md", { "README-secret.md", "x.md" }, { "README-x.md" } },
	/* the last line wins */
	{ "!README.md\n*.md", { "README.md" }, { "README" } },
	{ "[a-c].txt", { "b.txt" }, { "d.txt" } },
	{ "[^a].txt\n[abc\\]].bin", { "b.txt", "].bin" }, { "a.txt", "d.bin" } },
	{ "a?b\na\\*b", { "a*b", "axb" }, { "a/b" } },
	{ "dir/**", { "dir/x", "dir/x/y" }, { "dir" } },
	{ "**", { "anything/at/all", "x" }, { NULL } },
	{ "a/**/b", { "a/b", "a/x/y/b", "a/x/b/c" }, { "a/xb" } },
	{ "/x\n./y/", { "x", "y/z" }, { "z" } },
	{ ".git\nnode_modules", { "node_modules/pkg/index.js", ".git/HEAD" }, { "src/node_modules" } },
	{ "*\n!src\nsrc/*.tmp", { "src/x.tmp", "lib/x" }, { "src/main.c", "src" } },
	{ "docs\n!docs/keep", { "docs/other", "docs" }, { "docs/keep/file" } },
	{ "", { NULL }, { "x", "." } },
	/* stars that a plain backtracking search takes years over */
	{ "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n**/**/**/**/**/**/**/**/**/**/**/**/c",
	  { "x/y/z/x/y/z/x/y/z/x/y/z/x/y/z/c" },
	  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x/y/z/x/y/z/x/y/z/x/y/z/x/y/z/d" } },
	{ "*", { "x" }, { ".", "/" } }, /* the root is the context itself */
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(matches) / sizeof(*matches); i++) {
		struct engine_dockerignore *ig = load(matches[i].patterns);
		for (size_t k = 0; ig != NULL && k < 6 && matches[i].excluded[k] != NULL; k++)
			ok(engine_dockerignore_excluded(ig, matches[i].excluded[k]) == 1, "[%s] excludes '%s'",
			   matches[i].patterns, matches[i].excluded[k]);
		for (size_t k = 0; ig != NULL && k < 5 && matches[i].kept[k] != NULL; k++)
			ok(engine_dockerignore_excluded(ig, matches[i].kept[k]) == 0, "[%s] keeps '%s'",
			   matches[i].patterns, matches[i].kept[k]);
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
