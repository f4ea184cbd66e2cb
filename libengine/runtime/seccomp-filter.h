/* seccomp-filter.h: a seccomp profile compiled for a capability set, and
 * loaded (seccomp-filter.c). */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "libengine/runtime/seccomp-profile.h"

/* Prepare a filter for the given effective capability mask (rules whose
 * includes.caps are not all present, or whose excludes.caps are present, are
 * left out).  Done before the container process is forked so that the
 * child only has to load it.  The returned handle is a scmp_filter_ctx. */
int engine_seccomp_compile(const struct engine_seccomp_profile *profile, uint64_t caps,
			   void **ret_ctx, struct engine_error **err);
/* Load the compiled filter into the calling thread (needs CAP_SYS_ADMIN in
 * the current user namespace or no_new_privs). */
int engine_seccomp_load(void *ctx, struct engine_error **err);
void engine_seccomp_release(void *ctx);
