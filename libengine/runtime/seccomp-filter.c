/* seccomp-filter.c: a parsed seccomp profile (seccomp-profile.c) compiled
 * with libseccomp for one capability set, and the filter loaded.
 *
 * The profile keeps capability and architecture conditions unresolved, so
 * the same profile compiles differently for `--cap-add SYS_ADMIN`; compiling
 * is done in the parent before the container process is forked (libseccomp
 * allocates; the child should only have to call seccomp_load). */
#include <seccomp.h>

#include "libengine/runtime/seccomp-filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libengine/runtime/caps.h"
#include "common/cleanup.h"
#include "libengine/runtime/seccomp-rules.h"

static uint32_t action_value(enum action_kind kind, int errno_ret)
{
	switch (kind) {
	case ACTION_ALLOW:
		return SCMP_ACT_ALLOW;
	case ACTION_ERRNO:
		return SCMP_ACT_ERRNO((uint32_t)errno_ret);
	case ACTION_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case ACTION_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case ACTION_TRAP:
		return SCMP_ACT_TRAP;
	case ACTION_LOG:
		return SCMP_ACT_LOG;
	case ACTION_TRACE:
		return SCMP_ACT_TRACE((uint32_t)errno_ret);
	}
	return SCMP_ACT_KILL_PROCESS; /* unreachable; fail closed */
}
static inline void filter_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}
#define cleanup_filter __attribute__((cleanup(filter_releasep)))

/* Profiles name architectures as "SCMP_ARCH_X86_64" (libseccomp's macro
 * names), and include/exclude lists often as Go's GOARCH ("amd64"), which is
 * what Docker compares them with.  Accept both and libseccomp's own
 * lower-case names.  0 means unknown to this libseccomp: a profile may name
 * architectures newer than the library, which then cannot be filtered. */
static uint32_t arch_token_from_name(const char *name)
{
	static const struct {
		const char *go;
		const char *libseccomp;
	} go_names[] = {
		{ "amd64", "x86_64" },	 { "386", "x86" },	  { "arm64", "aarch64" },
		{ "mips64le", "mipsel64" }, { "mipsle", "mipsel" }, { "loong64", "loongarch64" },
	};
	char lower[32];
	size_t n = 0;

	if (strncmp(name, "SCMP_ARCH_", strlen("SCMP_ARCH_")) == 0)
		name += strlen("SCMP_ARCH_");
	if (strcasecmp(name, "NATIVE") == 0)
		return seccomp_arch_native();
	for (; name[n] != '\0'; n++) {
		if (n + 1 >= sizeof(lower))
			return 0;
		lower[n] = (char)tolower((unsigned char)name[n]);
	}
	lower[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(go_names); i++)
		if (strcmp(lower, go_names[i].go) == 0)
			return seccomp_arch_resolve_name(go_names[i].libseccomp);
	return seccomp_arch_resolve_name(lower);
}

static bool arch_list_has(const struct string_list *list, uint32_t token)
{
	for (size_t i = 0; i < list->n; i++)
		if (arch_token_from_name(list->items[i]) == token)
			return true;
	return false;
}

/* Capabilities and arches decide whether a rule exists at all for this
 * container; Docker decides the same way, against the native architecture
 * only (a rule is in or out for every ABI of the filter at once). */
static bool rule_applies(const struct syscall_rule *rule, uint64_t caps, uint32_t native)
{
	if ((rule->includes_caps & ~caps) != 0)
		return false;
	if ((rule->excludes_caps & caps) != 0)
		return false;
	if (rule->includes_arches.n > 0 && !arch_list_has(&rule->includes_arches, native))
		return false;
	if (rule->excludes_arches.n > 0 && arch_list_has(&rule->excludes_arches, native))
		return false;
	return true;
}

static bool action_is_permissive(uint32_t action)
{
	return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
}

static bool args_have_distinct_indexes(const struct syscall_rule *rule)
{
	unsigned int seen = 0;
	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen & (1u << rule->args[i].index))
			return false;
		seen |= 1u << rule->args[i].index;
	}
	return true;
}

static struct scmp_arg_cmp arg_cmp(const struct arg_condition *arg)
{
	return (struct scmp_arg_cmp){
		.arg = arg->index,
		.op = arg->op,
		.datum_a = arg->value,
		.datum_b = arg->value_two,
	};
}

/* libseccomp cannot compare one argument twice in a rule (EINVAL).  Like
 * runc, a rule that names an argument more than once means "any of these
 * conditions": one rule per condition.  Otherwise all conditions must hold. */
