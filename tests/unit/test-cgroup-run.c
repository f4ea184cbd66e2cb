/* test-cgroup-run.c: the run flags of (libengine/cgroup/run.c, and
 * cmd/cgroup-flags.c which maps them to fields): Docker's parsing and
 * messages, the checks across flags, and the limits they make
 * for the cgroup manager (swap as Docker counts it, --cpus as a quota,
 * --cpu-shares as a weight, the default --pids-limit where pids is
 * delegated). */
#include <string.h>

#include "cmd/cgroup-flags.h"
#include "libengine/cgroup/run.h"
#include "libengine/runtime/spec.h"
#include "tap.h"

/* The tests name the flags as the CLI does; cgroup-flags.c maps them. */
static const struct {
	const char *name;
	enum engine_cgroup_field field;
} fields[] = {
	{ "memory", ENGINE_CGROUP_FIELD_MEMORY },
	{ "memory-swap", ENGINE_CGROUP_FIELD_MEMORY_SWAP },
	{ "memory-reservation", ENGINE_CGROUP_FIELD_MEMORY_RESERVATION },
	{ "cpus", ENGINE_CGROUP_FIELD_CPUS },
	{ "cpu-shares", ENGINE_CGROUP_FIELD_CPU_SHARES },
	{ "cpu-quota", ENGINE_CGROUP_FIELD_CPU_QUOTA },
	{ "cpu-period", ENGINE_CGROUP_FIELD_CPU_PERIOD },
	{ "cpuset-cpus", ENGINE_CGROUP_FIELD_CPUSET_CPUS },
	{ "pids-limit", ENGINE_CGROUP_FIELD_PIDS_LIMIT },
	{ "cgroups", ENGINE_CGROUP_FIELD_CGROUPS },
	{ "cgroup-parent", ENGINE_CGROUP_FIELD_CGROUP_PARENT },
};

static enum engine_cgroup_field field_of(const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].field;
	return (enum engine_cgroup_field)-1;
}

static int flag(struct engine_run_spec *spec, const char *name, const char *value, char *msg,
		size_t size)
{
	struct engine_error *err = NULL;
	int r = cmd_cgroup_flag_set(spec, field_of(name), value, &err);
	snprintf(msg, size, "%s", err ? err->msg : "");
	engine_error_free(&err);
	return r < 0 ? -1 : r; /* the library returns -errno */
}

static int check(const struct engine_run_spec *spec, char *msg, size_t size)
{
	struct engine_error *err = NULL;
	int r = engine_cgroup_run_flags_check(spec, &err);
	snprintf(msg, size, "%s", err ? err->msg : "");
	engine_error_free(&err);
	return r < 0 ? -1 : r; /* the library returns -errno */
}

