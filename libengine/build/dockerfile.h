/* dockerfile.h: a Dockerfile read into stages and typed instructions, the
 * front end of `build`.  Nothing is expanded or executed here: words are
 * kept as written (expand.h expands them once the build arguments are
 * known), so that an error in a word can still name its line.
 *
 * What is read as Docker's reference describes it: parser directives
 * (`# syntax=`, `# escape=`) at the top only, comments, line continuations
 * with the escape character (comment and empty lines inside one skipped),
 * heredocs for RUN, COPY and ADD, `--flag=value` options per instruction,
 * the JSON exec form against the shell form, ENV and LABEL pairs, ARGs
 * before the first FROM.  Errors read "FILE:LINE: message", the message
 * worded as Docker's own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum engine_dockerfile_kind {
	ENGINE_DOCKERFILE_FROM,
	ENGINE_DOCKERFILE_RUN,
	ENGINE_DOCKERFILE_CMD,
	ENGINE_DOCKERFILE_LABEL,
	ENGINE_DOCKERFILE_MAINTAINER,
	ENGINE_DOCKERFILE_EXPOSE,
	ENGINE_DOCKERFILE_ENV,
	ENGINE_DOCKERFILE_ADD,
	ENGINE_DOCKERFILE_COPY,
	ENGINE_DOCKERFILE_ENTRYPOINT,
	ENGINE_DOCKERFILE_VOLUME,
	ENGINE_DOCKERFILE_USER,
	ENGINE_DOCKERFILE_WORKDIR,
	ENGINE_DOCKERFILE_ARG,
	ENGINE_DOCKERFILE_ONBUILD,
	ENGINE_DOCKERFILE_STOPSIGNAL,
	ENGINE_DOCKERFILE_HEALTHCHECK,
	ENGINE_DOCKERFILE_SHELL,
};

/* "--name=value" before the arguments.  VALUE is NULL for a boolean
 * flag given bare ("--link"). */
struct engine_dockerfile_flag {
	char *name;
	char *value;
};

/* ENV and LABEL: KEY=VALUE as written (quotes and variables still in
 * them); ARG: NAME with VALUE NULL when no default is given. */
struct engine_dockerfile_pair {
	char *key;
	char *value;
};

/* A heredoc: the lines after the instruction up to the one that holds
 * NAME alone.  EXPAND is false when the delimiter was quoted (<<"EOF"),
 * which keeps variables in CONTENT as they are; for <<-EOF the leading
 * tabs of every line are already gone. */
struct engine_dockerfile_heredoc {
	char *name;
	char *content;
	bool expand;
	bool strip_tabs;
	int fd; /* 2<<EOF: the descriptor it feeds, 0 when none was written */
};

enum engine_dockerfile_mount_type {
	ENGINE_DOCKERFILE_MOUNT_BIND,
	ENGINE_DOCKERFILE_MOUNT_CACHE,
	ENGINE_DOCKERFILE_MOUNT_TMPFS,
	ENGINE_DOCKERFILE_MOUNT_SECRET,
	ENGINE_DOCKERFILE_MOUNT_SSH,
};

enum engine_dockerfile_mount_sharing {
	ENGINE_DOCKERFILE_SHARING_SHARED,
	ENGINE_DOCKERFILE_SHARING_PRIVATE,
	ENGINE_DOCKERFILE_SHARING_LOCKED,
};

/* RUN --mount=type=...,key=value: strings NULL when not given, UID, GID
 * and MODE -1, SIZE 0. */
struct engine_dockerfile_mount {
	enum engine_dockerfile_mount_type type;
	char *target;
	char *source;
	char *from;
	char *id;
	char *env; /* secret: the variable it is exposed as */
	bool readonly;
	bool required;
	enum engine_dockerfile_mount_sharing sharing;
	long long uid, gid, mode;
	long long size;
};

/* HEALTHCHECK's options, durations in nanoseconds as Go's time.Duration;
 * 0 (or -1 for RETRIES) when not given. */
struct engine_dockerfile_health {
	bool none;
	long long interval, timeout, start_period, start_interval;
	long long retries;
};

struct engine_dockerfile_instruction {
	enum engine_dockerfile_kind kind;
	unsigned line;     /* of the keyword */
	unsigned end_line; /* of its last line, heredocs included */
	char *keyword;     /* as written: "run", "RUN" */
	char *text;        /* the arguments after the flags, continuations joined */
	struct engine_dockerfile_flag *flags;
	size_t n_flags;
	/* RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD: the exec form's
	 * strings when JSON is set, else one string, the shell form's
	 * command line.  ADD, COPY, VOLUME, EXPOSE, FROM: the words.  USER,
	 * WORKDIR, STOPSIGNAL, MAINTAINER: one string. */
	char **args;
	size_t n_args;
	bool json;
	struct engine_dockerfile_pair *pairs; /* ENV, LABEL, ARG */
	size_t n_pairs;
	struct engine_dockerfile_heredoc *heredocs;
	size_t n_heredocs;
	struct engine_dockerfile_mount *mounts; /* RUN --mount, in order */
	size_t n_mounts;
	struct engine_dockerfile_health health; /* HEALTHCHECK */
	struct engine_dockerfile_instruction *trigger; /* ONBUILD's instruction */
};

/* FROM [--platform=P] BASE [AS NAME] and what follows it up to the next
 * FROM.  NAME is lowercased (stage names are case-insensitive), NULL when
 * none was given. */
struct engine_dockerfile_stage {
	char *name;
	char *base;
	char *platform;
	struct engine_dockerfile_instruction from;
	struct engine_dockerfile_instruction *instructions;
	size_t n_instructions;
};

struct engine_dockerfile {
	char *syntax; /* the syntax directive, NULL when absent */
	char escape;  /* '\\' or '`' */
	struct engine_dockerfile_instruction *meta_args; /* ARGs before FROM */
	size_t n_meta_args;
	struct engine_dockerfile_stage *stages;
	size_t n_stages;
};

/* Parse SIZE bytes of DATA, named FILE_NAME in errors ("Dockerfile"),
 * into *RET (set only on success; free with engine_dockerfile_free). */
int engine_dockerfile_parse(const char *data, size_t size, const char *file_name,
			    struct engine_dockerfile **ret, struct engine_error **err);
void engine_dockerfile_free(struct engine_dockerfile **df);

/* The instruction's keyword in capitals ("RUN"). */
const char *engine_dockerfile_kind_name(enum engine_dockerfile_kind kind);
/* The kind whose keyword is WORD (any case), or -1. */
int engine_dockerfile_kind_of(const char *word);
/* The value of flag NAME, or NULL; *PRESENT (when non-NULL) says whether
 * it was given at all (a bare boolean flag has a NULL value). */
const char *engine_dockerfile_flag(const struct engine_dockerfile_instruction *in, const char *name,
				   bool *present);
/* The stage named NAME (case-insensitive) or numbered NAME, or NULL. */
const struct engine_dockerfile_stage *engine_dockerfile_stage_find(const struct engine_dockerfile *df,
								    const char *name);
