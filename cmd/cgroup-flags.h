/* cgroup-flags.h: the cgroup flags of run, create and update, and the
 * library's cgroup fields they set.  The flag names live here, in the
 * CLI; the library (libengine/cgroup/run.h) knows only the fields. */
#pragma once

#include "libengine/cgroup/run.h"
#include "common/error.h"
#include "libengine/runtime/spec.h"

/* getopt codes of the cgroup flags: CMD_CGROUP_OPT + the field, above
 * any other option code of run's or update's. */
#define CMD_CGROUP_OPT 2000
#define CMD_CGROUP_FIELDS (ENGINE_CGROUP_FIELD_CGROUP_PARENT + 1)

/* The flag that sets FIELD, as Docker names it in its messages
 * ("-m, --memory", "--cpus"); NULL for a field no flag sets. */
const char *cmd_cgroup_flag_name(enum engine_cgroup_field field);
/* The flag's VALUE into FIELD of SPEC, with Docker's messages (which
 * name the flag). */
int cmd_cgroup_flag_set(struct engine_run_spec *spec, enum engine_cgroup_field field,
			const char *value, struct engine_error **err);
