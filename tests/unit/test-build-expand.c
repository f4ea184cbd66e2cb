/* test-build-expand.c: Docker's word expansion for Dockerfile words
 * (libengine/build/expand.c): variables and their modifiers, quotes and
 * escapes with either escape character, splitting into words, heredoc
 * content, and which instructions expand what. */
#include <stdlib.h>
#include <string.h>

#include "libengine/build/dockerfile.h"
#include "libengine/build/expand.h"
#include "tap.h"

static char *const env[] = {
	"HOME=/root", "EMPTY=", "NAME=World", "SPACED=a b  c", "abc=x", "LIST=80 443", "V=0", "V=1", NULL,
};

static const struct engine_build_expander backslash = { '\\', engine_build_env_lookup, (void *)env };
static const struct engine_build_expander backtick = { '`', engine_build_env_lookup, (void *)env };

/* How WORD expands as one word or, HEREDOC, as heredoc content (quotes
 * kept); WANT NULL: refused with MESSAGE. */
static const struct {
	const char *word;
	const char *want;
	const char *message;
	bool heredoc;
} words[] = {
	{ "$HOME", "/root", NULL },
	{ "${HOME}", "/root", NULL },
	{ "${HOME}/x", "/root/x", NULL },
	{ "$HOME/x", "/root/x", NULL },
	{ "$V", "1", NULL }, /* the later entry wins */
	{ "\\$HOME", "$HOME", NULL },
	{ "'$HOME'", "$HOME", NULL },
	{ "\"$HOME\"", "/root", NULL },
	{ "\"\\$HOME\"", "$HOME", NULL },
	{ "\"a\\b\"", "a\\b", NULL },
	{ "\"a\\\\b\"", "a\\b", NULL },
	{ "\"\\\"\"", "\"", NULL },
	{ "'a\\b'", "a\\b", NULL },
	{ "a\\ b", "a b", NULL },
	{ "a\\\\b", "a\\b", NULL },
	{ "foo\\", "foo", NULL },
	{ "a b", "a b", NULL },
	{ "${UNSET:-default}", "default", NULL },
	{ "${EMPTY:-default}", "default", NULL },
	{ "${EMPTY-default}", "", NULL },
	{ "${UNSET-default}", "default", NULL },
	{ "${HOME:-default}", "/root", NULL },
	{ "${HOME:+set}", "set", NULL },
	{ "${EMPTY:+set}", "", NULL },
	{ "${EMPTY+set}", "set", NULL },
	{ "${UNSET+set}", "", NULL },
	{ "${UNSET:-$HOME}", "/root", NULL },
	{ "${UNSET:-${NAME:-x}}", "World", NULL },
	{ "${UNSET:-'a b'}", "a b", NULL },
	{ "${UNSET:-\"a}\"}", "a}", NULL },
	{ "${UNSET:-a\\}b}", "a}b", NULL },
	{ "${UNSET:-}", "", NULL },
	{ "${NAME:?}", "World", NULL },
	{ "\"${UNSET:-a b}\"", "a b", NULL },
	{ "$UNSET", "", NULL },
	{ "${UNSET}", "", NULL },
	{ "$", "$", NULL },
	{ "a$", "a$", NULL },
	{ "$ x", "$ x", NULL },
	{ "\"$\"", "$", NULL },
	{ "$1", "", NULL },
	{ "$abc/def", "x/def", NULL },
	{ "${abc}def", "xdef", NULL },
	{ "$abcdef", "", NULL },
	{ "50%", "50%", NULL },
	{ "\"$NAME's\"", "World's", NULL },
	{ "'a'\"b\"c", "abc", NULL },
	{ "\"\"", "", NULL },
	{ "''", "", NULL },
	{ "", "", NULL },
	{ "'abc", NULL, "unexpected end of statement while looking for matching single-quote" },
	{ "\"abc", NULL, "unexpected end of statement while looking for matching double-quote" },
	{ "\"$HOME", NULL, "unexpected end of statement while looking for matching double-quote" },
	{ "${HOME", NULL, "missing '}' in substitution" },
	{ "${UNSET:-abc", NULL, "missing '}' in substitution" },
	{ "${HOME%x}", NULL, "missing ':' in substitution" },
	{ "${HOME:=x}", NULL, "unsupported modifier (=) in substitution" },
	{ "${UNSET:?must be set}", NULL, "UNSET: must be set" },
	{ "${EMPTY:?}", NULL, "EMPTY: is not allowed to be empty" },
	{ "${UNSET?}", NULL, "UNSET: is not allowed to be unset" },
	{ "${UNSET:-'x}", NULL, "unexpected end of statement while looking for matching single-quote" },
	{ "echo $NAME \"$HOME\" '$HOME'\n", "echo World \"/root\" '/root'\n", .heredoc = true },
	{ "\\$NAME ${UNSET:-d}\n", "$NAME d\n", .heredoc = true },
	{ "it's \"quoted\"\n", "it's \"quoted\"\n", .heredoc = true },
	{ "a\\b\\\\c\n", "a\\b\\c\n", .heredoc = true },
	{ "", "", .heredoc = true },
	{ "${UNSET:?not\nset}", NULL, "UNSET: not", .heredoc = true },
};

