/* seccomp-default.h: the built-in default seccomp profile as data
 * (seccomp-default.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The table lives in seccomp-default.c, apart from the parser
 * (seccomp-profile.c) and the compiler (seccomp-filter.c), so that
 * reviewing the policy means reading one file of lists.
 * It is declared apart only so the two files (and the unit test, which checks
 * the table for conflicting rows) can share it; callers use
 * engine_seccomp_profile_default(). */
enum engine_seccomp_builtin_action {
	ENGINE_SECCOMP_BUILTIN_ALLOW,
	ENGINE_SECCOMP_BUILTIN_ERRNO,
};

struct engine_seccomp_builtin_rule {
	const char *const *names; /* NULL-terminated syscall names */
	enum engine_seccomp_builtin_action action;
	int errno_ret; /* for ENGINE_SECCOMP_BUILTIN_ERRNO */
	uint64_t includes_caps; /* the row applies only if all these bits are held */
	uint64_t excludes_caps; /* ... and none of these */
	const char *const *includes_arches; /* NULL, or NULL-terminated; matched to the native arch */
	const char *const *excludes_arches;
	/* At most one argument condition; has_arg false means unconditional. */
	int has_arg;
	unsigned int arg_index;
	int arg_op; /* an enum scmp_compare value */
	uint64_t arg_value; /* for SCMP_CMP_MASKED_EQ: the mask */
	uint64_t arg_value_two; /* for SCMP_CMP_MASKED_EQ: the expected masked value */
};

struct engine_seccomp_builtin_arch_map {
	const char *arch; /* "SCMP_ARCH_X86_64": when this is the native arch... */
	const char *const *sub_arches; /* ...these (NULL-terminated) are filtered too */
};

struct engine_seccomp_builtin_profile {
	int default_errno; /* the default action is SCMP_ACT_ERRNO(default_errno) */
	const struct engine_seccomp_builtin_arch_map *arch_map;
	size_t n_arch_map;
	const struct engine_seccomp_builtin_rule *rules;
	size_t n_rules;
};

const struct engine_seccomp_builtin_profile *engine_seccomp_builtin_profile(void);
