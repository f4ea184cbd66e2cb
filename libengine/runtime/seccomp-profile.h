/* seccomp-profile.h: seccomp profiles, the built-in default and Docker/OCI JSON ones
 * (seccomp-profile.c), compiled by seccomp-filter.c for the container's final
 * capability set. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct engine_seccomp_profile;

/* The built-in default profile: an allow-list modelled on Podman's
 * seccomp.json; unknown syscalls fail with ENOSYS, known-dangerous ones and
 * the privileged ones whose capability is missing fail with EPERM. */
int engine_seccomp_profile_default(struct engine_seccomp_profile **ret, struct engine_error **err);
/* Parse a Docker/OCI seccomp JSON profile (defaultAction, defaultErrnoRet,
 * architectures/archMap, syscalls[] with names/name, action, errnoRet, args,
 * includes/excludes {caps, arches}).  Bounded: len must be <= 4 MiB. */
int engine_seccomp_profile_parse_json(const char *buf, size_t len,
				      struct engine_seccomp_profile **ret, struct engine_error **err);
/* Read PATH (regular file, at most 4 MiB) and parse it. */
int engine_seccomp_profile_load_file(const char *path, struct engine_seccomp_profile **ret,
				     struct engine_error **err);
void engine_seccomp_profile_free(struct engine_seccomp_profile *profile);

/* Strings from the profile end up in one-line error messages: escape what
 * is not printable and cut what is long.  Returns BUF. */
const char *engine_seccomp_quote(const char *s, char *buf, size_t size);

/* The built-in table (seccomp-default.c), compiling and loading a profile
 * (seccomp-filter.c); included here so that one include gives a caller the
 * whole of it. */
#include "libengine/runtime/seccomp-default.h"
#include "libengine/runtime/seccomp-filter.h"
