/* test-dockerfile.c: the Dockerfile parser (libengine/build/dockerfile.c,
 * dockerfile-args.c): directives, comments, continuations, heredocs,
 * stages, every instruction's arguments and flags, and the one-line
 * errors that name the file, the line and what is wrong, worded as
 * Docker's. */
#include <stdlib.h>
#include <string.h>

#include "libengine/build/dockerfile.h"
#include "tap.h"

static struct engine_dockerfile *parse(const char *text)
{
	struct engine_dockerfile *df = NULL;
	struct engine_error *err = NULL;
	if (engine_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0) {
		printf("# unexpected error: %s\n", err != NULL ? err->msg : "(none)");
		engine_error_free(&err);
		return NULL;
	}
	return df;
}

/* The first instruction of the last stage of TEXT. */
static const struct engine_dockerfile_instruction *first(const struct engine_dockerfile *df)
{
	if (df == NULL || df->n_stages == 0 || df->stages[df->n_stages - 1].n_instructions == 0)
		return NULL;
	return &df->stages[df->n_stages - 1].instructions[0];
}

/* ---------------------------------------------------------------- errors */

static const struct {
	const char *text;
	const char *message;
} refusals[] = {
	{ "", "Dockerfile:1: file with no instructions" },
	{ "# just a comment\n\n", "Dockerfile:2: file with no instructions" },
	{ "ARG A=1\n", "Dockerfile:1: dockerfile contains no stages to build" },
	{ "RUN echo\n", "Dockerfile:1: no build stage in current context" },
	{ "FROM a\n\nRUNN x\n", "Dockerfile:3: unknown instruction: RUNN" },
	{ "FROM a\nRUN a \\\n  b\nfrob\n", "Dockerfile:4: unknown instruction: frob" },
	{ "FROM\n", "Dockerfile:1: FROM requires either one or three arguments" },
	{ "FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments" },
	{ "FROM a AS b c\n", "Dockerfile:1: FROM requires either one or three arguments" },
	{ "FROM a\nFROM b FROM c\n", "Dockerfile:2: FROM requires either one or three arguments" },
	{ "FROM a AS 1st\n",
	  "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number or contain symbols" },
	{ "FROM a AS b$c\n",
	  "Dockerfile:1: invalid name for build stage: \"b$c\", name can't start with a number or contain symbols" },
	{ "FROM a AS b\nFROM c AS B\n", "Dockerfile:2: duplicate stage name \"b\"" },
	{ "FROM --plat=x a\n", "Dockerfile:1: unknown flag: plat" },
	{ "FROM --platform a\n", "Dockerfile:1: missing a value on flag: platform" },
	{ "# escape=x\nFROM a\n", "Dockerfile:1: invalid escape token 'x' does not match ` or \\" },
	{ "# escape=\\\n# ESCAPE=`\nFROM a\n", "Dockerfile:2: only one escape parser directive can be used" },
	{ "FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument" },
	{ "FROM a\nRUN --bogus=1 make\n", "Dockerfile:2: unknown flag: bogus" },
	{ "FROM a\nRUN --network=bridge make\n", "Dockerfile:2: unsupported network mode \"bridge\"" },
	{ "FROM a\nRUN --security=sometimes make\n", "Dockerfile:2: unsupported security mode \"sometimes\"" },
	{ "FROM a\nRUN --mount=type=nfs,target=/x make\n", "Dockerfile:2: unsupported mount type \"nfs\"" },
	{ "FROM a\nRUN --mount=type=cache,target=/x,colour=red make\n",
	  "Dockerfile:2: unexpected key 'colour' in 'colour=red'" },
	{ "FROM a\nRUN --mount=type=cache make\n", "Dockerfile:2: invalid mount target \"\"" },
	{ "FROM a\nRUN --mount=type=cache,target=/x,sharing=all make\n",
	  "Dockerfile:2: unsupported sharing value \"all\"" },
	{ "FROM a\nRUN --mount=type=cache,target=/x,uid=me make\n", "Dockerfile:2: invalid value for uid: me" },
	{ "FROM a\nRUN --mount=type=tmpfs,target=/x,size=lots make\n", "Dockerfile:2: invalid value for size: lots" },
	{ "FROM a\nRUN --mount=type=bind,target=/x,ro=maybe make\n", "Dockerfile:2: invalid value for ro: maybe" },
	{ "FROM a\nRUN --mount=type=bind,target make\n",
	  "Dockerfile:2: invalid field 'target' must be a key=value pair" },
	{ "FROM a\nCMD [\"a\", 1]\n",
	  "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only" },
	{ "FROM a\nCOPY a\n",
	  "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be "
	  "determined." },
	{ "FROM a\nADD\n",
	  "Dockerfile:2: ADD requires at least two arguments, but only one was provided. Destination could not be "
	  "determined." },
	{ "FROM a\nCOPY --from=a --from=b x y\n", "Dockerfile:2: duplicate flag specified: from" },
	{ "FROM a\nCOPY --link=maybe x y\n", "Dockerfile:2: expecting boolean value for flag link, not: maybe" },
	{ "FROM a\nCOPY --checksum=sha256:0 x y\n", "Dockerfile:2: unknown flag: checksum" },
	{ "FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument" },
	{ "FROM a\nENV key\n", "Dockerfile:2: ENV must have two arguments" },
	{ "FROM a\nENV =x\n", "Dockerfile:2: ENV names can not be blank" },
	{ "FROM a\nENV a=1 b\n",
	  "Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value" },
	{ "FROM a\nLABEL\n", "Dockerfile:2: LABEL requires at least one argument" },
	{ "FROM a\nLABEL =x\n", "Dockerfile:2: LABEL names can not be blank" },
	{ "FROM a\nARG\n", "Dockerfile:2: ARG requires at least one argument" },
	{ "FROM a\nARG =x\n", "Dockerfile:2: ARG names can not be blank" },
	{ "FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument" },
	{ "FROM a\nVOLUME\n", "Dockerfile:2: VOLUME requires at least one argument" },
	{ "FROM a\nVOLUME [\"/a\", \"\"]\n", "Dockerfile:2: VOLUME specified can not be an empty string" },
	{ "FROM a\nUSER\n", "Dockerfile:2: USER requires exactly one argument" },
	{ "FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument" },
	{ "FROM a\nSTOPSIGNAL\n", "Dockerfile:2: STOPSIGNAL requires exactly one argument" },
	{ "FROM a\nMAINTAINER\n", "Dockerfile:2: MAINTAINER requires exactly one argument" },
	{ "FROM a\nWORKDIR --x=1 /a\n", "Dockerfile:2: unknown flag: x" },
	{ "FROM a\nSHELL /bin/sh -c\n", "Dockerfile:2: SHELL requires the arguments to be in JSON form" },
	{ "FROM a\nSHELL []\n", "Dockerfile:2: SHELL requires at least one argument" },
	{ "FROM a\nONBUILD\n", "Dockerfile:2: ONBUILD requires at least one argument" },
	{ "FROM a\nONBUILD ONBUILD RUN x\n", "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" },
	{ "FROM a\nONBUILD from b\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger" },
	{ "FROM a\nONBUILD MAINTAINER me\n", "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger" },
	{ "FROM a\nONBUILD RUNN x\n", "Dockerfile:2: unknown instruction: RUNN" },
	{ "FROM a\nONBUILD COPY x\n",
	  "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be "
	  "determined." },
	{ "FROM a\nHEALTHCHECK\n", "Dockerfile:2: HEALTHCHECK requires at least one argument" },
	{ "FROM a\nHEALTHCHECK NONE now\n", "Dockerfile:2: HEALTHCHECK NONE takes no arguments" },
	{ "FROM a\nHEALTHCHECK --retries=1 NONE\n", "Dockerfile:2: HEALTHCHECK NONE takes no flags" },
	{ "FROM a\nHEALTHCHECK RUN true\n", "Dockerfile:2: Unknown type \"RUN\" in HEALTHCHECK (try CMD)" },
	{ "FROM a\nHEALTHCHECK CMD\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD" },
	{ "FROM a\nHEALTHCHECK --interval=1us CMD true\n",
	  "Dockerfile:2: Interval \"interval\" cannot be less than 1ms" },
	{ "FROM a\nHEALTHCHECK --timeout=soon CMD true\n", "Dockerfile:2: time: invalid duration \"soon\"" },
	{ "FROM a\nHEALTHCHECK --retries=-1 CMD true\n", "Dockerfile:2: --retries cannot be negative (-1)" },
	{ "FROM a\nHEALTHCHECK --retries=x CMD true\n",
	  "Dockerfile:2: strconv.ParseInt: parsing \"x\": invalid syntax" },
	{ "FROM a\nRUN <<EOF\necho\n", "Dockerfile:2: unterminated heredoc EOF" },
	{ "FROM a\nRUN <<A <<B\na\nA\nb\n", "Dockerfile:2: unterminated heredoc B" },
	{ "FROM a\nRUN x\0y\n", "Dockerfile:2: NUL byte in line" },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		struct engine_dockerfile *df = NULL;
		struct engine_error *err = NULL;
		const char *text = refusals[i].text;
		/* the NUL case: its length reaches past the NUL */
		size_t len = strlen(text);
		if (strstr(refusals[i].message, "NUL") != NULL)
			len += 1 + strlen(text + len + 1);
		int r = engine_dockerfile_parse(text, len, "Dockerfile", &df, &err);
		ok(r < 0 && df == NULL, "refused: %s", refusals[i].message);
		is_str(err != NULL ? err->msg : NULL, refusals[i].message, "message %zu", i);
		engine_error_free(&err);
		engine_dockerfile_free(&df);
	}
	struct engine_error *err = NULL;
	struct engine_dockerfile *df = NULL;
	engine_dockerfile_parse("FROM a\nFROOM b\n", 14, "ctx/build.Dockerfile", &df, &err);
	is_str(err != NULL ? err->msg : NULL, "ctx/build.Dockerfile:2: unknown instruction: FROOM",
	       "the file's name as given");
	engine_error_free(&err);
}

