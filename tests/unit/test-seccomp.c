/* test-seccomp.c: unit tests for libengine/seccomp.c and seccomp-default.c.
 *
 * Three kinds of test: the built-in table is checked as data (no two rows
 * fight over a syscall, the calls the container setup makes after loading
 * the filter stay allowed); the JSON parser is fed good and bad profiles and
 * must name what is wrong; and compiled filters are loaded for real in
 * forked children, which report what their syscalls returned through a pipe.
 * The children set no_new_privs first because unit tests run unprivileged.
 *
 * Where a probe is chosen, it is one whose answer differs with and without
 * the filter (keyctl, process_vm_readv and personality(ADDR_NO_RANDOMIZE)
 * succeed unfiltered, clone3(NULL) is EINVAL), so a filter that silently
 * failed to load cannot pass; a baseline run without the filter shows it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libengine/runtime/caps.h"
#include "common/cleanup.h"
#include "libengine/runtime/seccomp-profile.h"
#include "tap.h"

/* ---- log capture: compile reports dropped rules at debug level ----------- */

static int dropped_rules;

static void log_handler(int level, const char *msg)
{
	if (strncmp(msg, "seccomp: rule ", strlen("seccomp: rule ")) == 0) {
		dropped_rules++;
		printf("# %s\n", msg);
	}
}

/* ---- helpers ------------------------------------------------------------- */

static struct engine_seccomp_profile *parse(const char *json, struct engine_error **err)
{
	struct engine_seccomp_profile *profile = NULL;
	if (engine_seccomp_profile_parse_json(json, strlen(json), &profile, err) < 0)
		return NULL;
	return profile;
}

/* The parse must fail and the message must contain `want`. */
static void parse_fails(const char *json, const char *want, const char *what)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_seccomp_profile *profile = parse(json, &err);
	int good = profile == NULL && err != NULL && strstr(err->msg, want) != NULL &&
		   strchr(err->msg, '\n') == NULL;
	ok(good, "rejects %s", what);
	if (err != NULL)
		printf("#   message: %s\n", err->msg);
	if (!good)
		printf("#   wanted a message containing: %s\n", want);
	engine_seccomp_profile_free(profile);
}

static int compile_profile(const struct engine_seccomp_profile *profile, uint64_t caps,
			   void **ctx)
{
	cleanup_error struct engine_error *err = NULL;
	int rc = engine_seccomp_compile(profile, caps, ctx, &err);
	if (rc < 0)
		printf("#   compile: %s\n", err ? err->msg : "(no message)");
	return rc;
}

/* ---- running probes under a filter --------------------------------------- */

enum probe {
	P_LOADED, /* 0 if the filter loaded, else the errno */
	P_SECCOMP_MODE, /* the Seccomp: field of /proc/self/status */
	P_GETPID_SAME, /* 1 if getpid() still answers the right pid */
	P_KEXEC,
	P_MOUNT,
	P_KEYCTL,
	P_SYSCALL_1000,
	P_PERSONALITY_NORANDOM,
	P_PERSONALITY_QUERY,
	P_UNSHARE_USER,
	P_CLONE_NEWUSER,
	P_CLONE3,
	P_FORK,
	P_PROCESS_VM_READV,
	P_SOCKET,
	P_GETCWD,
	P_GETPRIORITY_MATCH,
	P_GETPRIORITY_OTHER,
	P_GETPGID_111,
	P_GETPGID_222,
	P_GETPGID_0,
	P_COUNT,
};

/* 0 when the call succeeded, else its errno. */
#define ERRNO_OF(expr) ((expr) < 0 ? errno : 0)