static void test_parse(void)
{
	struct engine_run_spec spec = { 0 };
	char msg[512];
	ok(!engine_cgroup_spec_any(&spec), "no flag: no limit");
	is_int(flag(&spec, "memory", "32m", msg, sizeof(msg)), 0, "--memory 32m");
	is_int((int)(spec.cg_memory >> 20), 32, "32 MiB");
	ok(engine_cgroup_spec_any(&spec), "a limit now");
	is_int(flag(&spec, "memory", "abc", msg, sizeof(msg)), -1, "--memory abc");
	is_str(msg, "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'", "Docker's message");
	is_int(flag(&spec, "memory", "1m", msg, sizeof(msg)), -1, "--memory 1m");
	is_str(msg, "Minimum memory limit allowed is 6MB", "Docker's minimum");
	is_int(flag(&spec, "memory-swap", "-1", msg, sizeof(msg)), 0, "--memory-swap -1");
	is_int((int)spec.cg_memory_swap, -1, "unlimited swap");
	is_int(flag(&spec, "cpus", "0.5", msg, sizeof(msg)), 0, "--cpus 0.5");
	is_int(flag(&spec, "cpus", "x", msg, sizeof(msg)), -1, "--cpus x");
	is_str(msg, "invalid argument \"x\" for \"--cpus\" flag: failed to parse x as a rational number", "message");
	is_int(flag(&spec, "pids-limit", "0", msg, sizeof(msg)), 0, "--pids-limit 0");
	is_int((int)spec.cg_pids_limit, -1, "0 is unlimited, as Docker");
	is_int(flag(&spec, "pids-limit", "2x", msg, sizeof(msg)), -1, "--pids-limit 2x");
	is_int(flag(&spec, "cpuset-cpus", "0-1,3", msg, sizeof(msg)), 0, "--cpuset-cpus 0-1,3");
	is_int(flag(&spec, "cpuset-cpus", "3-", msg, sizeof(msg)), -1, "--cpuset-cpus 3-");
	is_int(flag(&spec, "cgroups", "split", msg, sizeof(msg)), 0, "--cgroups split");
	is_str(spec.cgroups_mode, "split", "recorded");
	is_int(flag(&spec, "cgroups", "enabled", msg, sizeof(msg)), 0, "--cgroups enabled");
	ok(spec.cgroups_mode == NULL, "enabled is the default (NULL)");
	is_int(flag(&spec, "cgroups", "x", msg, sizeof(msg)), -1, "--cgroups x");
	/* --cgroup-parent: kept as given; its form is checked with the manager. */
	is_int(flag(&spec, "cgroup-parent", "sub/dir", msg, sizeof(msg)), 0, "--cgroup-parent sub/dir");
	is_str(spec.cgroup_parent, "sub/dir", "recorded");
	is_int(flag(&spec, "cgroup-parent", "", msg, sizeof(msg)), -1, "--cgroup-parent ''");
	struct engine_run_spec only_parent = { .cgroup_parent = spec.cgroup_parent };
	ok(!engine_cgroup_spec_any(&only_parent), "a parent is not a limit");
	engine_run_spec_free(&spec);
}

/* The library names the field and says why a value does not parse;
 * the CLI adds its flag's name around it. */
static void test_flag_names(void)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *name = cmd_cgroup_flag_name(fields[i].field);
		const char *dashed = name != NULL ? strstr(name, "--") : NULL;
		ok(dashed != NULL && strcmp(dashed + 2, fields[i].name) == 0, "field %s: flag %s",
		   fields[i].name, name ? name : "(none)");
	}
	is_str(cmd_cgroup_flag_name(ENGINE_CGROUP_FIELD_MEMORY), "-m, --memory", "-m is --memory");
	ok(cmd_cgroup_flag_name((enum engine_cgroup_field)99) == NULL, "no flag for an unknown field");

	struct engine_run_spec spec = { 0 };
	struct engine_error *err = NULL;
	is_int(engine_cgroup_run_set(&spec, ENGINE_CGROUP_FIELD_MEMORY, "abc", &err),
	       ENGINE_CGROUP_BAD_SYNTAX, "library: a value that does not parse");
	is_str(err ? err->msg : "", "invalid size: 'abc'", "library: why, no flag name");
	engine_error_free(&err);
	is_int(engine_cgroup_run_set(&spec, ENGINE_CGROUP_FIELD_PIDS_LIMIT, "lots", &err),
	       ENGINE_CGROUP_BAD_SYNTAX, "library: --pids-limit lots");
	ok(err != NULL && strstr(err->msg, "--") == NULL, "library: no flag in \"%s\"", err ? err->msg : "");
	engine_error_free(&err);
	is_int(engine_cgroup_run_set(&spec, ENGINE_CGROUP_FIELD_MEMORY, "1m", &err) < 0, 1,
	       "library: under the minimum");
	is_str(err ? err->msg : "", "Minimum memory limit allowed is 6MB", "a message that stands alone");
	engine_error_free(&err);
	is_int(engine_cgroup_run_set(&spec, ENGINE_CGROUP_FIELD_CGROUP_PARENT, "", &err) < 0, 1,
	       "library: an empty parent");
	ok(err != NULL && strstr(err->msg, "--") == NULL, "library: no flag in \"%s\"", err ? err->msg : "");
	engine_error_free(&err);

	char msg[512];
	is_int(flag(&spec, "pids-limit", "lots", msg, sizeof(msg)), -1, "cmd: --pids-limit lots");
	is_str(msg, "invalid argument \"lots\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"lots\": invalid syntax",
	       "cmd: Docker's message, with the flag");
	is_int(flag(&spec, "cgroup-parent", "", msg, sizeof(msg)), -1, "cmd: --cgroup-parent ''");
	is_str(msg, "--cgroup-parent: an empty name", "cmd: the flag named");
	engine_run_spec_free(&spec);
}