/* ------------------------------------------------------------ directives */

static void test_directives(void)
{
	struct engine_dockerfile *df = parse("# syntax=docker/dockerfile:1\n#  ESCAPE =  ` \nFROM w\nRUN a `\n  b\n");
	ok(df != NULL, "syntax and escape");
	if (df != NULL) {
		is_str(df->syntax, "docker/dockerfile:1", "syntax");
		is_int(df->escape, '`', "escape, case-insensitive, blanks around");
		is_str(first(df)->args[0], "a   b", "` continues the line");
	}
	engine_dockerfile_free(&df);

	static const char *const not_directives[] = {
		"# a comment\n# escape=`\nFROM a\nRUN a `\n", /* after a comment */
		"\n# escape=`\nFROM a\nRUN a `\n",	      /* after a blank line */
		"# unknown=x\n# escape=`\nFROM a\nRUN a `\n", /* an unknown one ends them */
		"FROM a\n# escape=`\nRUN a `\n",	      /* after an instruction */
	};
	for (size_t i = 0; i < sizeof(not_directives) / sizeof(*not_directives); i++) {
		df = parse(not_directives[i]);
		ok(df != NULL && df->escape == '\\' && strcmp(first(df)->args[0], "a `") == 0,
		   "not a directive, a comment (%zu)", i);
		engine_dockerfile_free(&df);
	}

	/* the reference's Windows example: with ` as the escape, c:\ is a path */
	df = parse("# escape=`\n\nFROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\n");
	const struct engine_dockerfile_instruction *in = first(df);
	ok(in != NULL && in->n_args == 2 && strcmp(in->args[1], "c:\\") == 0, "escape=`: COPY to c:\\");
	ok(df != NULL && df->stages[0].n_instructions == 2 &&
		   strcmp(df->stages[0].instructions[1].args[0], "dir c:\\") == 0,
	   "escape=`: RUN dir c:\\ is its own line");
	engine_dockerfile_free(&df);

	df = parse("# check=skip=all\n# syntax=x\nFROM a\n");
	ok(df != NULL && df->syntax != NULL && strcmp(df->syntax, "x") == 0, "check is a directive too");
	engine_dockerfile_free(&df);
}