static int seccomp_mode(void)
{
	char line[256];
	int mode = -1;
	FILE *f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

static void run_probes(int *r)
{
	char buf[4096];

	r[P_SECCOMP_MODE] = seccomp_mode();
	/* Arguments the kernel rejects on its own (bad flags, a NULL target):
	 * the baseline runs unfiltered, and as root on CI, so these probes
	 * must never do anything.  A real mount here once stacked tmpfs over
	 * the host's "/". */
	r[P_KEXEC] = ERRNO_OF(syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL));
	r[P_MOUNT] = ERRNO_OF(mount("none", NULL, "tmpfs", 0, NULL));
	/* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), create 1 */
	r[P_KEYCTL] = ERRNO_OF(syscall(SYS_keyctl, 0, -3, 1));
	r[P_SYSCALL_1000] = ERRNO_OF(syscall(1000));
	r[P_PERSONALITY_NORANDOM] = ERRNO_OF(personality(ADDR_NO_RANDOMIZE));
	r[P_PERSONALITY_QUERY] = ERRNO_OF(personality(0xffffffff));
	r[P_UNSHARE_USER] = ERRNO_OF(unshare(CLONE_NEWUSER));

	/* If the filter let this through, the new process must leave at once. */
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	r[P_CLONE_NEWUSER] = pid < 0 ? errno : 0;
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);

	r[P_CLONE3] = ERRNO_OF(syscall(SYS_clone3, NULL, 0));

	pid_t child = fork();
	if (child == 0)
		_exit(7);
	int status = 0;
	r[P_FORK] = child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
				    WEXITSTATUS(status) == 7 ?
			    0 :
			    -1;

	static char source[16] = "hello";
	struct iovec local = { .iov_base = buf, .iov_len = sizeof(source) };
	struct iovec remote = { .iov_base = source, .iov_len = sizeof(source) };
	r[P_PROCESS_VM_READV] = ERRNO_OF(process_vm_readv(getpid(), &local, 1, &remote, 1, 0));

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r[P_SOCKET] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);

	r[P_GETCWD] = getcwd(buf, sizeof(buf)) == NULL ? errno : 0;

	errno = 0;
	r[P_GETPRIORITY_MATCH] = getpriority(PRIO_PROCESS, 12345) == -1 ? errno : 0;
	errno = 0;
	r[P_GETPRIORITY_OTHER] = getpriority(PRIO_PROCESS, 0) == -1 ? errno : 0;
	r[P_GETPGID_111] = ERRNO_OF(getpgid(111));
	r[P_GETPGID_222] = ERRNO_OF(getpgid(222));
	r[P_GETPGID_0] = ERRNO_OF(getpgid(0));
}

/* Fork, load ctx in the child (none when NULL), run the probes there, read
 * the results back. */
static int run_in_child(void *ctx, int *r)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int results[P_COUNT] = { 0 };
		close(fds[0]);
		pid_t self = getpid();
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(2);
		struct engine_error *err = NULL;
		if (ctx != NULL && engine_seccomp_load(ctx, &err) < 0)
			results[P_LOADED] = err != NULL && err->status != 0 ? err->status : -1;
		if (results[P_LOADED] == 0) {
			results[P_GETPID_SAME] = getpid() == self;
			run_probes(results);
		}
		if (write(fds[1], results, sizeof(results)) != (ssize_t)sizeof(results))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], r, sizeof(int) * P_COUNT);
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (n != (ssize_t)(sizeof(int) * P_COUNT) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("#   child failed: read %zd bytes, status 0x%x\n", n, status);
		return -1;
	}
	return 0;
}

/* ---- the built-in table --------------------------------------------------- */

static int names_overlap(const char *const *a, const char *const *b, const char **which)
{
	for (size_t i = 0; a[i] != NULL; i++)
		for (size_t j = 0; b[j] != NULL; j++)
			if (strcmp(a[i], b[j]) == 0) {
				*which = a[i];
				return 1;
			}
	return 0;
}

/* libseccomp resolves two rules for one syscall silently (an unconditional
 * rule overrides conditional ones, the first unconditional one wins), so
 * overlapping rows would make the policy depend on row order.  Rows may
 * share a syscall only when no capability set selects both, or when both
 * carry argument conditions (which then must differ: identical ones are
 * refused by libseccomp, and the compile test below would log it). */
static void test_builtin_table_has_no_conflicts(void)
{
	const struct engine_seccomp_builtin_profile *builtin = engine_seccomp_builtin_profile();
	int conflicts = 0;
	for (size_t i = 0; i < builtin->n_rules; i++) {
		for (size_t j = i + 1; j < builtin->n_rules; j++) {
			const struct engine_seccomp_builtin_rule *a = &builtin->rules[i], *b = &builtin->rules[j];
			const char *name = NULL;
			if (!names_overlap(a->names, b->names, &name))
				continue;
			uint64_t need = a->includes_caps | b->includes_caps;
			uint64_t refuse = a->excludes_caps | b->excludes_caps;
			if ((need & refuse) != 0)
				continue; /* no capability set selects both */
			if (a->has_arg && b->has_arg)
				continue;
			printf("#   rows %zu and %zu both apply to %s\n", i, j, name);
			conflicts++;
		}
	}
	is_int(conflicts, 0, "default table: no syscall is claimed by two rows at once");
}

