/* test-run-args.c: `engine run` flag parsing and the spec validators. */
#include <stdlib.h>
#include <string.h>

#include "libengine/runtime/caps.h"
#include "run-parse.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

#define parse(spec, err, ...) run_parse(spec, err, NULL, __VA_ARGS__)

#define CAP(c) (UINT64_C(1) << engine_cap_from_name(c))

/* A command line `engine run` refuses: ARGV (NULL-terminated), and
 * MESSAGE, all of the error's text where EXACT, else a part of it (NULL: any
 * message). */
struct refusal {
	char *argv[8];
	const char *message;
	int exact;
	const char *name;
};

static const struct refusal flag_errors[] = {
	{ { "--rootfs", "/", "--bogus", "true" }, "unknown flag: --bogus", 1, "unknown long flag named" },
	{ { "--rootfs", "/", "-Z", "true" }, "unknown shorthand flag: 'Z'", 0, "unknown short flag named" },
	/* The word that holds the letter, not the word before it. */
	{ { "--rootfs", "/", "-Z0", "true" },
	  "unknown shorthand flag: 'Z' in -Z0",
	  1,
	  "unknown letter inside a word: that word named" },
	{ { "--rootfs", "/", "-iZ", "true" },
	  "unknown shorthand flag: 'Z' in -iZ",
	  1,
	  "unknown letter ending a bundle: that word named" },
	{ { "--rootfs", "/", "-e" }, "flag needs an argument", 0, "missing value" },
};

static const struct refusal spec_errors[] = {
	{ { "--rootfs", "/nonexistent-rootfs", "true" }, "/nonexistent-rootfs", 0, "missing rootfs named" },
	{ { "--rootfs", "/etc/passwd", "true" }, "not a directory", 0, "a file as rootfs" },
	{ { "--rootfs", "/" }, "no command", 0, "no command" },
	{ { "--rootfs", "/", "--network", "bogus", "true" }, "bogus", 0, "bad network mode" },
	{ { "--rootfs", "/", "--rm=maybe", "true" }, "maybe", 0, "bad boolean" },
	{ { "--rootfs", "/", "--security-opt", "foo=bar", "true" }, NULL, 0, "unknown security-opt" },
};

static const struct refusal attach_errors[] = {
	{ { "--rootfs", "/", "-a", "all", "true" },
	  "valid streams are STDIN, STDOUT and STDERR",
	  0,
	  "-a of an unknown stream" },
	{ { "--rootfs", "/", "-d", "-a", "stdout", "true" }, "Conflicting options: -a and -d", 0, "-a with -d" },
};

static const struct refusal bad_detach_keys = {
	{ "--rootfs", "/", "--detach-keys", "ctrl-", "true" }, "Invalid detach keys", 0, "--detach-keys ctrl-"
};

static void check_refused(struct engine_run_spec *s, struct engine_error **err, const struct refusal *r)
{
	int refused = run_parse(s, err, r->argv, NULL) < 0;
	if (r->message != NULL)
		refused = refused && (r->exact ? strcmp((*err)->msg, r->message) == 0
					       : strstr((*err)->msg, r->message) != NULL);
	ok(refused, "%s", r->name);
	engine_run_spec_free(s);
}

