/* humanize.h: sizes and durations as Docker prints them (go-units). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "4.26MB": decimal units, 3 significant digits (units.HumanSizeWithPrecision). */
void cmd_human_size(int64_t bytes, char *out, size_t size);
/* "3 years", "About an hour", "Less than a second" (units.HumanDuration). */
void cmd_human_duration(int64_t seconds, char *out, size_t size);
/* Docker's CreatedAt: "2023-11-14 22:13:20 +0000 UTC". */
void cmd_created_at(int64_t t, char *out, size_t size);

/* Docker's container Status: "Created", "Up 3 seconds", "Exited (0) 2
 * minutes ago".  STATUS is 0 created, 1 running, 2 exited; times in ns. */
void cmd_container_status(int status, int exit_code, int64_t started_ns, int64_t finished_ns,
			  int64_t now_ns, char *out, size_t size);
