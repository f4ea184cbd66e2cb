/* seccomp-cache.h: the container's seccomp filter as a ready BPF program,
 * compiled once and cached, so a container start does not pay libseccomp's
 * ~20 ms of compilation every time. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct engine_seccomp_program {
	struct sock_filter *filter;
	unsigned short len;
};

/* The program for PROFILE (NULL: the built-in default; else a JSON file)
 * and capability mask CAPS.  CACHE_DIR (may be NULL: no cache) keeps
 * compiled programs keyed by a hash of everything that shapes them: the
 * profile's bytes (or this binary's identity for the default), the caps
 * and libseccomp's version. */
int engine_seccomp_program_get(const char *profile, uint64_t caps, const char *cache_dir,
			       struct engine_seccomp_program *ret, struct engine_error **err);
/* The program a process of SPEC gets (its profile and caps), cached under
 * its run root (or the user's default one).  *RET_CONFINED false, and RET
 * left empty, for the profile "unconfined". */
struct engine_run_spec;
int engine_seccomp_program_for_spec(const struct engine_run_spec *spec,
				    struct engine_seccomp_program *ret, bool *ret_confined,
				    struct engine_error **err);
/* Install it in the calling thread (seccomp(2), no flags: no_new_privs is
 * decided by the caller). */
int engine_seccomp_program_load(const struct engine_seccomp_program *p, struct engine_error **err);
void engine_seccomp_program_clear(struct engine_seccomp_program *p);