/* ------------------------------------------------------- lines and stages */

static void test_lines(void)
{
	static const struct {
		const char *text;
		const char *run; /* the RUN's shell form */
		unsigned line, end_line;
	} cases[] = {
		{ "FROM a\nRUN echo hi\n", "echo hi", 2, 2 },
		{ "FROM a\nrun echo hi", "echo hi", 2, 2 },
		{ "  FROM a\n\t RUN   echo   hi  \n", "echo   hi", 2, 2 },
		{ "FROM a\nRUN echo \\\n# comment\n  hello \\\n\n  world\n", "echo   hello   world", 2, 6 },
		{ "FROM a\nRUN a \\  \n b\n", "a  b", 2, 3 },
		{ "FROM a\nRUN a \\\n    # indented comment\n b\n", "a  b", 2, 4 },
		{ "FROM a\nRUN a \\\n", "a", 2, 2 },
		{ "FROM a\r\nRUN x \\\r\n y\r\n", "x  y", 2, 3 },
		{ "\xef\xbb\xbf" "FROM a\nRUN x\n", "x", 2, 2 },
		{ "FROM a\nRUN echo # not a comment\n", "echo # not a comment", 2, 2 },
		{ "# c\n\n# c\nFROM a\n# c\nRUN x\n", "x", 6, 6 },
		{ "FROM a\nRUN echo \"a \\\n b\"\n", "echo \"a  b\"", 2, 3 },
		/* as Docker's: a doubled escape still continues the line */
		{ "FROM a\nRUN a\\\\\n", "a\\", 2, 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct engine_dockerfile *df = parse(cases[i].text);
		const struct engine_dockerfile_instruction *in = first(df);
		ok(in != NULL && in->kind == ENGINE_DOCKERFILE_RUN && !in->json && in->n_args == 1,
		   "lines %zu: one RUN in shell form", i);
		if (in != NULL && in->n_args == 1) {
			is_str(in->args[0], cases[i].run, "lines %zu: the command", i);
			is_int(in->line, cases[i].line, "lines %zu: its line", i);
			is_int(in->end_line, cases[i].end_line, "lines %zu: its last line", i);
		}
		engine_dockerfile_free(&df);
	}
}

static void test_stages(void)
{
	struct engine_dockerfile *df = parse("ARG GO=1.22\nARG BASE\n"
					     "FROM --platform=$BUILDPLATFORM golang:${GO} AS Build\n"
					     "RUN go build\n"
					     "FROM alpine\n"
					     "COPY --from=build /out /bin/\n"
					     "from scratch as final\n");
	ok(df != NULL && df->n_stages == 3 && df->n_meta_args == 2, "three stages, two ARGs before them");
	if (df == NULL || df->n_stages != 3)
		return;
	is_str(df->meta_args[0].pairs[0].key, "GO", "meta ARG name");
	is_str(df->meta_args[0].pairs[0].value, "1.22", "meta ARG default");
	ok(df->meta_args[1].pairs[0].value == NULL, "meta ARG without default");
	is_str(df->stages[0].name, "build", "stage names are lowercased");
	is_str(df->stages[0].base, "golang:${GO}", "base as written");
	is_str(df->stages[0].platform, "$BUILDPLATFORM", "--platform");
	is_int(df->stages[0].from.line, 3, "FROM's line");
	is_int(df->stages[0].n_instructions, 1, "stage 0 holds its RUN");
	ok(df->stages[1].name == NULL && df->stages[1].platform == NULL, "unnamed stage");
	is_str(df->stages[2].name, "final", "lowercase as");
	ok(engine_dockerfile_stage_find(df, "BUILD") == &df->stages[0], "found by name, any case");
	ok(engine_dockerfile_stage_find(df, "1") == &df->stages[1], "found by index");
	ok(engine_dockerfile_stage_find(df, "3") == NULL && engine_dockerfile_stage_find(df, "nope") == NULL,
	   "no such stage");
	const struct engine_dockerfile_instruction *copy = &df->stages[1].instructions[0];
	is_str(engine_dockerfile_flag(copy, "from", NULL), "build", "COPY --from");
	engine_dockerfile_free(&df);
	engine_dockerfile_free(&df);
	ok(df == NULL, "free twice is harmless");
}

/* ------------------------------------------------------------ exec forms */

static void test_forms(void)
{
	static const struct {
		const char *line;
		bool json;
		size_t n;
		const char *arg0, *arg1;
	} cases[] = {
		{ "CMD [\"echo\", \"a b\"]", true, 2, "echo", "a b" },
		{ "CMD   [ \"x\" ]  ", true, 1, "x", NULL },
		{ "CMD []", true, 0, NULL, NULL },
		{ "ENTRYPOINT [\"a\\u0041\\n\", \"\\\"q\\\"\"]", true, 2, "aA\n", "\"q\"" },
		{ "CMD [echo]", false, 1, "[echo]", NULL },
		{ "CMD [\"echo\"", false, 1, "[\"echo\"", NULL },
		{ "CMD ['echo']", false, 1, "['echo']", NULL },
		{ "CMD [\"a\"] x", false, 1, "[\"a\"] x", NULL },
		{ "CMD echo \"hi\"", false, 1, "echo \"hi\"", NULL },
		{ "CMD", false, 0, NULL, NULL },
		{ "RUN [\"/bin/sh\", \"-c\", \"echo\"]", true, 3, "/bin/sh", "-c" },
		{ "SHELL [\"powershell\", \"-command\"]", true, 2, "powershell", "-command" },
		{ "VOLUME [\"/data\", \"/logs\"]", true, 2, "/data", "/logs" },
		{ "VOLUME /data   /logs", false, 2, "/data", "/logs" },
		{ "COPY [\"a b\", \"/c d/\"]", true, 2, "a b", "/c d/" },
		{ "COPY \"a b\" c", false, 3, "\"a", "b\"" },
		{ "ADD http://x/y.tgz /z", false, 2, "http://x/y.tgz", "/z" },
		{ "EXPOSE 80/tcp  443", false, 2, "80/tcp", "443" },
		{ "USER app:staff", false, 1, "app:staff", NULL },
		{ "WORKDIR /a b", false, 1, "/a b", NULL },
		{ "STOPSIGNAL SIGKILL", false, 1, "SIGKILL", NULL },
		{ "MAINTAINER Jane <j@example.com>", false, 1, "Jane <j@example.com>", NULL },
		{ "HEALTHCHECK CMD [\"curl\", \"-f\"]", true, 2, "curl", "-f" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char text[256];
		snprintf(text, sizeof(text), "FROM a\n%s\n", cases[i].line);
		struct engine_dockerfile *df = parse(text);
		const struct engine_dockerfile_instruction *in = first(df);
		ok(in != NULL && in->json == cases[i].json && in->n_args == cases[i].n, "%s: %s form, %zu",
		   cases[i].line, cases[i].json ? "exec" : "shell", cases[i].n);
		if (in != NULL && in->n_args == cases[i].n) {
			if (cases[i].n > 0)
				is_str(in->args[0], cases[i].arg0, "%s: first", cases[i].line);
			if (cases[i].n > 1)
				is_str(in->args[1], cases[i].arg1, "%s: second", cases[i].line);
			ok(in->args[in->n_args] == NULL, "%s: NULL-terminated", cases[i].line);
		}
		engine_dockerfile_free(&df);
	}
}

/* ------------------------------------------------------------ pairs */

static void test_pairs(void)
{
	/* the line, then each pair's key and value as written */
	static const struct {
		const char *line;
		const char *kv[5];
	} cases[] = {
		{ "ENV a=1 b=\"two words\"", { "a", "1", "b", "\"two words\"" } },
		{ "ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog",
		  { "MY_NAME", "\"John Doe\"", "MY_DOG", "Rex\\ The\\ Dog" } },
		{ "ENV MY_VAR my-value and more", { "MY_VAR", "my-value and more" } },
		{ "ENV a=", { "a", "" } },
		{ "ENV a='x=y' b=c=d", { "a", "'x=y'", "b", "c=d" } },
		{ "LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0",
		  { "\"com.example.vendor\"", "\"ACME Inc\"", "version", "1.0" } },
		{ "LABEL description=\"multi \\\n  line\"", { "description", "\"multi   line\"" } },
		{ "LABEL old style value", { "old", "style value" } },
		{ "ARG user1=someuser", { "user1", "someuser" } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char text[256];
		snprintf(text, sizeof(text), "FROM a\n%s\n", cases[i].line);
		struct engine_dockerfile *df = parse(text);
		const struct engine_dockerfile_instruction *in = first(df);
		size_t n = 0;
		while (cases[i].kv[2 * n] != NULL)
			n++;
		ok(in != NULL && in->n_pairs == n, "%s: %zu pairs", cases[i].line, n);
		for (size_t k = 0; in != NULL && k < n && k < in->n_pairs; k++) {
			is_str(in->pairs[k].key, cases[i].kv[2 * k], "%s: key %zu", cases[i].line, k);
			is_str(in->pairs[k].value, cases[i].kv[2 * k + 1], "%s: value %zu", cases[i].line, k);
		}
		engine_dockerfile_free(&df);
	}
	struct engine_dockerfile *df = parse("FROM a\nARG a=1 b\n");
	const struct engine_dockerfile_instruction *in = first(df);
	ok(in != NULL && in->n_pairs == 2 && strcmp(in->pairs[0].value, "1") == 0 && in->pairs[1].value == NULL,
	   "ARG a=1 b: b has no default");
	engine_dockerfile_free(&df);
}

/* ------------------------------------------------------------ flags */

static void test_flags(void)
{
	struct engine_dockerfile *df = parse("FROM a\n"
					     "COPY --from=build --chown=1:2 --chmod=755 --link a b /dst/\n"
					     "ADD --checksum=sha256:24454f --keep-git-dir=true --link=false https://x /y\n"
					     "RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=go "
					     "--mount=type=secret,id=aws,env=AWS_KEY,required "
					     "--mount=target=/src,rw "
					     "--mount=type=tmpfs,dst=/tmp,size=64m "
					     "--mount=type=bind,from=build,source=/out,target=/in,ro=false "
					     "--mount=type=cache,target=/c,uid=1000,gid=1000,mode=0755,readonly "
					     "--mount=type=ssh "
					     "--network=none --security=insecure make\n"
					     "COPY --chown=\"a b\" x y\n"
					     "HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=0.5s "
					     "--retries=3 CMD curl -f http://localhost/ || exit 1\n"
					     "HEALTHCHECK NONE\n");
	const struct engine_dockerfile_instruction *in = first(df);
	ok(in != NULL && df->stages[0].n_instructions == 6, "six instructions");
	if (in == NULL || df->stages[0].n_instructions != 6)
		return;
	bool present = false;
	is_int(in->n_flags, 4, "COPY: four flags");
	is_str(engine_dockerfile_flag(in, "chown", NULL), "1:2", "--chown");
	is_str(engine_dockerfile_flag(in, "chmod", NULL), "755", "--chmod");
	ok(engine_dockerfile_flag(in, "link", &present) == NULL && present, "--link, bare");
	ok(engine_dockerfile_flag(in, "parents", &present) == NULL && !present, "--parents absent");
	is_int(in->n_args, 3, "COPY: sources and destination");

	in = &df->stages[0].instructions[1];
	is_str(engine_dockerfile_flag(in, "checksum", NULL), "sha256:24454f", "ADD --checksum");
	is_str(engine_dockerfile_flag(in, "link", NULL), "false", "ADD --link=false");

	in = &df->stages[0].instructions[2];
	is_int(in->n_mounts, 7, "RUN: seven mounts");
	is_str(engine_dockerfile_flag(in, "network", NULL), "none", "--network");
	is_str(engine_dockerfile_flag(in, "security", NULL), "insecure", "--security");
	is_str(in->args[0], "make", "the command after the flags");
	if (in->n_mounts == 7) {
		const struct engine_dockerfile_mount *m = in->mounts;
		ok(m[0].type == ENGINE_DOCKERFILE_MOUNT_CACHE && strcmp(m[0].target, "/root/.cache") == 0 &&
			   m[0].sharing == ENGINE_DOCKERFILE_SHARING_LOCKED && strcmp(m[0].id, "go") == 0 &&
			   !m[0].readonly && m[0].uid == -1,
		   "cache mount");
		ok(m[1].type == ENGINE_DOCKERFILE_MOUNT_SECRET && strcmp(m[1].id, "aws") == 0 &&
			   strcmp(m[1].env, "AWS_KEY") == 0 && m[1].required && m[1].target == NULL,
		   "secret mount, no target needed");
		ok(m[2].type == ENGINE_DOCKERFILE_MOUNT_BIND && !m[2].readonly && strcmp(m[2].target, "/src") == 0,
		   "bind by default, rw");
		ok(m[3].type == ENGINE_DOCKERFILE_MOUNT_TMPFS && m[3].size == 64LL << 20 &&
			   strcmp(m[3].target, "/tmp") == 0,
		   "tmpfs, dst, size=64m");
		ok(m[4].type == ENGINE_DOCKERFILE_MOUNT_BIND && strcmp(m[4].from, "build") == 0 &&
			   strcmp(m[4].source, "/out") == 0 && !m[4].readonly,
		   "bind from a stage, ro=false");
		ok(m[5].uid == 1000 && m[5].gid == 1000 && m[5].mode == 0755 && m[5].readonly, "uid, gid, mode, readonly");
		ok(m[6].type == ENGINE_DOCKERFILE_MOUNT_SSH && m[6].target == NULL, "ssh mount");
	}

	in = &df->stages[0].instructions[3];
	is_str(engine_dockerfile_flag(in, "chown", NULL), "a b", "a quoted flag");
	is_int(in->n_args, 2, "after a quoted flag");

	in = &df->stages[0].instructions[4];
	is_int(in->health.interval, 300000000000LL, "--interval=5m");
	is_int(in->health.timeout, 3000000000LL, "--timeout=3s");
	is_int(in->health.start_period, 90000000000LL, "--start-period=1m30s");
	is_int(in->health.start_interval, 500000000LL, "--start-interval=0.5s");
	is_int(in->health.retries, 3, "--retries=3");
	ok(!in->health.none && !in->json && strcmp(in->args[0], "curl -f http://localhost/ || exit 1") == 0,
	   "HEALTHCHECK CMD, shell form");
	in = &df->stages[0].instructions[5];
	ok(in->health.none && in->n_args == 0 && in->health.retries == -1, "HEALTHCHECK NONE");
	engine_dockerfile_free(&df);

	df = parse("FROM a\nRUN --mount=type=bind,target=/x make\n");
	in = first(df);
	ok(in != NULL && in->n_mounts == 1 && in->mounts[0].readonly, "a bind mount is read-only by default");
	engine_dockerfile_free(&df);
	df = parse("FROM a\nRUN --mount=type=bind,'\"target=/a,b\"',rw make\n");
	in = first(df);
	ok(in != NULL && in->n_mounts == 1 && strcmp(in->mounts[0].target, "/a,b") == 0 && !in->mounts[0].readonly,
	   "a quoted mount field holds a comma");
	engine_dockerfile_free(&df);
}

/* ------------------------------------------------------------ heredocs */

static void test_heredocs(void)
{
	static const struct {
		const char *text;
		size_t n;
		const char *name0, *content0, *name1, *content1;
		bool expand0;
		unsigned next_line; /* of the instruction after, 0 when none */
	} cases[] = {
		{ "FROM a\nRUN <<EOF\necho hi\necho there\nEOF\nRUN x\n", 1, "EOF", "echo hi\necho there\n", NULL, NULL,
		  true, 6 },
		{ "FROM a\nRUN <<-EOT\n\techo a\n\t\techo b\n\tEOT\n", 1, "EOT", "echo a\necho b\n", NULL, NULL, true, 0 },
		{ "FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\n", 1, "EOF", "echo $HOME\n", NULL, NULL, false, 0 },
		{ "FROM a\nRUN <<'EOF' bash\necho $HOME\nEOF\n", 1, "EOF", "echo $HOME\n", NULL, NULL, false, 0 },
		{ "FROM a\nRUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\n",
		  2, "FILE1", "I am\nfirst\n", "FILE2", "I am\nsecond\n", true, 0 },
		{ "FROM a\nCOPY <<EOF /app/script.sh\n#!/bin/sh\n# not a comment\n\nEOF\n", 1, "EOF",
		  "#!/bin/sh\n# not a comment\n\n", NULL, NULL, true, 0 },
		{ "FROM a\nRUN python3 <<EOF\nprint('x') \\\nEOF\nRUN y\n", 1, "EOF", "print('x') \\\n", NULL, NULL, true,
		  5 },
		{ "FROM a\nRUN <<EOF\nEOF\n", 1, "EOF", "", NULL, NULL, true, 0 },
		{ "FROM a\nRUN cat 3<<EOF\nx\n EOF\nEOF\n", 1, "EOF", "x\n EOF\n", NULL, NULL, true, 0 },
		{ "FROM a\nRUN --mount=type=cache,target=/c <<EOF\nx\nEOF\n", 1, "EOF", "x\n", NULL, NULL, true, 0 },
		{ "FROM a\nRUN echo \\\n  <<EOF\nx\nEOF\n", 1, "EOF", "x\n", NULL, NULL, true, 0 },
		{ "FROM a\nRUN echo '<<EOF'\nRUN x\n", 0, NULL, NULL, NULL, NULL, true, 3 },
		{ "FROM a\nRUN echo a<<EOF\nRUN x\n", 0, NULL, NULL, NULL, NULL, true, 3 },
		{ "FROM a\nCMD <<EOF\nRUN x\n", 0, NULL, NULL, NULL, NULL, true, 3 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct engine_dockerfile *df = parse(cases[i].text);
		const struct engine_dockerfile_instruction *in = first(df);
		ok(in != NULL && in->n_heredocs == cases[i].n, "heredoc %zu: %zu of them", i, cases[i].n);
		if (in == NULL || in->n_heredocs != cases[i].n) {
			engine_dockerfile_free(&df);
			continue;
		}
		if (cases[i].n > 0) {
			is_str(in->heredocs[0].name, cases[i].name0, "heredoc %zu: name", i);
			is_str(in->heredocs[0].content, cases[i].content0, "heredoc %zu: content", i);
			is_int(in->heredocs[0].expand, cases[i].expand0, "heredoc %zu: expands", i);
		}
		if (cases[i].n > 1) {
			is_str(in->heredocs[1].name, cases[i].name1, "heredoc %zu: second name", i);
			is_str(in->heredocs[1].content, cases[i].content1, "heredoc %zu: second content", i);
		}
		if (cases[i].next_line != 0)
			ok(df->stages[0].n_instructions == 2 && df->stages[0].instructions[1].line == cases[i].next_line,
			   "heredoc %zu: the next instruction is on line %u", i, cases[i].next_line);
		else
			is_int(df->stages[0].n_instructions, 1, "heredoc %zu: its lines are no instructions", i);
		engine_dockerfile_free(&df);
	}

	struct engine_dockerfile *df = parse("FROM a\nCOPY <<EOF /dst\nx\nEOF\nRUN 2<<-X cat\n\tx\n\tX\n");
	const struct engine_dockerfile_instruction *in = first(df);
	ok(in != NULL && in->n_args == 2 && strcmp(in->args[0], "<<EOF") == 0 && strcmp(in->args[1], "/dst") == 0,
	   "COPY <<EOF /dst: the marker is the source");
	ok(in != NULL && in->end_line == 4, "COPY heredoc: ends on the delimiter's line");
	in = df != NULL ? &df->stages[0].instructions[1] : NULL;
	ok(in != NULL && in->n_heredocs == 1 && in->heredocs[0].fd == 2 && in->heredocs[0].strip_tabs,
	   "2<<-X: descriptor and tab stripping");
	engine_dockerfile_free(&df);
}

static void test_onbuild(void)
{
	struct engine_dockerfile *df = parse("FROM a\nONBUILD ADD . /app/src\nonbuild run --network=none make\n");
	const struct engine_dockerfile_instruction *in = first(df);
	ok(in != NULL && in->kind == ENGINE_DOCKERFILE_ONBUILD && in->trigger != NULL, "ONBUILD has a trigger");
	if (in != NULL && in->trigger != NULL) {
		is_int(in->trigger->kind, ENGINE_DOCKERFILE_ADD, "trigger kind");
		is_int(in->trigger->n_args, 2, "trigger args");
		is_str(in->text, "ADD . /app/src", "ONBUILD's text");
		is_int(in->trigger->line, 2, "trigger line");
	}
	in = df != NULL ? &df->stages[0].instructions[1] : NULL;
	ok(in != NULL && in->trigger != NULL && in->trigger->kind == ENGINE_DOCKERFILE_RUN &&
		   strcmp(engine_dockerfile_flag(in->trigger, "network", NULL), "none") == 0,
	   "a trigger keeps its flags");
	engine_dockerfile_free(&df);
}

static void test_kind_names(void)
{
	static const char *const all[] = { "FROM",	 "RUN",	    "CMD",	  "LABEL",	 "MAINTAINER", "EXPOSE",
					   "ENV",	 "ADD",	    "COPY",	  "ENTRYPOINT", "VOLUME",	"USER",
					   "WORKDIR",	 "ARG",	    "ONBUILD",	  "STOPSIGNAL", "HEALTHCHECK", "SHELL" };
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		is_str(engine_dockerfile_kind_name((enum engine_dockerfile_kind)i), all[i], "kind %zu has its name", i);
}

int main(void)
{
	test_refusals();
	test_directives();
	test_lines();
	test_stages();
	test_forms();
	test_pairs();
	test_flags();
	test_heredocs();
	test_onbuild();
	test_kind_names();
	return done_testing();
}
