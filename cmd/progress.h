/* progress.h: what cmd/progress.c gives the other commands. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "libengine/image/image.h"
#include "libengine/image/pull.h"

/* Pull progress (cmd/progress.c), an engine_pull_progress_fn. */
struct cmd_progress {
	FILE *out;
	bool quiet;
	int lines;
	int drawn[64];
};
void cmd_pull_progress(void *userdata, enum engine_pull_event event, size_t layer, size_t n,
		       const char *detail, uint64_t done, uint64_t total);
