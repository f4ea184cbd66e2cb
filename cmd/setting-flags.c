/* setting-flags.c: the library names a setting in its messages in its own
 * words and records where (common/error.h); the CLI puts the flag there,
 * so that "invalid user \"a:b:c\"" reads "invalid --user \"a:b:c\"". */
#include "cmd/setting-flags.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *setting, *flag;
} flags[] = {
	{ "user", "--user" },
	{ "working directory", "--workdir" },
	{ "volume", "--volume" },
	{ "mount", "--mount" },
	{ "tmpfs", "--tmpfs" },
	{ "device", "--device" },
	{ "capabilities to add", "--cap-add" },
	{ "capabilities to drop", "--cap-drop" },
	{ "cgroup mode", "--cgroups" },
	{ "cpuset cpus", "--cpuset-cpus" },
	{ "cgroup parent", "--cgroup-parent" },
	{ "rootfs", "--rootfs" },
	{ "network", "--network" },
	{ "userns", "--userns" },
	{ "ulimit", "--ulimit" },
	{ "change", "--change" },
	{ "storage-driver", "--storage-driver" },
	{ "store root", "--root" },
	{ "run root", "--runroot" },
	{ "tls-verify", "--tls-verify" },
	{ "extra host", "--add-host" },
	{ "DNS server", "--dns" },
	{ "DNS search domain", "--dns-search" },
	{ "DNS option", "--dns-option" },
	{ "published port", "-p" },
	{ "publish all", "-P" },
	{ "forced removal", "rm -f" },
};

const char *cmd_setting_flag(const char *setting)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(flags[i].setting, setting) == 0)
			return flags[i].flag;
	return NULL;
}

char *cmd_error_text(const struct engine_error *err)
{
	return engine_error_text(err, cmd_setting_flag);
}