static int add_syscall_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
			    const struct syscall_rule *rule)
{
	struct scmp_arg_cmp cmps[ARG_INDEX_MAX + 1];
	if (args_have_distinct_indexes(rule)) {
		for (size_t i = 0; i < rule->n_args; i++)
			cmps[i] = arg_cmp(&rule->args[i]);
		return seccomp_rule_add_array(ctx, action, nr, (unsigned int)rule->n_args,
					      rule->n_args > 0 ? cmps : NULL);
	}
	for (size_t i = 0; i < rule->n_args; i++) {
		cmps[0] = arg_cmp(&rule->args[i]);
		int rc = seccomp_rule_add_array(ctx, action, nr, 1, cmps);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Add every applicable rule to a filter covering one architecture.
 *
 * Each architecture gets a filter of its own (merged afterwards) because
 * libseccomp adds a rule to all architectures of a filter in one
 * transaction: a rule that one ABI refuses would be dropped for the native
 * ABI too.  (On x86, libseccomp rewrites socket() rules onto the socketcall
 * multiplexer, where an argument rule can collide with an unconditional one
 * and be refused with EEXIST.)  Apart, it is dropped only where it fails.
 *
 * Dropping a rule is only done when that fails closed: the syscall then gets
 * the default action, which must be no more permissive than the rule. */
static int add_rules(scmp_filter_ctx ctx, const char *arch_name, bool is_native,
		     const struct engine_seccomp_profile *profile, uint64_t caps, uint32_t native,
		     uint32_t default_action, struct engine_error **err)
{
	char quoted[QUOTE_SIZE];
	for (size_t r = 0; r < profile->n_rules; r++) {
		const struct syscall_rule *rule = &profile->rules[r];
		if (!rule_applies(rule, caps, native))
			continue;
		uint32_t action = action_value(rule->action, rule->errno_ret);
		/* libseccomp refuses rules that repeat the default (EACCES);
		 * they change nothing, so leave them out. */
		if (action == default_action)
			continue;
		for (size_t i = 0; i < rule->names.n; i++) {
			const char *name = rule->names.items[i];
			/* The native number; seccomp_rule_add translates it to
			 * this filter's ABI, including the socketcall/ipc
			 * multiplexers, and names that exist only on other ABIs
			 * (mmap2 on x86_64) resolve to libseccomp's pseudo
			 * numbers, which it translates too. */
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR) {
				/* Profiles name syscalls newer than this libseccomp
				 * (or this kernel); that is not an error. */
				if (is_native)
					engine_debug("seccomp: %s is unknown to libseccomp, skipped",
						     engine_seccomp_quote(name, quoted, sizeof(quoted)));
				continue;
			}
			int rc = add_syscall_rule(ctx, action, nr, rule);
			if (rc == 0)
				continue;
			if (!action_is_permissive(action) && action_is_permissive(default_action))
				return engine_error_errno(err, -rc, "seccomp profile: syscalls[%zu]: "
							  "adding the rule for %s on %s", r,
							  engine_seccomp_quote(name, quoted, sizeof(quoted)), arch_name);
			engine_debug("seccomp: rule syscalls[%zu] for %s on %s: %s; skipped", r,
				     engine_seccomp_quote(name, quoted, sizeof(quoted)), arch_name, strerror(-rc));
		}
	}
	return 0;
}

static int new_filter(uint32_t default_action, scmp_filter_ctx *ret, struct engine_error **err)
{
	scmp_filter_ctx ctx = seccomp_init(default_action);
	if (ctx == NULL)
		/* seccomp_init fails only for an action the kernel or library
		 * lacks (KILL_PROCESS, LOG on old kernels) or out of memory. */
		return engine_error_set(err, EINVAL, "seccomp: cannot create a filter with default "
					"action 0x%08x", default_action);
	/* We set no_new_privs ourselves, when we decide to; libseccomp would
	 * otherwise set it on load behind our back. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0) {
		seccomp_release(ctx);
		return engine_error_errno(err, -rc, "seccomp: clearing the no_new_privs attribute");
	}
	*ret = ctx;
	return 0;
}

/* Architectures to filter besides the native one: "architectures", plus the
 * archMap entry for the native architecture.  Names unknown to libseccomp
 * are skipped. */
struct extra_arch {
	uint32_t token;
	const char *name; /* as the profile spells it, for messages */
};

static size_t collect_arches(const struct engine_seccomp_profile *profile, uint32_t native,
			     struct extra_arch *out, size_t max)
{
	size_t n = 0;
	const struct string_list *lists[64];
	size_t n_lists = 0;

	lists[n_lists++] = &profile->architectures;
	for (size_t i = 0; i < profile->n_arch_map && n_lists < ARRAY_SIZE(lists); i++) {
		if (arch_token_from_name(profile->arch_map[i].arch) != native)
			continue;
		lists[n_lists++] = &profile->arch_map[i].sub_arches;
	}
	for (size_t l = 0; l < n_lists; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			const char *name = lists[l]->items[i];
			uint32_t token = arch_token_from_name(name);
			bool seen = token == native;
			if (token == 0) {
				char quoted[QUOTE_SIZE];
				engine_debug("seccomp: architecture %s is unknown to libseccomp; skipped",
					     engine_seccomp_quote(name, quoted, sizeof(quoted)));
				seen = true;
			}
			for (size_t j = 0; j < n && !seen; j++)
				seen = out[j].token == token;
			if (seen)
				continue;
			if (n == max)
				return n; /* cannot happen: libseccomp knows fewer arches */
			out[n++] = (struct extra_arch){ .token = token, .name = name };
		}
	}
	return n;
}

int engine_seccomp_compile(const struct engine_seccomp_profile *profile, uint64_t caps,
			   void **ret_ctx, struct engine_error **err)
{
	uint32_t native = seccomp_arch_native();
	uint32_t default_action = action_value(profile->default_action, profile->default_errno);
	cleanup_filter scmp_filter_ctx ctx = NULL;
	struct extra_arch arches[32];

	if (new_filter(default_action, &ctx, err) < 0)
		return -1;
	if (add_rules(ctx, "the native architecture", true, profile, caps, native, default_action,
		      err) < 0)
		return -1;

	size_t n_arches = collect_arches(profile, native, arches, ARRAY_SIZE(arches));
	for (size_t i = 0; i < n_arches; i++) {
		cleanup_filter scmp_filter_ctx sub = NULL;
		char arch_quoted[QUOTE_SIZE];
		const char *arch_name = engine_seccomp_quote(arches[i].name, arch_quoted, sizeof(arch_quoted));
		if (new_filter(default_action, &sub, err) < 0)
			return -1;
		int rc = seccomp_arch_remove(sub, SCMP_ARCH_NATIVE);
		if (rc < 0)
			return engine_error_errno(err, -rc, "seccomp: preparing the %s filter", arch_name);
		rc = seccomp_arch_add(sub, arches[i].token);
		if (rc < 0) {
			engine_debug("seccomp: cannot filter %s (%s); skipped", arch_name, strerror(-rc));
			continue;
		}
		if (add_rules(sub, arch_name, false, profile, caps, native, default_action, err) < 0)
			return -1;
		rc = seccomp_merge(ctx, sub);
		if (rc == -EDOM) {
			/* An ABI of the other byte order (profiles that list
			 * every architecture, like Docker's older ones, name
			 * them): it cannot run on this host anyway. */
			engine_debug("seccomp: %s has the other byte order; skipped", arch_name);
			continue;
		}
		if (rc < 0)
			return engine_error_errno(err, -rc, "seccomp: merging the %s filter", arch_name);
		sub = NULL; /* seccomp_merge took it */
	}

	/* A binary search over syscall numbers instead of a linear list: the
	 * default profile has hundreds of rules and every syscall pays for the
	 * search.  And have seccomp_load report the kernel's own errno rather
	 * than ECANCELED.  Both are optimisations; older libseccomp lacks them. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		engine_debug("seccomp: binary-tree optimisation not available");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) < 0)
		engine_debug("seccomp: raw error codes not available");

	*ret_ctx = steal_pointer(&ctx);
	return 0;
}

int engine_seccomp_load(void *ctx, struct engine_error **err)
{
	if (ctx == NULL)
		return engine_error_set(err, EINVAL, "seccomp: no filter to load");
	int rc = seccomp_load(ctx);
	if (rc == -EACCES)
		return engine_error_errno(err, EACCES, "seccomp: loading the filter (it needs "
					  "no_new_privs or CAP_SYS_ADMIN)");
	if (rc < 0)
		return engine_error_errno(err, -rc, "seccomp: loading the filter");
	return 0;
}

void engine_seccomp_release(void *ctx)
{
	if (ctx != NULL)
		seccomp_release(ctx);
}
