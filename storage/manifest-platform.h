/* manifest-platform.h: platforms, and the entry of an index picked for one
 * (manifest-platform.c). */
#pragma once

#include "common/error.h"
#include "storage/manifest.h"

/* This machine's platform from uname(2), in GOARCH names: x86_64 -> amd64,
 * aarch64 -> arm64/v8, armv7l -> arm/v7, i686 -> 386, ... */
int storage_platform_host(struct storage_platform *ret, struct engine_error **err);
/* "os/arch[/variant]" (as --platform takes it), architecture normalised. */
int storage_platform_parse(const char *s, struct storage_platform *ret,
			   struct engine_error **err);
/* "linux/arm64/v8" */
int storage_platform_format(const struct storage_platform *p, char **ret);
void storage_platform_clear(struct storage_platform *p);
/* Normalise architecture and variant in place (both owned, variant may
 * become NULL or a new string), as containerd's platforms.Normalize does,
 * except that arm64's implied variant is written out as "v8". */
int storage_platform_normalize(struct storage_platform *p);

/* Choose the entry for OS/ARCH/VARIANT (VARIANT may be NULL) as containerd's
 * default matcher does: names are normalised (aarch64 = arm64, x86_64 =
 * amd64), a missing variant defaults to v8 on arm64 and v7 on arm, an exact
 * match wins over a compatible one (arm64 can run arm/v8..v5, amd64 can run
 * 386, arm/v7 can run v6 and v5), ties go to the first entry, and entries
 * without a platform come last.  *ret points into INDEX.  -ENOENT with an
 * error listing the available platforms when none fits. */
int storage_index_select(const struct storage_index *index, const char *os, const char *arch,
			 const char *variant, const struct storage_descriptor **ret,
			 struct engine_error **err);
