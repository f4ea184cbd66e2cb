/* seccomp-rules.h: a parsed seccomp profile as seccomp-profile.c builds it
 * and seccomp-filter.c compiles it.  Types only; not for use outside those
 * two files (the rest of the engine holds a profile by pointer). */
#pragma once

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* Argument numbers are 0..5: syscalls take at most six. */
#define ARG_INDEX_MAX 5

enum action_kind {
	ACTION_ALLOW,
	ACTION_ERRNO,
	ACTION_KILL_THREAD,
	ACTION_KILL_PROCESS,
	ACTION_TRAP,
	ACTION_LOG,
	ACTION_TRACE,
};

struct string_list {
	char **items;
	size_t n;
};

struct arg_condition {
	unsigned int index;
	enum scmp_compare op;
	uint64_t value; /* for SCMP_CMP_MASKED_EQ: the mask */
	uint64_t value_two; /* for SCMP_CMP_MASKED_EQ: the expected masked value */
};

struct syscall_rule {
	struct string_list names;
	enum action_kind action;
	int errno_ret; /* for ACTION_ERRNO and ACTION_TRACE */
	struct arg_condition *args;
	size_t n_args;
	uint64_t includes_caps; /* all must be held for the rule to apply */
	uint64_t excludes_caps; /* none may be held */
	struct string_list includes_arches; /* matched against the native arch */
	struct string_list excludes_arches;
};

/* One archMap entry: when `arch` is the native one, its sub-architectures
 * are filtered too. */
struct arch_map_entry {
	char *arch;
	struct string_list sub_arches;
};

struct engine_seccomp_profile {
	enum action_kind default_action;
	int default_errno;
	struct string_list architectures;
	struct arch_map_entry *arch_map;
	size_t n_arch_map;
	struct syscall_rule *rules;
	size_t n_rules;
};

/* Room for a string of the profile quoted by engine_seccomp_quote. */
#define QUOTE_SIZE 96
