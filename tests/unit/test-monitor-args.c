/* test-monitor-args.c: the monitor's run flags: --restart,
 * --log-driver, --log-opt, as cmd_run_parse() takes them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "run-parse.h"
#include "tap.h"

static char *const rootfs_true[] = { "--rootfs", "/", "true", NULL };

/* parse(SPEC, ERR, FLAG..., NULL): `run FLAG... --rootfs / true`. */
#define parse(spec, err, ...) run_parse(spec, err, rootfs_true, __VA_ARGS__)

int main(void)
{
	struct engine_run_spec s = { 0 };
	struct engine_error *err = NULL;

	ok(parse(&s, &err, NULL) == 0 && s.restart_policy == NULL && s.log_driver == NULL &&
		   s.log_max_size == 0 && s.log_max_file == 0,
	   "defaults: no restart, k8s-file, no rotation");
	ok(parse(&s, &err, "--restart", "on-failure:3", NULL) == 0, "on-failure:3 parses");
	is_str(s.restart_policy, "on-failure", "policy name");
	is_int(s.restart_max, 3, "retry count");
	ok(parse(&s, &err, "--restart=always", NULL) == 0 && strcmp(s.restart_policy, "always") == 0,
	   "always");
	ok(parse(&s, &err, "--restart", "unless-stopped", NULL) == 0 &&
		   strcmp(s.restart_policy, "unless-stopped") == 0,
	   "unless-stopped");
	ok(parse(&s, &err, "--restart", "no", NULL) == 0 && s.restart_policy == NULL, "no");
	ok(parse(&s, &err, "--restart", "sometimes", NULL) < 0 && strstr(err->msg, "sometimes"),
	   "an unknown policy is refused, naming it");
	ok(parse(&s, &err, "--restart", "always:2", NULL) < 0, "a count only with on-failure");
	ok(parse(&s, &err, "--restart", "on-failure:x", NULL) < 0, "a count is a number");
	ok(parse(&s, &err, "--restart", "on-failure:-1", NULL) < 0, "and not negative");
	ok(parse(&s, &err, "--restart", "always", "--rm", NULL) < 0 &&
		   strcmp(err->msg, "Conflicting options: --restart and --rm") == 0,
	   "--restart with --rm: Docker's message");
	ok(parse(&s, &err, "--rm", "--restart", "no", NULL) == 0, "--restart no with --rm is fine");

	ok(parse(&s, &err, "--log-driver", "json-file", "--log-opt", "max-size=10k", "--log-opt",
		 "max-file=3", NULL) == 0,
	   "json-file with rotation parses");
	is_str(s.log_driver, "json-file", "driver");
	is_int(s.log_max_size, 10240, "10k is 10 KiB");
	is_int(s.log_max_file, 3, "max-file");
	ok(parse(&s, &err, "--log-opt", "max-size=1.5m", NULL) == 0 && s.log_max_size == 1572864,
	   "fractions and m");
	ok(parse(&s, &err, "--log-opt", "max-size=100", NULL) == 0 && s.log_max_size == 100,
	   "plain bytes");
	ok(parse(&s, &err, "--log-driver", "k8s-file", NULL) == 0 && s.log_driver == NULL,
	   "k8s-file is the default");
	ok(parse(&s, &err, "--log-driver", "none", NULL) == 0 && strcmp(s.log_driver, "none") == 0,
	   "none");
	ok(parse(&s, &err, "--log-driver", "syslog", NULL) < 0 && strstr(err->msg, "syslog"),
	   "an unsupported driver is refused, naming it");
	ok(parse(&s, &err, "--log-opt", "max-size=lots", NULL) < 0, "a bad size");
	ok(parse(&s, &err, "--log-opt", "max-size=0", NULL) < 0, "a zero size");
	ok(parse(&s, &err, "--log-opt", "max-file=0", NULL) < 0, "max-file at least 1");
	ok(parse(&s, &err, "--log-opt", "tag=x", NULL) < 0 && strstr(err->msg, "tag=x"),
	   "an unknown option names itself");
	ok(parse(&s, &err, "--log-opt", "max-size", NULL) < 0, "KEY=VALUE required");

	engine_run_spec_free(&s);
	engine_error_free(&err);
	return done_testing();
}
