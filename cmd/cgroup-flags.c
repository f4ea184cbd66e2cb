/* cgroup-flags.c: the cgroup flags of run, create and update mapped to
 * the library's cgroup fields.  The library parses a field's value and
 * says why it does not parse; the flag's name, which Docker's
 * "invalid argument" message carries, is added here. */
#include "cmd/cgroup-flags.h"

#include <errno.h>
#include <string.h>

static const char *const flag_names[CMD_CGROUP_FIELDS] = {
	[ENGINE_CGROUP_FIELD_MEMORY] = "-m, --memory",
	[ENGINE_CGROUP_FIELD_MEMORY_SWAP] = "--memory-swap",
	[ENGINE_CGROUP_FIELD_MEMORY_RESERVATION] = "--memory-reservation",
	[ENGINE_CGROUP_FIELD_CPUS] = "--cpus",
	[ENGINE_CGROUP_FIELD_CPU_SHARES] = "--cpu-shares",
	[ENGINE_CGROUP_FIELD_CPU_QUOTA] = "--cpu-quota",
	[ENGINE_CGROUP_FIELD_CPU_PERIOD] = "--cpu-period",
	[ENGINE_CGROUP_FIELD_CPUSET_CPUS] = "--cpuset-cpus",
	[ENGINE_CGROUP_FIELD_PIDS_LIMIT] = "--pids-limit",
	[ENGINE_CGROUP_FIELD_CGROUPS] = "--cgroups",
	[ENGINE_CGROUP_FIELD_CGROUP_PARENT] = "--cgroup-parent",
};

const char *cmd_cgroup_flag_name(enum engine_cgroup_field field)
{
	return (unsigned)field < CMD_CGROUP_FIELDS ? flag_names[field] : NULL;
}

int cmd_cgroup_flag_set(struct engine_run_spec *spec, enum engine_cgroup_field field,
			const char *value, struct engine_error **err)
{
	const char *flag = cmd_cgroup_flag_name(field);
	if (flag == NULL)
		return engine_error_set(err, EINVAL, "unknown cgroup field %d", (int)field);
	/* Said here so that the message names the flag, as it always has. */
	if (field == ENGINE_CGROUP_FIELD_CGROUP_PARENT && *value == '\0')
		return engine_error_set(err, EINVAL, "--cgroup-parent: an empty name");
	int r = engine_cgroup_run_set(spec, field, value, err);
	if (r == ENGINE_CGROUP_BAD_SYNTAX)
		return engine_error_prefix(err, "invalid argument \"%s\" for \"%s\" flag", value, flag);
	return r;
}
