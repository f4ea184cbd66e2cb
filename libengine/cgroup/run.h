/* run.h: the cgroup as `run`, the monitor and the container
 * commands use it: the run flags in Docker's syntax, the
 * limits they make, the manager a container gets, and the container's
 * recorded cgroup reopened.  cgroup.h is the manager library below. */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "libengine/cgroup/cgroup.h"
#include "common/error.h"

struct engine_run_spec;
struct engine_container_state;

/* The cgroup settings of a container, by field: a face (the CLI's
 * flags, an API's HostConfig) maps its own names to these. */
enum engine_cgroup_field {
	ENGINE_CGROUP_FIELD_MEMORY,
	ENGINE_CGROUP_FIELD_MEMORY_SWAP,
	ENGINE_CGROUP_FIELD_MEMORY_RESERVATION,
	ENGINE_CGROUP_FIELD_CPUS,
	ENGINE_CGROUP_FIELD_CPU_SHARES,
	ENGINE_CGROUP_FIELD_CPU_QUOTA,
	ENGINE_CGROUP_FIELD_CPU_PERIOD,
	ENGINE_CGROUP_FIELD_CPUSET_CPUS,
	ENGINE_CGROUP_FIELD_PIDS_LIMIT,
	ENGINE_CGROUP_FIELD_CGROUPS,
	ENGINE_CGROUP_FIELD_CGROUP_PARENT,
};
/* Set FIELD of SPEC from VALUE, in Docker's syntax.  Fails with
 * ENGINE_CGROUP_BAD_SYNTAX where VALUE does not parse (the message says
 * why, and the caller names its flag around it, as Docker's "invalid
 * argument" does), else with -1 and a message that stands alone. */
#define ENGINE_CGROUP_BAD_SYNTAX (-EDOM)
int engine_cgroup_run_set(struct engine_run_spec *spec, enum engine_cgroup_field field,
			  const char *value, struct engine_error **err);
/* After all flags: the checks that need several of them. */
int engine_cgroup_run_flags_check(const struct engine_run_spec *spec, struct engine_error **err);
/* Did the command line ask for any limit? */
bool engine_cgroup_spec_any(const struct engine_run_spec *spec);
/* SPEC's limits; DET (may be NULL) adds the default --pids-limit 2048
 * where the pids controller is delegated, as Podman. */
void engine_cgroup_spec_limits(const struct engine_run_spec *spec,
			       const struct engine_cgroup_detection *det,
			       struct engine_cgroup_limits *ret);
/* DET's reason when the container's cgroup mode disabled cgroups. */
#define ENGINE_CGROUP_MODE_DISABLED_REASON "the cgroup mode is disabled"
/* The manager SPEC's container gets: cgroup mode disabled: none; split: a
 * child of our own cgroup (cgroupfs); else SPEC's cgroup_manager, or
 * the detected one. */
int engine_cgroup_spec_detect(const struct engine_run_spec *spec,
			      struct engine_cgroup_detection *ret, struct engine_error **err);

/* The running container's cgroup as its state recorded it; fails with
 * ENOTSUP and why when it has none (disabled, or not running). */
int engine_cgroup_of_state(const struct engine_container_state *st, struct engine_cgroup *ret,
			   struct engine_error **err);
/* cgroup.freeze of the recorded cgroup reads 1. */
bool engine_cgroup_state_paused(const struct engine_container_state *st);
/* stop, kill and rm -f: after SIGNAL went to the init, every process of
 * the recorded cgroup gets SIGKILL through cgroup.kill (nothing escapes),
 * or a paused one is thawed so that it can act on the signal.  No-op
 * without a recorded cgroup. */
void engine_cgroup_state_signaled(const struct engine_container_state *st, int signal);
/* `update`: write LIMITS into the container's cgroup files, read back. */
int engine_cgroup_update(const struct engine_cgroup *cg, const struct engine_cgroup_limits *limits,
			 struct engine_error **err);
