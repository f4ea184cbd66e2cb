/* progress.c: what `pull` (and `run` when it pulls) shows while layers
 * arrive.  On a terminal: one line per layer, redrawn in place with its
 * bytes; otherwise one line per finished step, as Podman prints them, so
 * logs stay readable.  Called from the pull's threads: one mutex. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/progress.h"
#include "libengine/image/image.h"
#include "libengine/image/pull.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void human(uint64_t b, char *out, size_t size)
{
	if (b >= (1u << 20))
		snprintf(out, size, "%.1fMiB", (double)b / (1u << 20));
	else if (b >= 1024)
		snprintf(out, size, "%.1fKiB", (double)b / 1024);
	else
		snprintf(out, size, "%lluB", (unsigned long long)b);
}

static const char *short_digest(const char *d)
{
	const char *colon = strchr(d, ':');
	return colon ? colon + 1 : d;
}

void cmd_pull_progress(void *userdata, enum engine_pull_event event, size_t layer, size_t n,
		       const char *detail, uint64_t done, uint64_t total)
{
	struct cmd_progress *p = userdata;
	if (p->quiet)
		return;
	pthread_mutex_lock(&lock);
	FILE *out = p->out;
	bool tty = isatty(fileno(out));
	char a[32], b[32];
	switch (event) {
	case ENGINE_PULL_RESOLVED:
		fprintf(out, "Resolved manifest %s\n", detail);
		break;
	case ENGINE_PULL_LAYER_SKIP:
		fprintf(out, "Copying blob %.12s skipped: already exists\n", short_digest(detail));
		break;
	case ENGINE_PULL_LAYER_PROGRESS:
		if (tty) {
			human(done, a, sizeof(a));
			human(total, b, sizeof(b));
			/* One line per layer: move up to its line, rewrite, come back. */
			if (!p->drawn[layer < 64 ? layer : 63]) {
				fprintf(out, "Copying blob %.12s %s / %s\n", short_digest(detail), a, b);
				p->drawn[layer < 64 ? layer : 63] = ++p->lines;
			} else {
				int up = p->lines - p->drawn[layer < 64 ? layer : 63] + 1;
				fprintf(out, "\033[%dA\rCopying blob %.12s %s / %s\033[K\033[%dB\r", up,
					short_digest(detail), a, b, up);
			}
		}
		break;
	case ENGINE_PULL_LAYER_DONE:
		if (!tty)
			fprintf(out, "Copying blob %.12s done\n", short_digest(detail));
		break;
	case ENGINE_PULL_STORED:
		fprintf(out, "Writing manifest to image destination\n");
		break;
	}
	(void)n;
	fflush(out);
	pthread_mutex_unlock(&lock);
}
