/* security.h: the last steps before exec: credentials, capabilities,
 * no_new_privs and the seccomp filter, in the order the kernel needs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "libengine/runtime/passwd.h"
#include "libengine/runtime/seccomp-cache.h"

struct engine_security_config {
	uint64_t caps;         /* bounding set, and permitted/effective when uid is 0 */
	bool no_new_privileges;
	bool set_groups;       /* false when setgroups(2) is denied (single mapping) */
	uint64_t mapped_uids;  /* container uids 0..mapped_uids-1 exist */
	uint64_t mapped_gids;  /* container gids 0..mapped_gids-1 exist */
	const struct engine_seccomp_program *seccomp; /* NULL for unconfined */
};

int engine_security_apply(const struct engine_security_config *cfg, const struct engine_creds *creds,
			  struct engine_error **err);