int main(void)
{
	struct engine_run_spec s = { 0 };
	struct engine_error *err = NULL;

	ok(parse(&s, &err, "--rootfs", "/", "-it", "-e", "A=1", "-eB=2", "--env=A=3", "-w", "/tmp",
		 "-u", "1000:1000", "-h", "box", "--network", "host", "sh", "-c", "echo hi", NULL) == 0,
	   "a full command line parses");
	ok(s.interactive && s.tty, "-it sets both");
	is_str(engine_env_get(&s, "A"), "3", "a later -e replaces an earlier one");
	is_str(engine_env_get(&s, "B"), "2", "-eB=2 attached form");
	is_str(s.workdir, "/tmp", "workdir");
	is_str(s.user, "1000:1000", "user");
	is_str(s.hostname, "box", "hostname");
	is_int(s.network, NETNS_MODE_HOST, "network host");
	ok(s.argv && strcmp(s.argv[0], "sh") == 0 && strcmp(s.argv[1], "-c") == 0 &&
		   strcmp(s.argv[2], "echo hi") == 0 && s.argv[3] == NULL,
	   "options after the command belong to it");
	is_int(strlen(s.id), 64, "a 64-hex id is generated");
	is_int(s.caps, engine_caps_default(), "default capabilities");
	engine_run_spec_free(&s);

	ok(parse(&s, &err, "--rootfs", "/", "--cap-add", "net_admin,SYS_PTRACE", "--cap-drop",
		 "CAP_CHOWN", "true", NULL) == 0,
	   "cap-add/cap-drop with lists and both spellings");
	ok((s.caps & CAP("NET_ADMIN")) && (s.caps & CAP("SYS_PTRACE")) && !(s.caps & CAP("CHOWN")),
	   "capabilities changed");
	engine_run_spec_free(&s);
	ok(parse(&s, &err, "--rootfs", "/", "--cap-drop", "ALL", "--cap-add", "KILL", "true", NULL) == 0 &&
		   s.caps == CAP("KILL"),
	   "drop ALL then add one");
	engine_run_spec_free(&s);

	ok(parse(&s, &err, "--rootfs", "/", "--privileged", "true", NULL) == 0 &&
		   s.caps == engine_caps_all() && strcmp(s.seccomp_profile, "unconfined") == 0,
	   "--privileged: all caps, unconfined");
	engine_run_spec_free(&s);
	ok(parse(&s, &err, "--rootfs", "/", "--rm=false", "--security-opt", "no-new-privileges",
		 "--security-opt", "seccomp=unconfined", "true", NULL) == 0 &&
		   !s.remove && s.no_new_privileges && strcmp(s.seccomp_profile, "unconfined") == 0,
	   "--rm=false and --security-opt forms");
	engine_run_spec_free(&s);

	/* Errors: one message naming the thing at fault. */
	for (size_t i = 0; i < ARRAY_SIZE(flag_errors); i++)
		check_refused(&s, &err, &flag_errors[i]);
	cleanup_free char *cap_msg = NULL;
	ok(parse(&s, &err, "--rootfs", "/", "--cap-add", "NOPE", "true", NULL) < 0 &&
		   (cap_msg = cmd_error_text(err)) != NULL && strstr(cap_msg, "NOPE") != NULL &&
		   strstr(cap_msg, "--cap-add") != NULL,
	   "bad capability named with its flag");
	engine_run_spec_free(&s);
	for (size_t i = 0; i < ARRAY_SIZE(spec_errors); i++)
		check_refused(&s, &err, &spec_errors[i]);
	/* A foreground run's stdio: -a, --sig-proxy, --detach-keys. */
	ok(parse(&s, &err, "--rootfs", "/", "true", NULL) == 0 && !s.quiet_stdout && !s.quiet_stderr &&
		   !s.no_signal_forward,
	   "without -a: stdout and stderr relayed, signals forwarded");
	engine_run_spec_free(&s);
	ok(parse(&s, &err, "--rootfs", "/", "-a", "stdout", "--sig-proxy=false", "true", NULL) == 0 &&
		   !s.quiet_stdout && s.quiet_stderr && s.no_signal_forward,
	   "-a stdout: stderr only to the log; --sig-proxy=false");
	engine_run_spec_free(&s);
	ok(parse(&s, &err, "--rootfs", "/", "--attach=STDERR", "-a", "stdin", "true", NULL) == 0 &&
		   s.quiet_stdout && !s.quiet_stderr,
	   "--attach STDERR -a stdin: stdout only to the log");
	engine_run_spec_free(&s);
	for (size_t i = 0; i < ARRAY_SIZE(attach_errors); i++)
		check_refused(&s, &err, &attach_errors[i]);
	ok(parse(&s, &err, "--rootfs", "/", "--detach-keys", "ctrl-p,ctrl-q", "true", NULL) == 0,
	   "--detach-keys ctrl-p,ctrl-q");
	engine_run_spec_free(&s);
	check_refused(&s, &err, &bad_detach_keys);

	static const char *const bad_users[] = { "", "a:b:c", "-1", "1:-1", "4294967295", "us er",
						 "root:", ":0", "12abc" };
	for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
		engine_error_free(&err);
		ok(engine_user_spec_check(bad_users[i], &err) < 0, "--user \"%s\" refused", bad_users[i]);
	}
	static const char *const good_users[] = { "root", "1000", "1000:1000", "tester:extra",
						  "www-data", "4294967294" };
	for (size_t i = 0; i < sizeof(good_users) / sizeof(good_users[0]); i++) {
		engine_error_free(&err);
		ok(engine_user_spec_check(good_users[i], &err) == 0, "--user \"%s\" accepted",
		   good_users[i]);
	}

	static const char *const bad_wd[] = { "relative", "/proc/self/fd/7", "/proc//self/./fd",
					      "/proc/1/fd/3/x", "/proc/thread-self/fd" };
	for (size_t i = 0; i < sizeof(bad_wd) / sizeof(bad_wd[0]); i++) {
		engine_error_free(&err);
		ok(engine_workdir_check(bad_wd[i], &err) < 0, "--workdir %s refused", bad_wd[i]);
	}
	engine_error_free(&err);
	ok(engine_workdir_check("/proc/self/fdinfo", &err) == 0 && engine_workdir_check("/srv/fd", &err) == 0,
	   "look-alike workdirs accepted");

	struct engine_run_spec e = { 0 };
	const char envfile[] = "# comment\n\n  A=1\nB=two words \r\nEMPTY=\nHOME_FROM_HOST_UNSET_X\n";
	ok(engine_env_add_buffer(&e, envfile, strlen(envfile), "f", &err) == 0, "env file parses");
	is_str(engine_env_get(&e, "A"), "1", "leading space trimmed");
	is_str(engine_env_get(&e, "B"), "two words ", "value spaces kept, CR dropped");
	is_str(engine_env_get(&e, "EMPTY"), "", "empty value");
	ok(engine_env_get(&e, "HOME_FROM_HOST_UNSET_X") == NULL, "unset host variable skipped");
	ok(engine_env_add_buffer(&e, "=x\n", 3, "f", &err) < 0 && strstr(err->msg, "f:1") != NULL,
	   "bad line names file and line");
	engine_run_spec_free(&e);

	/* The library names the value or the field; the CLI's message names
	 * the flag, as it always has. */
	static const struct {
		const char *flag, *value, *want;
	} named[] = {
		{ "--log-driver", "bogus", "--log-driver bogus: unsupported logging driver (k8s-file, json-file or none)" },
		{ "--log-opt", "max-size", "--log-opt max-size: expected KEY=VALUE" },
		{ "--log-opt", "max-file=0", "--log-opt max-file=0: must be a positive number" },
		{ "--network", "bogus", "--network bogus: unknown network mode" },
		{ "--network", "container:", "--network container:: no container named" },
		{ "--network", "slirp4netns:foo=1", "--network slirp4netns: unknown option foo" },
		{ "--memory", "abc", "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'" },
		{ "--cgroup-parent", "", "--cgroup-parent: an empty name" },
		{ "--env-file", "/nonexistent/env", "--env-file: " },
		{ "--label-file", "/nonexistent/labels", "--label-file: " },
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		int r = parse(&s, &err, "--rootfs", "/", named[i].flag, named[i].value, "true", NULL);
		const char *msg = err != NULL ? err->msg : "";
		ok(r < 0 && strncmp(msg, named[i].want, strlen(named[i].want)) == 0, "%s %s: \"%s\"",
		   named[i].flag, named[i].value, msg);
		engine_run_spec_free(&s);
	}
	engine_error_free(&err);
	return done_testing();
}