static void test_builtin_allows_setup_calls(void)
{
	/* What the container setup runs after loading the filter (which it
	 * does while still holding CAP_SYS_ADMIN, before dropping it), and
	 * what the sealed exec stub runs (execveat of it; sendto of its
	 * error report). */
	static const char *const needed[] = {
		"capset",  "capget", "prctl", "setresuid", "setresgid", "setgroups", "close_range",
		"execve",  "execveat", "fcntl", "close", "exit_group", "write", "read", "openat",
		"dup3",	   "getpid", "rt_sigprocmask", "sendto", NULL,
	};
	const struct engine_seccomp_builtin_profile *builtin = engine_seccomp_builtin_profile();
	int missing = 0;
	for (size_t n = 0; needed[n] != NULL; n++) {
		int found = 0;
		for (size_t i = 0; i < builtin->n_rules && !found; i++) {
			const struct engine_seccomp_builtin_rule *row = &builtin->rules[i];
			if (row->action != ENGINE_SECCOMP_BUILTIN_ALLOW || row->includes_caps != 0 ||
			    row->has_arg || row->includes_arches != NULL)
				continue;
			for (size_t k = 0; row->names[k] != NULL && !found; k++)
				found = strcmp(row->names[k], needed[n]) == 0;
		}
		if (!found) {
			printf("#   %s is not allowed unconditionally\n", needed[n]);
			missing++;
		}
	}
	is_int(missing, 0, "default table: the setup calls made after loading are always allowed");
}

/* ---- the default profile, compiled and loaded ----------------------------- */

/* What the probes answer with no filter of ours.  The tests may run under
 * an outer filter (CI inside Docker or Podman refuses clone3 with ENOSYS),
 * so "allowed by our filter" means "answers as without it". */
static int baseline[P_COUNT];

static void test_baseline(void)
{
	ok(run_in_child(NULL, baseline) == 0, "probes run without a filter (baseline)");
	printf("#   baseline: keyctl %d, process_vm_readv %d, clone3 %d, personality %d\n",
	       baseline[P_KEYCTL], baseline[P_PROCESS_VM_READV], baseline[P_CLONE3],
	       baseline[P_PERSONALITY_NORANDOM]);
}

static void test_default_profile(void)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_seccomp_profile *profile = NULL;
	void *ctx = NULL;
	int r[P_COUNT];

	is_int(engine_seccomp_profile_default(&profile, &err), 0, "default profile builds");
	if (profile == NULL)
		return;

	dropped_rules = 0;
	is_int(compile_profile(profile, engine_caps_default(), &ctx), 0,
	       "default profile compiles for the default capabilities");
	is_int(dropped_rules, 0, "no rule of the default profile was dropped on any architecture");

	void *all_ctx = NULL;
	is_int(compile_profile(profile, engine_caps_all(), &all_ctx), 0,
	       "default profile compiles for all capabilities");
	void *none_ctx = NULL;
	is_int(compile_profile(profile, 0, &none_ctx), 0,
	       "default profile compiles for no capabilities");
	engine_seccomp_release(none_ctx);

	if (ctx != NULL && run_in_child(ctx, r) == 0) {
		is_int(r[P_LOADED], 0, "default caps: the filter loads (with no_new_privs)");
		is_int(r[P_SECCOMP_MODE], 2, "default caps: the child is in seccomp filter mode");
		is_int(r[P_GETPID_SAME], 1, "default caps: getpid works");
		is_int(r[P_KEXEC], EPERM, "default caps: kexec_load fails with EPERM");
		is_int(r[P_MOUNT], EPERM, "default caps: mount fails with EPERM");
		is_int(r[P_KEYCTL], EPERM, "default caps: keyctl fails with EPERM");
		is_int(r[P_SYSCALL_1000], ENOSYS, "default caps: syscall 1000 fails with ENOSYS");
		is_int(r[P_PERSONALITY_NORANDOM], ENOSYS,
		       "default caps: personality(ADDR_NO_RANDOMIZE) is not allowed (ENOSYS)");
		is_int(r[P_PERSONALITY_QUERY], 0, "default caps: personality(0xffffffff) works");
		is_int(r[P_UNSHARE_USER], EPERM, "default caps: unshare(CLONE_NEWUSER) fails with EPERM");
		is_int(r[P_CLONE_NEWUSER], EPERM,
		       "default caps: clone(CLONE_NEWUSER) fails with EPERM");
		is_int(r[P_CLONE3], ENOSYS, "default caps: clone3 fails with ENOSYS (glibc falls back)");
		is_int(r[P_FORK], 0, "default caps: fork (clone without namespace flags) works");
		is_int(r[P_PROCESS_VM_READV], EPERM,
		       "default caps: process_vm_readv fails with EPERM (no CAP_SYS_PTRACE)");
		is_int(r[P_SOCKET], 0, "default caps: socket works");
		is_int(r[P_GETCWD], 0, "default caps: getcwd works");
	} else {
		ok(0, "default caps: child ran");
	}

	if (all_ctx != NULL && run_in_child(all_ctx, r) == 0) {
		is_int(r[P_LOADED], 0, "all caps: the filter loads");
		is_int(r[P_CLONE3], baseline[P_CLONE3],
		       "all caps: clone3 answers as without the filter (EINVAL for NULL)");
		is_int(r[P_PROCESS_VM_READV], baseline[P_PROCESS_VM_READV],
		       "all caps: process_vm_readv answers as without the filter");
		is_int(r[P_PERSONALITY_NORANDOM], ENOSYS,
		       "all caps: personality(ADDR_NO_RANDOMIZE) is still refused");
	} else {
		ok(0, "all caps: child ran");
	}

	engine_seccomp_release(ctx);
	engine_seccomp_release(all_ctx);
	engine_seccomp_profile_free(profile);
}