static void test_words(void)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		char *got = NULL;
		struct engine_error *err = NULL;
		int r = words[i].heredoc ? engine_build_expand_heredoc(&backslash, words[i].word, &got, &err)
					 : engine_build_expand_word(&backslash, words[i].word, &got, &err);
		if (words[i].want != NULL) {
			ok(r == 0, "'%s' expands", words[i].word);
			is_str(got, words[i].want, "'%s'", words[i].word);
		} else {
			ok(r < 0 && got == NULL, "'%s' refused", words[i].word);
			is_str(err != NULL ? err->msg : NULL, words[i].message, "'%s': message", words[i].word);
		}
		free(got);
		engine_error_free(&err);
	}

	/* nesting is bounded, not a stack overflow */
	char deep[1200] = "";
	for (int i = 0; i < 100; i++)
		strcat(deep, "${a:-");
	char *got = NULL;
	struct engine_error *err = NULL;
	ok(engine_build_expand_word(&backslash, deep, &got, &err) < 0 && err != NULL &&
		   strcmp(err->msg, "substitution nested too deeply") == 0,
	   "deep nesting refused");
	engine_error_free(&err);

	struct engine_build_expander none = { '\\', NULL, NULL };
	ok(engine_build_expand_word(&none, "a$HOME${X:-b}", &got, &err) == 0 && strcmp(got, "ab") == 0,
	   "no lookup: nothing is set");
	free(got);
}

