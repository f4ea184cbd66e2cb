/* ignore.h: .dockerignore, the build context's exclusions, as Docker
 * reads them: one pattern a line, `#` comments and blank lines skipped,
 * each pattern cleaned as a path (a leading `/` or `./` gone), `!` for an
 * exception; `*` and `?` within one path element, `**` across any number
 * of them, `[...]` a class, the escape `\`; the last pattern that matches
 * a path (or one of its parent directories) decides. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct engine_dockerignore_pattern {
	char *pattern; /* cleaned, without the '!' */
	bool exception;
	unsigned line;
};

struct engine_dockerignore {
	struct engine_dockerignore_pattern *patterns;
	size_t n_patterns;
};

/* Read SIZE bytes of DATA (named FILE_NAME in errors) into *RET. */
int engine_dockerignore_parse(const char *data, size_t size, const char *file_name, struct engine_dockerignore **ret,
			      struct engine_error **err);
void engine_dockerignore_free(struct engine_dockerignore **ig);

/* 1 when PATH (relative to the context's root, '/'-separated) is
 * excluded, 0 when it is sent, -1 when memory is short. */
int engine_dockerignore_excluded(const struct engine_dockerignore *ig, const char *path);
/* 1 when the directory DIR is excluded and no exception could bring back
 * anything below it, so that a walk may skip it whole; 0 otherwise (it
 * must be entered), -1 when memory is short. */
int engine_dockerignore_skip_dir(const struct engine_dockerignore *ig, const char *dir);