/* ---- custom JSON profiles ------------------------------------------------- */

static const char custom_profile[] =
	"{\n"
	"  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
	"  \"comment\": \"unknown keys are ignored\",\n"
	"  \"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\",\n"
	"                   \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"] },\n"
	"                 { \"architecture\": \"SCMP_ARCH_AARCH64\",\n"
	"                   \"subArchitectures\": [\"SCMP_ARCH_ARM\"] } ],\n"
	"  \"syscalls\": [\n"
	"    { \"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13 },\n"
	"    { \"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33,\n"
	"      \"args\": [ { \"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\" },\n"
	"                  { \"index\": 1, \"value\": 12345, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\" } ] },\n"
	"    { \"name\": \"getpgid\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 34,\n"
	"      \"args\": [ { \"index\": 0, \"value\": 111, \"op\": \"SCMP_CMP_EQ\" },\n"
	"                  { \"index\": 0, \"value\": 222, \"op\": \"SCMP_CMP_EQ\" } ] },\n"
	"    { \"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
	"      \"includes\": { \"caps\": [\"CAP_SYS_BOOT\"], \"minKernel\": \"4.8\" },\n"
	"      \"excludes\": { \"arches\": [\"s390x\"] }, \"args\": null },\n"
	"    { \"names\": [\"no_such_syscall_in_any_kernel\"], \"action\": \"SCMP_ACT_KILL_PROCESS\" }\n"
	"  ]\n"
	"}\n";

static void test_custom_profile(void)
{
	cleanup_error struct engine_error *err = NULL;
	struct engine_seccomp_profile *profile = parse(custom_profile, &err);
	void *ctx = NULL;
	int r[P_COUNT];

	ok(profile != NULL, "a valid profile parses (archMap, name/names, args, includes, null)");
	if (profile == NULL) {
		printf("#   %s\n", err ? err->msg : "?");
		return;
	}
	is_int(compile_profile(profile, engine_caps_default(), &ctx), 0,
	       "it compiles (an unknown syscall name is skipped)");
	if (ctx != NULL && run_in_child(ctx, r) == 0) {
		is_int(r[P_LOADED], 0, "custom: the filter loads");
		is_int(r[P_GETCWD], EACCES, "custom: getcwd fails with errnoRet 13 (EACCES)");
		is_int(r[P_GETPID_SAME], 1, "custom: getpid is allowed by the default action");
		is_int(r[P_GETPRIORITY_MATCH], EDOM, "custom: a rule whose args all match applies");
		is_int(r[P_GETPRIORITY_OTHER], 0, "custom: the same rule with other args does not");
		is_int(r[P_GETPGID_111], ERANGE, "custom: a repeated arg index means any of (111)");
		is_int(r[P_GETPGID_222], ERANGE, "custom: a repeated arg index means any of (222)");
		is_int(r[P_GETPGID_0], 0, "custom: ... and no other value");
		is_int(r[P_PROCESS_VM_READV], baseline[P_PROCESS_VM_READV],
		       "custom: process_vm_readv answers as without the filter");
		is_int(r[P_CLONE3], baseline[P_CLONE3],
		       "custom: clone3 answers as without the filter");
	} else {
		ok(0, "custom: child ran");
	}
	engine_seccomp_release(ctx);
	engine_seccomp_profile_free(profile);
}

