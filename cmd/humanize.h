/* humanize.h: sizes and durations as Docker prints them (go-units). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "4.26MB": decimal units, 3 significant digits (units.HumanSizeWithPrecision). */
void cmd_human_size(int64_t bytes, char *out, size_t size);
/* "3 years", "About an hour", "Less than a second" (units.HumanDuration). */
void cmd_human_duration(int64_t seconds, char *out, size_t size);
/* RFC 3339 in UTC: "2023-11-14T22:13:20Z". */
void cmd_rfc3339(int64_t t, char *out, size_t size);
/* Docker's CreatedAt: "2023-11-14 22:13:20 +0000 UTC". */
void cmd_created_at(int64_t t, char *out, size_t size);
