/* test-runopts.c: the run options of as the CLI checks them:
 * --ulimit values, the --sysctl allow-list, signal names, and the flags
 * themselves through cmd_run_parse. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "libengine/runtime/rlimits.h"
#include "run-parse.h"
#include "libengine/runtime/sysctl.h"
#include "tap.h"

#define parse(spec, err, ...) run_parse(spec, err, NULL, __VA_ARGS__)

int main(void)
{
	struct engine_error *err = NULL;
	int res;
	struct rlimit rl;

	ok(engine_ulimit_parse("nofile=1024:2048", &res, &rl, &err) == 0 && res == RLIMIT_NOFILE &&
		   rl.rlim_cur == 1024 && rl.rlim_max == 2048,
	   "nofile=SOFT:HARD");
	ok(engine_ulimit_parse("core=0", &res, &rl, &err) == 0 && res == RLIMIT_CORE &&
		   rl.rlim_cur == 0 && rl.rlim_max == 0,
	   "one value is both limits");
	ok(engine_ulimit_parse("memlock=-1:unlimited", &res, &rl, &err) == 0 &&
		   rl.rlim_cur == RLIM_INFINITY && rl.rlim_max == RLIM_INFINITY,
	   "-1 and unlimited");
	ok(engine_ulimit_parse("nice=unlimited:10", &res, &rl, &err) < 0, "soft above hard");
	engine_error_free(&err);
	static const char *const bad[] = { "nofile", "=1", "bogus=1", "nofile=", "nofile=1:",
					   "nofile=x", "nofile=1:2:3", "nofile=99999999999999999999999",
					   "nofile=-2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(engine_ulimit_parse(bad[i], &res, &rl, &err) < 0 && err != NULL, "refused: %s", bad[i]);
		engine_error_free(&err);
	}

	static const char *const allowed[] = { "kernel.shmmax=1", "kernel.sem=1 2 3 4",
					       "fs.mqueue.msg_max=20", "kernel.domainname=x",
					       "kernel/msgmax=5", "net.ipv4.ip_forward=1" };
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ok(engine_sysctl_check(allowed[i], true, &err) == 0, "allowed: %s", allowed[i]);
	static const char *const refused[] = { "kernel.panic=1", "vm.swappiness=1", "kernel.shmmax",
					       "../kernel/panic=1", "net..x=1", "kernel.shmmax.=1",
					       "=1", "kernel.shmmaxx=1" };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ok(engine_sysctl_check(refused[i], true, &err) < 0, "refused: %s", refused[i]);
		engine_error_free(&err);
	}
	ok(engine_sysctl_check("net.ipv4.ip_forward=1", false, &err) < 0 &&
		   strstr(err->msg, "host's network") != NULL,
	   "net.* refused with the host's network");
	engine_error_free(&err);

	is_int(engine_signal_parse("SIGTERM"), SIGTERM, "SIGTERM");
	is_int(engine_signal_parse("usr1"), SIGUSR1, "usr1");
	is_int(engine_signal_parse("9"), SIGKILL, "9");
	is_int(engine_signal_parse("0"), -1, "0 is no signal");
	is_int(engine_signal_parse("SIGBOGUS"), -1, "unknown name");
	char name[32];
	is_str(engine_signal_name(SIGQUIT, name, sizeof(name)), "SIGQUIT", "name of 3");

	struct engine_run_spec s = { 0 };
	ok(parse(&s, &err, "--rootfs", "/", "--userns=keep-id", "--init", "--ulimit", "nofile=5:6",
		 "--ulimit=core=0", "--sysctl", "kernel.shmmax=1", "--stop-signal", "SIGQUIT",
		 "--stop-timeout", "3", "--cidfile", "/tmp/x", "true", NULL) == 0,
	   "every option parses");
	is_str(s.userns, "keep-id", "userns");
	ok(s.init, "init");
	ok(s.n_ulimits == 2 && strcmp(s.ulimits[1], "core=0") == 0 && s.ulimits[2] == NULL,
	   "ulimits kept in order");
	ok(s.n_sysctls == 1, "sysctls");
	is_int(s.stop_signal, SIGQUIT, "stop signal");
	ok(s.stop_timeout_set && s.stop_timeout == 3, "stop timeout");
	is_str(s.cidfile, "/tmp/x", "cidfile");
	ok(parse(&s, &err, "--rootfs", "/", "--userns=host", "true", NULL) == 0 && s.userns == NULL,
	   "--userns=host is the default");
	ok(parse(&s, &err, "--rootfs", "/", "--userns=auto", "true", NULL) == 0 &&
		   strcmp(s.userns, "auto") == 0 && s.userns_auto_size == 0,
	   "--userns=auto");
	ok(parse(&s, &err, "--rootfs", "/", "--userns=auto:size=2048", "true", NULL) == 0 &&
		   strcmp(s.userns, "auto") == 0 && s.userns_auto_size == 2048,
	   "--userns=auto:size=N");
	static const char *const bad_userns[] = { "--userns=auto:size=0", "--userns=auto:size=65537",
						  "--userns=auto:size=", "--userns=auto:size=1x",
						  "--userns=auto:",      "--userns=nomap-ish" };
	for (size_t i = 0; i < sizeof(bad_userns) / sizeof(bad_userns[0]); i++) {
		ok(parse(&s, &err, "--rootfs", "/", bad_userns[i], "true", NULL) < 0, "refused: %s",
		   bad_userns[i]);
	}
	ok(parse(&s, &err, "--rootfs", "/", "--stop-signal", "NOPE", "true", NULL) < 0,
	   "bad --stop-signal");
	ok(parse(&s, &err, "--rootfs", "/", "--stop-timeout", "-1", "true", NULL) < 0,
	   "negative --stop-timeout");
	ok(parse(&s, &err, "--rootfs", "/", "--sysctl", "net.core.somaxconn=5", "--network", "host",
		 "true", NULL) < 0,
	   "net sysctl checked against a later --network host");
	ok(parse(&s, &err, "--rootfs", "/", "--ulimit", "nofile=2:1", "true", NULL) < 0, "bad --ulimit");
	engine_run_spec_free(&s);
	engine_error_free(&err);
	return done_testing();
}