static void test_bad_profiles(void)
{
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\",", "invalid JSON at line 1", "bad JSON");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_LOG\"}",
		    "duplicate", "duplicate keys");
	parse_fails("[]", "top level: expected an object, got an array", "a non-object document");
	parse_fails("{\"syscalls\": []}", "defaultAction: missing", "a missing defaultAction");
	parse_fails("{\"defaultAction\": 3}", "defaultAction: expected a string, got an integer",
		    "a defaultAction of the wrong type");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}",
		    "syscalls: expected an array, got an object", "syscalls of the wrong type");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		    "[{\"names\": [\"read\", 7], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "syscalls[0].names[1]: expected a string, got an integer", "a non-string name");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		    "\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"write\"], \"action\": \"SCMP_ACT_FOO\"}]}",
		    "seccomp profile: syscalls[1].action: unknown action \"SCMP_ACT_FOO\"",
		    "an unknown action");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		    "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
		    "\"op\": \"SCMP_CMP_SORTOF\"}]}]}",
		    "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_SORTOF\"", "an unknown operator");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		    "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, "
		    "\"op\": \"SCMP_CMP_EQ\"}]}]}",
		    "syscalls[0].args[0].index: 6 is out of range (0..5)", "an argument index above 5");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"mount\"], "
		    "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_WIZARD\"]}}]}",
		    "syscalls[0].includes.caps[0]: unknown capability \"CAP_SYS_WIZARD\"",
		    "an unknown capability");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"ioctl\"], "
		    "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		    "syscalls[0].action: SCMP_ACT_NOTIFY is not supported", "SCMP_ACT_NOTIFY");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		    "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]}",
		    "syscalls[0].errnoRet: 70000 is out of range", "an errnoRet out of range");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"name\": \"read\", "
		    "\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		    "has both \"name\" and \"names\"", "both name and names");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], "
		    "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
		    "\"architectures\" and \"archMap\" are both given", "both architectures and archMap");
	parse_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		    "\"action\": \"SCMP_ACT_ALLOW\\n\\u0001\"}]}",
		    "unknown action \"SCMP_ACT_ALLOW\\x0a\\x01\"", "control characters (escaped)");

	/* Oversize: rejected before jansson sees a byte. */
	size_t big = 4 * 1024 * 1024 + 1;
	cleanup_free char *buf = malloc(big);
	if (buf != NULL) {
		cleanup_error struct engine_error *err = NULL;
		struct engine_seccomp_profile *profile = NULL;
		memset(buf, ' ', big);
		int rc = engine_seccomp_profile_parse_json(buf, big, &profile, &err);
		ok(rc < 0 && profile == NULL && err != NULL && strstr(err->msg, "over the limit") != NULL,
		   "rejects a profile over 4 MiB");
		if (err != NULL)
			printf("#   message: %s\n", err->msg);
	}
}

static void test_load_file(void)
{
	char dir[] = "/tmp/test-seccomp-XXXXXX";
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	char path[64];
	snprintf(path, sizeof(path), "%s/profile.json", dir);
	FILE *f = fopen(path, "we");
	if (f != NULL) {
		fputs(custom_profile, f);
		fclose(f);
	}

	cleanup_error struct engine_error *err = NULL;
	struct engine_seccomp_profile *profile = NULL;
	is_int(engine_seccomp_profile_load_file(path, &profile, &err), 0, "load_file reads a profile");
	engine_seccomp_profile_free(profile);
	profile = NULL;

	engine_error_free(&err);
	ok(engine_seccomp_profile_load_file(dir, &profile, &err) < 0 && err != NULL &&
		   strstr(err->msg, "not a regular file") != NULL,
	   "load_file refuses a directory");

	engine_error_free(&err);
	char missing[80];
	snprintf(missing, sizeof(missing), "%s/missing.json", dir);
	ok(engine_seccomp_profile_load_file(missing, &profile, &err) < 0 && err != NULL &&
		   strstr(err->msg, missing) != NULL && err->status == ENOENT,
	   "load_file names a missing file (ENOENT)");

	f = fopen(path, "we");
	if (f != NULL) {
		fputs("{\"defaultAction\": \"SCMP_ACT_KILL_SOMETIMES\"}", f);
		fclose(f);
	}
	engine_error_free(&err);
	ok(engine_seccomp_profile_load_file(path, &profile, &err) < 0 && err != NULL &&
		   strstr(err->msg, path) != NULL && strstr(err->msg, "defaultAction") != NULL,
	   "load_file errors name the file and the field");
	if (err != NULL)
		printf("#   message: %s\n", err->msg);

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	engine_log_set_handler(log_handler, ENGINE_LOG_DEBUG);
	test_builtin_table_has_no_conflicts();
	test_builtin_allows_setup_calls();
	test_baseline();
	test_default_profile();
	test_custom_profile();
	test_bad_profiles();
	test_load_file();
	return done_testing();
}
