/* run.c: between the run flags and the cgroup manager library
 *.  The values are parsed here by field, in Docker's syntax
 * and with its messages; the flags that name the fields are the CLI's
 * (cmd/cgroup-flags.c), which adds a flag's name to a message.  The spec keeps
 * them as given (config.json records them) and the limits are made only
 * at start, once the manager is known: the default --pids-limit depends
 * on what is delegated where the container starts. */
#include "libengine/cgroup/run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libengine/container/containers.h"
#include "libengine/runtime/spec.h"

/* Podman's default where the pids controller is there. */
#define DEFAULT_PIDS_LIMIT 2048

/* VALUE does not parse: the caller, which knows the flag, says which. */
static int bad_value(const char *why, struct engine_error **err)
{
	engine_error_set(err, EINVAL, "%s", why);
	return ENGINE_CGROUP_BAD_SYNTAX;
}

static int parse_int(const char *value, int64_t *ret, struct engine_error **err)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0) {
		char why[160];
		snprintf(why, sizeof(why), "strconv.ParseInt: parsing \"%.100s\": invalid syntax", value);
		return bad_value(why, err);
	}
	*ret = v;
	return 0;
}

static int parse_size(enum engine_cgroup_field field, const char *value, int64_t *ret,
		      struct engine_error **err)
{
	/* --memory-swap -1: unlimited swap. */
	if (field == ENGINE_CGROUP_FIELD_MEMORY_SWAP && strcmp(value, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	if (engine_parse_memory_size(value, ret) < 0) {
		char why[160];
		snprintf(why, sizeof(why), "invalid size: '%.100s'", value);
		return bad_value(why, err);
	}
	return 0;
}

static int set_cpus(struct engine_run_spec *spec, const char *value, struct engine_error **err)
{
	char *end = NULL;
	double cpus = strtod(value, &end);
	if (*value == '\0' || *end != '\0') {
		char why[160];
		snprintf(why, sizeof(why), "failed to parse %.100s as a rational number", value);
		return bad_value(why, err);
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	uint64_t quota;
	if (cpus < 0 || cpus > (double)ncpu ||
	    (cpus > 0 && engine_cgroup_cpus_to_quota(cpus, 0, &quota) < 0))
		return engine_error_set(err, EINVAL,
					"Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available",
					ncpu, ncpu);
	spec->cg_cpus = cpus;
	return 0;
}

static int set_string(char **field, const char *value, struct engine_error **err)
{
	char *copy = strdup(value);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int engine_cgroup_run_set(struct engine_run_spec *spec, enum engine_cgroup_field field,
			  const char *value, struct engine_error **err)
{
	int64_t v = 0;
	int r;
	switch (field) {
	case ENGINE_CGROUP_FIELD_MEMORY:
		if ((r = parse_size(field, value, &spec->cg_memory, err)) < 0)
			return r;
		/* Docker's daemon: less cannot hold a container's init. */
		if (spec->cg_memory > 0 && spec->cg_memory < 6 * 1024 * 1024)
			return engine_error_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
		return 0;
	case ENGINE_CGROUP_FIELD_MEMORY_SWAP:
		return parse_size(field, value, &spec->cg_memory_swap, err);
	case ENGINE_CGROUP_FIELD_MEMORY_RESERVATION:
		return parse_size(field, value, &spec->cg_memory_reservation, err);
	case ENGINE_CGROUP_FIELD_CPUS:
		return set_cpus(spec, value, err);
	case ENGINE_CGROUP_FIELD_CPU_SHARES:
		if ((r = parse_int(value, &v, err)) < 0)
			return r;
		if (v < 0)
			return engine_error_set(err, EINVAL, "invalid CPU shares %s: must not be negative", value);
		spec->cg_cpu_shares = (uint64_t)v;
		return 0;
	case ENGINE_CGROUP_FIELD_CPU_QUOTA:
		if ((r = parse_int(value, &v, err)) < 0)
			return r;
		if (v > 0 && v < 1000)
			return engine_error_set(err, EINVAL, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
		spec->cg_cpu_quota = v > 0 ? (uint64_t)v : 0;
		return 0;
	case ENGINE_CGROUP_FIELD_CPU_PERIOD:
		if ((r = parse_int(value, &v, err)) < 0)
			return r;
		if (v != 0 && (v < 1000 || v > 1000000))
			return engine_error_set(err, EINVAL,
						"CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
		spec->cg_cpu_period = (uint64_t)v;
		return 0;
	case ENGINE_CGROUP_FIELD_CPUSET_CPUS: {
		uint8_t mask[128];
		if (engine_cgroup_parse_cpuset(value, mask, sizeof(mask)) < 0)
			return engine_error_set(err, EINVAL, "Invalid value %s for cpuset cpus", value);
		return set_string(&spec->cg_cpuset_cpus, value, err);
	}
	case ENGINE_CGROUP_FIELD_PIDS_LIMIT:
		if ((r = parse_int(value, &v, err)) < 0)
			return r;
		/* Docker: 0 or -1, unlimited. */
		spec->cg_pids_limit = v <= 0 ? -1 : v;
		return 0;
	case ENGINE_CGROUP_FIELD_CGROUPS:
		if (strcmp(value, "enabled") != 0 && strcmp(value, "disabled") != 0 &&
		    strcmp(value, "split") != 0)
			return engine_error_set(err, EINVAL,
						"invalid cgroup mode \"%s\": expected enabled, disabled or split", value);
		free(spec->cgroups_mode);
		spec->cgroups_mode = strcmp(value, "enabled") == 0 ? NULL : strdup(value);
		return 0;
	case ENGINE_CGROUP_FIELD_CGROUP_PARENT:
		/* What it must look like depends on the manager, known only
		 * at engine_cgroup_spec_detect(): checked there. */
		if (*value == '\0')
			return engine_error_set(err, EINVAL, "the cgroup parent is an empty name");
		return set_string(&spec->cgroup_parent, value, err);
	}
	return engine_error_set(err, EINVAL, "unknown cgroup field %d", (int)field);
}

int engine_cgroup_run_flags_check(const struct engine_run_spec *spec, struct engine_error **err)
{
	if (spec->cg_cpus > 0 && spec->cg_cpu_period > 0)
		return engine_error_set(err, EINVAL, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (spec->cg_cpus > 0 && spec->cg_cpu_quota > 0)
		return engine_error_set(err, EINVAL, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
	if (spec->cg_memory_swap != 0 && spec->cg_memory == 0)
		return engine_error_set(err, EINVAL,
					"You should always set the Memory limit when using Memoryswap limit, see usage");
	if (spec->cg_memory_swap > 0 && spec->cg_memory_swap < spec->cg_memory)
		return engine_error_set(err, EINVAL,
					"Minimum memoryswap limit should be larger than memory limit, see usage");
	if (spec->cg_memory > 0 && spec->cg_memory_reservation > spec->cg_memory)
		return engine_error_set(err, EINVAL,
					"Minimum memory limit can not be less than memory reservation limit, see usage");
	if (spec->cgroups_mode != NULL && strcmp(spec->cgroups_mode, "disabled") == 0 &&
	    engine_cgroup_spec_any(spec))
		return engine_error_setting(err, "cgroup mode", EINVAL,
					    "cannot set resource limits when cgroups are disabled (cgroup mode disabled)");
	return 0;
}

bool engine_cgroup_spec_any(const struct engine_run_spec *spec)
{
	return spec->cg_memory > 0 || spec->cg_memory_swap != 0 || spec->cg_memory_reservation > 0 ||
	       spec->cg_cpus > 0 || spec->cg_cpu_quota > 0 || spec->cg_cpu_period > 0 ||
	       spec->cg_cpu_shares > 0 || spec->cg_cpuset_cpus != NULL || spec->cg_pids_limit != 0;
}

void engine_cgroup_spec_limits(const struct engine_run_spec *spec,
			       const struct engine_cgroup_detection *det,
			       struct engine_cgroup_limits *l)
{
	engine_cgroup_limits_init(l);
	if (spec->cg_memory > 0) {
		l->memory_max = spec->cg_memory;
		/* Docker: --memory-swap is memory plus swap; unset, as much
		 * swap as memory; -1, unlimited. */
		if (spec->cg_memory_swap == -1)
			l->memory_swap_max = -2;
		else if (spec->cg_memory_swap > 0)
			l->memory_swap_max = spec->cg_memory_swap - spec->cg_memory;
		else
			l->memory_swap_max = spec->cg_memory;
	}
	if (spec->cg_memory_reservation > 0)
		l->memory_low = spec->cg_memory_reservation;
	l->cpu_period_us = spec->cg_cpu_period;
	if (spec->cg_cpus > 0)
		engine_cgroup_cpus_to_quota(spec->cg_cpus, 0, &l->cpu_quota_us);
	else if (spec->cg_cpu_quota > 0)
		l->cpu_quota_us = spec->cg_cpu_quota;
	l->cpu_weight = engine_cgroup_shares_to_weight(spec->cg_cpu_shares);
	l->cpuset_cpus = spec->cg_cpuset_cpus;
	if (spec->cg_pids_limit > 0)
		l->pids_max = spec->cg_pids_limit;
	else if (spec->cg_pids_limit < 0)
		l->pids_max = 0;
	else if (det != NULL && (det->controllers & ENGINE_CGROUP_PIDS))
		l->pids_max = DEFAULT_PIDS_LIMIT;
}

int engine_cgroup_spec_detect(const struct engine_run_spec *spec,
			      struct engine_cgroup_detection *ret, struct engine_error **err)
{
	const char *mode = spec->cgroups_mode;
	const char *override = spec->cgroup_manager;
	if (mode != NULL && strcmp(mode, "disabled") == 0)
		override = "disabled";
	else if (mode != NULL && strcmp(mode, "split") == 0)
		override = "cgroupfs";
	if (engine_cgroup_detect(override, ret, err) < 0)
		return -1;
	if (mode != NULL && strcmp(mode, "disabled") == 0)
		snprintf(ret->reason, sizeof(ret->reason), "%s", ENGINE_CGROUP_MODE_DISABLED_REASON);
	/* --cgroup-parent: a slice or a path, as the manager wants it. */
	return engine_cgroup_check_parent(ret, spec->cgroup_parent, err);
}

int engine_cgroup_of_state(const struct engine_container_state *st, struct engine_cgroup *ret,
			   struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (st->cgroup_path[0] == '\0' || st->status != ENGINE_CONTAINER_RUNNING)
		return engine_error_set(err, ENOTSUP,
					"the container has no cgroup of its own: cgroups are not delegated here (see engine info)");
	return engine_cgroup_open(st->cgroup_manager, st->cgroup_path,
				  st->cgroup_unit[0] ? st->cgroup_unit : NULL, ret, err);
}

bool engine_cgroup_state_paused(const struct engine_container_state *st)
{
	char buf[16];
	if (st->cgroup_path[0] == '\0' || st->status != ENGINE_CONTAINER_RUNNING)
		return false;
	return engine_cgroup_read(st->cgroup_path, "cgroup.freeze", buf, sizeof(buf)) == 0 &&
	       buf[0] == '1';
}

void engine_cgroup_state_signaled(const struct engine_container_state *st, int signal)
{
	struct engine_cgroup cg;
	if (st->cgroup_path[0] == '\0' || engine_cgroup_of_state(st, &cg, NULL) < 0)
		return;
	if (signal == SIGKILL)
		engine_cgroup_kill(&cg, SIGKILL, NULL);
	else if (engine_cgroup_state_paused(st))
		engine_cgroup_freeze(&cg, false, 5000, NULL);
	engine_cgroup_release(&cg);
}

int engine_cgroup_update(const struct engine_cgroup *cg, const struct engine_cgroup_limits *limits,
			 struct engine_error **err)
{
	if (cg->path == NULL)
		return engine_error_set(err, ENOTSUP, "the container has no cgroup");
	/* Inside a Delegate=yes scope or our delegated subtree the files
	 * are the user's to write, whichever manager made the cgroup. */
	if (engine_cgroup_write_limits(cg->path, limits, err) < 0)
		return -1;
	return engine_cgroup_verify_limits(cg, limits, err);
}