static void test_backtick(void)
{
	static const struct {
		const char *word, *want;
	} cases[] = {
		{ "c:\\dir\\", "c:\\dir\\" }, { "a`$HOME", "a$HOME" },	 { "\"a`\"b\"", "a\"b" },
		{ "a` b", "a b" },	      { "\"`$NAME\"", "$NAME" }, { "\"a\\$NAME\"", "a\\World" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = NULL;
		struct engine_error *err = NULL;
		ok(engine_build_expand_word(&backtick, cases[i].word, &got, &err) == 0, "escape=`: '%s' expands",
		   cases[i].word);
		is_str(got, cases[i].want, "escape=`: '%s'", cases[i].word);
		free(got);
		engine_error_free(&err);
	}
}

static void test_split(void)
{
	static const struct {
		const char *word;
		size_t n;
		const char *w[4];
	} cases[] = {
		{ "80 443", 2, { "80", "443" } },
		{ "$LIST", 2, { "80", "443" } },
		{ "\"$LIST\"", 1, { "80 443" } },
		{ "a\\ b c", 2, { "a b", "c" } },
		{ "'' x", 2, { "", "x" } },
		{ "   ", 0, { NULL } },
		{ "$UNSET", 0, { NULL } },
		{ "${SPACED}x", 3, { "a", "b", "cx" } },
		{ "  8080/udp\t9000  ", 2, { "8080/udp", "9000" } },
		{ "'a b'\"c d\"", 1, { "a bc d" } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char **got = NULL;
		size_t n = 99;
		struct engine_error *err = NULL;
		int r = engine_build_expand_words(&backslash, cases[i].word, &got, &n, &err);
		ok(r == 0 && n == cases[i].n, "words of '%s': %zu", cases[i].word, cases[i].n);
		for (size_t k = 0; r == 0 && k < n && k < cases[i].n; k++)
			is_str(got[k], cases[i].w[k], "words of '%s': %zu", cases[i].word, k);
		ok(r == 0 && got[n] == NULL, "words of '%s': NULL-terminated", cases[i].word);
		for (size_t k = 0; r == 0 && k < n; k++)
			free(got[k]);
		free(got);
		engine_error_free(&err);
	}
	char **got = NULL;
	size_t n = 0;
	struct engine_error *err = NULL;
	ok(engine_build_expand_words(&backslash, "a 'b", &got, &n, &err) < 0 && got == NULL, "split: refused too");
	engine_error_free(&err);
}

static void test_lookup(void)
{
	char *const list[] = { "A=1", "AB=x", "A=2", "B", NULL };
	is_str(engine_build_env_lookup((void *)list, "A"), "2", "the last entry wins");
	is_str(engine_build_env_lookup((void *)list, "AB"), "x", "a longer name");
	ok(engine_build_env_lookup((void *)list, "B") == NULL, "an entry without '=' sets nothing");
	ok(engine_build_env_lookup(NULL, "A") == NULL, "no list");
}

static void test_instructions(void)
{
	const char *text = "ARG V\n"
			   "FROM img:$V AS base\n"
			   "ENV PATH=$HOME/bin \"K $NAME\"=v\n"
			   "EXPOSE $LIST 8080/udp\n"
			   "COPY --chown=$NAME --from=${STAGE:-b} --chmod=$V $HOME/src /dst/\n"
			   "COPY <<EOF /x\n$NAME\nEOF\n"
			   "COPY <<'EOF' /y\n$NAME\nEOF\n"
			   "RUN echo $NAME\n"
			   "WORKDIR ${HOME}/w\n"
			   "LABEL a=$NAME\n"
			   "USER ${NAME}\n"
			   "VOLUME [\"$HOME\", \"'$NAME'\"]\n"
			   "ARG X=${NAME} $NAME\n"
			   "STOPSIGNAL $UNSET\n"
			   "CMD $HOME\n"
			   "ONBUILD WORKDIR $HOME\n";
	struct engine_dockerfile *df = NULL;
	struct engine_error *err = NULL;
	ok(engine_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) == 0, "parsed");
	if (df == NULL)
		return;
	struct engine_dockerfile_stage *st = &df->stages[0];
	ok(engine_build_expand_instruction(&backslash, &st->from, "Dockerfile", &err) == 0 &&
		   strcmp(st->from.args[0], "img:1") == 0,
	   "FROM expands");
	bool all = true;
	for (size_t i = 0; i < st->n_instructions; i++)
		all = all && engine_build_expand_instruction(&backslash, &st->instructions[i], "Dockerfile", &err) == 0;
	ok(all, "every instruction expands");
	struct engine_dockerfile_instruction *in = st->instructions;
	is_str(in[0].pairs[0].key, "PATH", "ENV key");
	is_str(in[0].pairs[0].value, "/root/bin", "ENV value");
	is_str(in[0].pairs[1].key, "K World", "ENV quoted key");
	ok(in[1].n_args == 3 && strcmp(in[1].args[0], "80") == 0 && strcmp(in[1].args[1], "443") == 0 &&
		   strcmp(in[1].args[2], "8080/udp") == 0 && in[1].args[3] == NULL,
	   "EXPOSE splits");
	is_str(engine_dockerfile_flag(&in[2], "chown", NULL), "World", "--chown expands");
	is_str(engine_dockerfile_flag(&in[2], "from", NULL), "b", "--from expands");
	is_str(engine_dockerfile_flag(&in[2], "chmod", NULL), "1", "--chmod expands");
	is_str(in[2].args[0], "/root/src", "COPY source");
	is_str(in[3].heredocs[0].content, "World\n", "an unquoted heredoc expands");
	is_str(in[3].args[0], "<<EOF", "its marker stays");
	is_str(in[4].heredocs[0].content, "$NAME\n", "a quoted one does not");
	is_str(in[5].args[0], "echo $NAME", "RUN does not expand");
	is_str(in[6].args[0], "/root/w", "WORKDIR");
	is_str(in[7].pairs[0].value, "World", "LABEL");
	is_str(in[8].args[0], "World", "USER");
	ok(strcmp(in[9].args[0], "/root") == 0 && strcmp(in[9].args[1], "$NAME") == 0, "VOLUME's JSON words");
	ok(strcmp(in[10].pairs[0].key, "X") == 0 && strcmp(in[10].pairs[0].value, "World") == 0 &&
		   strcmp(in[10].pairs[1].key, "$NAME") == 0,
	   "ARG: defaults expand, names do not");
	is_str(in[11].args[0], "", "STOPSIGNAL of an unset variable");
	is_str(in[12].args[0], "$HOME", "CMD does not expand");
	is_str(in[13].trigger->args[0], "$HOME", "ONBUILD does not expand its trigger");
	ok(engine_build_expands(ENGINE_DOCKERFILE_WORKDIR) && !engine_build_expands(ENGINE_DOCKERFILE_RUN) &&
		   !engine_build_expands(ENGINE_DOCKERFILE_ONBUILD) && !engine_build_expands(ENGINE_DOCKERFILE_SHELL),
	   "which kinds expand");
	engine_dockerfile_free(&df);
	engine_error_free(&err);

	/* the reference's example: one ENV sees the values from before it */
	text = "FROM busybox\nENV abc=bye def=$abc\n";
	char *const before[] = { "abc=hello", NULL };
	const struct engine_build_expander x = { '\\', engine_build_env_lookup, (void *)before };
	ok(engine_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) == 0 &&
		   engine_build_expand_instruction(&x, &df->stages[0].instructions[0], "Dockerfile", &err) == 0,
	   "ENV abc=bye def=$abc");
	ok(df != NULL && strcmp(df->stages[0].instructions[0].pairs[1].value, "hello") == 0,
	   "def is the abc from before the instruction");
	engine_dockerfile_free(&df);

	text = "FROM a\n\nWORKDIR \\\n  \"/unterminated\n";
	ok(engine_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) == 0, "parsed");
	ok(df != NULL &&
		   engine_build_expand_instruction(&backslash, &df->stages[0].instructions[0], "Dockerfile", &err) < 0,
	   "an expansion error");
	is_str(err != NULL ? err->msg : NULL,
	       "Dockerfile:3: unexpected end of statement while looking for matching double-quote",
	       "names the file and the instruction's line");
	engine_dockerfile_free(&df);
	engine_error_free(&err);
}

int main(void)
{
	test_words();
	test_backtick();
	test_split();
	test_lookup();
	test_instructions();
	return done_testing();
}