static void test_checks(void)
{
	struct engine_run_spec spec = { 0 };
	char msg[512];
	flag(&spec, "cpus", "1", msg, sizeof(msg));
	flag(&spec, "cpu-period", "50000", msg, sizeof(msg));
	is_int(check(&spec, msg, sizeof(msg)), -1, "--cpus with --cpu-period");
	is_str(msg, "Conflicting options: Nano CPUs and CPU Period cannot both be set", "Docker's message");
	engine_run_spec_free(&spec);
	memset(&spec, 0, sizeof(spec));
	flag(&spec, "memory-swap", "64m", msg, sizeof(msg));
	is_int(check(&spec, msg, sizeof(msg)), -1, "--memory-swap alone");
	flag(&spec, "memory", "128m", msg, sizeof(msg));
	is_int(check(&spec, msg, sizeof(msg)), -1, "--memory-swap under --memory");
	flag(&spec, "memory-swap", "256m", msg, sizeof(msg));
	is_int(check(&spec, msg, sizeof(msg)), 0, "--memory 128m --memory-swap 256m");
	flag(&spec, "cgroups", "disabled", msg, sizeof(msg));
	is_int(check(&spec, msg, sizeof(msg)), -1, "limits with --cgroups disabled");
	engine_run_spec_free(&spec);
}

static void test_limits(void)
{
	struct engine_run_spec spec = { 0 };
	struct engine_cgroup_limits l;
	char msg[512];
	struct engine_cgroup_detection det = { .controllers = ENGINE_CGROUP_PIDS | ENGINE_CGROUP_MEMORY };
	engine_cgroup_spec_limits(&spec, NULL, &l);
	ok(!engine_cgroup_limits_any(&l), "no flags, no detection: nothing to apply");
	engine_cgroup_spec_limits(&spec, &det, &l);
	is_int((int)l.pids_max, 2048, "pids delegated: pids.max 2048 by default");
	flag(&spec, "memory", "32m", msg, sizeof(msg));
	flag(&spec, "cpus", "0.5", msg, sizeof(msg));
	flag(&spec, "cpu-shares", "1024", msg, sizeof(msg));
	flag(&spec, "pids-limit", "20", msg, sizeof(msg));
	engine_cgroup_spec_limits(&spec, &det, &l);
	is_int((int)l.memory_max, 33554432, "memory.max");
	is_int((int)l.memory_swap_max, 33554432, "swap: as much again as memory, Docker's default");
	is_int((int)l.cpu_quota_us, 50000, "cpu quota 50000");
	is_int((int)l.cpu_period_us, 0, "the default period");
	is_int((int)l.cpu_weight, (int)engine_cgroup_shares_to_weight(1024), "cpu.weight from shares");
	is_int((int)l.pids_max, 20, "pids.max 20");
	flag(&spec, "memory-swap", "48m", msg, sizeof(msg));
	engine_cgroup_spec_limits(&spec, &det, &l);
	is_int((int)l.memory_swap_max, 16 << 20, "--memory-swap is the total: 16 MiB of swap");
	flag(&spec, "memory-swap", "-1", msg, sizeof(msg));
	engine_cgroup_spec_limits(&spec, &det, &l);
	is_int((int)l.memory_swap_max, -2, "--memory-swap -1: unlimited");
	flag(&spec, "pids-limit", "-1", msg, sizeof(msg));
	engine_cgroup_spec_limits(&spec, &det, &l);
	is_int((int)l.pids_max, 0, "--pids-limit -1: unlimited (max)");
	engine_run_spec_free(&spec);
}

int main(void)
{
	test_parse();
	test_checks();
	test_flag_names();
	test_limits();
	return done_testing();
}
